"""BM25 over passages with ``rank_bm25.BM25Okapi``'s exact scores, computed from posting lists.

``BM25Okapi.get_scores`` walks every passage for every query term in Python.
Here each term's postings (the passages that contain it) are stored with the
term's BM25 contribution already computed, using the same formula, the same
float64 arithmetic and the same idf (floor ``epsilon * average_idf`` for
terms in more than half the passages).  A query only sums the postings of its
own terms, in query order, so the scores are bit-for-bit those of
``BM25Okapi`` while costing time proportional to the postings touched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

K1 = 1.5
B = 0.75
EPSILON = 0.25


@dataclass(frozen=True)
class Hit:
    passage: int
    score: float


class BM25Index:
    """An immutable BM25Okapi-equivalent index over tokenized documents."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B, epsilon: float = EPSILON) -> None:
        if not documents:
            raise ValueError("cannot index an empty corpus")
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.size = len(documents)
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_len = np.empty(self.size, dtype=np.int64)
        for doc, tokens in enumerate(documents):
            doc_len[doc] = len(tokens)
            # setdefault keeps first-appearance order, which is the order in
            # which BM25Okapi sums idfs: it matters for the float average.
            term_ids.extend([vocab.setdefault(token, len(vocab)) for token in tokens])
        self.vocab = vocab
        self.doc_len = doc_len
        self.avgdl = float(doc_len.sum()) / self.size
        terms = np.asarray(term_ids, dtype=np.int64)
        docs = np.repeat(np.arange(self.size, dtype=np.int64), doc_len)
        # One (term, doc) pair per posting, sorted by term then doc, with its term frequency.
        keys, tf = np.unique(terms * self.size + docs, return_counts=True)
        posting_terms = keys // self.size
        self.posting_docs = (keys % self.size).astype(np.int32)
        df = np.bincount(posting_terms, minlength=len(vocab))
        self.offsets = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self.idf = self._idf(df)
        norm = self.k1 * (1 - self.b + self.b * doc_len[self.posting_docs] / self.avgdl)
        tf = tf.astype(np.int64)
        self.contributions = self.idf[posting_terms] * (tf * (self.k1 + 1) / (tf + norm))

    def _idf(self, df: np.ndarray) -> np.ndarray:
        """BM25Okapi's idf, summed in its order so the epsilon floor is identical."""
        idf = np.empty(len(df), dtype=np.float64)
        total = 0.0
        n = self.size
        for term, freq in enumerate(df.tolist()):
            value = math.log(n - freq + 0.5) - math.log(freq + 0.5)
            idf[term] = value
            total += value
        self.average_idf = total / len(df)
        idf[idf < 0] = self.epsilon * self.average_idf
        return idf

    def term_idf(self, token: str) -> float:
        """The idf of ``token``; 0 for a token the corpus does not have (as in BM25Okapi)."""
        term = self.vocab.get(token)
        return 0.0 if term is None else float(self.idf[term])

    def unseen_idf(self) -> float:
        """The idf a term found in no passage would have: what a question word the corpus lacks is worth."""
        return math.log(self.size + 0.5) - math.log(0.5)

    def postings(self, token: str) -> np.ndarray:
        term = self.vocab.get(token)
        if term is None:
            return self.posting_docs[:0]
        return self.posting_docs[self.offsets[term]:self.offsets[term + 1]]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every passage, equal to ``BM25Okapi.get_scores(query)``."""
        scores = np.zeros(self.size, dtype=np.float64)
        for token in query:
            term = self.vocab.get(token)
            if term is None:
                continue
            start, end = self.offsets[term], self.offsets[term + 1]
            scores[self.posting_docs[start:end]] += self.contributions[start:end]
        return scores

    def top(self, query: Sequence[str], k: int) -> list[Hit]:
        """The ``k`` best passages among those holding a query term, best first; ties go to the earlier passage."""
        spans = []
        for token in query:
            term = self.vocab.get(token)
            if term is not None:
                spans.append((self.offsets[term], self.offsets[term + 1]))
        if not spans or k <= 0:
            return []
        if len(spans) == 1:
            start, end = spans[0]
            candidates = self.posting_docs[start:end]
            values = self.contributions[start:end]
        else:
            docs = np.concatenate([self.posting_docs[s:e] for s, e in spans])
            weights = np.concatenate([self.contributions[s:e] for s, e in spans])
            # bincount adds the weights in array order, i.e. term by term in
            # query order, exactly as BM25Okapi accumulates its scores.
            summed = np.bincount(docs, weights=weights, minlength=self.size)
            candidates = np.unique(docs)
            values = summed[candidates]
        if len(candidates) > k:
            keep = np.argpartition(-values, k - 1)[:k]
            threshold = values[keep].min()
            keep = np.flatnonzero(values >= threshold)  # all ties at the cut, then order them
            candidates, values = candidates[keep], values[keep]
        order = np.lexsort((candidates, -values))[:k]
        return [Hit(int(candidates[i]), float(values[i])) for i in order]
