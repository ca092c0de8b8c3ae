"""What kind of thing a question asks for, and whether a sentence has one.

"Who produces the show?" wants a name, "when" a date, "how many" a number,
"where" a place.  Bag-of-words BM25 cannot tell "the producers chose to..."
from "produced by See-Saw Films"; a sentence that holds the *kind* of thing
asked for is the better answer.  This only re-orders candidates that already
match the question: it never makes an answer out of nothing.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.engine.stopwords import STOPWORDS


class AnswerType(Enum):
    NONE = "none"
    NAME = "name"
    DATE = "date"
    NUMBER = "number"
    PLACE = "place"


_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_QUESTION_TYPES = [
    (re.compile(r"\b(how many|how much|how long|how old|what number|what percentage|what score|what rating)\b", re.I), AnswerType.NUMBER),
    (re.compile(r"\b(when|what year|what date|what month|which year|what day|how soon|release date)\b", re.I), AnswerType.DATE),
    (re.compile(r"\b(who|whom|whose|which actor|which actress|what actor|what actress)\b", re.I), AnswerType.NAME),
    (re.compile(r"\b(where|what location|which location|what city|what town|what country|which country)\b", re.I), AnswerType.PLACE),
]
_DATE = re.compile(rf"\b((19|20)\d\d|{_MONTHS}|spring|summer|autumn|fall|winter|next year|this year|later this year)\b", re.I)
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|million|first|second|third|fourth|fifth|dozen)\b", re.I)
# Two capitalised words in a row: "Kit Connor", "See-Saw Films" (a sentence's
# opening "The" or "In" does not count as part of a name).
_CAPS_RUN = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")
_PLACE = re.compile(
    rf"\b(in|at|near|from|to)\s+(the\s+)?(?!(?i:{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)[A-Z][\w'’.-]+"
)


def question_type(question: str) -> AnswerType:
    for pattern, kind in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return AnswerType.NONE


def has_answer_type(sentence: str, kind: AnswerType) -> bool:
    if kind is AnswerType.NONE:
        return False
    if kind is AnswerType.DATE:
        return bool(_DATE.search(sentence))
    if kind is AnswerType.NUMBER:
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
