"""Which indexed article an admin means when they name one to remove.

Shared by ``/remove`` (whose autocomplete sends the exact id, though a user
may also type freely) and ``python -m bot remove``; kept free of discord so
the command line never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from bot.engine import Article


def folded(text: str) -> str:
    """How names are compared: case and runs of spaces do not matter."""
    return " ".join(text.casefold().split())


def matching_articles(articles: Sequence["Article"], given: str) -> list["Article"]:
    """The articles ``given`` names: its exact id, else its id without ".md" or its title, ignoring case.

    More than one result means the name is ambiguous (two articles with one
    title); the caller asks for the file name instead of guessing.
    """
    given = given.strip()
    exact = [a for a in articles if a.id == given]
    if exact:
        return exact
    name = folded(given)
    return [a for a in articles if a.id.casefold() in {name, name + ".md"} or folded(a.title) == name]
