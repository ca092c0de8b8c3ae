"""The speed benchmark as a script: ``python benchmarks/bench.py [options]`` = ``python -m bot bench [options]``."""

import sys

from bot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", *sys.argv[1:]]))
