"""Admin-extendable rules: chrome stripping patterns and synonym groups.

The package ships defaults in ``bot/engine/data``; a corpus folder may add
``chrome.yaml`` and ``synonyms.yaml`` of the same shape.  A broken rules file
is reported like a broken article (file and line) and the defaults still apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from bot.engine.models import LoadError

CHROME_FILE = "chrome.yaml"
SYNONYMS_FILE = "synonyms.yaml"
RULE_FILES = frozenset({CHROME_FILE, SYNONYMS_FILE})
_CHROME_KEYS = ("remove_phrases", "drop_lines", "cut_after")


@dataclass(frozen=True)
class ChromeRules:
    remove_phrases: tuple[re.Pattern[str], ...] = ()
    drop_lines: tuple[re.Pattern[str], ...] = ()
    cut_after: tuple[re.Pattern[str], ...] = ()
    # Each list as one alternation: a line that none of a list's rules matches
    # (almost every line) costs one regex call instead of one per rule.
    any_phrase: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    any_drop: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    any_cut: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "any_phrase", _either(self.remove_phrases))
        object.__setattr__(self, "any_drop", _either(self.drop_lines))
        object.__setattr__(self, "any_cut", _either(self.cut_after))

    def merged(self, other: "ChromeRules") -> "ChromeRules":
        return ChromeRules(
            self.remove_phrases + other.remove_phrases,
            self.drop_lines + other.drop_lines,
            self.cut_after + other.cut_after,
        )


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _either(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One pattern matching wherever any of ``patterns`` does; None when they cannot be joined
    (a backreference would point at another rule's group), and then each rule is tried alone."""
    if not patterns or any(_BACKREFERENCE.search(p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:
        return None


@dataclass(frozen=True)
class Rules:
    chrome: ChromeRules
    synonyms: tuple[tuple[str, ...], ...]
    errors: tuple[LoadError, ...] = ()
    sources: tuple[str, ...] = ()  # the text of every rules file used, for the cache fingerprint


def _yaml_error(name: str, exc: yaml.YAMLError) -> LoadError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return LoadError(name, line, f"invalid YAML: {problem}")


def _parse_chrome(name: str, text: str) -> tuple[ChromeRules, list[LoadError]]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        return ChromeRules(), [_yaml_error(name, exc)]
    if not isinstance(data, dict):
        return ChromeRules(), [LoadError(name, 1, f"expected a mapping with keys {', '.join(_CHROME_KEYS)}")]
    errors: list[LoadError] = []
    lists: dict[str, list[re.Pattern[str]]] = {key: [] for key in _CHROME_KEYS}
    for key, patterns in data.items():
        if key not in lists:
            errors.append(LoadError(name, _line_of(text, f"{key}:"), f"unknown key {key!r}; use {', '.join(_CHROME_KEYS)}"))
            continue
        for pattern in patterns or []:
            try:
                lists[key].append(re.compile(str(pattern), re.IGNORECASE))
            except re.error as exc:
                errors.append(LoadError(name, _line_of(text, str(pattern)), f"bad pattern {pattern!r}: {exc}"))
    rules = ChromeRules(*(tuple(lists[key]) for key in _CHROME_KEYS))
    return rules, errors


def _parse_synonyms(name: str, text: str) -> tuple[list[tuple[str, ...]], list[LoadError]]:
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        return [], [_yaml_error(name, exc)]
    if not isinstance(data, list):
        return [], [LoadError(name, 1, "expected a list of synonym groups, e.g. - [renewed, greenlit]")]
    groups: list[tuple[str, ...]] = []
    errors: list[LoadError] = []
    for group in data:
        if not isinstance(group, list) or len(group) < 2:
            first = str(group[0] if isinstance(group, list) and group else group)
            errors.append(LoadError(name, _line_of(text, first), f"a synonym group needs two or more words, got {group!r}"))
            continue
        groups.append(tuple(str(word) for word in group))
    return groups, errors


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle and needle in line:
            return number
    return None


def _builtin(name: str) -> str:
    return resources.files("bot.engine").joinpath("data", name).read_text(encoding="utf-8")


def load_builtin_synonyms() -> list[tuple[str, ...]]:
    groups, _ = _parse_synonyms(SYNONYMS_FILE, _builtin(SYNONYMS_FILE))
    return groups


def load_rules(corpus_dir: Path | None) -> Rules:
    """The built-in rules plus the corpus folder's own, with any errors in the latter."""
    texts = [_builtin(CHROME_FILE), _builtin(SYNONYMS_FILE)]
    chrome, errors = _parse_chrome(CHROME_FILE, texts[0])
    synonyms, more = _parse_synonyms(SYNONYMS_FILE, texts[1])
    errors += more
    if corpus_dir is not None:
        for name in (CHROME_FILE, SYNONYMS_FILE):
            path = corpus_dir / name
            if not path.is_file():
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(LoadError(name, None, f"cannot read rules file: {exc}"))
                continue
            texts.append(text)
            if name == CHROME_FILE:
                extra, more = _parse_chrome(name, text)
                chrome = chrome.merged(extra)
            else:
                extra_groups, more = _parse_synonyms(name, text)
                synonyms += extra_groups
            errors += more
    return Rules(chrome, tuple(synonyms), tuple(errors), tuple(texts))
