"""Split an article into passages that can each answer a question on their own.

A heading or question-line ("How many Heartstopper books are there?") is
kept with the paragraph that answers it, so a bare heading is never an
answer.  Short paragraphs (list items, captions, one-line quotes) are joined
with their neighbours in the same section; long ones are cut at sentence
boundaries, so every passage reads well in a Discord message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.models import Article, Passage

TARGET_CHARS = 420  # a paragraph shorter than this is joined with the next one
MAX_CHARS = 900  # a passage longer than this is cut at a sentence boundary
_HEADING_MAX_CHARS = 110
_HEADING_MAX_WORDS = 16
# A sentence ends at . ! ? or … (plus closing quotes) followed by a space or the
# end of the line, so "3.4M" and "Mr. Ajayi"-style dots inside words do not cut it.
_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+[\"'”’)\]]*(?=\s+[^\s a-z]|\s*$)|$)")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


@dataclass
class _Section:
    heading: str
    paragraphs: list[str]


def _paragraphs(body: str) -> list[str]:
    """One paragraph per non-empty line: scraped text uses single or double newlines alike."""
    return [line.strip() for line in body.split("\n") if line.strip()]


def _is_short_line(line: str | None) -> bool:
    return bool(line) and len(line) <= _HEADING_MAX_CHARS and len(line.split()) <= _HEADING_MAX_WORDS


def _is_heading(line: str, following: str | None, previous: str | None = None) -> bool:
    if _MARKDOWN_HEADING.match(line):
        return True
    if following is None or not _is_short_line(line):
        return False
    if _is_short_line(previous) and previous[-1] not in ".!?\"”’)…" and not line.endswith("?"):
        return False  # the last item of a list, not a heading for what follows
    if line.endswith("?"):
        return True
    if line[-1] in ".!,;:\"'”’)…":
        return False
    # A short unpunctuated line is a heading only when real prose follows it;
    # a run of short lines is a list (e.g. a cast list), kept together as text.
    return len(following) > _HEADING_MAX_CHARS or following.endswith((".", "!", "?", "\""))


def _sections(paragraphs: list[str]) -> list[_Section]:
    sections = [_Section("", [])]
    for index, line in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        previous = paragraphs[index - 1] if index > 0 else None
        if _is_heading(line, following, previous):
            sections.append(_Section(_MARKDOWN_HEADING.sub("", line), []))
        else:
            sections[-1].paragraphs.append(line)
    # A heading with no text of its own (two headings in a row) is kept as
    # context for the next section rather than becoming a bare passage.
    merged: list[_Section] = []
    carry = ""
    for section in sections:
        heading = "\n".join(h for h in (carry, section.heading) if h)
        if section.paragraphs:
            merged.append(_Section(heading, section.paragraphs))
            carry = ""
        else:
            carry = heading
    return merged


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, each a substring of ``text`` (stripped).

    A line break always ends a sentence: a list item ("Kit Connor as Nick
    Nelson") is a sentence of its own even without a full stop.
    """
    found = [m.group(0).strip() for line in text.split("\n") for m in _SENTENCE.finditer(line)]
    return [s for s in found if s]


def _cut_long(paragraph: str) -> list[str]:
    if len(paragraph) <= MAX_CHARS:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in sentences(paragraph):
        while len(sentence) > MAX_CHARS:  # a run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > 0 else MAX_CHARS
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > MAX_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def _chunks(section: _Section) -> list[str]:
    """The passage texts of one section; the heading opens the first one."""
    pieces = [piece for paragraph in section.paragraphs for piece in _cut_long(paragraph)]
    chunks: list[str] = []
    current = section.heading
    for number, piece in enumerate(pieces):
        if not current:
            current = piece
        elif number == 0 or len(current) < TARGET_CHARS and len(current) + 1 + len(piece) <= MAX_CHARS:
            current = f"{current}\n{piece}"
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def split_article(article: Article, first_id: int = 0) -> list[Passage]:
    """The passages of ``article``, numbered from ``first_id`` in reading order."""
    passages: list[Passage] = []
    for section in _sections(_paragraphs(article.body)):
        for text in _chunks(section):
            passages.append(
                Passage(
                    id=first_id + len(passages),
                    article_id=article.id,
                    position=len(passages),
                    heading=section.heading,
                    text=text,
                    title=article.title,
                    source=article.source,
                    url=article.url,
                    date=article.date,
                )
            )
    return passages
