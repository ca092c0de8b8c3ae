"""The values that flow through the engine.

They are frozen dataclasses so that an index built in a worker thread can be
handed to the Discord face (or pickled to the cache) without anyone mutating
what another reader is looking at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the corpus, after front matter parsing and chrome stripping."""

    id: str  # path relative to the corpus folder, e.g. "radio-times-season-2.md"
    path: Path
    title: str
    source: str  # the publication; "" when unknown
    url: str | None
    date: dt.date | None
    body: str  # cleaned text, paragraphs separated by blank lines
    checksum: str  # sha256 of the raw file bytes, to tell a changed article on reindex
    body_line: int = 1  # 1-based line of the file where the body starts


@dataclass(frozen=True, slots=True)
class Passage:
    """A short, self-contained piece of an article: the unit that is searched and shown."""

    id: int  # position in the index
    article_id: str
    position: int  # 0-based order of the passage inside its article
    heading: str  # the heading or question-line it belongs to, "" if none
    text: str  # what is shown to a reader (heading included on its own first line)
    title: str
    source: str
    url: str | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class LoadError:
    """A corpus file that could not be used, and why. It is reported, never fatal."""

    path: str  # as given to the admin: relative to the corpus folder when possible
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Answer:
    """The best passage for a question, with what a reader needs to trust it.

    ``alternatives`` are the next best passages (from other passages, near
    duplicates removed), each an ``Answer`` with empty alternatives.
    ``confidence`` is in [0, 1]: how clearly this passage beats what an
    unanswerable question would score on this corpus (see ``bot.engine.answers``).
    """

    text: str
    sentence: str
    title: str
    source: str
    url: str | None
    date: dt.date | None
    score: float
    article: str
    passage_id: int
    confidence: float
    alternatives: tuple["Answer", ...] = field(default=())

    def to_json(self) -> dict:
        """The shape of the CLI's ``--json`` contract (alternatives excluded)."""
        return {
            "text": self.text,
            "sentence": self.sentence,
            "title": self.title,
            "source": self.source,
            "url": self.url or None,
            "date": self.date.isoformat() if self.date else None,
            "score": float(self.score),
            "article": self.article,
        }
