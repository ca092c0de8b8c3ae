"""`python -m bot ask` run as a user runs it: the JSON contract, stdin batches, human output, no discord import."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine_helpers import CORPUS, REPO, SEEDS, assert_one_line_error, run_cli, run_python

ANSWER_KEYS = {"text", "sentence", "title", "source", "url", "date", "score", "article"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def assert_answer_object(item: dict) -> None:
    """One answer of the --json contract: exactly these keys, these types."""
    assert set(item) == ANSWER_KEYS
    for key in ("text", "sentence", "title", "source", "article"):
        assert isinstance(item[key], str), key
    assert item["text"] and item["sentence"] and item["sentence"] in item["text"]
    assert item["url"] is None or isinstance(item["url"], str) and item["url"]
    assert item["date"] is None or isinstance(item["date"], str) and DATE.fullmatch(item["date"])
    assert isinstance(item["score"], float)
    assert (CORPUS / item["article"]).is_file() or item["article"].endswith(".txt")


def assert_question_object(line: str, question: str) -> dict:
    data = json.loads(line)
    assert isinstance(data, dict)
    assert set(data) == {"question", "answer", "alternatives"}
    assert data["question"] == question
    assert isinstance(data["alternatives"], list)
    if data["answer"] is None:
        assert data["alternatives"] == []
    else:
        assert_answer_object(data["answer"])
        for alternative in data["alternatives"]:
            assert_answer_object(alternative)
    return data


def test_json_is_one_object_on_one_line_with_the_contracts_keys() -> None:
    run = run_cli("ask", "--json", "is season 2 confirmed?")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1
    data = assert_question_object(lines[0], "is season 2 confirmed?")
    assert "Netflix confirmed there WILL be" in data["answer"]["sentence"]
    assert data["answer"]["source"] == "Goodto.com" and data["answer"]["date"] is None
    assert 1 <= len(data["alternatives"]) <= 2  # -k defaults to 3: the answer and two more
    assert any(alt["date"] == "2022-05-19" for alt in data["alternatives"])


def test_json_question_words_are_joined_and_k_is_respected() -> None:
    run = run_cli("ask", "--json", "-k", "1", "who", "plays", "elle?")
    assert run.code == 0, run.stderr
    data = assert_question_object(run.stdout.strip(), "who plays elle?")
    assert "Yasmin" in data["answer"]["text"] and data["alternatives"] == []


def test_json_answer_is_null_when_the_engine_abstains() -> None:
    run = run_cli("ask", "--json", "tell me a joke")
    assert run.code == 0, run.stderr
    data = assert_question_object(run.stdout.strip(), "tell me a joke")
    assert data["answer"] is None


def test_json_keeps_non_ascii_readable() -> None:
    run = run_cli("ask", "--json", "who plays nick’s mum?")
    assert run.code == 0, run.stderr
    assert "’" in run.stdout and "\\u2019" not in run.stdout
    data = assert_question_object(run.stdout.strip(), "who plays nick’s mum?")
    assert "Olivia Coleman" in data["answer"]["text"]


def test_dash_reads_one_question_per_line_from_stdin() -> None:
    questions = ["who plays nick?", "where was heartstopper filmed?", "tell me a joke", "how many heartstopper books are there?"]
    run = run_cli("ask", "--json", "-", stdin="\n".join([questions[0], "", "   ", *questions[1:]]) + "\n")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(questions)
    answers = [assert_question_object(line, question) for line, question in zip(lines, questions)]
    assert "Herne Bay" in answers[1]["answer"]["text"]
    assert answers[2]["answer"] is None
    assert "four volumes" in answers[3]["answer"]["text"]


def test_a_bad_question_in_a_batch_still_gets_its_own_line() -> None:
    run = run_cli("ask", "--json", "-", stdin="who plays nick?\n🙂🙂\nwho plays elle?\n")
    assert run.code != 0
    lines = run.stdout.splitlines()
    assert len(lines) == 3
    bad = json.loads(lines[1])
    assert bad["question"] == "🙂🙂" and bad["answer"] is None and bad["alternatives"] == []
    assert json.loads(lines[2])["answer"] is not None
    assert "Traceback" not in run.stderr


def test_raw_seed_files_answer_from_the_command_line() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent")
    run = run_cli("ask", "--json", "--corpus", str(SEEDS), "where was heartstopper filmed?")
    assert run.code == 0, run.stderr
    data = assert_question_object(run.stdout.strip(), "where was heartstopper filmed?")
    assert "Herne Bay" in data["answer"]["text"] and data["answer"]["article"].endswith(".txt")


def test_human_output_shows_passage_source_date_and_alternatives() -> None:
    run = run_cli("ask", "is season 2 confirmed?")
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "Netflix confirmed there WILL be" in out
    assert "Goodto.com" in out and "undated" in out
    assert "2022-05-19" in out  # an alternative's own date
    assert "More answers" in out


def test_human_output_says_it_does_not_know() -> None:
    run = run_cli("ask", "what's the weather in london tomorrow?")
    assert run.code == 0, run.stderr
    assert "don't know" in run.stdout


def test_ask_with_the_default_index_cache_works_and_keeps_the_corpus_untouched(tmp_path: Path) -> None:
    """The README's quickstart runs `ask` with the default settings, where the index cache is on."""
    cache = tmp_path / "cache"
    before = {p.name: p.read_bytes() for p in CORPUS.iterdir()}
    for attempt in range(2):  # the second run may load the saved index
        run = run_cli("ask", "--json", "is season 2 confirmed?", env={"INDEX_CACHE_DIR": str(cache)})
        assert run.code == 0, f"attempt {attempt + 1}: {run.stderr[-600:]}"
        assert "Netflix confirmed" in json.loads(run.stdout)["answer"]["sentence"]
    assert {p.name: p.read_bytes() for p in CORPUS.iterdir()} == before


def test_console_script_answers_like_python_dash_m() -> None:
    script = Path(sys.executable).parent / "fan-answers-bot"
    if not script.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable}")
    done = subprocess.run([str(script), "ask", "--json", "--no-cache", "who plays elle?"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Yasmin" in json.loads(done.stdout)["answer"]["text"]


# --- user mistakes --------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_one_line_error(question: str) -> None:
    assert_one_line_error(run_cli("ask", question), "empty")


@pytest.mark.parametrize("k, needle", [("0", "-k"), ("-3", "-k"), ("abc", "-k")])
def test_bad_k_is_one_line_error(k: str, needle: str) -> None:
    assert_one_line_error(run_cli("ask", "-k", k, "who plays nick?"), needle)


def test_missing_corpus_folder_is_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    assert_one_line_error(run_cli("ask", "--corpus", str(missing), "who plays nick?"), str(missing), "does not exist")


def test_corpus_that_is_a_file_is_one_line_error() -> None:
    assert_one_line_error(run_cli("ask", "--corpus", str(CORPUS / "synonyms.yaml"), "who plays nick?"), "not a folder")


def test_corpus_without_articles_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "notes.html").write_text("<p>hi</p>", encoding="utf-8")
    assert_one_line_error(run_cli("ask", "--corpus", str(tmp_path), "who plays nick?"), "no article")


def test_corpus_of_only_broken_files_names_them(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text("---\ntitle: A\nsource: [x\n---\nText.\n", encoding="utf-8")
    assert_one_line_error(run_cli("ask", "--corpus", str(tmp_path), "who plays nick?"), "broken.md:")


def test_empty_stdin_is_one_line_error() -> None:
    assert_one_line_error(run_cli("ask", "-", stdin=""), "standard input")


def test_no_question_at_all_is_one_line_error() -> None:
    assert_one_line_error(run_cli("ask"), "question")


# --- no Discord in the command line ---------------------------------------------------------

_NO_DISCORD = """
import runpy, sys
sys.argv = ["bot", "ask", "--json", "who plays nick?"]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
except SystemExit as exit:
    code = exit.code
loaded = sorted(name for name in sys.modules if name.startswith(("discord", "aiohttp", "bot.discord_bot")))
print("LOADED", loaded, "EXIT", code, file=sys.stderr)
"""


def test_ask_does_not_import_discord() -> None:
    done = run_python("-c", _NO_DISCORD)
    report = done.stderr.strip().splitlines()[-1]
    assert report == "LOADED [] EXIT 0", done.stderr[-800:]
    assert json.loads(done.stdout)["answer"] is not None
