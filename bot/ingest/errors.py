"""The failures an admin can cause while adding an article.

Each carries a one-line message meant to be shown as is (CLI stderr or a
Discord reply), and a short ``kind`` so tests and faces can tell cases apart
without matching on wording.
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class: ``str(err)`` is the user-facing sentence."""

    kind = "error"

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class FetchError(IngestError):
    """The page could not be downloaded (kinds: bad-url, bad-limit, unreachable, timeout, http-status, too-large, unsupported-type)."""

    kind = "unreachable"


class ExtractError(IngestError):
    """The content is not something we can turn into an article (kinds: not-an-article, unsupported-type, bad-encoding, bad-front-matter)."""

    kind = "not-an-article"


class StoreError(IngestError):
    """Writing the article would be unsafe or wrong (kinds: slug-taken, unsafe-path, no-corpus, not-found)."""

    kind = "unsafe-path"
