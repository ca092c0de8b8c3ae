"""What counts as a usable question, and what looks like one in chat."""

from __future__ import annotations

import re
import unicodedata

from bot.engine.analysis import normalise

MAX_QUESTION_CHARS = 1000
_WORD = re.compile(r"[^\W_]+")
_QUESTION_START = re.compile(
    r"^(who|whom|whose|what|whats|what's|when|where|why|how|which|is|are|was|were|will|would|can|could|"
    r"do|does|did|has|have|had|should|shall|may|might|any|anyone|does anyone)\b",
    re.IGNORECASE,
)


class QuestionError(ValueError):
    """A question the engine cannot search for; ``str()`` is a short message for the asker."""


def _visible(text: str) -> str:
    """Drop control, format (RTL marks, zero-width) and combining characters."""
    return "".join(
        c for c in unicodedata.normalize("NFKC", text)
        if unicodedata.category(c) not in {"Cc", "Cf", "Mn", "Me", "Cs", "Co"} or c in "\n\t"
    )


def clean_question(text: str) -> str:
    """The question as it will be searched, or ``QuestionError`` saying what is wrong with it."""
    if text is None or not str(text).strip():
        raise QuestionError("Your question is empty. Ask me something like “is season 2 confirmed?”.")
    cleaned = " ".join(_visible(str(text)).split())
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(cleaned)} characters long; please keep it under {MAX_QUESTION_CHARS}."
        )
    if not _WORD.search(normalise(cleaned)):
        raise QuestionError("I couldn't find any words in that question. Try asking with words, e.g. “who plays Nick?”.")
    return cleaned


def looks_like_question(text: str) -> bool:
    """Whether a chat message reads as a question (used for unprompted answers in opted-in channels)."""
    text = " ".join(_visible(text or "").split())
    if len(text) < 8 or len(text) > MAX_QUESTION_CHARS or len(_WORD.findall(text)) < 3:
        return False
    if text.rstrip().endswith("?"):
        return True
    return bool(_QUESTION_START.match(text)) and len(text) < 200
