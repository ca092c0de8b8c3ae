"""Does the event loop keep running while blocking work runs in a thread?

The Discord connection is served by the asyncio loop; if a reindex held the
loop (or starved it of the GIL) for long, heartbeats to Discord would stall.
``watch_event_loop`` runs the work via ``asyncio.to_thread`` -- as the bot
does -- while a task ticks every 10 ms, and reports the longest time between
two ticks.  A gap is partly the OS and the GIL's 5 ms switch interval; a gap
of hundreds of milliseconds would be the work holding the GIL in one piece.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Callable

TICK = 0.010


@dataclass(frozen=True)
class LoopWatch:
    max_gap: float  # seconds between two consecutive ticks, at most
    ticks: int
    seconds: float  # how long the work took
    result: object = None


def watch_event_loop(work: Callable[[], object], tick: float = TICK) -> LoopWatch:
    """Run ``work`` in a worker thread from a fresh event loop, with a ``tick`` heartbeat beside it."""

    async def main() -> LoopWatch:
        loop = asyncio.get_running_loop()
        done = asyncio.Event()
        gaps: list[float] = []

        async def heartbeat() -> None:
            last = loop.time()
            while not done.is_set():  # bounded: stops when the work ends
                await asyncio.sleep(tick)
                now = loop.time()
                gaps.append(now - last)
                last = now

        beating = asyncio.create_task(heartbeat())
        await asyncio.sleep(tick * 3)  # the heartbeat is running before the work starts
        gaps.clear()
        started = time.perf_counter()
        try:
            result = await asyncio.to_thread(work)
        finally:
            seconds = time.perf_counter() - started
            done.set()
            await beating
        return LoopWatch(max(gaps, default=0.0), len(gaps), seconds, result)

    return asyncio.run(main())
