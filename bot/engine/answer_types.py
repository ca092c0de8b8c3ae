"""What kind of thing a question asks for, and whether a sentence has one.

"Who produces the show?" wants a name, "when" a date, "how many" a number,
"where" a place.  Bag-of-words BM25 cannot tell "the producers chose to..."
from "produced by See-Saw Films"; a sentence that holds the *kind* of thing
asked for is the better answer.  This only re-orders candidates that already
match the question: it never makes an answer out of nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from bot.engine.stopwords import STOPWORDS


class AnswerType(Enum):
    NONE = "none"
    NAME = "name"
    DATE = "date"
    NUMBER = "number"
    PLACE = "place"
    DURATION = "duration"
    SUMMARY = "summary"


_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_QUESTION_TYPES = [
    (re.compile(r"\bhow long\b", re.I), AnswerType.DURATION),
    (re.compile(r"\bwhat(?:'s|s| is| was| are| will)\b.*\babout\b|\bwhat happens\b|\b(plot|storyline|synopsis|premise)\b", re.I),
     AnswerType.SUMMARY),
    (re.compile(r"\b(how many|how much|how old|what number|what percentage|what score|what rating)\b", re.I), AnswerType.NUMBER),
    (re.compile(r"\b(when|what year|what date|what month|which year|what day|how soon|release date)\b", re.I), AnswerType.DATE),
    (re.compile(r"\b(who|whom|whose|which actor|which actress|what actor|what actress)\b", re.I), AnswerType.NAME),
    (re.compile(r"\b(where|what location|which location|what city|what town|what country|which country)\b", re.I), AnswerType.PLACE),
]
_DATE = re.compile(rf"\b((19|20)\d\d|{_MONTHS}|spring|summer|autumn|fall|winter|next year|this year|later this year)\b", re.I)
_DURATION = re.compile(
    r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|sixty|ninety|half|several|few)[\s-]+"
    r"(hours?|minutes?|mins?|days?|weeks?|months?|years?)\b|\bhalf[\s-]hour",
    re.I,
)
# How articles introduce what a story is about: "it follows", "centres on", "tells the story of".
_SUMMARY = re.compile(
    r"\b(follows|following) (the|a|an|two|three|\w+'s)\b|\b(centres on|centers on|tells the story|the story of|"
    r"explores|revolves around|is about|focus(es)? on)\b",
    re.I,
)
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|million|first|second|third|fourth|fifth|dozen)\b", re.I)
# Two capitalised words in a row: "Kit Connor", "See-Saw Films" (a sentence's
# opening "The" or "In" does not count as part of a name).
_CAPS_RUN = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")
_PLACE = re.compile(
    rf"\b(in|at|near|from|to)\s+(the\s+)?(?!(?i:{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)[A-Z][\w'’.-]+"
)


_HOW_MANY = re.compile(r"\bhow many\s+(.*)", re.I)
_COUNT = r"(?:\d[\d,.]*%?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|dozen)"


# Words that only say what kind of answer is wanted ("what *town*", "the *name*
# of", "how *long*"): the kind is kept (see _QUESTION_TYPES), the word is not
# searched for.  Articles rarely use it ("filmed in Herne Bay", not "the town
# of Herne Bay"), and as a word the corpus lacks it would count against every
# passage and make the engine abstain on a question it can answer.
_TYPE_CUES = re.compile(
    r"\b(?:(?<=what )|(?<=which ))(?:town|city|country|year|month|day)\b"
    r"|\bthe name of\b|\bname of the\b|(?<=\bhow )long\b|\b(?:plot|storyline|synopsis|premise)\b",
    re.I,
)
_NAME_OF = re.compile(r"\bname of\b", re.I)  # "what is the name of the school?" wants a name
# Yes/no questions start with an auxiliary verb: "has it been renewed?", "is season 2 confirmed?".
_YES_NO = re.compile(r"^\s*(is|are|was|were|has|have|had|will|would|does|do|did|can|could|should)\b", re.I)
# Sentences that only suppose or speculate: "if Netflix renews it", "in the event that", "whether".
_HEDGED = re.compile(
    r"\b(if|whether|in the event|may|might|could|would|possibility|possibly|perhaps|hopefully|hoping|"
    r"rumou?red|speculat\w*|no official)\b",
    re.I,
)


@dataclass(frozen=True)
class Expected:
    """What the question asks for: a kind, for "how many X" the counted word X, and whether it asks yes or no."""

    kind: AnswerType = AnswerType.NONE
    counted: str | None = None
    yes_no: bool = False


def without_type_cues(question: str) -> str:
    """The question without the words that only name the kind of answer wanted (searched without them)."""
    return _TYPE_CUES.sub(" ", question)


def is_hedged(sentence: str) -> bool:
    """Whether a sentence only supposes ("if", "in the event that", "might"): a weak answer to a yes/no question."""
    return bool(_HEDGED.search(sentence))


def question_type(question: str) -> Expected:
    for pattern, kind in _QUESTION_TYPES:
        if pattern.search(question):
            counted = None
            if kind is AnswerType.NUMBER and (match := _HOW_MANY.search(question)):
                counted = _counted_word(match.group(1))
            return Expected(kind, counted)
    if _NAME_OF.search(question):
        return Expected(AnswerType.NAME)
    return Expected(yes_no=bool(_YES_NO.match(question)))


def _counted_word(phrase: str) -> str | None:
    """The noun of "how many <phrase>": the last word before the verb ("heartstopper books are" -> books)."""
    counted = None
    for word in re.findall(r"[a-z]+", phrase.lower()):
        if word in STOPWORDS or word in {"of", "the"}:
            if counted:
                break
            continue
        counted = word
    return counted if counted and len(counted) >= 3 else None


_COUNT_WORD = re.compile(rf"^{_COUNT}$", re.I)
_WORDS = re.compile(r"[\w%.,-]+")


def counts(sentence: str, counted: str, tokens: Callable[[str], list[str]]) -> bool:
    """Whether a number stands just before the counted thing ("eight episodes", "four volumes of").

    ``tokens`` is the corpus analyzer, so synonyms count too (volumes are
    books).  "number one YA book" and "Volume 1" name a rank, not a count.
    """
    target = set(tokens(counted))
    words = _WORDS.findall(sentence)
    for i, word in enumerate(words):
        word = word.strip(".,")
        if not _COUNT_WORD.match(word):
            continue
        before = words[i - 1].lower().strip(".,") if i else ""
        if before in {"number", "no", "volume", "season", "episode", "series", "book", "part", "top"}:
            continue
        if target & set(tokens(" ".join(words[i + 1:i + 4]))):
            return True
    return False


def has_answer_type(sentence: str, expected: Expected | AnswerType, tokens: Callable[[str], list[str]] | None = None) -> bool:
    """Whether ``sentence`` holds what ``expected`` asks for; ``tokens`` (the analyzer) enables count checks."""
    if isinstance(expected, AnswerType):
        expected = Expected(expected)
    kind = expected.kind
    if kind is AnswerType.NONE:
        return False
    if kind is AnswerType.DATE:
        return bool(_DATE.search(sentence))
    if kind is AnswerType.SUMMARY:
        return bool(_SUMMARY.search(sentence))
    if kind is AnswerType.DURATION:
        return bool(_DURATION.search(sentence))
    if kind is AnswerType.NUMBER:
        if expected.counted and tokens is not None:
            return counts(sentence, expected.counted, tokens)
        return bool(_NUMBER.search(sentence))
    if kind is AnswerType.NAME:
        for match in _CAPS_RUN.finditer(sentence):
            words = match.group().split()
            if words[0].casefold() in STOPWORDS:
                words = words[1:]
            if len(words) >= 2:
                return True
        return False
    return bool(_PLACE.search(sentence))
