"""The fake gateway: one websocket session, with the sequence log that makes RESUME work.

Every dispatch gets the next sequence number and goes into the session's log.
A connection is "live" once READY or RESUMED went out; dispatches made while no
connection is live simply wait in the log.  On RESUME the client says the last
sequence it processed and the fake replays everything after it, then RESUMED, so
nothing is lost or delivered twice.  A fresh IDENTIFY starts a new session and a
new log, as on Discord: events dispatched with no session at all are dropped.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Any

import zstandard
from aiohttp import WSMsgType, web

from .models import mentioned_user_ids
from .state import FakeState

HELLO, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HEARTBEAT_ACK = (
    10, 1, 2, 3, 6, 7, 8, 9, 11,
)
INTENT_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
HEARTBEAT_INTERVAL_MS = 41250
_HOLD_LIMIT = 15.0  # seconds a held connection waits at most before HELLO


class _Encoder:
    """Frames payloads the way the client asked in ``?compress=``: one stream per connection."""

    def __init__(self, compress: str | None) -> None:
        self.compress = compress
        if compress == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif compress == "zstd-stream":
            self._zstd = zstandard.ZstdCompressor().compressobj()
        elif compress is not None:
            raise ValueError(f"unsupported compression {compress!r}")

    async def send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        if self.compress == "zlib-stream":
            await ws.send_bytes(self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH))
        elif self.compress == "zstd-stream":
            await ws.send_bytes(self._zstd.compress(raw) + self._zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))
        else:
            await ws.send_str(raw.decode())


@dataclass
class Connection:
    """One websocket the client opened; ``received`` lists the ops it sent, for assertions."""

    ws: web.WebSocketResponse
    request: web.Request
    path: str
    compress: str | None
    encoder: _Encoder
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sent_upto: int = 0
    live: bool = False
    received: list[int] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class LoggedEvent:
    seq: int
    name: str
    data: dict[str, Any]
    only_for: Connection | None = None  # READY/RESUMED belong to one connection, never replayed


class Gateway:
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.session_id: str | None = None
        self.seq = 0
        self.log: list[LoggedEvent] = []
        self.conn: Connection | None = None
        self.connections: list[Connection] = []
        self.intents: int | None = None
        self.identify_count = 0
        self.resume_count = 0  # successful resumes
        self.dropped: list[tuple[str, dict[str, Any]]] = []  # dispatched while there was no session
        self.accepting = asyncio.Event()
        self.accepting.set()
        self.resume_url = ""  # READY's resume_gateway_url, set by the server

    # -- the websocket endpoint ----------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"the fake only speaks encoding=json")
            return ws
        compress = request.query.get("compress")
        conn = Connection(ws, request, request.path, compress, _Encoder(compress))
        self.connections.append(conn)
        try:
            await asyncio.wait_for(self.accepting.wait(), _HOLD_LIMIT)  # an outage holds us here
            await self._send_raw(conn, {"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_message(conn, json.loads(msg.data))
        except (ConnectionResetError, asyncio.TimeoutError):
            pass
        except Exception:  # a bug in the fake: keep it for the harness to report
            self.state.internal_errors.append(f"gateway {request.path}\n{traceback.format_exc()}")
            await ws.close(code=4000)
        finally:
            conn.live = False
            if self.conn is conn:
                self.conn = None
            conn.closed.set()
            self.state.waiters.notify()
        return ws

    async def _on_message(self, conn: Connection, msg: dict[str, Any]) -> None:
        op, data = msg.get("op"), msg.get("d")
        conn.received.append(op)
        if op == HEARTBEAT:
            await self._send_raw(conn, {"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._member_chunk(data)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.state.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identify_count += 1
        self.intents = int(data.get("intents", 0))
        self.session_id = secrets.token_hex(16)
        self.seq, self.log = 0, []
        self.conn, conn.sent_upto = conn, 0
        bot = self.state.bot_user
        ready = {
            "v": 10,
            "user": bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.state.guilds],
            "session_id": self.session_id,
            "resume_gateway_url": self.resume_url,
            "application": {"id": str(self.state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if "shard" in data:  # AutoShardedClient reads its shard id back from READY
            ready["shard"] = data["shard"]
        self._log("READY", ready, only_for=conn)
        for guild in self.state.guilds.values():
            self._log("GUILD_CREATE", guild.create_payload(bot.id, self.members_intent))
        await self._flush(conn)

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.state.token or data.get("session_id") != self.session_id:
            await self._send_raw(conn, {"op": INVALID_SESSION, "d": False})
            return
        self.resume_count += 1
        self.conn, conn.sent_upto = conn, int(data.get("seq") or 0)
        self._log("RESUMED", {}, only_for=conn)
        await self._flush(conn)

    async def _member_chunk(self, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        members = [m.payload() for m in guild.members.values()]
        chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1}
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # -- sending ----------------------------------------------------------------------
    async def _send_raw(self, conn: Connection, payload: dict[str, Any]) -> None:
        async with conn.lock:
            await conn.encoder.send(conn.ws, payload)

    def _log(self, name: str, data: dict[str, Any], only_for: Connection | None = None) -> None:
        self.seq += 1
        self.log.append(LoggedEvent(self.seq, name, data, only_for))

    async def _flush(self, conn: Connection) -> None:
        """Send the log after ``conn.sent_upto`` in order; the index loop also catches late arrivals."""
        async with conn.lock:
            index = next((i for i, e in enumerate(self.log) if e.seq > conn.sent_upto), len(self.log))
            while index < len(self.log):
                event = self.log[index]
                index += 1
                if event.only_for is None or event.only_for is conn:
                    try:
                        await conn.encoder.send(conn.ws, {"op": 0, "t": event.name, "s": event.seq, "d": event.data})
                    except ConnectionResetError:
                        return  # the client resumes from the last sequence it really processed
                conn.sent_upto = event.seq
            conn.live = not conn.ws.closed
        self.state.waiters.notify()

    async def dispatch(self, name: str, data: dict[str, Any]) -> None:
        """Send an event now, or keep it for the resume if the client is away."""
        if self.session_id is None:
            self.dropped.append((name, data))
            return
        self._log(name, data)
        conn = self.conn
        if conn is not None and conn.live:
            await self._flush(conn)

    @property
    def members_intent(self) -> bool:
        return bool((self.intents or 0) & INTENT_MEMBERS)

    async def dispatch_message(self, name: str, payload: dict[str, Any]) -> None:
        """MESSAGE_CREATE/UPDATE as the bot's intents allow.

        Without the message content intent, guild messages that neither come from
        the bot nor mention it arrive with empty content, embeds and attachments.
        """
        intents = self.intents or 0
        in_guild = "guild_id" in payload
        if not intents & (INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES):
            return
        bot_id = self.state.bot_user.id
        author_id = int(payload["author"]["id"])
        mentions_bot = bot_id in mentioned_user_ids(payload.get("content", ""))
        if in_guild and not intents & INTENT_MESSAGE_CONTENT and author_id != bot_id and not mentions_bot:
            payload = payload | {"content": "", "embeds": [], "attachments": [], "components": []}
        await self.dispatch(name, payload)

    # -- faults the tests trigger ---------------------------------------------------------
    async def drop(self, code: int | None = None) -> None:
        """Cut the live connection: abort the TCP stream, or close with ``code``."""
        conn = self.conn
        if conn is None:
            return
        self.conn = None
        conn.live = False
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        else:
            await conn.ws.close(code=code, message=b"closed by the fake")
        try:
            await asyncio.wait_for(conn.closed.wait(), 5)
        except asyncio.TimeoutError:
            pass

    async def invalidate(self, resumable: bool = False) -> None:
        """Send op 9; with ``resumable=False`` the session is gone and the client must IDENTIFY."""
        conn = self.conn
        if not resumable:
            self.session_id = None
        if conn is not None:
            self.conn = None
            conn.live = False
            await self._send_raw(conn, {"op": INVALID_SESSION, "d": resumable})

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes and RESUMEs."""
        conn = self.conn
        if conn is not None:
            await self._send_raw(conn, {"op": RECONNECT, "d": None})

    async def close_all(self) -> None:
        for conn in self.connections:
            if not conn.ws.closed:
                try:
                    await asyncio.wait_for(conn.ws.close(code=1001), 2)
                except (asyncio.TimeoutError, ConnectionResetError):
                    pass
