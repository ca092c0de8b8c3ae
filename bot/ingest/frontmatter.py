"""Writing (and reading back) the YAML front matter of corpus files.

The corpus stays a folder of plain files people edit by hand, so what we
write must look like the bundled articles (four keys, always in the same
order, strings double-quoted, an unquoted ISO date or ``null``) and must load
back to exactly the values we meant, whatever odd characters a web page put
in its title.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING

from bot.ingest.errors import ExtractError

if TYPE_CHECKING:
    from bot.engine.frontmatter import FrontMatter

# Characters YAML refuses in a stream (C0/C1 controls, DEL, surrogates, non-characters);
# a title scraped from the web can contain them, and one would make the whole file unloadable.
_NOT_YAML_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_line(value: str) -> str:
    """One line of metadata: runs of any whitespace become one space, unloadable characters go."""
    return " ".join(_NOT_YAML_PRINTABLE.sub("", value).split())


def clean_body(text: str) -> str:
    """Body text with Unix line ends, no trailing spaces, paragraphs separated by exactly one blank line."""
    text = _NOT_YAML_PRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; ensure_ascii=False keeps titles readable.
    return json.dumps(clean_line(value), ensure_ascii=False)


def render_article(title: str, source: str, url: str | None, date: dt.date | None, body: str) -> str:
    """The full text of a corpus file, in the format of COMMON.md."""
    lines = [
        "---",
        f"title: {_quoted(title)}",
        f"source: {_quoted(source)}",
        f"url: {_quoted(url) if url else 'null'}",
        f"date: {date.isoformat() if date else 'null'}",
        "---",
        clean_body(body),
    ]
    return "\n".join(lines) + "\n"


def read_front_matter(text: str) -> "FrontMatter | None":
    """The front matter of a Markdown/text file exactly as the engine will read it, or None when there is none.

    Parsing is the engine's own (``bot.engine.frontmatter``), so an upload
    that passes here loads the same way at index time.
    """
    from bot.engine import frontmatter

    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not frontmatter.has_front_matter(text):
        return None
    try:
        return frontmatter.parse(text)
    except frontmatter.FrontMatterError as err:
        where = f" (line {err.line})" if err.line else ""
        raise ExtractError(f"{err}{where}", "bad-front-matter") from None
