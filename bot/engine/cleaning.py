"""Strip site chrome from scraped article text, line by line, by admin-extendable rules.

Rules live in ``bot/engine/data/chrome.yaml`` and ``corpus/chrome.yaml``; see
the comments there for what each kind of rule does.
"""

from __future__ import annotations

import re

from bot.engine.rules import ChromeRules

_SPACES = re.compile(r"[ \t\u00a0]+")


def strip_chrome(text: str, rules: ChromeRules) -> str:
    """Return ``text`` without chrome; paragraphs stay one per line, blank lines between."""
    kept: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if rules.any_phrase is None or rules.any_phrase.search(line):
            for pattern in rules.remove_phrases:
                line = pattern.sub("", line)
        if "  " in line or "\t" in line or "\u00a0" in line:  # most lines: no regex pass at all
            line = _SPACES.sub(" ", line)
        line = line.strip()
        if _matches(line, rules.cut_after, rules.any_cut, whole=False):
            break
        if not line:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if _matches(line, rules.drop_lines, rules.any_drop, whole=True):
            continue
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    return "\n".join(kept)


def _matches(line: str, patterns: tuple[re.Pattern[str], ...], either: re.Pattern[str] | None, *, whole: bool) -> bool:
    """Whether any of ``patterns`` is found in ``line`` (matches all of it, with ``whole``)."""
    if either is not None:
        return bool(either.fullmatch(line) if whole else either.search(line))
    return any(p.fullmatch(line) if whole else p.search(line) for p in patterns)
