"""The fake's REST API: the HTTP calls discord.py makes, served under ``/api/v10``.

The routes here cover login, the gateway lookup, command sync and channel
messages; interaction callbacks and webhooks live in ``rest_interactions.py``.
A middleware records every request (Authorization header removed), applies
injected faults and checks the bot token, so each route only does its own job.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from aiohttp import web

from .faults import FaultRule, error_response, fault_response, hang, json_response
from .models import DM, LOADING, SEND_MESSAGES, FakeChannel, RecordedRequest, SentMessage, iso_now, snowflake
from .state import FakeState

if TYPE_CHECKING:
    from .gateway import Gateway

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Interaction callbacks and webhook calls carry their own token in the URL, not the bot's;
# attachment downloads go to the CDN, which needs none.
_TOKENLESS_PREFIXES = ("/interactions/", "/webhooks/", "/attachments/")
_REQUEST_KEY = web.RequestKey("fake_record", RecordedRequest)
_BODY_KEY = web.RequestKey("fake_body", dict)


@dataclass
class Body:
    """A request body: JSON, or ``payload_json`` plus files from a multipart upload."""

    json: Any
    files: dict[str, bytes] = field(default_factory=dict)


async def read_body(request: web.Request) -> Body:
    if request.content_type == "multipart/form-data":
        form = await request.post()
        payload = json.loads(str(form.get("payload_json", "{}")))
        files = {}
        for value in form.values():
            if isinstance(value, web.FileField):
                files[value.filename] = value.file.read()
        return Body(payload, files)
    raw = await request.read()
    return Body(json.loads(raw) if raw else None)


def attachments_for(state: FakeState, body: Body) -> list[dict[str, Any]]:
    """Attachment objects for uploaded files, as Discord would return them."""
    return [state.store_file(name, data) for name, data in body.files.items()]


class RestApi:
    """Owns the aiohttp routes; ``gateway`` is used to echo the bot's own messages back."""

    def __init__(self, state: FakeState, gateway: "Gateway", stopping: asyncio.Event) -> None:
        self.state = state
        self.gateway = gateway
        self.stopping = stopping
        self.faults: list[FaultRule] = []
        self.gateway_url = ""  # set by the server once the port is known

    # -- plumbing ---------------------------------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/gateway"):
            return await handler(request)  # the websocket is not part of the REST API
        in_api = request.path.startswith(API_PREFIX + "/")
        path = request.path[len(API_PREFIX):] if in_api else request.path  # CDN paths stay as they are
        body = await read_body(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(request.method, path, dict(request.query), body.json, headers, files=list(body.files))
        self.state.requests.append(record)
        request[_REQUEST_KEY] = record
        request[_BODY_KEY] = {"body": body}
        try:
            response = await self._answer(request, handler, path)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            self.state.unknown_routes.append(record)
            response = error_response(404, f"404: Not Found (the fake has no route {request.method} {path})")
        except Exception:  # a bug in the fake: a 400 fails fast, where a 500 would be retried for 25 s
            self.state.internal_errors.append(f"{request.method} {path}\n{traceback.format_exc()}")
            response = error_response(400, f"400: the fake failed on {request.method} {path} (see internal_errors)")
        record.status = response.status
        self.state.waiters.notify()
        return response

    async def _answer(self, request: web.Request, handler: Handler, path: str) -> web.StreamResponse:
        rule = next((r for r in self.faults if r.matches(request.method, path)), None)
        if rule is not None:
            rule.used += 1
            await hang(rule, self.stopping)
            if rule.status is not None:
                return fault_response(rule)
        if not path.startswith(_TOKENLESS_PREFIXES):
            if request.headers.get("Authorization") != f"Bot {self.state.token}":
                return error_response(401, "401: Unauthorized")
        return await handler(request)

    @staticmethod
    def body(request: web.Request) -> Body:
        return request[_BODY_KEY]["body"]

    def routes(self) -> list[web.RouteDef]:
        p = API_PREFIX
        return [
            web.get(p + "/users/@me", self.get_me),
            web.get(p + "/oauth2/applications/@me", self.get_application),
            web.get(p + "/gateway", self.get_gateway),
            web.get(p + "/gateway/bot", self.get_gateway_bot),
            web.get(p + "/applications/{app}/commands", self.get_commands),
            web.put(p + "/applications/{app}/commands", self.put_commands),
            web.get(p + "/applications/{app}/guilds/{guild}/commands", self.get_commands),
            web.put(p + "/applications/{app}/guilds/{guild}/commands", self.put_commands),
            web.post(p + "/users/@me/channels", self.open_dm),
            web.get(p + "/channels/{channel}", self.get_channel),
            web.post(p + "/channels/{channel}/typing", self.typing),
            web.post(p + "/channels/{channel}/messages", self.create_message),
            web.get(p + "/channels/{channel}/messages/{message}", self.get_message),
            web.patch(p + "/channels/{channel}/messages/{message}", self.edit_message),
            web.delete(p + "/channels/{channel}/messages/{message}", self.delete_message),
            web.put(p + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self.add_reaction),
            web.get("/attachments/{attachment}/{filename}", self.download),
        ]

    # -- login and gateway ------------------------------------------------------------
    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(self.state.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def get_application(self, request: web.Request) -> web.Response:
        bot = self.state.bot_user
        return json_response(
            {
                "id": str(bot.id),
                "name": bot.username,
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.state.owner.payload(),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "bot": bot.payload(),
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    # -- application commands ---------------------------------------------------------
    def _check_app(self, request: web.Request) -> None:
        if request.match_info["app"] != str(self.state.application_id):
            raise Refused(403, "403: application id does not belong to this bot", 50001)

    @staticmethod
    def _guild_of(request: web.Request) -> int | None:
        raw = request.match_info.get("guild")
        return int(raw) if raw else None

    async def get_commands(self, request: web.Request) -> web.Response:
        self._check_app(request)
        return json_response(self.state.commands_for(self._guild_of(request)))

    async def put_commands(self, request: web.Request) -> web.Response:
        self._check_app(request)
        guild_id = self._guild_of(request)
        if guild_id is not None and guild_id not in self.state.guilds:
            return error_response(403, "403: Missing Access", 50001)
        commands = self.body(request).json or []
        return json_response(self.state.store_commands(guild_id, commands))

    # -- channels and messages ---------------------------------------------------------
    def _channel(self, request: web.Request) -> FakeChannel:
        channel = self.state.channels.get(int(request.match_info["channel"]))
        if channel is None:
            raise Refused(404, "404: Unknown Channel", 10003)
        return channel

    def _own_message(self, request: web.Request) -> SentMessage:
        message = self.state.sent_by_id(int(request.match_info["message"]))
        if message is None or message.deleted:
            raise Refused(404, "404: Unknown Message", 10008)
        return message

    async def open_dm(self, request: web.Request) -> web.Response:
        user_id = int((self.body(request).json or {}).get("recipient_id", 0))
        user = self.state.users.get(user_id)
        if user is None:
            return error_response(400, "400: Unknown User", 10013)
        channel = next((c for c in self.state.channels.values() if c.type == DM and c.recipient == user), None)
        if channel is None:
            channel = FakeChannel(snowflake(), name="", type=DM, recipient=user)
            self.state.channels[channel.id] = channel
        return json_response(channel.payload())

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload())

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return web.Response(status=204)

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        guild = self.state.guilds.get(channel.guild_id) if channel.guild_id else None
        if guild is not None and not guild.permissions_of(self.state.bot_user.id) & SEND_MESSAGES:
            return error_response(403, "403: Missing Permissions", 50013)
        body = self.body(request)
        data = body.json or {}
        ref = data.get("message_reference")
        referenced = self.state.all_messages.get(int(ref["message_id"])) if ref and ref.get("message_id") else None
        if ref and referenced is None and ref.get("fail_if_not_exists", True):
            return error_response(400, "400: Invalid Form Body (message_reference: Unknown message)", 50035)
        message = SentMessage(snowflake(), channel.id, channel.guild_id, self.state.bot_user, via="channel")
        message.apply(data)
        message.attachments = attachments_for(self.state, body)
        message.files = body.files
        if referenced is not None:
            message.reply_author_id = int(referenced["author"]["id"])
        self.state.add_sent(message)
        payload = message.payload()
        if referenced is not None:
            payload["referenced_message"] = referenced
        await self.gateway.dispatch_message("MESSAGE_CREATE", payload)
        return json_response(payload)

    async def get_message(self, request: web.Request) -> web.Response:
        self._channel(request)
        payload = self.state.all_messages.get(int(request.match_info["message"]))
        if payload is None:
            return error_response(404, "404: Unknown Message", 10008)
        return json_response(payload)

    async def edit_message(self, request: web.Request) -> web.Response:
        self._channel(request)
        message = self._own_message(request)
        body = self.body(request)
        await self.apply_edit(message, body.json or {}, body)
        return json_response(message.payload())

    async def delete_message(self, request: web.Request) -> web.Response:
        self._channel(request)
        message = self._own_message(request)
        await self.apply_delete(message)
        return web.Response(status=204)

    async def add_reaction(self, request: web.Request) -> web.Response:
        self._channel(request)
        if int(request.match_info["message"]) not in self.state.all_messages:
            return error_response(404, "404: Unknown Message", 10008)
        return web.Response(status=204)

    async def download(self, request: web.Request) -> web.Response:
        """The CDN: attachment bytes, for ``Attachment.read()`` on uploads and on files the bot sent."""
        data = self.state.files.get(int(request.match_info["attachment"]))
        if data is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=data, content_type="application/octet-stream")

    # -- shared by channel routes and webhook routes ---------------------------------------
    async def apply_edit(self, message: SentMessage, data: dict[str, Any], body: Body) -> None:
        """Apply edit ``data`` (for callbacks the inner ``data``, not the whole body) plus any uploads."""
        message.apply(data)
        message.flags &= ~LOADING  # an edit replaces a deferred "thinking..." placeholder
        if "attachments" in data:  # the list names the attachments to keep; new uploads come as files
            keep = {str(a.get("id")) for a in data["attachments"] or []}
            kept = [a for a in message.attachments if a["id"] in keep]
            message.attachments = kept + attachments_for(self.state, body)
            message.files.update(body.files)
        message.edits.append(data)
        message.edited_timestamp = iso_now()
        self.state.all_messages[message.id] = message.payload()
        self.state.waiters.notify()
        if not message.ephemeral:
            await self.gateway.dispatch_message("MESSAGE_UPDATE", message.payload())

    async def apply_delete(self, message: SentMessage) -> None:
        message.deleted = True
        self.state.all_messages.pop(message.id, None)
        self.state.waiters.notify()
        if not message.ephemeral:
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
            await self.gateway.dispatch("MESSAGE_DELETE", data)


class Refused(Exception):
    """Raised by lookups inside a route; turned into a Discord-style error answer."""

    def __init__(self, status: int, message: str, code: int) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@web.middleware
async def refusal_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Refused as refused:
        return error_response(refused.status, refused.message, refused.code)

