"""``python -m bot add``: what the admin sees, what lands in the corpus, and that fans then get answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.engine import Engine
from ingest_fixtures import (
    CASTING_PARAGRAPHS,
    RENEWAL_PARAGRAPHS,
    closed_port,
    corpus,  # noqa: F401 - fixture
    markdown_article,
    site,  # noqa: F401 - fixture
)

RENEWAL_FILE = "heartstopper-renewed-for-seasons-2-and-3-at-netflix.md"


def add(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["add", *args, "--no-cache"])
    out, err = capsys.readouterr()
    return code, out, err


def articles(corpus: Path) -> list[str]:  # noqa: F811
    return sorted(p.name for p in corpus.glob("*.md"))


def test_adding_a_link_writes_the_article_and_shows_what_fans_get(site, corpus, capsys):  # noqa: F811
    code, out, err = add(capsys, site.url("/news/renewal"), "--corpus", str(corpus))
    assert (code, err) == (0, "")
    assert f"Added {RENEWAL_FILE}" in out
    assert "title:    Heartstopper renewed for seasons 2 and 3 at Netflix" in out
    assert "source:   Screen Gazette" in out
    assert "date:     2022-05-20" in out
    assert "passages: " in out and "passages: 0" not in out
    assert "first passage:" in out and "Netflix has renewed Heartstopper" in out
    text = (corpus / RENEWAL_FILE).read_text(encoding="utf-8")
    assert text.startswith(
        '---\ntitle: "Heartstopper renewed for seasons 2 and 3 at Netflix"\nsource: "Screen Gazette"\n'
        f'url: "{site.url("/news/renewal")}"\ndate: 2022-05-20\n---\n'
    )


def test_the_added_article_answers_a_question(site, corpus, capsys):  # noqa: F811
    question = "Where will the second season of Heartstopper be filmed?"
    before = Engine.build(corpus).ask(question)
    assert before is None or before.article != RENEWAL_FILE
    assert add(capsys, site.url("/news/renewal"), "--corpus", str(corpus))[0] == 0
    answer = Engine.build(corpus).ask(question)
    assert answer is not None
    assert answer.article == RENEWAL_FILE
    assert "Kent" in answer.text
    assert answer.source == "Screen Gazette"


def test_undated_and_unattributed_pages_say_so(site, corpus, capsys):  # noqa: F811
    (corpus / "colman.md").unlink()  # the seed copy would be recognised as the same text
    code, out, _ = add(capsys, site.url("/news/colman"), "--corpus", str(corpus))
    assert code == 0
    assert "date:     undated" in out
    assert "source:   unknown" in out
    written = (corpus / "olivia-colman-on-playing-nicks-mum-in-heartstopper.md").read_text(encoding="utf-8")
    assert 'source: ""\n' in written and "date: null\n" in written


def test_a_visible_date_is_kept(site, corpus, capsys):  # noqa: F811
    (corpus / "soundtrack.md").unlink()
    code, out, _ = add(capsys, site.url("/news/soundtrack"), "--corpus", str(corpus))
    assert code == 0 and "date:     2022-06-14" in out


def test_the_same_link_twice_is_one_article(site, corpus, capsys):  # noqa: F811
    add(capsys, site.url("/news/renewal"), "--corpus", str(corpus))
    code, out, _ = add(capsys, site.url("/moved"), "--corpus", str(corpus))  # redirects to the same page
    assert code == 0
    assert f"Already up to date: {RENEWAL_FILE} (same url as before)" in out
    assert articles(corpus) == sorted(["colman.md", "soundtrack.md", RENEWAL_FILE])


def test_the_same_text_at_another_address_updates_the_existing_file(site, corpus, capsys):  # noqa: F811
    # the seed corpus already has the casting article as colman.md; the web copy has the same text
    code, out, _ = add(capsys, site.url("/news/colman"), "--corpus", str(corpus))
    assert code == 0
    assert "Updated colman.md (same text as an existing article)" in out
    assert articles(corpus) == ["colman.md", "soundtrack.md"]
    text = (corpus / "colman.md").read_text(encoding="utf-8")
    assert 'source: "Film Post"' in text and "date: 2022-04-28" in text  # known values kept, none invented


@pytest.mark.parametrize(
    ("path", "extra", "words"),
    [
        ("/missing-page", [], "HTTP 404"),
        ("/hang", ["--timeout", "0.5"], "timeout:"),
        ("/huge", [], "too large:"),
        ("/brochure.pdf", [], "unsupported type:"),
        ("/latest", [], "not an article:"),
    ],
)
def test_failures_are_one_line_and_leave_the_corpus_alone(site, corpus, capsys, path, extra, words):  # noqa: F811
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    code, out, err = add(capsys, site.url(path), "--corpus", str(corpus), *extra)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and words in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before


def test_an_unreachable_host_is_one_line(corpus, capsys):  # noqa: F811
    code, _, err = add(capsys, f"http://127.0.0.1:{closed_port()}/x", "--corpus", str(corpus), "--timeout", "2")
    assert code == 1 and err.startswith("error: unreachable:")


def test_adding_a_markdown_file_keeps_its_front_matter(corpus, tmp_path, capsys):  # noqa: F811
    upload = tmp_path / "kit.md"
    upload.write_text(markdown_article("Kit Connor on Nick's rugby scenes", RENEWAL_PARAGRAPHS[1:3], source="Teen Vogue", date="2023-07-01"), encoding="utf-8")
    code, out, _ = add(capsys, str(upload), "--corpus", str(corpus))
    assert code == 0
    assert "Added kit-connor-on-nicks-rugby-scenes.md" in out and "source:   Teen Vogue" in out and "date:     2023-07-01" in out


def test_adding_a_text_file_takes_its_first_line_as_title(corpus, tmp_path, capsys):  # noqa: F811
    upload = tmp_path / "notes.txt"
    upload.write_text("Paris trip plans\n\n" + "\n\n".join(RENEWAL_PARAGRAPHS), encoding="utf-8")
    code, out, _ = add(capsys, str(upload), "--corpus", str(corpus), "--slug", "paris-trip")
    assert code == 0 and "Added paris-trip.md" in out and "title:    Paris trip plans" in out
    assert (corpus / "paris-trip.md").read_text(encoding="utf-8").startswith('---\ntitle: "Paris trip plans"\nsource: ""\nurl: null\ndate: null\n---\n')


@pytest.mark.parametrize(
    ("name", "content", "args", "words"),
    [
        ("brochure.pdf", b"%PDF-1.4", [], "unsupported type"),
        ("big.txt", b"Title\n\n" + b"word " * 300, ["--max-bytes", "1000"], "too large"),
        ("notes.txt", b"Paris\n\nText.", ["--slug", "../outside"], "refused slug"),
        ("other.txt", b"Colman\n\nA different story.", ["--slug", "colman"], "already holds a different article"),
    ],
)
def test_file_refusals(corpus, tmp_path, capsys, name, content, args, words):  # noqa: F811
    upload = tmp_path / name
    upload.write_bytes(content)
    code, out, err = add(capsys, str(upload), "--corpus", str(corpus), *args)
    assert code == 1 and out == "" and words in err and "Traceback" not in err
    assert articles(corpus) == ["colman.md", "soundtrack.md"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-file.md"], "neither an existing file nor an http(s) link"),
        (["ftp://127.0.0.1/x"], "only http:// and https://"),
    ],
)
def test_bad_sources(corpus, capsys, args, words):  # noqa: F811
    code, _, err = add(capsys, *args, "--corpus", str(corpus))
    assert code == 1 and words in err


def test_a_missing_corpus_folder(site, tmp_path, capsys):  # noqa: F811
    code, _, err = add(capsys, site.url("/news/renewal"), "--corpus", str(tmp_path / "nope"))
    assert code == 1 and "corpus folder" in err and "does not exist" in err


@pytest.mark.parametrize(("flag", "value"), [("--timeout", "0"), ("--timeout", "soon"), ("--max-bytes", "-5")])
def test_bad_limits_are_usage_errors(corpus, capsys, flag, value):  # noqa: F811
    with pytest.raises(SystemExit) as caught:
        main(["add", "x.md", "--corpus", str(corpus), flag, value])
    assert caught.value.code == 2
    assert flag in capsys.readouterr().err


def test_a_file_the_index_cannot_load_is_rolled_back(corpus, tmp_path, capsys):  # noqa: F811
    # this corpus drops "Sign up ..." lines as chrome, so the upload's whole body vanishes at load time:
    # the engine rejects the file, and the add must not leave it behind
    (corpus / "chrome.yaml").write_text("drop_lines:\n  - 'sign up.*'\n", encoding="utf-8")
    upload = tmp_path / "promo.txt"
    upload.write_text("Promo\n\nSign up to our newsletter for more Heartstopper news.\n", encoding="utf-8")
    code, out, err = add(capsys, str(upload), "--corpus", str(corpus))
    assert (code, out) == (1, "")
    assert err.startswith("error: not added: the index could not use the new file (promo.md:")
    assert not (corpus / "promo.md").exists()
    assert articles(corpus) == ["colman.md", "soundtrack.md"]


def test_python_m_bot_add_runs_as_a_command(site, corpus):  # noqa: F811
    done = subprocess.run(
        [sys.executable, "-m", "bot", "add", site.url("/news/renewal"), "--corpus", str(corpus), "--no-cache"],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert "Added " + RENEWAL_FILE in done.stdout
    assert CASTING_PARAGRAPHS[0] not in done.stdout
