"""Shared helpers for the engine and CLI tests: where things are, writing small corpora, running the CLI.

Kept out of conftest.py (owned by the lead); test modules import what they use.
"""

from __future__ import annotations

import datetime as dt
import os
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


def run_cli(*args: str, stdin: str | None = None, cwd: Path = REPO, env: dict[str, str] | None = None) -> CliRun:
    """Run ``python -m bot ARGS`` in a fresh interpreter, as a user would, and capture everything.

    The index cache is turned off unless the caller sets ``INDEX_CACHE_DIR``, so
    tests never write into the checkout.
    """
    environment = {k: v for k, v in os.environ.items() if k not in {"CORPUS_DIR", "DISCORD_TOKEN"}}
    environment["INDEX_CACHE_DIR"] = "off"
    environment.update(env or {})
    done = subprocess.run(
        [PYTHON, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(run: CliRun, *needles: str) -> None:
    """A user mistake: non-zero exit, one line on stderr naming the problem, no traceback."""
    assert run.code != 0, f"expected a failure exit, got 0; stdout={run.stdout!r}"
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    for needle in needles:
        assert needle.lower() in lines[0].lower(), f"{needle!r} not in {lines[0]!r}"
