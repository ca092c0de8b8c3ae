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
        for pattern in rules.remove_phrases:
            line = pattern.sub("", line)
        line = _SPACES.sub(" ", line).strip()
        if any(pattern.search(line) for pattern in rules.cut_after):
            break
        if not line:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if any(pattern.fullmatch(line) for pattern in rules.drop_lines):
            continue
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    return "\n".join(kept)
