"""``ask``: answer one question, or one per line of standard input with ``-``."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from bot.cli.common import CliError, add_corpus_option, build_engine


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("ask", help="answer a question from the corpus", description="Answer a question from the corpus.")
    add_corpus_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object per question")
    parser.add_argument("-k", type=int, default=3, metavar="N", help="answers to show: the best and N-1 alternatives (default 3)")
    parser.add_argument("question", nargs="+", help="the question, or - to read one question per line from standard input")
    parser.set_defaults(func=run)


def _date(answer) -> str:
    return answer.date.isoformat() if answer.date else "undated"


def _human(question: str, answer) -> str:
    if answer is None:
        return f"Q: {question}\nI don't know: nothing in the corpus answers that.\n"
    lines = [f"Q: {question}", ""]
    lines += textwrap.wrap(answer.text.replace("\n", " "), width=88) or [answer.text]
    lines += ["", f"  Best sentence: {answer.sentence}"]
    lines += [f"  Source: {answer.title} — {answer.source or 'unknown source'}, {_date(answer)}" + (f" <{answer.url}>" if answer.url else "")]
    lines += [f"  Confidence: {answer.confidence:.0%}  (BM25 {answer.score:.2f}, {answer.article})"]
    if answer.alternatives:
        lines += ["", "More answers:"]
        for number, alt in enumerate(answer.alternatives, start=2):
            lines += [f"  {number}. {alt.sentence}", f"     — {alt.title}, {alt.source or 'unknown source'}, {_date(alt)}"]
    return "\n".join(lines) + "\n"


def _json(question: str, answer) -> str:
    return json.dumps(
        {
            "question": question,
            "answer": answer.to_json() if answer else None,
            "alternatives": [alt.to_json() for alt in answer.alternatives] if answer else [],
        },
        ensure_ascii=False,
    )


def run(args: argparse.Namespace) -> int:
    from bot.engine import QuestionError

    if args.k < 1:
        raise CliError(f"-k must be 1 or more, got {args.k}", code=2)
    if args.question == ["-"]:
        questions = [line.strip() for line in sys.stdin if line.strip()]
        if not questions:
            raise CliError("no questions on standard input (one question per line)", code=2)
    else:
        questions = [" ".join(args.question)]
    engine = build_engine(args)
    status = 0
    for question in questions:
        try:
            answer = engine.ask(question, k=args.k)
        except QuestionError as exc:
            if args.json:  # still exactly one object per question, so a reader can zip them
                print(json.dumps({"question": question, "answer": None, "alternatives": [], "error": str(exc)}, ensure_ascii=False))
                status = 1
                continue
            if len(questions) == 1:
                raise CliError(str(exc), code=2) from None
            print(f"error: {question[:60]!r}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(_json(question, answer) if args.json else _human(question, answer), flush=True)
    return status
