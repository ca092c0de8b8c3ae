"""The answering engine: corpus -> passages -> tokens -> BM25 -> Answer. Knows nothing of Discord."""

from bot.engine.answers import AnswerPolicy
from bot.engine.engine import CorpusDiff, EmptyCorpusError, Engine, EngineConfig, diff_corpus
from bot.engine.models import Answer, Article, LoadError, Passage
from bot.engine.questions import QuestionError, looks_like_question

__all__ = [
    "Answer",
    "AnswerPolicy",
    "Article",
    "CorpusDiff",
    "EmptyCorpusError",
    "Engine",
    "EngineConfig",
    "LoadError",
    "Passage",
    "QuestionError",
    "diff_corpus",
    "looks_like_question",
]
