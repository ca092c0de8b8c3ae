"""Test-wide settings.

Hypothesis explores new random inputs on every local run, which is how the
property suites keep finding bugs.  CI sets ``HYPOTHESIS_PROFILE=ci``: the
same inputs every run (derived from each test), so a landing never hinges on
the luck of one draw, and no example database is written.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
