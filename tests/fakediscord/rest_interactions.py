"""Interaction callbacks and the interaction webhook: how a bot answers a slash command or a click.

Discord's rules the fake enforces, because real bots trip on them:
- an interaction is acknowledged exactly once (``POST .../callback``); a second
  callback gets 400 "Interaction has already been acknowledged" (code 40060);
- followups (``POST /webhooks/{app}/{token}``) only work after that acknowledgement;
- ``@original`` is the message the callback created (types 4 and 5), or for a
  component interaction answered with type 6/7, the message the component is on.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .faults import error_response, json_response
from .models import EPHEMERAL, LOADING, InteractionReply, SentMessage, snowflake
from .rest import API_PREFIX, Refused, RestApi, attachments_for
from .state import FakeInteraction

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9
_KNOWN_CALLBACKS = {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE,
                    AUTOCOMPLETE_RESULT, MODAL}


class InteractionRoutes:
    def __init__(self, api: RestApi) -> None:
        self.api = api
        self.state = api.state

    def routes(self) -> list[web.RouteDef]:
        p = API_PREFIX
        return [
            web.post(p + "/interactions/{iid}/{token}/callback", self.callback),
            web.post(p + "/webhooks/{app}/{token}", self.followup),
            web.get(p + "/webhooks/{app}/{token}/messages/{message}", self.get_webhook_message),
            web.patch(p + "/webhooks/{app}/{token}/messages/{message}", self.edit_webhook_message),
            web.delete(p + "/webhooks/{app}/{token}/messages/{message}", self.delete_webhook_message),
        ]

    # -- lookups ----------------------------------------------------------------------
    def _interaction(self, request: web.Request) -> FakeInteraction:
        token = request.match_info["token"]
        interaction = self.state.interaction_by_token(token)
        iid = request.match_info.get("iid")
        app = request.match_info.get("app")
        if interaction is None or (iid and iid != str(interaction.id)):
            raise Refused(404, "404: Unknown interaction", 10062)
        if app and app != str(self.state.application_id):
            raise Refused(404, "404: Unknown Webhook", 10015)
        return interaction

    def _webhook_message(self, request: web.Request, interaction: FakeInteraction) -> SentMessage:
        raw = request.match_info["message"]
        mid = interaction.original_message_id if raw == "@original" else int(raw)
        message = self.state.sent_by_id(mid) if mid else None
        if message is None or message.deleted:
            raise Refused(404, "404: Unknown Message", 10008)
        return message

    def _new_message(self, interaction: FakeInteraction, data: dict[str, Any], via: str, flags: int) -> SentMessage:
        message = SentMessage(
            snowflake(), interaction.channel_id, interaction.guild_id, self.state.bot_user,
            interaction_id=interaction.id, via=via,
        )
        message.apply(data)
        message.flags = flags
        return message

    # -- the callback ------------------------------------------------------------------
    async def callback(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        if interaction.acknowledged:
            return error_response(400, "400: Interaction has already been acknowledged.", 40060)
        body = self.api.body(request)
        payload = body.json or {}
        ctype = payload.get("type")
        data = payload.get("data") or {}
        if ctype not in _KNOWN_CALLBACKS:
            return error_response(400, f"400: Invalid Form Body (unknown callback type {ctype!r})", 50035)
        if ctype in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) and interaction.target_message_id is None:
            return error_response(400, "400: Interaction has no message to update", 50035)
        reply = InteractionReply(interaction.id, "callback", ctype, data)
        resource: dict[str, Any] = {"type": ctype}
        info: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
        flags = int(data.get("flags") or 0)

        if ctype in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            via = "callback" if ctype == CHANNEL_MESSAGE else "deferred"
            message = self._new_message(interaction, data, via, flags | (LOADING if via == "deferred" else 0))
            message.attachments = attachments_for(self.state, body)
            message.files = body.files
            self.state.add_sent(message)
            interaction.original_message_id = message.id
            reply.message = message
            resource["message"] = message.payload()
            info.update(
                response_message_id=str(message.id),
                response_message_loading=via == "deferred",
                response_message_ephemeral=message.ephemeral,
            )
            if not message.ephemeral:
                await self.api.gateway.dispatch_message("MESSAGE_CREATE", message.payload())
        elif ctype in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            interaction.original_message_id = interaction.target_message_id
            target = self.state.sent_by_id(interaction.target_message_id or 0)
            if ctype == UPDATE_MESSAGE and target is not None:
                await self.api.apply_edit(target, data, body)
                reply.message = target
                resource["message"] = target.payload()
            if target is not None:
                info["response_message_id"] = str(target.id)

        self.state.reply(interaction, reply)
        return json_response({"interaction": info, "resource": resource})

    # -- the webhook -------------------------------------------------------------------
    async def followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        if not interaction.acknowledged:
            return error_response(404, "404: Unknown Webhook (followup before the interaction was acknowledged)", 10015)
        body = self.api.body(request)
        data = body.json or {}
        message = self._new_message(interaction, data, "followup", int(data.get("flags") or 0) & EPHEMERAL)
        message.attachments = attachments_for(self.state, body)
        message.files = body.files
        self.state.add_sent(message)
        self.state.reply(interaction, InteractionReply(interaction.id, "followup", None, data, message))
        if not message.ephemeral:
            await self.api.gateway.dispatch_message("MESSAGE_CREATE", message.payload())
        return json_response(message.payload())

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        return json_response(self._webhook_message(request, interaction).payload())

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message = self._webhook_message(request, interaction)
        body = self.api.body(request)
        await self.api.apply_edit(message, body.json or {}, body)
        self.state.reply(interaction, InteractionReply(interaction.id, "edit", None, body.json or {}, message))
        return json_response(message.payload())

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message = self._webhook_message(request, interaction)
        await self.api.apply_delete(message)
        self.state.reply(interaction, InteractionReply(interaction.id, "delete", None, {}, message))
        return web.Response(status=204)
