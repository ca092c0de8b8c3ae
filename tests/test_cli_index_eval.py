"""`python -m bot index` and `python -m bot eval` as an admin runs them: summaries, exit codes, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine_helpers import CORPUS, EVAL_QUESTIONS, assert_one_line_error, copy_corpus, eval_totals, run_cli, write

def _summary_value(out: str, label: str) -> str:
    match = re.search(rf"^{label}: (.+)$", out, re.MULTILINE)
    assert match, f"no {label!r} line in {out!r}"
    return match.group(1)


def test_index_prints_a_summary_of_the_bundled_corpus() -> None:
    run = run_cli("index")
    assert run.code == 0, run.stderr
    assert _summary_value(run.stdout, "articles").startswith("5 ")
    assert int(_summary_value(run.stdout, "passages")) > 5
    assert _summary_value(run.stdout, "errors") == "0"
    assert run.stderr == ""  # progress is for terminals only; a pipe or CI log stays clean


def test_index_check_passes_on_the_bundled_corpus() -> None:
    run = run_cli("index", "--check")
    assert run.code == 0, run.stdout + run.stderr


@pytest.fixture()
def corpus_with_a_bad_file(tmp_path: Path) -> Path:
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    write(corpus, "broken-date.md", "---\ntitle: A\nsource: X\ndate: last spring\n---\nText.\n")
    return corpus


def test_index_check_fails_and_names_the_bad_file_and_line(corpus_with_a_bad_file: Path) -> None:
    run = run_cli("index", "--check", "--corpus", str(corpus_with_a_bad_file))
    assert run.code == 1
    assert "Traceback" not in run.stderr
    assert _summary_value(run.stdout, "errors") == "1"
    assert _summary_value(run.stdout, "articles").startswith("5 ")
    assert re.search(r"^\s+broken-date\.md:4: .*date", run.stdout, re.MULTILINE), run.stdout


def test_index_without_check_reports_but_succeeds(corpus_with_a_bad_file: Path) -> None:
    run = run_cli("index", "--corpus", str(corpus_with_a_bad_file))
    assert run.code == 0
    assert "broken-date.md:4:" in run.stdout


def test_index_check_fails_on_a_bad_rules_file(tmp_path: Path) -> None:
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    write(corpus, "chrome.yaml", "drop_lines:\n  - '^ok$'\n  - '(unclosed'\n")
    run = run_cli("index", "--check", "--corpus", str(corpus))
    assert run.code == 1
    assert "chrome.yaml:3:" in run.stdout


def test_index_missing_corpus_is_one_line_error(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("index", "--corpus", str(tmp_path / "gone")), "does not exist")


# --- eval ---------------------------------------------------------------------------------------


@pytest.fixture()
def questions() -> Path:
    if not EVAL_QUESTIONS.is_file():
        pytest.skip(f"{EVAL_QUESTIONS} is absent (the shared eval set lives next to the checkout)")
    return EVAL_QUESTIONS


def test_eval_prints_a_verdict_per_question_and_the_totals(questions: Path) -> None:
    run = run_cli("eval", str(questions))
    assert run.code == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    verdicts = [line for line in lines if line.startswith(("ok", "FAIL"))]
    assert len(verdicts) == 12
    assert any("who plays nick?" in line for line in verdicts)
    totals = eval_totals(run.stdout)
    assert totals["answerable"] == 10 and totals["abstain_questions"] == 2


def test_eval_json_totals(questions: Path) -> None:
    import json

    run = run_cli("eval", str(questions), "--json")
    assert run.code == 0, run.stderr
    totals = json.loads(run.stdout.strip().splitlines()[-1])
    assert totals["answerable"] == 10 and totals["abstain_questions"] == 2
    assert 0 <= totals["mrr"] <= 1


def test_eval_missing_question_file_is_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_one_line_error(run_cli("eval", str(missing)), str(missing), "does not exist")


@pytest.mark.parametrize(
    "content, needle",
    [
        ("- {q: 'who plays nick?', expect: 'Kit'\n", "yaml"),
        ("q: who plays nick?\n", "list"),
        ("- {q: 'who plays nick?'}\n", "expect"),
        ("- {expect: 'Kit'}\n", "question"),
        ("- {q: 'who plays nick?', expect: '(unclosed'}\n", "pattern"),
    ],
    ids=["bad-yaml", "not-a-list", "no-expect", "no-question", "bad-regex"],
)
def test_eval_bad_question_file_is_one_line_error(tmp_path: Path, content: str, needle: str) -> None:
    path = write(tmp_path, "questions.yaml", content)
    assert_one_line_error(run_cli("eval", str(path)), needle)


def test_eval_missing_corpus_is_one_line_error(questions: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("eval", str(questions), "--corpus", str(tmp_path / "gone")), "does not exist")


def test_unknown_subcommand_is_one_line_error() -> None:
    assert_one_line_error(run_cli("frobnicate"), "invalid choice")
