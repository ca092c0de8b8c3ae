"""Downloading one page, bounded in time and size.

An admin pastes a link; the bot must neither hang on a server that never
answers nor fill memory with a 2 GB video.  So the size limit is enforced
while the body streams in (a missing or lying Content-Length changes
nothing), and the whole download shares one deadline.

Two front doors share the checks: ``fetch`` (blocking, urllib; the CLI) and
``fetch_async`` (aiohttp; the Discord face, so the event loop keeps running).
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.ingest.errors import FetchError
from bot.ingest.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

if TYPE_CHECKING:  # aiohttp is imported lazily: the CLI never needs it
    import aiohttp

CHUNK = 64 * 1024
USER_AGENT = "fan-answers-bot/0.1 (+article import; one page per admin request)"
HEADERS = {"User-Agent": USER_AGENT, "Accept": "text/html,text/markdown,text/plain;q=0.9,*/*;q=0.1"}

# media type -> how extract.py reads it
SUPPORTED_TYPES: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded body and what is needed to read it."""

    url: str  # after redirects: the address the content really came from
    media_type: str  # e.g. "text/html"; "" when the server sent none
    charset: str | None
    body: bytes

    @property
    def kind(self) -> str:
        """Which reader extract.py should use: "html", "text" or "markdown"."""
        return SUPPORTED_TYPES.get(self.media_type, "html")


def check_url(url: str) -> str:
    """Accept only absolute http(s) links, so a typo or a file:// never reaches the network layer."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchError(f"unsupported link {url!r}: only http:// and https:// addresses can be added", "bad-url")
    if not parts.hostname:
        raise FetchError(f"unsupported link {url!r}: it has no host name", "bad-url")
    return url


def _ascii_url(url: str) -> str:
    """Percent-encode non-ASCII paths and IDNA-encode hosts: links pasted from a browser are often
    "pretty", and http.client only sends ASCII (aiohttp does this itself)."""
    if url.isascii() and " " not in url:
        return url
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = ".".join(label.encode("idna").decode("ascii") if not label.isascii() else label for label in netloc.split("."))
        except UnicodeError:
            raise FetchError(f"unsupported link {url!r}: its host name cannot be encoded", "bad-url") from None

    def encode(text: str) -> str:
        return re.sub(r"[^\x21-\x7e]", lambda m: urllib.parse.quote(m.group(), safe=""), text)

    return urllib.parse.urlunsplit((parts.scheme, netloc, encode(parts.path), encode(parts.query), encode(parts.fragment)))


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    """Split ``text/html; charset=utf-8`` into its media type and charset."""
    if not header:
        return "", None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').strip("'") or None
    return media.strip().lower(), charset


def check_media_type(media_type: str, url: str) -> None:
    """Refuse PDFs, images, JSON... before reading their body.

    A missing Content-Type is let through: old servers omit it for HTML, and
    extraction will still say "not an article" if the bytes are not a page.
    """
    if media_type and media_type not in SUPPORTED_TYPES:
        raise FetchError(
            f"unsupported type: {url} is {media_type}, not a web page (HTML, Markdown or plain text)",
            "unsupported-type",
        )


def status_error(status: int, reason: str, url: str) -> FetchError:
    """The message for a non-2xx answer, naming the code the admin can look up."""
    reason = f" {reason}" if reason else ""
    return FetchError(f"{url} answered HTTP {status}{reason}", "http-status")


def too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(f"too large: {url} is more than {max_bytes:,} bytes (the limit)", "too-large")


def timed_out(url: str, timeout: float) -> FetchError:
    return FetchError(f"timeout: {url} did not answer within {timeout:g} s", "timeout")


def unreachable(url: str, why: object) -> FetchError:
    why_text = str(why).strip() or type(why).__name__
    return FetchError(f"unreachable: could not connect to {url} ({why_text})", "unreachable")


class _Budget:
    """Collects body chunks and stops as soon as the size or time budget is spent."""

    def __init__(self, url: str, max_bytes: int, timeout: float, declared_length: str | None) -> None:
        self.url, self.max_bytes, self.timeout = url, max_bytes, timeout
        self.deadline = time.monotonic() + timeout
        self.chunks: list[bytes] = []
        self.size = 0
        if declared_length and declared_length.strip().isdigit() and int(declared_length) > max_bytes:
            raise too_large(url, max_bytes)

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise timed_out(self.url, self.timeout)
        return left

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise too_large(self.url, self.max_bytes)
        self.chunks.append(chunk)
        self.remaining()

    def body(self) -> bytes:
        return b"".join(self.chunks)


def _validate_limits(timeout: float, max_bytes: int) -> None:
    if not timeout > 0:
        raise FetchError(f"the timeout must be a positive number of seconds, got {timeout}", "bad-limit")
    if max_bytes <= 0:
        raise FetchError(f"the size limit must be a positive number of bytes, got {max_bytes}", "bad-limit")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never to ftp:// or file://: the link must stay a web page."""

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        location = headers.get("Location") or headers.get("URI")
        if location:
            check_url(urllib.parse.urljoin(req.full_url, location))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> Fetched:
    """Download ``url`` (blocking).  Raises FetchError with a one-line reason."""
    url = check_url(url)
    _validate_limits(timeout, max_bytes)
    request = urllib.request.Request(_ascii_url(url), headers=HEADERS)
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            media_type, charset = parse_content_type(response.headers.get("Content-Type"))
            check_media_type(media_type, url)
            budget = _Budget(url, max_bytes, timeout, response.headers.get("Content-Length"))
            budget.deadline = started + timeout
            while True:
                # each read waits at most `timeout` (socket timeout) and the budget
                # checks the overall deadline after it: a slow drip is bounded too
                chunk = response.read1(CHUNK)
                if not chunk:
                    break
                budget.add(chunk)
            return Fetched(url=response.geturl() or url, media_type=media_type, charset=charset, body=budget.body())
    except FetchError:
        raise
    except urllib.error.HTTPError as err:
        raise status_error(err.code, str(err.reason or ""), url) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise timed_out(url, timeout) from None
        raise unreachable(url, err.reason) from None
    except TimeoutError:
        raise timed_out(url, timeout) from None
    except (OSError, ValueError) as err:  # reset connections, malformed responses, bad ports
        raise unreachable(url, err) from None


async def fetch_async(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    session: "aiohttp.ClientSession | None" = None,
) -> Fetched:
    """Download ``url`` without blocking the event loop.  Same checks and messages as ``fetch``.

    ``session`` may be a shared ``aiohttp.ClientSession``; otherwise one is
    opened for this download only.
    """
    import aiohttp

    url = check_url(url)
    _validate_limits(timeout, max_bytes)
    own = session is None
    client = aiohttp.ClientSession(trust_env=True) if session is None else session
    try:
        async with asyncio.timeout(timeout):
            async with client.get(
                url,
                headers=HEADERS,
                allow_redirects=True,
                max_redirects=10,
            ) as response:
                if response.status >= 400:
                    raise status_error(response.status, response.reason or "", url)
                media_type, charset = parse_content_type(response.headers.get("Content-Type"))
                check_media_type(media_type, url)
                budget = _Budget(url, max_bytes, timeout, response.headers.get("Content-Length"))
                async for chunk in response.content.iter_chunked(CHUNK):
                    budget.add(chunk)
                return Fetched(url=str(response.url), media_type=media_type, charset=charset, body=budget.body())
    except FetchError:
        raise
    except TimeoutError:
        raise timed_out(url, timeout) from None
    except aiohttp.NonHttpUrlRedirectClientError as err:
        check_url(str(err))  # raises the same "only http(s)" message as the blocking fetcher
        raise unreachable(url, f"redirects to {err}") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"unreachable: {url} redirects too many times", "unreachable") from None
    except aiohttp.ClientConnectorError as err:
        raise unreachable(url, err.os_error) from None
    except (aiohttp.ClientError, OSError, ValueError) as err:
        raise unreachable(url, err) from None
    finally:
        if own:
            await client.close()
