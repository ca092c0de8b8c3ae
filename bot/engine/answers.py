"""Choose the answer among ranked passages: abstain, prefer newer reports, pick the sentence.

Abstention uses *coverage*: the share of the question's information that a
passage contains, each question term weighted by its idf in this corpus (a
term the corpus has never seen weighs what a term in zero passages would).
Because the weights come from the corpus, the bar means the same thing on
five articles or fifty thousand: "does this passage hold most of what was
asked?".  BM25 ranks; coverage decides whether the best one is an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from bot.engine.analysis import Analyzer
from bot.engine.index import BM25Index, Hit
from bot.engine.models import Answer, Passage
from bot.engine.passages import sentences


@dataclass(frozen=True)
class AnswerPolicy:
    min_coverage: float = 0.5  # below this share of the question found, say "I don't know"
    alternative_coverage: float = 0.34  # alternatives must hold at least a third of the question
    recency_margin: float = 0.12  # scores within 12% of the best are "close": the newer article wins
    near_duplicate: float = 0.6  # token-set Jaccard above this hides an alternative as a repeat
    candidates: int = 30  # passages considered per question


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

    def weights(self, query: Sequence[str]) -> dict[str, float]:
        unseen = self.index.unseen_idf()
        return {token: (self.index.term_idf(token) if token in self.index.vocab else unseen) for token in dict.fromkeys(query)}

    def coverage(self, weights: dict[str, float], passage: int) -> float:
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        found = sum(w for token, w in weights.items() if token in self.index.vocab and _contains(self.index, token, passage))
        return found / total

    def best_sentence(self, passage: Passage, weights: dict[str, float]) -> str:
        """The sentence of the passage that holds most of the question (the heading only if alone)."""
        body = passage.text
        if passage.heading and body.startswith(passage.heading):
            body = body[len(passage.heading):].strip() or passage.text
        best, best_score = "", -1.0
        for sentence in sentences(body.replace("\n", " \n")):
            tokens = set(self.analyzer.tokens(sentence))
            score = sum(w for token, w in weights.items() if token in tokens)
            if score > best_score:
                best, best_score = sentence, score
        return best or passage.text

    def _token_set(self, passage: int) -> frozenset[str]:
        return frozenset(self.analyzer.tokens(self.passages[passage].text))

    def choose(self, query: Sequence[str], hits: Sequence[Hit], k: int) -> Answer | None:
        if not hits:
            return None
        weights = self.weights(query)
        covered = [(hit, self.coverage(weights, hit.passage)) for hit in hits]
        # BM25 ranks by term statistics; a passage that holds *more of the
        # question* is the better answer, so candidates are re-ranked by
        # BM25 x coverage (the reported score stays the BM25 score).
        covered.sort(key=lambda pair: (-pair[0].score * pair[1], pair[0].passage))
        best_hit, best_cov = covered[0]
        if best_cov < self.policy.min_coverage:
            return None
        chosen = self._prefer_newer(best_hit, covered)
        ranked = [chosen] + [hit for hit, _ in covered if hit.passage != chosen.passage]
        coverage = dict((hit.passage, cov) for hit, cov in covered)
        picked: list[Hit] = []
        seen: list[frozenset[str]] = []
        for hit in ranked:
            if len(picked) >= k:
                break
            if picked and coverage[hit.passage] < self.policy.alternative_coverage:
                continue
            tokens = self._token_set(hit.passage)
            if any(len(tokens & other) / max(1, len(tokens | other)) > self.policy.near_duplicate for other in seen):
                continue
            picked.append(hit)
            seen.append(tokens)
        answers = [self._answer(hit, coverage[hit.passage], weights) for hit in picked]
        return replace(answers[0], alternatives=tuple(answers[1:]))

    def _prefer_newer(self, best: Hit, covered: list[tuple[Hit, float]]) -> Hit:
        """Among close scores from other dated articles, the most recent report wins."""
        top = self.passages[best.passage]
        if top.date is None:
            return best
        chosen, chosen_date = best, top.date
        best_value = best.score * covered[0][1]
        for hit, cov in covered[1:]:
            if hit.score * cov < best_value * (1 - self.policy.recency_margin):
                break
            passage = self.passages[hit.passage]
            if passage.article_id == top.article_id or passage.date is None or cov < self.policy.min_coverage:
                continue
            if passage.date > chosen_date:
                chosen, chosen_date = hit, passage.date
        return chosen

    def _answer(self, hit: Hit, coverage: float, weights: dict[str, float]) -> Answer:
        passage = self.passages[hit.passage]
        return Answer(
            text=passage.text,
            sentence=self.best_sentence(passage, weights),
            title=passage.title,
            source=passage.source,
            url=passage.url,
            date=passage.date,
            score=hit.score,
            article=passage.article_id,
            passage_id=passage.id,
            confidence=round(min(1.0, coverage), 4),
        )

