"""The BM25 index gives BM25Okapi's exact scores and ranking; the index cache is trusted only when it should be."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.engine.index import HEAD, BM25Index

WORDS = [f"w{i}" for i in range(40)]


def okapi_top(okapi: BM25Okapi, query: list[str], k: int) -> list[tuple[int, float]]:
    """BM25Okapi's ranking, ties to the lower passage id, among passages holding a query word."""
    scores = okapi.get_scores(query)
    order = np.argsort(-scores, kind="stable")
    held = {i for i, doc in enumerate(okapi.doc_freqs) if any(word in doc for word in query)}
    return [(int(i), float(scores[i])) for i in order if int(i) in held][:k]


def zipf_corpus(rng: np.random.Generator, size: int, vocab: int = 3000) -> list[list[str]]:
    weights = 1.0 / np.arange(1, vocab + 1)
    ranks = rng.choice(vocab, size=(size, 40), p=weights / weights.sum())
    return [[f"t{r}" for r in row[: rng.integers(5, 41)]] for row in ranks]


@settings(max_examples=150, deadline=None)
@given(
    documents=st.lists(st.lists(st.sampled_from(WORDS), min_size=0, max_size=30), min_size=1, max_size=60),
    query=st.lists(st.sampled_from(WORDS + ["unknown"]), min_size=1, max_size=6),
    k=st.integers(1, 12),
)
def test_scores_and_top_equal_bm25okapi(documents, query, k):
    if not any(documents):
        documents = documents + [["w0"]]
    index = BM25Index(documents)
    okapi = BM25Okapi(documents)
    assert np.array_equal(index.scores(query), okapi.get_scores(query))  # bit for bit
    assert [(h.passage, h.score) for h in index.top(query, k)] == okapi_top(okapi, query, k)


def test_pruned_search_on_a_large_zipfian_corpus_matches_bm25okapi():
    """Enough passages that common words have long postings, so top() skips them (the fast path)."""
    rng = np.random.default_rng(7)
    documents = zipf_corpus(rng, 3000)
    index = BM25Index(documents)
    okapi = BM25Okapi(documents)
    assert (np.diff(index.offsets) > HEAD).any()  # some terms do have heads: the pruning is exercised
    for _ in range(60):
        doc = documents[rng.integers(len(documents))]
        query = [doc[i] for i in rng.choice(len(doc), size=min(3, len(doc)), replace=False)]
        for k in (1, 10, 30):
            assert [(h.passage, h.score) for h in index.top(query, k)] == okapi_top(okapi, query, k)


def test_ties_go_to_the_earlier_passage():
    documents = [["x", "y"], ["a", "b"], ["x", "y"], ["a", "b"], ["x", "y"], ["a", "b"], ["c", "d"], ["c", "d"]]
    index = BM25Index(documents)
    assert [h.passage for h in index.top(["x"], 2)] == [0, 2]
    hits = index.top(["x", "a"], 6)  # x and a are equally rare: six equal scores
    assert len({h.score for h in hits}) == 1
    assert [h.passage for h in hits] == [0, 1, 2, 3, 4, 5]
    assert [h.passage for h in index.top(["b", "y"], 3)] == [0, 1, 2]


def test_postings_and_idf_api():
    index = BM25Index([["a", "b"], ["b"], ["c", "b", "b"]])
    assert index.postings("b").tolist() == [0, 1, 2]
    assert index.postings("zzz").tolist() == []
    assert index.term_idf("zzz") == 0.0
    assert index.term_idf("a") == pytest.approx(BM25Okapi([["a", "b"], ["b"], ["c", "b", "b"]]).idf["a"])
    assert index.unseen_idf() > index.term_idf("a")
    assert index.size == 3 and set(index.vocab) == {"a", "b", "c"}
    assert index.top([], 3) == [] and index.top(["a"], 0) == []


def test_an_empty_corpus_is_refused():
    with pytest.raises(ValueError):
        BM25Index([])
