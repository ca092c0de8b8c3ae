"""Choose the answer among ranked passages: abstain, prefer newer reports, pick the sentence.

Abstention uses *coverage*: the share of the question's information that a
passage contains, each question word weighted by its idf in this corpus (a
word the corpus has never seen weighs what a word in zero passages would).
Because the weights come from the corpus, the bar means the same thing on
five articles or fifty thousand: "does this passage hold most of what was
asked?".  Coverage is measured twice, over the whole passage and over its
best sentence, because an answer states the asked-about things *together*;
words scattered over a long passage are weaker evidence.  BM25 ranks the
candidates; BM25 x confidence re-ranks them; confidence decides whether
the best one is an answer at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from bot.engine.analysis import COMPOUND_MARK, Analyzer
from bot.engine.answer_types import AnswerType, Expected, has_answer_type, is_hedged, question_type
from bot.engine.index import BM25Index, Hit
from bot.engine.models import Answer, Passage
from bot.engine.passages import sentences


@dataclass(frozen=True)
class AnswerPolicy:
    min_confidence: float = 0.5  # below this share of the question found, say "I don't know"
    alternative_confidence: float = 0.34  # alternatives must hold at least a third of the question
    recency_margin: float = 0.12  # ranks within 12% of the best are "close": the newer article wins
    near_duplicate: float = 0.6  # token-set Jaccard above this hides an alternative as a repeat
    candidates: int = 30  # passages considered per question


TYPE_BONUS = 1.3  # a best sentence holding the kind of thing asked for (a name for "who") ranks higher
HEADING_BONUS = 0.25  # up to +25% when the passage's heading asks what the fan asked (FAQ-style articles)
# Asked yes or no, a definite report ranked within 30% of a best answer that only
# supposes ("if Netflix renews it...") and covering as much of the question is the
# answer instead: news is full of speculation, and BM25 often favours its shorter lines.
DEFINITE_MARGIN = 0.30
SENTENCE_CACHE_SIZE = 4096  # passages whose split sentences are kept; a few MB, covers the hot questions


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    passage: Passage
    sentence: str
    confidence: float  # mean of passage coverage and best-sentence coverage, 0..1
    typed: bool = False  # the sentence holds the kind of answer the question asks for
    heading_coverage: float = 0.0  # share of the question found in the passage's heading
    hedged: bool = False  # a yes/no question, and the sentence only supposes ("if it is renewed")

    @property
    def rank_value(self) -> float:
        # max(): on a corpus of one or two passages BM25Okapi's scores can be
        # negative; ranking then falls back on confidence (see sort key).
        bonus = (TYPE_BONUS if self.typed else 1.0) * (1 + HEADING_BONUS * self.heading_coverage)
        return max(self.hit.score, 0.0) * self.confidence * bonus


def _contains(index: BM25Index, token: str, passage: int) -> bool:
    postings = index.postings(token)
    at = int(np.searchsorted(postings, passage))
    return at < len(postings) and int(postings[at]) == passage


class AnswerPicker:
    """Turns a ranked list of hits into an ``Answer`` (or none)."""

    def __init__(self, index: BM25Index, passages: Sequence[Passage], analyzer: Analyzer, policy: AnswerPolicy) -> None:
        self.index = index
        self.passages = passages
        self.analyzer = analyzer
        self.policy = policy
        self._titles: frozenset[str] | None = None
        # A plain dict, not functools.lru_cache on a bound method: that would make
        # the picker a reference cycle, and freeing a 100k-passage index then waits
        # for the cyclic GC, a long pause on the event loop after a reindex.
        self._sentence_cache: dict[int, tuple[tuple[str, frozenset[str]], ...]] = {}

    def weights(self, query: Sequence[str]) -> dict[str, float]:
        """How informative each word of the question is in this corpus.

        This is the smoothed idf ``log(1 + (N - df + 0.5) / (df + 0.5))``,
        positive on any corpus (BM25Okapi's own idf goes negative or flat on
        a corpus of one or two passages).  A word in no passage gets df = 0.
        Compounds ("season#2") only help ranking and are left out.
        """
        n = self.index.size
        return {
            token: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for token in dict.fromkeys(query)
            if COMPOUND_MARK not in token
            for df in (len(self.index.postings(token)),)
        }

    def coverage(self, weights: dict[str, float], passage: int) -> float:
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        found = sum(w for token, w in weights.items() if token in self.index.vocab and _contains(self.index, token, passage))
        return found / total

    def _sentences(self, passage_id: int) -> tuple[tuple[str, frozenset[str]], ...]:
        """The passage's sentences (heading excluded: it asks, it doesn't answer) with their tokens, cached."""
        cached = self._sentence_cache.get(passage_id)
        if cached is not None:
            return cached
        passage = self.passages[passage_id]
        body = passage.text
        if passage.heading and body.startswith(passage.heading):
            body = body[len(passage.heading):].strip() or passage.text
        cached = tuple((s, frozenset(self.analyzer.tokens(s))) for s in sentences(body))
        if len(self._sentence_cache) >= SENTENCE_CACHE_SIZE:
            del self._sentence_cache[next(iter(self._sentence_cache))]  # oldest first
        self._sentence_cache[passage_id] = cached
        return cached

    def best_sentence(self, passage: Passage, weights: dict[str, float], kind: Expected = Expected()) -> tuple[str, float, bool]:
        """The sentence to highlight, the best coverage of any sentence, and whether the highlight has the asked-for kind.

        The highlight is the sentence holding most of the question, except
        that a sentence with the kind of thing asked for (a place for
        "where") wins over one without it, as long as it matches the
        question at all: "where was X filmed?" is answered by "... filmed
        it in Cornwall", not by the sentence that only names X.
        """
        total = sum(weights.values()) or 1.0
        best, best_key, best_cov = passage.text, (False, -1.0), 0.0
        for sentence, tokens in self._sentences(passage.id):
            score = sum(w for token, w in weights.items() if token in tokens)
            # A summary rarely repeats the show's name ("The series follows..."): it counts without a match.
            matches = score > 0 or kind.kind is AnswerType.SUMMARY
            key = (matches and has_answer_type(sentence, kind, self.analyzer.tokens), score)
            best_cov = max(best_cov, score / total)
            if key > best_key:
                best, best_key = sentence, key
        return best, best_cov, best_key[0]

    def _candidate(self, hit: Hit, weights: dict[str, float], kind: Expected) -> Candidate:
        passage = self.passages[hit.passage]
        sentence, sentence_cov, typed = self.best_sentence(passage, weights, kind)
        confidence = (self.coverage(weights, hit.passage) + sentence_cov) / 2
        heading_cov = 0.0
        if passage.heading and passage.text.startswith(passage.heading):
            heading_tokens = set(self.analyzer.tokens(passage.heading))
            heading_cov = sum(w for t, w in weights.items() if t in heading_tokens) / (sum(weights.values()) or 1.0)
        hedged = kind.yes_no and is_hedged(sentence)
        return Candidate(hit, passage, sentence, confidence, typed, heading_cov, hedged)

    def choose(self, query: Sequence[str], hits: Sequence[Hit], k: int, question: str = "") -> Answer | None:
        if not hits:
            return None
        weights = self.weights(query)
        kind = question_type(question)
        candidates = (self._candidate(hit, weights, kind) for hit in hits)
        # "What is it about?" matches the show's name everywhere, so BM25 cannot
        # rank it; a passage that says what the story is ("follows...") comes first.
        summary = kind.kind is AnswerType.SUMMARY
        ranked = sorted(candidates, key=lambda c: (-(summary and c.typed), -c.rank_value, -c.confidence, c.hit.passage))
        best = ranked[0]
        if best.confidence < self.policy.min_confidence or not self._specific_enough(weights, best, kind):
            return None
        chosen = self._prefer_newer(self._definite_first(ranked))
        ordered = [chosen] + [c for c in ranked if c is not chosen]
        picked: list[Candidate] = []
        seen: list[frozenset[str]] = []
        for candidate in ordered:
            if len(picked) >= k:
                break
            if picked and candidate.confidence < self.policy.alternative_confidence:
                continue
            tokens = frozenset(self.analyzer.tokens(candidate.passage.text))
            if any(len(tokens & other) / max(1, len(tokens | other)) > self.policy.near_duplicate for other in seen):
                continue
            picked.append(candidate)
            seen.append(tokens)
        answers = [_answer(c) for c in picked]
        return replace(answers[0], alternatives=tuple(answers[1:]))

    def _specific_enough(self, weights: dict[str, float], best: Candidate, kind: Expected) -> bool:
        """A one-word match answers only with more evidence than the word itself.

        "what time is it?" shares the single word "time" with some passage;
        that is chance, not an answer.  Two or more question words found
        together is evidence; so is one word that appears in an article title
        (what the corpus is about), or one word in a sentence that holds the
        kind of thing asked for ("where was it filmed?" -> "filmed in Herne Bay").
        """
        passage = best.hit.passage
        matched = [t for t in weights if t in self.index.vocab and _contains(self.index, t, passage)]
        if len(matched) >= 2:
            return True
        # Names are everywhere in news prose, so only a place, date or number counts here.
        typed = best.typed and kind.kind is not AnswerType.NAME
        return bool(matched) and (typed or matched[0] in self._title_tokens())

    def _title_tokens(self) -> frozenset[str]:
        if self._titles is None:
            titles = dict.fromkeys(p.title for p in self.passages)
            self._titles = frozenset(t for title in titles for t in self.analyzer.tokens(title))
        return self._titles

    def _definite_first(self, ranked: list[Candidate]) -> list[Candidate]:
        """A best answer that only supposes gives way to a close one that states as much (yes/no questions only)."""
        best = ranked[0]
        if not best.hedged:
            return ranked
        for candidate in ranked[1:]:
            if candidate.rank_value < best.rank_value * (1 - DEFINITE_MARGIN):
                break
            if not candidate.hedged and candidate.confidence >= max(best.confidence, self.policy.min_confidence):
                return [candidate] + [c for c in ranked if c is not candidate]
        return ranked

    def _prefer_newer(self, ranked: list[Candidate]) -> Candidate:
        """Among close candidates from other dated articles, the most recent report wins.

        An undated article is never displaced for being undated: its date is
        unknown, not old.
        """
        best = ranked[0]
        if best.passage.date is None:
            return best
        chosen = best
        for candidate in ranked[1:]:
            if candidate.rank_value < best.rank_value * (1 - self.policy.recency_margin):
                break
            passage = candidate.passage
            if passage.article_id == best.passage.article_id or passage.date is None:
                continue
            if candidate.confidence >= self.policy.min_confidence and passage.date > chosen.passage.date:
                chosen = candidate
        return chosen


def _answer(candidate: Candidate) -> Answer:
    passage = candidate.passage
    return Answer(
        text=passage.text,
        sentence=candidate.sentence,
        title=passage.title,
        source=passage.source,
        url=passage.url,
        date=passage.date,
        score=candidate.hit.score,
        article=passage.article_id,
        passage_id=passage.id,
        confidence=round(min(1.0, candidate.confidence), 4),
    )
