"""Default limits for one download, in a module of their own so the CLI can show them in
``--help`` without importing the network stack."""

DEFAULT_TIMEOUT = 15.0  # seconds for the whole download, not per read
DEFAULT_MAX_BYTES = 5_000_000  # a long news page is well under 2 MB of HTML
