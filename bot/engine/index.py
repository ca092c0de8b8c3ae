"""BM25 over passages with ``rank_bm25.BM25Okapi``'s exact scores, computed from posting lists.

``BM25Okapi.get_scores`` walks every passage for every query term in Python.
Here each term's postings (the passages that contain it) are stored with the
term's BM25 contribution already computed, using the same formula, the same
float64 arithmetic and the same idf (floor ``epsilon * average_idf`` for
terms in more than half the passages).  A passage's score is the sum of its
contributions in query order, starting from 0.0, so it is bit-for-bit the
score ``BM25Okapi`` gives (a term a passage lacks adds exactly 0.0 there).

``top`` avoids touching the long posting lists of common words when it can
(the MaxScore idea): a first guess of the k-th best score comes from the
strongest postings of each query term; a term whose best possible
contribution, added to the other weak terms', stays below that guess cannot
lift a passage into the top k alone, so only the postings of the remaining
terms are candidates.  Candidates are then scored exactly, as above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain
from typing import Sequence

import numpy as np

K1 = 1.5
B = 0.75
EPSILON = 0.25
HEAD = 128  # strongest postings kept per common term, to guess the k-th best score cheaply
_BLOCK = 2048  # passages per step of the build (about 120k tokens)
_CHUNK = 1 << 18  # postings per step when compacting keys and computing contributions (a few MB of temporaries)
_DENSE_SHARE = 8  # more candidates than size / this: one pass over a dense score array is cheaper


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
        self.size = size = len(documents)
        doc_len = np.fromiter(map(len, documents), dtype=np.int64, count=size)
        total = int(doc_len.sum())
        # Term ids in order of first appearance: the order in which BM25Okapi
        # sums idfs, which matters for the float average behind the floor.
        self.vocab = vocab = {}
        # One key per token, term * size + doc, written straight into one array:
        # building it from parts would hold every token twice at the peak.
        keys = np.empty(total, dtype=np.int64)
        at = 0
        # In blocks: one C call over a million tokens would hold the GIL for
        # a third of a second, and the bot's event loop shares this process.
        for block in range(0, size, _BLOCK):
            docs = documents[block:block + _BLOCK]
            flat = list(chain.from_iterable(docs))
            for token in dict.fromkeys(flat):
                if token not in vocab:
                    vocab[token] = len(vocab)
            part = keys[at:at + len(flat)]
            part[:] = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
            part *= size
            part += np.repeat(np.arange(block, block + len(docs), dtype=np.int64), doc_len[block:block + len(docs)])
            at += len(flat)
        del flat, part
        self.doc_len = doc_len
        self.avgdl = float(total) / size
        # Sorted, equal keys are the same (term, doc) posting; their run length is its term frequency.
        keys.sort()
        first = np.ones(total, dtype=bool)
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        postings = len(starts)
        tf = np.empty(postings, dtype=np.int32)  # exact: BM25Okapi's counts are small ints too
        np.subtract(starts[1:], starts[:-1], out=tf[:-1])
        tf[-1:] = total - starts[-1:]
        # Each posting's key moves to the front, chunk by chunk (np.take would copy all
        # of it): starts[i] >= i, so a chunk never reads what an earlier one wrote.
        for begin in range(0, postings, _CHUNK):
            end = min(begin + _CHUNK, postings)
            keys[begin:end] = keys[starts[begin:end]]
        keys = keys[:postings]
        del starts
        posting_terms = (keys // size).astype(np.int32)
        np.remainder(keys, size, out=keys)
        self.posting_docs = keys.astype(np.int32)
        del keys
        df = np.bincount(posting_terms, minlength=len(vocab))
        self.offsets = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self.idf = self._idf(df)
        self.contributions = self._contributions(tf, posting_terms)
        del tf, posting_terms
        self._nonnegative = bool(len(self.contributions) == 0 or self.contributions.min() >= 0)
        self.best = np.maximum.reduceat(self.contributions, self.offsets[:-1]) if len(df) else np.zeros(0)
        self._heads(df)

    def _contributions(self, tf: np.ndarray, posting_terms: np.ndarray) -> np.ndarray:
        """Each posting's ``idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl)))``.

        BM25Okapi's expression, evaluated in its order so every bit matches
        (``b * doc_len / avgdl`` is ``(b * doc_len) / avgdl`` in Python), in
        place and in chunks: whole posting-sized temporaries would be the
        build's peak memory.
        """
        doc_len = self.doc_len.astype(np.float64)
        value = np.empty(len(tf), dtype=np.float64)
        for start in range(0, len(tf), _CHUNK):
            part = slice(start, start + _CHUNK)
            norm = doc_len[self.posting_docs[part]]
            norm *= self.b
            norm /= self.avgdl
            norm += 1 - self.b
            norm *= self.k1
            norm += tf[part]
            chunk = value[part]
            np.multiply(tf[part], self.k1 + 1, out=chunk)
            chunk /= norm
            chunk *= self.idf[posting_terms[part]]
        return value

    def _idf(self, df: np.ndarray) -> np.ndarray:
        """BM25Okapi's idf, summed in its order so the epsilon floor is identical."""
        n = self.size
        log = math.log
        values = [log(n - freq + 0.5) - log(freq + 0.5) for freq in df.tolist()]
        total = 0.0
        for value in values:  # a plain loop: sum() may compensate, BM25Okapi does not
            total += value
        self.average_idf = total / len(values) if values else 0.0
        idf = np.array(values, dtype=np.float64)
        idf[idf < 0] = self.epsilon * self.average_idf
        return idf

    def _heads(self, df: np.ndarray) -> None:
        """For each term in more than ``HEAD`` passages, its ``HEAD`` strongest postings (passage ids, sorted)."""
        big = np.flatnonzero(df > HEAD)
        self.head_of = np.full(len(df), -1, dtype=np.int32)
        self.head_of[big] = np.arange(len(big), dtype=np.int32)
        heads = np.empty((len(big), HEAD), dtype=np.int32)
        for row, term in enumerate(big.tolist()):
            start, end = self.offsets[term], self.offsets[term + 1]
            strongest = np.argpartition(self.contributions[start:end], -HEAD)[-HEAD:]
            heads[row] = np.sort(self.posting_docs[start:end][strongest])
        self.heads = heads

    def term_idf(self, token: str) -> float:
        """The idf of ``token``; 0 for a token the corpus does not have (as in BM25Okapi)."""
        term = self.vocab.get(token)
        return 0.0 if term is None else float(self.idf[term])

    def unseen_idf(self) -> float:
        """The idf a term found in no passage would have: what a question word the corpus lacks is worth."""
        return math.log(self.size + 0.5) - math.log(0.5)

    def postings(self, token: str) -> np.ndarray:
        """The passages holding ``token``, ascending."""
        term = self.vocab.get(token)
        if term is None:
            return self.posting_docs[:0]
        return self.posting_docs[self.offsets[term]:self.offsets[term + 1]]

    def _span(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.offsets[term], self.offsets[term + 1]
        return self.posting_docs[start:end], self.contributions[start:end]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every passage, equal to ``BM25Okapi.get_scores(query)``."""
        return self._dense([self.vocab[t] for t in query if t in self.vocab])

    def _dense(self, terms: Sequence[int]) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float64)
        for term in terms:
            docs, weights = self._span(term)
            np.add.at(scores, docs, weights)  # a term's passages are distinct: one add each, in query order
        return scores

    def _union(self, terms: Sequence[int]) -> np.ndarray:
        """The passages holding any of ``terms``, ascending."""
        lists = [self._span(term)[0] for term in terms]
        if len(lists) == 1:
            return lists[0]
        total = sum(len(docs) for docs in lists)
        if total * _DENSE_SHARE * 8 > self.size:  # a mask over all passages beats sorting this many
            held = np.zeros(self.size, dtype=bool)
            for docs in lists:
                held[docs] = True
            return np.flatnonzero(held)
        docs = np.sort(np.concatenate(lists))
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs

    def _exact(self, terms: Sequence[int], candidates: np.ndarray) -> np.ndarray:
        """The exact scores of ``candidates`` (ascending ids), summed in query order like ``scores``."""
        scores = np.zeros(len(candidates), dtype=np.float64)
        for term in terms:
            docs, weights = self._span(term)
            if len(docs) == 0:
                continue
            at = np.searchsorted(docs, candidates)
            np.minimum(at, len(docs) - 1, out=at)
            scores += np.where(docs[at] == candidates, weights[at], 0.0)
        return scores

    def _guess(self, terms: Sequence[int], distinct: Sequence[int], k: int) -> float:
        """A lower bound on the k-th best score: the k-th best among the terms' strongest postings."""
        parts = []
        for term in distinct:
            row = self.head_of[term]
            parts.append(self._span(term)[0] if row < 0 else self.heads[row])
        sample = np.sort(np.concatenate(parts))
        sample = sample[np.concatenate(([True], sample[1:] != sample[:-1]))]
        if len(sample) < k:
            return -math.inf
        scores = self._exact(terms, sample)
        return float(np.partition(scores, len(scores) - k)[len(scores) - k])

    def _strong(self, terms: Sequence[int], k: int) -> tuple[list[int], float]:
        """The terms that can lift a passage into the top ``k``, and the floor the k-th best score is above."""
        distinct = list(dict.fromkeys(terms))
        floor = self._guess(terms, distinct, k) if self._nonnegative and k <= HEAD else -math.inf
        weak: set[int] = set()
        if floor > 0:
            # Add terms from the weakest up while all of them together, at
            # their best, still score below the floor (summed in query order,
            # as a passage's score is, so rounding cannot beat the bound).
            for term in sorted(distinct, key=lambda t: (self.best[t], t)):
                trial = weak | {term}
                bound = 0.0
                for occurrence in terms:
                    if occurrence in trial:
                        bound += float(self.best[occurrence])
                if bound >= floor:
                    break
                weak = trial
        return [term for term in distinct if term not in weak], floor

    def top(self, query: Sequence[str], k: int) -> list[Hit]:
        """The ``k`` best passages among those holding a query term, best first; ties go to the earlier passage."""
        terms = [self.vocab[t] for t in query if t in self.vocab]
        if not terms or k <= 0:
            return []
        strong, floor = self._strong(terms, k)
        touched = sum(int(self.offsets[t + 1] - self.offsets[t]) for t in strong)
        if touched * _DENSE_SHARE > self.size:
            # Common words everywhere: one pass over a dense array, keeping
            # only passages at or above the floor (they hold a query term).
            dense = self._dense(terms)
            candidates = np.flatnonzero(dense >= floor) if floor > 0 else self._union(strong)
            values = dense[candidates]
        else:
            candidates = self._union(strong)
            values = self._exact(terms, candidates)
        if len(candidates) > k:
            keep = np.argpartition(-values, k - 1)[:k]
            threshold = values[keep].min()
            keep = np.flatnonzero(values >= threshold)  # all ties at the cut, then order them
            candidates, values = candidates[keep], values[keep]
        order = np.lexsort((candidates, -values))[:k]
        return [Hit(int(candidates[i]), float(values[i])) for i in order]
