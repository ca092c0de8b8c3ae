"""BM25 parity: the index scores exactly as ``rank_bm25.BM25Okapi`` does, and ranks the same way."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.engine import Engine
from bot.engine.index import BM25Index
from engine_helpers import CORPUS, EVAL_QUESTIONS


def assert_same_scores(index: BM25Index, reference: BM25Okapi, query: list[str]) -> None:
    ours = index.scores(query)
    theirs = reference.get_scores(query)
    assert ours.shape == theirs.shape
    # Bit for bit, not merely close: the same float64 operations in the same order.
    assert np.array_equal(ours, theirs), f"query {query}: max diff {np.max(np.abs(ours - theirs))}"


def expected_top(documents: list[list[str]], reference: BM25Okapi, query: list[str], k: int) -> list[tuple[int, float]]:
    """BM25Okapi's ranking of the passages that hold a query term, ties to the lower passage id."""
    scores = reference.get_scores(query)
    terms = set(query)
    holding = [doc for doc, tokens in enumerate(documents) if terms & set(tokens)]
    ranked = sorted(holding, key=lambda doc: (-scores[doc], doc))[:k]
    return [(doc, float(scores[doc])) for doc in ranked]


def assert_same_top(index: BM25Index, documents: list[list[str]], reference: BM25Okapi, query: list[str], k: int) -> None:
    got = [(hit.passage, hit.score) for hit in index.top(query, k)]
    want = expected_top(documents, reference, query, k)
    assert [doc for doc, _ in got] == [doc for doc, _ in want], f"query {query} k={k}"
    assert [s for _, s in got] == [s for _, s in want], f"query {query} k={k}: scores differ"


# --- the bundled corpus, through the engine's own analyzer ---------------------------------


@pytest.fixture(scope="module")
def bundled():
    engine = Engine.build(CORPUS)
    documents = [engine.analyzer.tokens(p.text) for p in engine.passages]
    return engine, documents, BM25Okapi(documents)


def _bundled_queries(engine: Engine) -> list[list[str]]:
    import yaml

    questions = ["is season 2 confirmed?", "who plays nick's mum?", "where was heartstopper filmed?",
                 "heartstopper heartstopper netflix season", "when does stranger things season 5 come out?"]
    if EVAL_QUESTIONS.is_file():
        questions += [item["q"] for item in yaml.safe_load(EVAL_QUESTIONS.read_text(encoding="utf-8"))]
    return [engine.analyzer.tokens(q) for q in questions]


def test_engine_index_is_built_from_the_passages_with_bm25okapi_scores(bundled) -> None:
    engine, documents, reference = bundled
    assert engine.index.size == len(documents) == len(engine.passages)
    for query in _bundled_queries(engine):
        assert_same_scores(engine.index, reference, query)


def test_engine_index_ranks_like_bm25okapi(bundled) -> None:
    engine, documents, reference = bundled
    for query in _bundled_queries(engine):
        for k in (1, 3, 10, len(documents) + 5):
            assert_same_top(engine.index, documents, reference, query, k)


def test_every_single_term_of_the_bundled_vocabulary(bundled) -> None:
    engine, documents, reference = bundled
    vocabulary = sorted({t for doc in documents for t in doc})
    for term in vocabulary[::7]:
        assert_same_scores(engine.index, reference, [term])


# --- random corpora from a seeded generator --------------------------------------------------


def random_corpus(seed: int, size: int, vocabulary: int, common: int) -> tuple[list[list[str]], list[str]]:
    """Documents drawn from a skewed vocabulary; the ``common`` first words appear in most documents."""
    rng = random.Random(seed)
    words = [f"w{n}" for n in range(vocabulary)]
    documents = []
    for _ in range(size):
        length = rng.randint(1, 40)
        doc = [rng.choice(words[:common]) if common and rng.random() < 0.4 else words[min(int(rng.paretovariate(1.1)) - 1, vocabulary - 1)]
               for _ in range(length)]
        documents.append(doc)
    for _ in range(max(1, size // 10)):  # exact duplicates, so ties must be broken by passage id
        documents.append(list(rng.choice(documents)))
    rng.shuffle(documents)
    return documents, words


CORPORA = [
    # (seed, documents, vocabulary, common words)
    (1, 12, 30, 4),
    (2, 50, 200, 10),
    (3, 200, 800, 25),
    (4, 8, 6, 6),  # tiny vocabulary: nearly every term is in more than half the documents
    (5, 31, 60, 0),
]


@pytest.mark.parametrize("seed, size, vocabulary, common", CORPORA)
def test_random_corpora_score_exactly_like_bm25okapi(seed: int, size: int, vocabulary: int, common: int) -> None:
    documents, words = random_corpus(seed, size, vocabulary, common)
    index, reference = BM25Index(documents), BM25Okapi(documents)
    rng = random.Random(seed * 1000)
    # the epsilon floor must be exercised: some terms are in more than half the documents
    assert any(reference.idf[w] == reference.epsilon * reference.average_idf for w in reference.idf)
    for _ in range(60):
        query = [rng.choice(words) for _ in range(rng.randint(1, 8))]
        query += rng.sample(query, k=min(2, len(query)))  # repeated terms count twice, as in BM25Okapi
        if rng.random() < 0.3:
            query.append("never-seen-term")
        assert_same_scores(index, reference, query)
        assert_same_top(index, documents, reference, query, rng.choice([1, 2, 5, 10, size * 2]))


def test_terms_in_exactly_half_the_documents_have_zero_idf_like_bm25okapi() -> None:
    documents = [["half", "a"], ["half", "b"], ["c", "d"], ["e", "f"], ["g", "a"], ["h", "half"]]
    index, reference = BM25Index(documents), BM25Okapi(documents)
    assert reference.idf["half"] == 0.0 and index.term_idf("half") == 0.0
    for query in (["half"], ["half", "a"], ["a", "a", "zzz"], ["g", "h", "half"]):
        assert_same_scores(index, reference, query)
        assert_same_top(index, documents, reference, query, 3)


def test_negative_average_idf_gives_the_same_negative_floor() -> None:
    documents = [["x", "y", "z"], ["x", "y"], ["x", "z", "y"], ["x", "q"], ["y", "x"]]
    index, reference = BM25Index(documents), BM25Okapi(documents)
    assert reference.average_idf < 0
    for query in (["x"], ["x", "y"], ["q"], ["q", "x", "x"]):
        assert_same_scores(index, reference, query)
        assert_same_top(index, documents, reference, query, 4)


@pytest.mark.parametrize("k1, b, epsilon", [(1.2, 0.75, 0.25), (2.0, 0.3, 0.5), (0.9, 1.0, 0.1)])
def test_parameters_mean_the_same_as_in_bm25okapi(k1: float, b: float, epsilon: float) -> None:
    documents, words = random_corpus(7, 40, 120, 6)
    index = BM25Index(documents, k1=k1, b=b, epsilon=epsilon)
    reference = BM25Okapi(documents, k1=k1, b=b, epsilon=epsilon)
    rng = random.Random(11)
    for _ in range(30):
        query = [rng.choice(words) for _ in range(rng.randint(1, 6))]
        assert_same_scores(index, reference, query)
        assert_same_top(index, documents, reference, query, 5)


def test_ties_go_to_the_lower_passage_id() -> None:
    documents = [["other"], ["news", "season"], ["filler", "words"], ["news", "season"], ["news", "season"], ["more"]]
    hits = BM25Index(documents).top(["season", "news"], 2)
    assert [h.passage for h in hits] == [1, 3]
    assert hits[0].score == hits[1].score


def test_queries_without_known_terms_and_k_zero_find_nothing() -> None:
    documents, _ = random_corpus(3, 20, 50, 3)
    index = BM25Index(documents)
    assert index.top(["unknown", "words"], 5) == []
    assert index.top([], 5) == []
    assert index.top(["w0"], 0) == []
    assert not index.scores(["unknown"]).any()
