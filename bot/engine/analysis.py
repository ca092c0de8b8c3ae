"""Text analysis: how a question and a passage become comparable tokens.

Both sides go through the same ``Analyzer`` so that what a fan types meets
what a journalist wrote: case, punctuation and curly quotes folded, numbers
kept, number words turned into digits ("season two", "second season", "s2"
all become ``season 2``), stopwords dropped, words stemmed with Snowball
("filmed" and "filming" both become ``film``), and synonym groups folded onto
one token ("greenlit" is searched as "renewed").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import Stemmer

from bot.engine.stopwords import STOPWORDS

_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100",
}
# "one" and "first" are too common on their own ("one of the best", "at first")
# to become digits everywhere; they are digits only next to a counted noun.
# Other ordinals are digits everywhere: "a fifth and final volume" is volume 5.
_ORDINALS = {
    "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
    "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "1st": "1", "2nd": "2",
    "3rd": "3", "4th": "4", "5th": "5", "6th": "6", "7th": "7", "8th": "8", "9th": "9", "10th": "10",
}
_COUNTED_NOUNS = ("season", "series", "episode", "volume", "book", "part", "chapter", "instalment", "installment")
_COUNTED = rf"(?:{'|'.join(_COUNTED_NOUNS)})"
_NUM = "|".join(sorted([*_NUMBER_WORDS, "one", "first", *_ORDINALS], key=len, reverse=True))
_EVERYWHERE = {**_NUMBER_WORDS, **_ORDINALS}

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
})
_POSSESSIVE = re.compile(r"(\w)'s\b")
_SHORT_SEASON = re.compile(r"\b([se])(\d{1,2})\b")  # s2 -> season 2, e8 -> episode 8
_ORDINAL_NOUN = re.compile(rf"\b({_NUM})[\s-]+({_COUNTED})s?\b")
_NOUN_NUMBER = re.compile(rf"\b({_COUNTED})s?\s+(?:no\.?\s*)?({_NUM}|\d{{1,3}})\b")
# "seasons 2 and 3" -> "season 2 and season 3", so a question about season 3 finds it
_NOUN_LIST = re.compile(rf"\b({_COUNTED}) (\d{{1,3}})((?:(?:,|,? and|,? or|,? &) \d{{1,3}}\b)+)")
_LIST_ITEM = re.compile(r"(,? and |,? or |,? & |, )(\d{1,3})")
COMPOUND_MARK = "#"  # "season#2": a ranking aid, never a word of the question (see answers.py)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SEASONISH = {"season", "series"}
_DIGIT = re.compile(r"\d")
# Stems after which a number also yields a compound token ("season 2" -> "season#2").
_COUNTED_STEMS = frozenset({"season", "episod", "volum", "book", "part", "chapter"})


def normalise(text: str) -> str:
    """Fold a text to the form the tokenizer expects: NFKC, casefolded, plain quotes, no accents."""
    if text.isascii():  # NFKC, the quote table and accent folding all leave ASCII as it is
        return text.lower()
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    if not text.isascii():
        # Drop combining marks (accents, zalgo) so "café" and "cafe" meet.
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text


def _digit(word: str) -> str:
    return _EVERYWHERE.get(word) or ("1" if word in ("one", "first") else word)


def _canonical_noun(noun: str) -> str:
    return "season" if noun in _SEASONISH else noun


def rewrite_numbers(text: str) -> str:
    """Turn the ways fans write numbered things into one form: ``<noun> <digits>``."""
    # Speed: the first rewrite needs a digit and the others a counted noun;
    # most passages have neither, and these tests cost far less than the patterns.
    if _DIGIT.search(text):
        text = _SHORT_SEASON.sub(lambda m: f"{'season' if m[1] == 's' else 'episode'} {m[2]}", text)
    if not any(noun in text for noun in _COUNTED_NOUNS):
        return text
    text = _ORDINAL_NOUN.sub(lambda m: f"{_canonical_noun(m[2])} {_digit(m[1])}", text)
    text = _NOUN_NUMBER.sub(lambda m: f"{_canonical_noun(m[1])} {_digit(m[2])}", text)
    text = _NOUN_LIST.sub(lambda m: f"{m[1]} {m[2]}" + _LIST_ITEM.sub(lambda n: f"{n[1]}{m[1]} {n[2]}", m[3]), text)
    return text


@dataclass(frozen=True)
class SynonymTable:
    """Synonym groups folded onto one token; phrases are matched as token runs."""

    # maps a run of stems to the group's canonical token; longest runs first
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    longest: int = 1
    # the stems a phrase can start with: elsewhere there is nothing to look up
    starts: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", frozenset(run[0] for run in self.phrases))

    def apply(self, stems: list[str]) -> list[str]:
        if not self.phrases or self.starts.isdisjoint(stems):
            return stems
        out: list[str] = []
        i, n = 0, len(stems)
        while i < n:
            if stems[i] not in self.starts:
                out.append(stems[i])
                i += 1
                continue
            for size in range(min(self.longest, n - i), 0, -1):
                canon = self.phrases.get(tuple(stems[i:i + size]))
                if canon is not None:
                    out.append(canon)
                    i += size
                    break
            else:
                out.append(stems[i])
                i += 1
        return out


class Analyzer:
    """Turns text into search tokens. One instance per index; cheap to call many times."""

    def __init__(self, synonym_groups: Iterable[Sequence[str]] = ()) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._stem_cache: dict[str, str] = {}
        self._word_stems: dict[str, str | None] = {}  # a word as found -> its stem; None for a stopword
        self.synonym_groups = tuple(tuple(g) for g in synonym_groups)
        self.synonyms = self._build_synonyms(self.synonym_groups)

    def __getstate__(self) -> dict:
        # PyStemmer objects cannot be pickled; the cache rebuilds them.
        return {"synonym_groups": self.synonym_groups}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["synonym_groups"])

    def _build_synonyms(self, groups: tuple[tuple[str, ...], ...]) -> SynonymTable:
        phrases: dict[tuple[str, ...], str] = {}
        for group in groups:
            runs = [tuple(self._stems(member)) for member in group]
            runs = [r for r in runs if r]
            if not runs:
                continue
            canon = "_".join(runs[0])
            for run in runs:
                phrases.setdefault(run, canon)
        longest = max((len(r) for r in phrases), default=1)
        return SynonymTable(phrases, longest)

    def _stem(self, word: str) -> str:
        stem = self._stem_cache.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word.replace("'", ""))
            self._stem_cache[word] = stem
        return stem

    def _word_stem(self, found: str) -> str | None:
        word = _EVERYWHERE.get(found, found)
        stem = None if word in STOPWORDS else self._stem(word)
        self._word_stems[found] = stem
        return stem

    def _stems(self, text: str) -> list[str]:
        text = normalise(text)
        if "'s" in text:
            text = _POSSESSIVE.sub(r"\1", text)
        found = _WORD.findall(rewrite_numbers(text))
        known = self._word_stems
        stems = [known[w] if w in known else self._word_stem(w) for w in found]
        if _COUNTED_STEMS.isdisjoint(stems):
            # Speed: without a counted noun there is no compound token, and
            # the loop below would only drop the stopwords.
            return [stem for stem in stems if stem is not None]
        words = [_EVERYWHERE.get(w, w) for w in found]
        stems = []
        previous = ""
        for word in words:
            if word in STOPWORDS:
                previous = ""
                continue
            stem = self._stem(word)
            stems.append(stem)
            # "season 2" also yields "season#2" so a numbered season outranks
            # a passage that merely has "season" and a stray "2".
            if previous and word.isdigit():
                stems.append(previous + COMPOUND_MARK + word)
            previous = stem if stem in _COUNTED_STEMS else ""
        return stems

    def tokens(self, text: str) -> list[str]:
        """The search tokens of ``text``, in order, duplicates kept (BM25 counts them)."""
        return self.synonyms.apply(self._stems(text))

    def words(self, text: str) -> list[str]:
        """The plain words of ``text`` (no stopword or stem), e.g. to tell whether a question has any."""
        return _WORD.findall(normalise(text))


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """An analyzer with the built-in synonyms only (tests, quick tools)."""
    from bot.engine.rules import load_builtin_synonyms

    return Analyzer(load_builtin_synonyms())
