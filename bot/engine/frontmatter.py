"""YAML front matter: the metadata block at the head of a corpus file.

Errors carry the line of the file they are on, so an admin can open the
file and go straight to the problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

FIELDS = ("title", "source", "url", "date")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so an impossible date ("2022-02-30")
    is reported by us with its line instead of crashing YAML's constructor."""


_NO_TIMESTAMPS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_implicit_resolvers = _NO_TIMESTAMPS

# libyaml parses a front matter block several times faster than pure Python,
# which is a third of a big reindex.  It is only the fast path: whatever it
# rejects is parsed again by ``_Loader``, whose errors carry the line we report.
_FastLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        pass

    _FastLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class FrontMatter:
    title: str
    source: str
    url: str | None
    date: dt.date | None
    body: str
    body_line: int  # 1-based line where the body starts


def has_front_matter(text: str) -> bool:
    return text.split("\n", 1)[0].strip() == "---"


def _field_line(lines: list[str], key: str) -> int | None:
    for number, line in enumerate(lines, start=2):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return None


def _text_field(meta: dict, key: str, lines: list[str]) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise FrontMatterError(_field_line(lines, key), f"{key} must be text, got a {type(value).__name__}")
    return str(value).strip()


def _date_field(meta: dict, lines: list[str]) -> dt.date | None:
    value = meta.get("date")
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise FrontMatterError(_field_line(lines, "date"), f"date {text!r} is not a date; write it as YYYY-MM-DD") from None


def parse(text: str) -> FrontMatter:
    """Split ``text`` into metadata and body. ``text`` must start with a ``---`` line."""
    all_lines = text.split("\n")
    end = None
    for index in range(1, len(all_lines)):
        if all_lines[index].strip() in ("---", "..."):
            end = index
            break
    if end is None:
        raise FrontMatterError(1, "front matter starts with '---' but has no closing '---' line")
    block = all_lines[1:end]
    meta = _load_fast("\n".join(block))
    if meta is _FAILED:
        meta = _load_reporting_errors(block)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "front matter must be 'key: value' lines (title, source, url, date)")
    url = _text_field(meta, "url", block) or None
    return FrontMatter(
        title=_text_field(meta, "title", block),
        source=_text_field(meta, "source", block),
        url=url,
        date=_date_field(meta, block),
        body="\n".join(all_lines[end + 1:]),
        body_line=end + 2,
    )


_FAILED = object()
# A plain "key: value" line whose value does not open a tag, anchor, alias, block
# scalar or flow collection (those characters inside a quoted value are fine).
_PLAIN_LINE = re.compile(r"[A-Za-z_][\w -]*:(?:[ ]+[^\s!&*|>@`\[{].*|[ ]*)")


def _load_fast(text: str) -> object:
    """libyaml's reading of a plain ``key: value`` block; ``_FAILED`` for anything else.

    The two parsers differ at the edges (libyaml forgives tabs PyYAML rejects,
    reads a bare "!" as "" where PyYAML reads None, accepts "|#"...).  Only
    the shape every real front matter has -- one ``key: value`` per line, no
    tags, anchors, directives or block scalars -- takes the fast path, and only a mapping
    comes out of it; the reporting loader decides the rest, so a file gets
    the same verdict with or without libyaml.
    """
    if _FastLoader is None or "\t" in text:
        return _FAILED
    if not all(_PLAIN_LINE.fullmatch(line) for line in text.split("\n") if line.strip()):
        return _FAILED
    try:
        meta = yaml.load(text, Loader=_FastLoader)
    except Exception:  # noqa: BLE001 - any failure is diagnosed by the reporting loader
        return _FAILED
    return meta if isinstance(meta, dict) else _FAILED


def _load_reporting_errors(block: list[str]) -> object:
    try:
        return yaml.load("\n".join(block), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise FrontMatterError(line, f"front matter is not valid YAML: {problem}") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A type tag that does not convert ("date: !!int abc") or absurd nesting:
        # PyYAML raises plain Python errors for these, not YAMLError.
        line, text = next(((n, t) for n, t in enumerate(block, start=2) if "!!" in t), (2, ""))
        key = text.split(":", 1)[0].strip() if ":" in text else ""
        if key == "date":
            raise FrontMatterError(line, f"date {text.split(':', 1)[1].strip()!r} is not a date; write it as YYYY-MM-DD") from None
        what = f"the value of {key!r}" if key else "a value"
        raise FrontMatterError(line, f"front matter: {what} cannot be read ({type(exc).__name__}: {str(exc)[:80]})") from None
