"""``remove``: take an article out of the corpus into ``corpus/.removed/`` (nothing is deleted), then reindex.

The same rule as ``/remove`` in Discord: if the index cannot be rebuilt
without the article (it was the last one), the file is put back, so the
corpus never ends up in a state the bot cannot serve.
"""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, add_corpus_option


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "remove",
        help="move an article out of the corpus into corpus/.removed/",
        description="Move an article into corpus/.removed/ (kept, no longer answered from) and rebuild the index.",
    )
    parser.add_argument("article", metavar="ARTICLE", help="its file name (e.g. season-2.md) or its exact title")
    add_corpus_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from bot.cli.common import build_engine
    from bot.config import Config
    from bot.ingest import store
    from bot.ingest.errors import IngestError
    from bot.ingest.lookup import matching_articles

    if args.corpus is None:
        args.corpus = Config.from_env().corpus_dir
    engine = build_engine(args)
    matches = matching_articles(engine.articles, args.article)
    if not matches:
        raise CliError(f"no article called {args.article!r} in {args.corpus} (give its file name or its exact title)")
    if len(matches) > 1:
        files = ", ".join(a.id for a in matches)
        raise CliError(f"{len(matches)} articles are called {args.article!r} ({files}); give the file name instead")
    article = matches[0]
    try:
        moved = store.remove_article(args.corpus, article.id)
    except IngestError as err:
        raise CliError(str(err)) from None
    except OSError as err:
        raise CliError(f"cannot move {article.id}: {err.strerror or err}") from None
    try:
        after = build_engine(args)
    except CliError as err:  # e.g. it was the last article: put it back so the bot can still serve
        original = args.corpus.resolve() / article.id
        if not original.exists():
            os.replace(moved, original)
        raise CliError(f"not removed: {err}; {article.id} was put back") from None
    kept = moved.relative_to(args.corpus.resolve()).as_posix()
    print(f"Removed {article.id}")
    print(f"  title:    {article.title}")
    print(f"  kept as:  {kept} (move it back and reindex to restore it)")
    print(f"  now:      {len(after.articles)} articles, {len(after.passages)} passages in the index")
    return 0
