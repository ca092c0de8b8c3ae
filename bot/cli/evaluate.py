"""``eval``: run a question file and score the answers (answer@1, answer@3, abstentions, MRR).

The file is a YAML list of ``{q: question, expect: regex}`` or ``{q: question, abstain: true}``.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.cli.common import CliError, add_corpus_option, build_engine

RANKS = 5


@dataclass(frozen=True)
class Case:
    question: str
    expect: re.Pattern[str] | None
    abstain: bool


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="score the engine on a question file", description="Score the engine on a YAML question file.")
    parser.add_argument("questions", type=Path, metavar="QUESTIONS.yaml")
    add_corpus_option(parser)
    parser.add_argument("--json", action="store_true", help="print the totals as one JSON object after the verdicts")
    parser.set_defaults(func=run)


def load_cases(path: Path) -> list[Case]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"question file {path} does not exist", code=2) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read question file {path}: {exc}", code=2) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CliError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}", code=2) from None
    if not isinstance(data, list):
        raise CliError(f"{path}: expected a list of questions like - {{q: ..., expect: ...}}", code=2)
    cases = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not str(item.get("q", "")).strip():
            raise CliError(f"{path}: item {number} has no question (q: ...)", code=2)
        abstain = bool(item.get("abstain", False))
        if not abstain and not item.get("expect"):
            raise CliError(f"{path}: item {number} ({item['q']!r}) needs expect: REGEX or abstain: true", code=2)
        try:
            pattern = re.compile(str(item["expect"]), re.IGNORECASE) if item.get("expect") else None
        except re.error as exc:
            raise CliError(f"{path}: item {number}: bad expect pattern: {exc}", code=2) from None
        cases.append(Case(str(item["q"]), pattern, abstain))
    return cases


def run(args: argparse.Namespace) -> int:
    cases = load_cases(args.questions)
    engine = build_engine(args)
    answerable = [c for c in cases if not c.abstain]
    at1 = at3 = abstain_right = false_abstain = 0
    reciprocal = 0.0
    for case in cases:
        answer = engine.ask(case.question, k=RANKS)
        if case.abstain:
            ok = answer is None
            abstain_right += ok
            verdict = "ok   abstained" if ok else f"FAIL answered: {answer.sentence[:70]!r}"
        else:
            ranked = [answer, *answer.alternatives] if answer else []
            rank = next((i for i, a in enumerate(ranked, start=1) if case.expect.search(a.text)), None)
            at1 += rank == 1
            at3 += rank is not None and rank <= 3
            reciprocal += 1 / rank if rank else 0.0
            false_abstain += answer is None
            if answer is None:
                verdict = "FAIL abstained"
            elif rank == 1:
                verdict = "ok   @1"
            else:
                verdict = f"FAIL {'@' + str(rank) if rank else 'not in top ' + str(RANKS)}: {answer.sentence[:70]!r}"
        print(f"{verdict:<40.110} {case.question}")
    n, m = len(answerable), len(cases) - len(answerable)
    mrr = reciprocal / n if n else 0.0
    print()
    print(f"answer@1: {at1}/{n}   answer@3: {at3}/{n}   abstentions right: {abstain_right}/{m}   "
          f"false abstentions: {false_abstain}/{n}   MRR: {mrr:.3f}")
    if args.json:
        print(json.dumps({"answer_at_1": at1, "answer_at_3": at3, "answerable": n, "abstentions_right": abstain_right,
                          "abstain_questions": m, "false_abstentions": false_abstain, "mrr": round(mrr, 4)}))
    return 0
