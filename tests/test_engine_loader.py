"""The corpus loader as an admin meets it: metadata read right, bad files named with their line, nothing else lost."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from bot.engine import Engine, EngineConfig
from engine_helpers import CORPUS, REPO, SEEDS, front_matter_article, write

GOOD_BODY = "\n\n".join([
    "When does the documentary stream?",
    "Netflix confirmed that the zephyrine documentary will stream in March, after a long wait for fans of the "
    "original series. The streamer said the film runs for ninety minutes and will be available in every country "
    "where the service operates, with subtitles in thirty languages and an audio description track for blind viewers.",
    "Where was it filmed?",
    "The director said the crew filmed it over two summers in Cornwall, mostly on the cliffs near Tintagel and in "
    "a disused tin mine that the production rented from a local trust. Bad weather stopped the shoot for a week "
    "in the second summer, and several scenes had to be rewritten around the storm that hit the coast that August.",
    "Who wrote the music?",
    "Critics who saw an early cut praised the soundtrack, written by a young composer from Glasgow who recorded it "
    "with a string quartet in a church hall. The composer said she wanted the music to sound like the sea, and that "
    "she spent a month listening to recordings of waves before she wrote a single note of the main theme tune.",
])


def good_article(folder: Path, name: str = "good.md") -> Path:
    return write(folder, name, front_matter_article("Zephyrine documentary confirmed", GOOD_BODY, source="Daily Test", date="2023-02-01"))


def error_for(engine: Engine, name: str):
    found = [e for e in engine.errors if e.path == name]
    assert found, f"no error reported for {name}; errors: {[str(e) for e in engine.errors]}"
    return found[0]


def assert_good_still_indexed(engine: Engine) -> None:
    assert [a.id for a in engine.articles] == ["good.md"]
    answer = engine.ask("when will the zephyrine documentary stream?")
    assert answer is not None and answer.article == "good.md"


# --- front matter ---------------------------------------------------------------------


def test_front_matter_fields_are_read(tmp_path: Path) -> None:
    write(tmp_path, "a.md", front_matter_article(
        "Heartstopper season 2: everything we know", "Body about the show.\n",
        source="Radio Times", url="https://example.org/hs2", date="2022-05-19",
    ))
    (article,) = Engine.build(tmp_path).articles
    assert article.title == "Heartstopper season 2: everything we know"
    assert article.source == "Radio Times"
    assert article.url == "https://example.org/hs2"
    assert article.date == dt.date(2022, 5, 19)
    assert article.id == "a.md"
    assert article.body == "Body about the show."


@pytest.mark.parametrize(
    "meta",
    [
        'title: "T"\nsource: ""\nurl: null\ndate: null',
        'title: "T"\nsource:\nurl:\ndate:',
        'title: "T"\nurl: ""\ndate: ""',
        'title: "T"',
    ],
    ids=["explicit-null", "blank-values", "empty-strings", "missing-keys"],
)
def test_unknown_source_url_and_date_stay_empty(tmp_path: Path, meta: str) -> None:
    write(tmp_path, "a.md", f"---\n{meta}\n---\nSome text.\n")
    (article,) = Engine.build(tmp_path).articles
    assert (article.source, article.url, article.date) == ("", None, None)


@pytest.mark.parametrize(
    "value", ["2022-05-01 10:30:00", "2022-05-01T10:30:00Z", '"2022-05-01T23:30:00+02:00"', "'2022-05-01'"]
)
def test_datetimes_and_quoted_dates_become_dates(tmp_path: Path, value: str) -> None:
    write(tmp_path, "a.md", f"---\ntitle: T\ndate: {value}\n---\nSome text.\n")
    (article,) = Engine.build(tmp_path).articles
    assert article.date == dt.date(2022, 5, 1)


def test_bundled_corpus_metadata_comes_from_the_articles() -> None:
    engine = Engine.build(CORPUS)
    assert engine.errors == ()
    meta = {a.id: (a.source, a.url, a.date) for a in engine.articles}
    assert len(meta) == 5
    assert meta["hello-will-there-be-a-second-season-of-heartstopper.md"] == ("HELLO!", None, dt.date(2022, 4, 26))
    assert meta["heartstopper-season-2-release-date.md"] == ("", None, dt.date(2022, 5, 19))
    assert meta["goodto-heartstopper-season-2-and-books.md"] == ("Goodto.com", None, None)
    assert all(a.title and a.body.strip() for a in engine.articles)


def test_a_corpus_of_one_short_article_answers_questions_about_it(tmp_path: Path) -> None:
    """An admin's first corpus may be a single pasted article; it must answer what the article says."""
    write(tmp_path, "only.md", front_matter_article(
        "Zephyrine documentary confirmed",
        "Netflix confirmed that the zephyrine documentary will stream in March.\n\n"
        "The director said the crew filmed it over two summers in Cornwall.",
    ))
    engine = Engine.build(tmp_path)
    answer = engine.ask("where was the zephyrine documentary filmed?")
    assert answer is not None, "a one-article corpus abstained on a question its article answers"
    assert "Cornwall" in answer.sentence


# --- plain files ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_plain_file_title_from_first_line_source_from_name(tmp_path: Path, suffix: str) -> None:
    write(tmp_path, f"pasted-article{suffix}", "Heartstopper returns for a third season\n\nNetflix renewed the show today.\n")
    (article,) = Engine.build(tmp_path).articles
    assert article.title == "Heartstopper returns for a third season"
    assert article.source == "pasted-article"
    assert article.date is None and article.url is None
    assert "Netflix renewed the show today." in article.body
    assert not article.body.startswith("Heartstopper returns")  # the headline is not repeated as body text


def test_raw_seed_files_load_without_front_matter() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent (the shared seeds live next to the checkout)")
    engine = Engine.build(SEEDS)
    assert engine.errors == ()
    assert len(engine.articles) == len(list(SEEDS.glob("*.txt")))
    for article in engine.articles:
        first_line = article.path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert article.source == article.path.stem
        assert article.date is None and article.url is None
        assert article.title and article.title.rstrip("…") in " ".join(first_line.split())


# --- bad files: each is named with its line, the rest is indexed --------------------------

BAD_FILES = {
    "bad-yaml": ("bad-yaml.md", '---\ntitle: "A"\nsource: [unclosed, list\ndate: 2022-01-01\n---\nText.\n', {3, 4}, "yaml"),
    "date-words": ("date-words.md", "---\ntitle: A\nsource: X\ndate: next tuesday\n---\nText.\n", {4}, "date"),
    "date-impossible": ("date-impossible.md", "---\ntitle: A\nsource: X\ndate: 2022-13-45\n---\nText.\n", {4}, "date"),
    "date-feb-30": ("date-feb-30.md", "---\ntitle: A\ndate: 2023-02-30\n---\nText.\n", {3}, "date"),
    "date-tagged": ("date-tagged.md", "---\ntitle: A\ndate: !!timestamp 2022-13-45\n---\nText.\n", {3}, "date"),
    "yaml-tag": ("yaml-tag.md", "---\ntitle: A\nsource: !!int abc\n---\nText.\n", {3}, ""),
    "not-utf8": ("not-utf8.txt", "Title\nfine line\n".encode() + b"caf\xe9 au lait\n", {3}, "utf-8"),
    "empty-body": ("empty-body.md", "---\ntitle: A\n---\n\n   \n", {4}, "no text"),
    "only-chrome": ("only-chrome.md", "---\ntitle: A\n---\n- (opens in new tab)\nComments are closed.\n", {4}, "no text"),
    "empty-file": ("empty-file.txt", b"", {None, 1}, "empty"),
    "unclosed": ("unclosed.md", "---\ntitle: A\nsource: X\nText that never closes the block.\n", {1}, "closing"),
    "list-front-matter": ("list-fm.md", "---\n- a\n- b\n---\nText.\n", {2}, "key: value"),
    "title-is-a-list": ("title-list.md", "---\ntitle: [a, b]\n---\nText.\n", {2}, "title"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES), ids=sorted(BAD_FILES))
def test_bad_file_is_named_with_its_line_and_the_rest_is_indexed(tmp_path: Path, case: str) -> None:
    name, content, lines, needle = BAD_FILES[case]
    good_article(tmp_path)
    write(tmp_path, name, content)
    engine = Engine.build(tmp_path)
    error = error_for(engine, name)
    assert error.line in lines, f"{error} should point at line {sorted(lines, key=str)}"
    assert needle in error.message.lower()
    assert str(error).startswith(f"{name}:")
    assert_good_still_indexed(engine)


def test_all_bad_files_together_are_all_reported(tmp_path: Path) -> None:
    good_article(tmp_path)
    for name, content, _, _ in BAD_FILES.values():
        write(tmp_path, name, content)
    engine = Engine.build(tmp_path)
    assert sorted(e.path for e in engine.errors) == sorted(name for name, *_ in BAD_FILES.values())
    assert_good_still_indexed(engine)


def test_file_over_the_size_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    good_article(tmp_path)
    write(tmp_path, "huge.md", front_matter_article("Huge", "zephyrine " * 400))
    engine = Engine.build(tmp_path, EngineConfig(max_file_bytes=2048))
    error = error_for(engine, "huge.md")
    assert "limit" in error.message and "KB" in error.message
    assert_good_still_indexed(engine)


def test_a_50_mb_file_is_refused_by_the_default_limit(tmp_path: Path) -> None:
    good_article(tmp_path)
    with (tmp_path / "dump.txt").open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    engine = Engine.build(tmp_path)
    error = error_for(engine, "dump.txt")
    assert "50.0 MB" in error.message and "limit" in error.message
    assert_good_still_indexed(engine)


# --- what is not an article ------------------------------------------------------------


def test_hidden_folders_rules_files_and_other_types_are_not_articles(tmp_path: Path) -> None:
    good_article(tmp_path)
    write(tmp_path, ".removed/old.md", front_matter_article("Old", "The quokkaberry festival was cancelled."))
    write(tmp_path, ".draft.md", front_matter_article("Draft", "The quokkaberry festival draft."))
    write(tmp_path, "synonyms.yaml", "- [zephyrine, zephy]\n")
    write(tmp_path, "chrome.yaml", "drop_lines: []\n")
    write(tmp_path, "notes.html", "<p>The quokkaberry festival</p>")
    write(tmp_path, "README.rst", "The quokkaberry festival")
    write(tmp_path, "sub/nested.md", front_matter_article("Nested", "A nested article about marmalade robots."))
    engine = Engine.build(tmp_path)
    assert sorted(a.id for a in engine.articles) == ["good.md", "sub/nested.md"]
    assert engine.errors == ()
    assert engine.ask("when is the quokkaberry festival?") is None
    assert engine.ask("tell me about the marmalade robots").article == "sub/nested.md"


# --- the loader only reads ----------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_loading_never_modifies_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for case in ("bad-yaml", "date-words", "not-utf8", "empty-body", "only-chrome", "empty-file", "unclosed"):
        name, content, _, _ = BAD_FILES[case]
        write(corpus, name, content)
    write(corpus, ".removed/old.md", "Old\n\nold text\n")
    write(corpus, "chrome.yaml", "drop_lines:\n  - '[unclosed'\n")
    before = _snapshot(corpus)
    names_before = sorted(str(p) for p in corpus.rglob("*"))
    engine = Engine.build(corpus)
    engine.ask("is season 2 confirmed?")
    assert sorted(str(p) for p in corpus.rglob("*")) == names_before
    assert _snapshot(corpus) == before


# --- hostile file system: loops, dangling links, pipes, unreadable folders -------------------


def test_symlink_loops_are_reported_and_do_not_hang(tmp_path: Path) -> None:
    good_article(tmp_path)
    os.symlink(".", tmp_path / "loop")  # a folder that contains itself
    os.symlink("b.md", tmp_path / "a.md")  # two files pointing at each other
    os.symlink("a.md", tmp_path / "b.md")
    engine = Engine.build(tmp_path)
    for name in ("a.md", "b.md"):
        assert "symbolic links" in error_for(engine, name).message
    assert_good_still_indexed(engine)


def test_dangling_symlink_is_reported_by_name(tmp_path: Path) -> None:
    good_article(tmp_path)
    os.symlink("deleted-article.md", tmp_path / "link.md")
    engine = Engine.build(tmp_path)
    error_for(engine, "link.md")
    assert_good_still_indexed(engine)


def test_named_pipe_in_the_corpus_does_not_block_the_load(tmp_path: Path) -> None:
    """A FIFO named like an article would block a plain open() forever; the load must finish."""
    good_article(tmp_path)
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result: dict[str, object] = {}
    worker = threading.Thread(target=lambda: result.setdefault("engine", Engine.build(tmp_path)), daemon=True)
    worker.start()
    worker.join(timeout=5)
    blocked = worker.is_alive()
    if blocked:  # release the loader: opening the write end and closing it gives the reader EOF
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=5)
    assert not blocked, "Engine.build blocked for 5 s reading the named pipe pipe.md"
    engine = result["engine"]
    error_for(engine, "pipe.md")
    assert_good_still_indexed(engine)


_LOAD_SCRIPT = """
import sys
from pathlib import Path
from bot.engine import Engine
engine = Engine.build(Path(sys.argv[1]))
print("ARTICLES", *[a.id for a in engine.articles])
for error in engine.errors:
    print("ERROR", error)
"""


def _without_root_read_powers() -> list[str] | None:
    """A command prefix that runs a child without the capabilities that let root read anything."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_unreadable_folder_is_reported_and_the_rest_indexed() -> None:
    prefix = _without_root_read_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: chmod 000 cannot hide a folder from root")
    corpus = Path(tempfile.mkdtemp(prefix="unreadable-corpus-"))
    try:
        good_article(corpus)
        write(corpus, "private/secret.md", front_matter_article("Secret", "The quokkaberry plan."))
        (corpus / "private").chmod(0)
        done = subprocess.run(
            [*prefix, sys.executable, "-c", _LOAD_SCRIPT, str(corpus)],
            capture_output=True, text=True, cwd=REPO, timeout=60,
        )
    finally:
        (corpus / "private").chmod(0o755)
        shutil.rmtree(corpus)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "ARTICLES good.md" in lines
    errors = [line for line in lines if line.startswith("ERROR")]
    assert len(errors) == 1 and "private" in errors[0] and "permission denied" in errors[0].lower(), lines


# --- the corpus changes while it is read ----------------------------------------------------------


@pytest.mark.parametrize("change", ["delete", "truncate"])
def test_a_file_changed_during_the_load_is_reported_and_the_rest_indexed(tmp_path: Path, change: str) -> None:
    good_article(tmp_path, "a-good.md")
    victim = write(tmp_path, "z-victim.md", front_matter_article("Victim", "Text that will vanish before it is read."))

    def meddle(stage: str, done: int, total: int) -> None:
        if stage == "read" and done == 1 and victim.exists():  # after the first file, before the victim
            if change == "delete":
                victim.unlink()
            else:
                victim.write_bytes(b"")

    engine = Engine.build(tmp_path, progress=meddle)
    assert [a.id for a in engine.articles] == ["a-good.md"]
    error = error_for(engine, "z-victim.md")
    assert ("disappeared" if change == "delete" else "empty") in error.message
