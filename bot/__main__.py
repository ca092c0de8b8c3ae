"""``python -m bot`` entry point: hands over to the command line face."""

from bot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
