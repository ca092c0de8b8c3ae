"""``python -m bot remove``: the article leaves the index, its file is kept in corpus/.removed/.

The module is driven through its own parser here (``bot/cli/main.py`` lists
the subcommands and belongs to the lead).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import remove
from bot.cli.common import CliError
from bot.engine import Engine
from ingest_fixtures import CASTING_PARAGRAPHS, corpus, markdown_article  # noqa: F401 - fixture


def run_remove(capsys, *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="python -m bot")
    remove.add_parser(parser.add_subparsers())
    args = parser.parse_args(["remove", *argv, "--no-cache"])
    assert args.func(args) == 0
    return capsys.readouterr().out


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_remove_by_file_name_moves_it_aside_and_the_index_forgets_it(corpus, capsys):  # noqa: F811
    before = files(corpus)
    out = run_remove(capsys, "colman", "--corpus", str(corpus))
    assert out.splitlines() == [
        "Removed colman.md",
        "  title:    Olivia Colman on playing Nick's mum",
        "  kept as:  .removed/colman.md (move it back and reindex to restore it)",
        f"  now:      1 articles, {len(Engine.build(corpus).passages)} passages in the index",
    ]
    after = files(corpus)
    assert after.pop(".removed/colman.md") == before.pop("colman.md")
    assert after == before
    answer = Engine.build(corpus).ask("Who plays Nick's mother Sarah Nelson?")
    assert answer is None or answer.article != "colman.md"


def test_remove_by_title_and_a_second_removal_of_the_same_name_keeps_both(corpus, capsys):  # noqa: F811
    run_remove(capsys, "olivia colman on playing NICK'S mum", "--corpus", str(corpus))
    (corpus / "colman.md").write_text(markdown_article("Colman again", CASTING_PARAGRAPHS[:2]), encoding="utf-8")
    out = run_remove(capsys, "colman.md", "--corpus", str(corpus))
    assert "kept as:  .removed/colman-2.md" in out
    assert sorted(p.name for p in (corpus / ".removed").iterdir()) == ["colman-2.md", "colman.md"]


@pytest.mark.parametrize(
    ("name", "words"),
    [("no-such-article", "no article called 'no-such-article'"), ("Twin title", "2 articles are called 'Twin title'")],
)
def test_unknown_or_ambiguous_names_change_nothing(corpus, capsys, name, words):  # noqa: F811
    for twin in ("twin-a.md", "twin-b.md"):
        (corpus / twin).write_text(markdown_article("Twin title", [f"Text of {twin} about the show."]), encoding="utf-8")
    before = files(corpus)
    with pytest.raises(CliError) as caught:
        run_remove(capsys, name, "--corpus", str(corpus))
    assert words in str(caught.value)
    assert files(corpus) == before


def test_the_last_article_is_put_back(corpus, capsys):  # noqa: F811
    (corpus / "soundtrack.md").unlink()
    before = files(corpus)
    with pytest.raises(CliError) as caught:
        run_remove(capsys, "colman.md", "--corpus", str(corpus))
    assert str(caught.value).startswith("not removed: ") and str(caught.value).endswith("colman.md was put back")
    assert files(corpus) == before
