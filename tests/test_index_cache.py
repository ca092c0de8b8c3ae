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


# --- the index cache -------------------------------------------------------------------------

import logging  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.engine import Engine, EngineConfig  # noqa: E402

BUNDLED = Path(__file__).resolve().parent.parent / "corpus"


class Builds:
    """A progress callback that tells whether the corpus was read (a build) or not (a cache hit)."""

    def __init__(self) -> None:
        self.files_read = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "read":
            self.files_read += 1


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED, folder)
    return folder


@pytest.fixture
def config(tmp_path: Path) -> EngineConfig:
    return EngineConfig(cache_dir=tmp_path / "cache")


def build(corpus: Path, config: EngineConfig) -> tuple[Engine, bool]:
    """The engine, and whether building it read the corpus files."""
    builds = Builds()
    engine = Engine.build(corpus, config, progress=builds)
    return engine, builds.files_read > 0


def same_engine(a: Engine, b: Engine) -> None:
    assert a.passages == b.passages and a.articles == b.articles and a.errors == b.errors
    assert a.index.vocab == b.index.vocab
    assert np.array_equal(a.index.contributions, b.index.contributions)
    for question in ("is season 2 confirmed?", "who plays nick?", "where was heartstopper filmed?"):
        assert a.ask(question) == b.ask(question)


def test_an_unchanged_corpus_is_loaded_not_rebuilt(corpus, config, caplog):
    fresh, read = build(corpus, config)
    assert read
    caplog.set_level(logging.INFO, logger="bot.engine.cache")
    cached, read = build(corpus, config)
    assert not read
    assert any("loaded the index" in r.getMessage() for r in caplog.records)
    same_engine(fresh, cached)
    same_engine(cached, Engine.build(corpus, EngineConfig(cache_dir=None)))


@pytest.mark.parametrize("change", ["touch", "edit_same_size", "add", "remove", "rules", "rename"])
def test_a_changed_corpus_is_rebuilt(corpus, config, change):
    build(corpus, config)
    article = sorted(corpus.glob("*.md"))[0]
    if change == "touch":
        info = article.stat()
        os.utime(article, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    elif change == "edit_same_size":
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("Netflix", "Nextfil", 1), encoding="utf-8")
    elif change == "add":
        (corpus / "new.md").write_text("---\ntitle: New\n---\nThe third season was filmed in Kent.\n", encoding="utf-8")
    elif change == "remove":
        article.unlink()
    elif change == "rules":
        (corpus / "synonyms.yaml").write_text("- [film, shoot]\n", encoding="utf-8")
    elif change == "rename":
        article.rename(corpus / ("z-" + article.name))
    rebuilt, read = build(corpus, config)
    assert read
    same_engine(rebuilt, Engine.build(corpus, EngineConfig(cache_dir=None)))
    assert not build(corpus, config)[1]  # and the new index is what is cached now


def test_a_config_change_is_rebuilt(corpus, config):
    build(corpus, config)
    other = EngineConfig(k1=1.2, cache_dir=config.cache_dir)
    engine, read = build(corpus, other)
    assert read and engine.index.k1 == 1.2


def cache_file(config: EngineConfig) -> Path:
    (path,) = config.cache_dir.glob("*.cache")
    return path


@pytest.mark.parametrize("damage", ["flip_byte", "truncate", "empty", "garbage_header", "bad_pickle"])
def test_a_damaged_cache_is_rebuilt_and_replaced(corpus, config, caplog, damage):
    fresh, _ = build(corpus, config)
    path = cache_file(config)
    data = bytearray(path.read_bytes())
    if damage == "flip_byte":
        data[-100] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    elif damage == "garbage_header":
        data = bytearray(b"\x00\xffnot json\n") + data
    elif damage == "bad_pickle":  # a payload whose checksum matches but that is not an engine pickle
        header, _, _ = bytes(data).partition(b"\n")
        payload = b"not a pickle"
        import hashlib
        import json

        meta = json.loads(header)
        meta.update(bytes=len(payload), sha256=hashlib.sha256(payload).hexdigest())
        data = bytearray(json.dumps(meta).encode() + b"\n" + payload)
    path.write_bytes(bytes(data))
    caplog.set_level(logging.INFO, logger="bot.engine.cache")
    engine, read = build(corpus, config)
    assert read
    same_engine(engine, fresh)
    assert any(r.levelno >= logging.INFO and "rebuild" in r.getMessage() for r in caplog.records)
    assert not build(corpus, config)[1]  # overwritten with a sound cache


def test_the_corpus_folder_is_never_written(corpus, tmp_path):
    before = sorted((p.relative_to(corpus), p.stat().st_mtime_ns) for p in corpus.rglob("*"))
    for cache_dir in (tmp_path / "cache", corpus / ".cache"):  # even when pointed inside it
        config = EngineConfig(cache_dir=cache_dir)
        build(corpus, config)
        build(corpus, config)
    assert sorted((p.relative_to(corpus), p.stat().st_mtime_ns) for p in corpus.rglob("*")) == before


def test_an_unwritable_cache_folder_still_builds(corpus, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    caplog.set_level(logging.WARNING, logger="bot.engine.cache")
    engine, read = build(corpus, EngineConfig(cache_dir=blocker))
    assert read and engine.ask("who plays nick?") is not None
    assert any("could not save" in r.getMessage() for r in caplog.records)


def test_each_corpus_folder_has_its_own_cache(corpus, tmp_path, config):
    other = tmp_path / "other"
    shutil.copytree(corpus, other)
    (other / sorted(other.glob("*.md"))[0].name).unlink()
    first, _ = build(corpus, config)
    second, _ = build(other, config)
    assert len(second.articles) == len(first.articles) - 1
    assert not build(corpus, config)[1] and not build(other, config)[1]
