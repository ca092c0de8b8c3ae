"""REST fault injection: rate limits, server errors and hung requests on chosen routes.

Tests arm a rule with ``FakeDiscord.fail_next``; the REST middleware consults the
rules before routing, so any route (known or not) can be made to fail.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import math
from dataclasses import dataclass

from aiohttp import web


@dataclass
class FaultRule:
    """Answer the next ``count`` requests matching ``method`` and ``path_pattern`` with ``status``.

    ``path_pattern`` is a shell-style pattern over the path after the API base,
    e.g. ``"/channels/*/messages"`` or ``"/interactions/*"``.  ``hang`` (seconds)
    holds the request that long before answering, bounded so a test cannot hang;
    with ``status=None`` the request is then served normally (a slow Discord).
    """

    method: str
    path_pattern: str
    status: int | None
    retry_after: float | None = None
    count: int = 1
    hang: float | None = None
    is_global: bool = False
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.used >= self.count:
            return False
        return (self.method == "*" or self.method.upper() == method.upper()) and fnmatch.fnmatchcase(
            path, self.path_pattern
        )


def json_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer with Content-Type exactly ``application/json``.

    aiohttp's ``web.json_response`` appends ``; charset=utf-8`` and discord.py then
    treats the body as plain text, so every route builds its answer here.
    """
    response = web.Response(status=status, body=json.dumps(body).encode(), headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


def error_response(status: int, message: str, code: int = 0) -> web.Response:
    """A Discord-style error body, which discord.py turns into ``HTTPException.text``."""
    return json_response({"message": message, "code": code}, status=status)


async def hang(rule: FaultRule, stopping: asyncio.Event) -> None:
    """Hold the request for ``rule.hang`` seconds; ends early when the fake shuts down."""
    if rule.hang:
        try:
            await asyncio.wait_for(stopping.wait(), rule.hang)
        except asyncio.TimeoutError:
            pass


def fault_response(rule: FaultRule) -> web.Response:
    """The injected answer: rate limit with Discord's headers, or a Discord-style error."""
    assert rule.status is not None
    if rule.status == 429:
        retry = rule.retry_after if rule.retry_after is not None else 0.1
        headers = {
            # discord.py treats a 429 without "Via" as a Cloudflare ban and gives up.
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry),
            "X-RateLimit-Scope": "global" if rule.is_global else "user",
        }
        if rule.is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry, "global": rule.is_global}
        return json_response(body, status=429, headers=headers)
    if rule.status >= 500:
        return error_response(rule.status, f"{rule.status}: Internal Server Error (injected)")
    return error_response(rule.status, f"{rule.status}: injected failure")
