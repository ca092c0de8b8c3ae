"""INTERACTION_CREATE payloads the fake sends when a test "uses" the bot, and the handle to await replies.

Slash options are typed from the command definition the bot synced (not guessed
from Python values), so a test fails if it uses an option the bot never declared,
exactly like a user who cannot type it in Discord.
"""

from __future__ import annotations

import secrets
from typing import Any

from .models import FakeChannel, FakeUser, InteractionReply, SentMessage, snowflake
from .state import FakeInteraction, FakeState

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 10, 11
_PY_TYPES: dict[int, tuple[type, ...]] = {STRING: (str,), INTEGER: (int,), BOOLEAN: (bool,), NUMBER: (int, float)}


class InteractionHandle:
    """What a test holds after ``slash``/``click``/...: await the bot's answer(s) through it."""

    def __init__(self, state: FakeState, interaction: FakeInteraction) -> None:
        self._state = state
        self.interaction = interaction

    @property
    def id(self) -> int:
        return self.interaction.id

    @property
    def replies(self) -> list[InteractionReply]:
        return list(self.interaction.replies)

    @property
    def messages(self) -> list[SentMessage]:
        """Messages created for this interaction (callback message, deferred placeholder, followups)."""
        return [m for m in self._state.sent if m.interaction_id == self.id]

    async def response(self, timeout: float = 10.0) -> InteractionReply:
        """The callback (acknowledgement); Discord gives the bot 3 seconds, the test decides here."""
        return await self.wait_for_reply(lambda r: r.kind == "callback", timeout, "the interaction callback")

    async def message(self, timeout: float = 10.0) -> SentMessage:
        """The first visible answer: a callback/followup message, or a deferred one once edited."""

        def check() -> SentMessage | None:
            return next((m for m in self.messages if not m.loading and not m.deleted), None)

        return await self._state.waiters.wait_until(
            check, timeout, f"a message answering interaction {self.id}", self._describe
        )

    async def wait_for_reply(self, predicate: Any, timeout: float = 10.0, what: str = "a reply") -> InteractionReply:
        def check() -> InteractionReply | None:
            return next((r for r in self.interaction.replies if predicate(r)), None)

        return await self._state.waiters.wait_until(check, timeout, f"{what} to interaction {self.id}", self._describe)

    async def choices(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Autocomplete: the choices the bot offered (callback type 8)."""
        reply = await self.wait_for_reply(lambda r: r.kind == "callback" and r.type == 8, timeout, "autocomplete")
        return list(reply.data.get("choices", []))

    def _describe(self) -> str:
        kinds = [f"{r.kind}:{r.type}" for r in self.interaction.replies]
        return f"replies so far: {kinds or 'none'}\n{self._state.describe_sent()}"


class InteractionFactory:
    """Builds interactions against the fake's state; ``FakeDiscord`` sends them on the gateway."""

    def __init__(self, state: FakeState) -> None:
        self.state = state

    def _base(self, itype: int, user: FakeUser, channel: FakeChannel, data: dict[str, Any],
              member_permissions: int | None) -> FakeInteraction:
        iid, token = snowflake(), "itok-" + secrets.token_urlsafe(24)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.state.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "data": data,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {"0": str(channel.guild_id)} if channel.guild_id else {
                "1": str(user.id)},
        }
        guild = self.state.guilds.get(channel.guild_id) if channel.guild_id else None
        if guild is not None:
            member = guild.members.get(user.id)
            if member is None:
                raise ValueError(f"user {user.username} is not a member of guild {guild.name}")
            perms = guild.permissions_of(user.id) if member_permissions is None else member_permissions
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member.payload(permissions=perms),
                app_permissions=str(guild.permissions_of(self.state.bot_user.id)),
                context=0,
            )
        else:
            payload.update(user=user.payload(), context=1, app_permissions=str((1 << 53) - 1))
        interaction = FakeInteraction(iid, token, itype, user, channel.id, channel.guild_id, payload)
        self.state.interactions[iid] = interaction
        return interaction

    # -- slash commands and autocomplete -------------------------------------------------------
    def command(self, name: str, options: dict[str, Any], user: FakeUser, channel: FakeChannel,
                member_permissions: int | None, focused: str | None = None) -> FakeInteraction:
        """``name`` may be a path: "quiz start" runs subcommand ``start`` of ``quiz``."""
        top, *path = name.split()
        command = self.state.find_command(top, channel.guild_id)
        if command is None:
            synced = [c["name"] for c in self.state.global_commands]
            raise ValueError(f"no synced command /{top} (global commands: {synced}); did the bot sync its tree?")
        schema, container = command.get("options", []), []
        data: dict[str, Any] = {"id": command["id"], "name": top, "type": 1, "options": container}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        for part in path:
            sub = next((o for o in schema if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
            if sub is None:
                raise ValueError(f"/{top} has no subcommand {part!r}")
            nested: list[dict[str, Any]] = []
            container.append({"name": part, "type": sub["type"], "options": nested})
            schema, container = sub.get("options", []), nested
        resolved: dict[str, dict[str, Any]] = {}
        for opt_name, value in options.items():
            container.append(self._option(name, schema, opt_name, value, resolved, focused == opt_name))
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in options]
        if missing and focused is None:
            raise ValueError(f"/{name} needs option(s) {missing}")
        if resolved:
            data["resolved"] = resolved
        itype = AUTOCOMPLETE if focused else APPLICATION_COMMAND
        return self._base(itype, user, channel, data, member_permissions)

    def _option(self, command: str, schema: list[dict[str, Any]], name: str, value: Any,
                resolved: dict[str, dict[str, Any]], focused: bool) -> dict[str, Any]:
        spec = next((o for o in schema if o["name"] == name), None)
        if spec is None:
            raise ValueError(f"/{command} has no option {name!r}; it has {[o['name'] for o in schema]}")
        otype = spec["type"]
        option: dict[str, Any] = {"name": name, "type": otype}
        if focused:  # autocomplete sends the half-typed text, whatever the type
            return option | {"value": str(value), "focused": True}
        if otype in _PY_TYPES:
            if not isinstance(value, _PY_TYPES[otype]) or (otype != BOOLEAN and isinstance(value, bool)):
                raise ValueError(f"option {name!r} of /{command} is Discord type {otype}, got {value!r}")
            return option | {"value": value}
        if otype == CHANNEL:
            channel = self.state.channels[int(getattr(value, "id", value))]
            resolved.setdefault("channels", {})[str(channel.id)] = channel.payload() | {
                "permissions": str((1 << 53) - 1)}
            return option | {"value": str(channel.id)}
        if otype == USER:
            user = self.state.users[int(getattr(value, "id", value))]
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            return option | {"value": str(user.id)}
        if otype == ROLE:
            role_id = int(getattr(value, "id", value))
            role = next((g.roles[role_id] for g in self.state.guilds.values() if role_id in g.roles), None)
            if role is None:
                raise ValueError(f"option {name!r}: no role {role_id}")
            resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            return option | {"value": str(role.id)}
        if otype == ATTACHMENT:  # a dict from FakeDiscord.attachment(), or (filename, bytes)
            upload = value if isinstance(value, dict) else self.state.store_file(*value)
            resolved.setdefault("attachments", {})[upload["id"]] = upload
            return option | {"value": upload["id"]}
        raise ValueError(f"option type {otype} of {name!r} is not supported by the fake yet")

    # -- components and modals ------------------------------------------------------------
    def component(self, message: SentMessage, custom_id: str, user: FakeUser,
                  values: list[str] | None, member_permissions: int | None) -> FakeInteraction:
        found = _find_component(message.components, custom_id)
        if found is None:
            raise ValueError(f"message {message.id} has no component {custom_id!r}; it has {message.custom_ids}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": found["type"]}
        if found["type"] != 2:
            data["values"] = list(values or [])
        channel = self.state.channels[message.channel_id]
        interaction = self._base(MESSAGE_COMPONENT, user, channel, data, member_permissions)
        interaction.payload["message"] = message.payload()
        interaction.target_message_id = message.id
        return interaction

    def modal_submit(self, modal: dict[str, Any], values: dict[str, str], user: FakeUser, channel: FakeChannel,
                     member_permissions: int | None) -> FakeInteraction:
        def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for item in items:
                if item["type"] == 1:
                    out.append({"type": 1, "components": fill(item.get("components", []))})
                elif item["type"] == 18:
                    out.append({"type": 18, "component": fill([item["component"]])[0]})
                elif "custom_id" in item:
                    out.append({"type": item["type"], "custom_id": item["custom_id"],
                                "value": values.get(item["custom_id"], "")})
            return out

        unknown = set(values) - set(_walk_custom_ids(modal.get("components", [])))
        if unknown:
            raise ValueError(f"the modal has no inputs {sorted(unknown)}")
        data = {"custom_id": modal["custom_id"], "components": fill(modal.get("components", []))}
        return self._base(MODAL_SUBMIT, user, channel, data, member_permissions)


def _find_component(items: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for item in items:
        if item.get("custom_id") == custom_id:
            return item
        children = list(item.get("components", []))
        for key in ("accessory", "component"):
            if isinstance(item.get(key), dict):
                children.append(item[key])
        hit = _find_component(children, custom_id)
        if hit is not None:
            return hit
    return None


def _walk_custom_ids(items: list[dict[str, Any]]) -> list[str]:
    ids = []
    for item in items:
        if "custom_id" in item:
            ids.append(item["custom_id"])
        ids += _walk_custom_ids(item.get("components", []))
        if isinstance(item.get("component"), dict):
            ids += _walk_custom_ids([item["component"]])
    return ids
