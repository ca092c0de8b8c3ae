"""The speed benchmark behind ``python -m bot bench``: synthetic corpora, measurements, report.

It lives in the package (not only under ``benchmarks/``) so that the command
works from an installed checkout; ``benchmarks/bench.py`` is a thin script
over the same code.
"""
