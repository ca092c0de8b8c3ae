"""Shared helpers for the engine and CLI tests: where things are, writing small corpora, running the CLI.

Kept out of conftest.py (owned by the lead); test modules import what they use.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
EVAL_QUESTIONS = SHARED / "eval" / "questions.yaml"
PYTHON = sys.executable


def front_matter_article(
    title: str,
    body: str,
    *,
    source: str = "",
    url: str | None = None,
    date: dt.date | str | None = None,
) -> str:
    """The text of a corpus file with YAML front matter, as an admin would write it."""
    lines = ["---", f'title: "{title}"', f'source: "{source}"', f"url: {url if url else 'null'}"]
    lines.append(f"date: {date.isoformat() if isinstance(date, dt.date) else (date if date else 'null')}")
    lines += ["---", body]
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write one file (creating sub-folders) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def copy_corpus(source: Path, target: Path) -> Path:
    """A private copy of a corpus folder (articles and rules files), so a test can change it."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes())
    return target


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_python(*argv: str, stdin: str | None = None, cwd: Path = REPO, env: dict[str, str] | None = None) -> CliRun:
    """Run the project's interpreter with ``argv`` in a fresh process and capture everything.

    The index cache is turned off unless the caller sets ``INDEX_CACHE_DIR``, so
    tests never write into the checkout; CORPUS_DIR and the token are not inherited.
    """
    environment = {k: v for k, v in os.environ.items() if k not in {"CORPUS_DIR", "DISCORD_TOKEN"}}
    environment["INDEX_CACHE_DIR"] = "off"
    environment.update(env or {})
    done = subprocess.run(
        [PYTHON, *argv], input=stdin, capture_output=True, text=True, cwd=cwd, env=environment, timeout=60,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


def run_cli(*args: str, stdin: str | None = None, cwd: Path = REPO, env: dict[str, str] | None = None) -> CliRun:
    """Run ``python -m bot ARGS`` as a user would."""
    return run_python("-m", "bot", *args, stdin=stdin, cwd=cwd, env=env)


def assert_one_line_error(run: CliRun, *needles: str) -> None:
    """A user mistake: non-zero exit, one line on stderr naming the problem, no traceback."""
    assert run.code != 0, f"expected a failure exit, got 0; stdout={run.stdout!r}"
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    for needle in needles:
        assert needle.lower() in lines[0].lower(), f"{needle!r} not in {lines[0]!r}"


_TOTALS = re.compile(
    r"answer@1: (?P<at1>\d+)/(?P<answerable>\d+)\s+answer@3: (?P<at3>\d+)/\d+\s+"
    r"abstentions right: (?P<abstained>\d+)/(?P<abstain_questions>\d+)\s+"
    r"false abstentions: (?P<false_abstentions>\d+)/\d+\s+MRR: (?P<mrr>\d\.\d{3})"
)


def eval_totals(stdout: str) -> dict[str, float]:
    """The totals line of ``python -m bot eval`` as numbers; fails the test when it is missing."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    found = _TOTALS.search(lines[-1]) if lines else None
    assert found, f"no totals line at the end of the eval output: {lines[-3:]!r}"
    return {key: float(value) for key, value in found.groupdict().items()}
