"""The shared add/remove steps as the Discord face will drive them: async fetch, store, reindex, confirm."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.ingest import pipeline, store
from bot.ingest.errors import FetchError, IngestError, StoreError
from ingest_fixtures import corpus, site  # noqa: F401 - fixtures


async def test_async_extraction_matches_the_blocking_one(site):  # noqa: F811
    blocking = pipeline.extract_url(site.url("/news/renewal"))
    awaited = await pipeline.extract_url_async(site.url("/news/renewal"))
    assert awaited == blocking


async def test_async_extraction_reports_the_same_failures(site):  # noqa: F811
    with pytest.raises(FetchError) as caught:
        await pipeline.extract_url_async(site.url("/hang"), timeout=0.5)
    assert caught.value.kind == "timeout"


async def test_store_reindex_confirm_as_discord_does_it(site, corpus):  # noqa: F811
    article = await pipeline.extract_url_async(site.url("/news/renewal"))
    saved = await asyncio.to_thread(store.save_article, corpus, article)
    engine = await asyncio.to_thread(Engine.build, corpus)
    added = pipeline.confirm(saved, engine)
    assert added.article.title == "Heartstopper renewed for seasons 2 and 3 at Netflix"
    assert added.passages and all(p.article_id == saved.article_id for p in added.passages)
    answer = added.engine.ask("Who reads the letter from Alice Oseman in the renewal video?")
    assert answer is not None and answer.article == saved.article_id


def test_confirm_rolls_back_a_file_the_engine_did_not_index(corpus, tmp_path):  # noqa: F811
    (corpus / "chrome.yaml").write_text("cut_after:\n  - '^Advertisement$'\n", encoding="utf-8")
    upload = tmp_path / "ad.txt"
    upload.write_text("Advert page\n\nAdvertisement\n\nBuy the box set now.\n", encoding="utf-8")
    saved = store.save_article(corpus, pipeline.extract_path(upload))
    engine = Engine.build(corpus)
    with pytest.raises(IngestError) as caught:
        pipeline.confirm(saved, engine)
    assert "not added" in str(caught.value) and saved.article_id in str(caught.value)
    assert not saved.path.exists()


def test_remove_moves_the_article_aside_and_the_index_forgets_it(corpus):  # noqa: F811
    question = "Who plays Nick's mother Sarah Nelson?"
    assert Engine.build(corpus).ask(question).article == "colman.md"
    moved = store.remove_article(corpus, "colman.md")
    assert moved == corpus.resolve() / ".removed" / "colman.md"
    assert "Olivia Colman" in moved.read_text(encoding="utf-8")
    assert not (corpus / "colman.md").exists()
    after = Engine.build(corpus)
    assert [a.id for a in after.articles] == ["soundtrack.md"]
    answer = after.ask(question)
    assert answer is None or answer.article != "colman.md"


def test_removing_the_same_name_twice_keeps_both_copies(corpus):  # noqa: F811
    original = (corpus / "colman.md").read_text(encoding="utf-8")
    store.remove_article(corpus, "colman.md")
    (corpus / "colman.md").write_text(original.replace("Olivia Colman plays", "Colman plays"), encoding="utf-8")
    second = store.remove_article(corpus, "colman.md")
    assert second.name == "colman-2.md"
    assert sorted(p.name for p in (corpus / ".removed").iterdir()) == ["colman-2.md", "colman.md"]


@pytest.mark.parametrize("article_id", ["missing.md", "../colman.md", "/etc/passwd", ".removed/colman.md", "chrome.yaml", ""])
def test_only_indexed_articles_can_be_removed(corpus, article_id):  # noqa: F811
    (corpus / "chrome.yaml").write_text("drop_lines: []\n", encoding="utf-8")
    (corpus / ".removed").mkdir()
    (corpus / ".removed" / "colman.md").write_text("old", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        store.remove_article(corpus, article_id)
    assert caught.value.kind == "not-found"
    assert sorted(p.name for p in corpus.iterdir()) == [".removed", "chrome.yaml", "colman.md", "soundtrack.md"]


def test_articles_in_subfolders_keep_their_folder_when_removed(corpus):  # noqa: F811
    (corpus / "2022").mkdir()
    (corpus / "soundtrack.md").rename(corpus / "2022" / "soundtrack.md")
    moved = store.remove_article(corpus, "2022/soundtrack.md")
    assert moved == corpus.resolve() / ".removed" / "2022" / "soundtrack.md"
    assert Path(moved).exists()
