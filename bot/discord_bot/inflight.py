"""Answers being worked on, so a shutdown can let them finish instead of cutting them off.

A worker host restarts the bot with SIGTERM and kills it a little later. A
fan whose answer was half sent when the signal came should still get it, so
``FanBot.close`` first waits (for a bounded grace period) for the answers in
flight, and only then closes the connection and the database. Whatever is
still running after the grace period is cancelled, which discord.py unwinds
quietly; the log says how many answers were given up and where.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

# Within the usual stop timeouts of worker hosts (Docker 10 s, Heroku 30 s) with room to close.
SHUTDOWN_GRACE_SECONDS = 5.0


class InFlight:
    """The tasks answering someone right now, each with a note of where (for the log)."""

    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[object], str] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def add(self, where: str) -> None:
        """Register the current task (a command or a listener about to answer); it leaves the set when done."""
        task = asyncio.current_task()
        if task is None or task in self._tasks:
            return
        self._tasks[task] = where
        task.add_done_callback(lambda done: self._tasks.pop(done, None))

    async def drain(self, grace: float) -> list[str]:
        """Wait up to ``grace`` seconds for the answers in flight (new ones too), then cancel the rest.

        Returns where the cancelled ones were answering.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        me = asyncio.current_task()
        if self._tasks:
            log.info("Shutting down: letting %d answer(s) in flight finish (up to %.0f s)", len(self._tasks), grace)
        while (pending := {t for t in self._tasks if t is not me}) and (left := deadline - loop.time()) > 0:
            await asyncio.wait(pending, timeout=left)
        pending = {t for t in self._tasks if t is not me}
        abandoned = [self._tasks[t] for t in pending]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1.0)
            log.warning("Shutting down: abandoned %d answer(s) still in flight after %.1f s: %s",
                        len(abandoned), grace, "; ".join(sorted(abandoned)))
        return abandoned
