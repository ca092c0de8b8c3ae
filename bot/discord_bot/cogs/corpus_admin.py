"""``/add`` and ``/remove``: change what the bot knows from Discord, without touching the host.

Both change a file in the corpus folder and then reindex through the same
holder as ``/reindex`` (a build in a worker thread, then an atomic swap), so
the refusal while a reindex runs applies here too.  The order of steps is
chosen so that a failure at any point leaves corpus and index agreeing: a
file that the reindex could not use, or that a concurrent reindex would
race, is put back before the admin is told.

Replies are ephemeral: one message that says what is happening ("Fetching
…"), then is edited into the result, so a channel is not filled with admin
chatter and every failure is a single clear message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import os
from pathlib import Path, PurePath

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.checks import Refused, require_admin
from bot.discord_bot.client import FanBot
from bot.discord_bot.corpus_reports import added_embed, article_choices, failure_text, not_found_text, removed_embed
from bot.discord_bot.holder import ReindexInProgress, ReindexReport
from bot.discord_bot.replies import NO_PINGS, respond
from bot.discord_bot.text import CONTENT_LIMIT, cut, escape
from bot.ingest import pipeline, store
from bot.ingest.errors import IngestError
from bot.ingest.extract import HTML_SUFFIXES, TEXT_SUFFIXES, Extracted, extract_file
from bot.ingest.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from bot.ingest.lookup import matching_articles

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES


class Unchanged(Exception):
    """The step failed and the corpus is as it was before the command.

    ``reason`` completes "Not added: …" / "Not removed: …"; a ``complete``
    message (the busy refusal) is shown as it is.
    """

    def __init__(self, reason: str, *, complete: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.complete = complete

    def text(self, verb: str) -> str:
        if self.complete:
            return self.reason
        return failure_text(verb, self.reason)


def busy(started: dt.datetime) -> Unchanged:
    return Unchanged(
        f"A reindex is already running (started <t:{int(started.timestamp())}:R>); "
        "nothing was changed. Try again when it has finished.",
        complete=True,
    )


def _checksum(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class CorpusAdmin(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot
        # Limits for one download or upload; attributes so a deployment (or a test) can tune them.
        self.fetch_timeout = DEFAULT_TIMEOUT
        self.max_bytes = DEFAULT_MAX_BYTES
        self._session: aiohttp.ClientSession | None = None

    async def cog_load(self) -> None:
        # One connection pool for all downloads; trust_env so a host's proxy settings apply.
        self._session = aiohttp.ClientSession(trust_env=True)

    async def cog_unload(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_admin(interaction, self.bot.config.owner_ids)

    # -- /add --------------------------------------------------------------------------

    @app_commands.command(name="add", description="Add a news article from a link or an uploaded file (admins).")
    @app_commands.describe(
        url="Link to the article (http:// or https://)",
        file="Or upload the article: .html, .htm, .md or .txt",
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def add(
        self, interaction: discord.Interaction, url: str | None = None, file: discord.Attachment | None = None
    ) -> None:
        url = (url or "").strip() or None  # a blank url counts as not given
        problem = self._input_problem(url, file)
        if problem is None and self.bot.index.reindexing:
            problem = busy(self.bot.index.reindex_started_at).reason
        if problem is not None:
            await respond(interaction, content=problem, ephemeral=True)
            return
        what = escape(url) if url is not None else f"the file {escape(file.filename)}"  # type: ignore[union-attr]
        await interaction.response.send_message(
            content=cut(f"Fetching {what}… I'll show what fans will get from it.", CONTENT_LIMIT),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        try:
            embed = await self._add(url, file)
        except Unchanged as refused:
            await self._finish(interaction, content=refused.text("Not added"))
        else:
            await self._finish(interaction, content=None, embed=embed)

    def _input_problem(self, url: str | None, file: discord.Attachment | None) -> str | None:
        """What is wrong with the options, decided before any download."""
        if (url is None) == (file is None):
            return "Give me either a `url` or a `file` to add (exactly one of them)."
        if file is None:
            return None
        suffix = PurePath(file.filename).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            shown = suffix or "(no extension)"
            return failure_text("Not added", f"unsupported type: {file.filename} is {shown}; upload an .html, .htm, .md or .txt file")
        if file.size > self.max_bytes:
            return failure_text(
                "Not added", f"too large: {file.filename} is {file.size:,} bytes, over the {self.max_bytes:,} byte limit"
            )
        return None

    async def _extract(self, url: str | None, file: discord.Attachment | None) -> Extracted:
        if url is not None:
            return await pipeline.extract_url_async(
                url, timeout=self.fetch_timeout, max_bytes=self.max_bytes, session=self._session
            )
        assert file is not None
        try:
            data = await file.read()
        except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
            why = f"HTTP {exc.status}" if isinstance(exc, discord.HTTPException) else (str(exc) or type(exc).__name__)
            raise IngestError(f"unreachable: could not download the uploaded file from Discord ({why})", "unreachable") from None
        if len(data) > self.max_bytes:
            raise IngestError(f"too large: {file.filename} is over the {self.max_bytes:,} byte limit", "too-large")
        return await asyncio.to_thread(extract_file, file.filename, data)

    async def _add(self, url: str | None, file: discord.Attachment | None) -> discord.Embed:
        """Extract, store, reindex, confirm; raises Unchanged (corpus as before) on any failure."""
        holder = self.bot.index
        try:
            article = await self._extract(url, file)
            saved = await asyncio.to_thread(store.save_article, holder.corpus_dir, article)
        except IngestError as err:
            raise Unchanged(str(err)) from None
        except OSError as err:  # e.g. a read-only corpus folder
            raise Unchanged(f"cannot write to the articles folder ({err.strerror or err})") from None
        if saved.action == "unchanged":
            indexed = next((a for a in holder.engine.articles if a.id == saved.article_id), None)
            if indexed is not None and indexed.checksum == await asyncio.to_thread(_checksum, saved.path):
                return added_embed(pipeline.confirm(saved, holder.engine), None)  # the index already has this very file
        undone = {"created": "the new file was taken out again", "updated": "the previous version was put back"}
        report = await self._reindex_or_undo(
            lambda: store.undo(saved), undone.get(saved.action, "the file was left as it was")
        )
        try:
            added = await asyncio.to_thread(pipeline.confirm, saved, holder.engine)
        except IngestError as err:  # the file is rolled back; the index must forget it too
            await self._reindex_quietly()
            raise Unchanged(str(err)) from None
        return added_embed(added, report)

    # -- /remove -----------------------------------------------------------------------

    @app_commands.command(name="remove", description="Stop using an article for answers; its file is kept aside (admins).")
    @app_commands.describe(article="Start typing its title and pick it from the list")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        holder = self.bot.index
        matches = matching_articles(holder.engine.articles, article)
        if len(matches) != 1:
            await respond(interaction, content=not_found_text(article, matches), ephemeral=True)
            return
        found = matches[0]
        if holder.reindexing:
            await respond(interaction, content=busy(holder.reindex_started_at).reason, ephemeral=True)
            return
        await interaction.response.send_message(
            content=cut(f"Removing **{escape(found.title) or escape(found.id)}**…", CONTENT_LIMIT),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        try:
            moved = await asyncio.to_thread(store.remove_article, holder.corpus_dir, found.id)
            original = Path(holder.corpus_dir).resolve() / found.id
            report = await self._reindex_or_undo(lambda: _move_back(moved, original), "its file was put back")
        except IngestError as err:
            await self._finish(interaction, content=failure_text("Not removed", str(err)))
            return
        except OSError as err:
            await self._finish(interaction, content=failure_text("Not removed", f"cannot move the file ({err.strerror or err})"))
            return
        except Unchanged as refused:
            await self._finish(interaction, content=refused.text("Not removed"))
            return
        kept_as = moved.relative_to(Path(holder.corpus_dir).resolve()).as_posix()
        await self._finish(interaction, content=None, embed=removed_embed(found, kept_as, report))

    @remove.autocomplete("article")
    async def _article_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        # Autocomplete skips the cog's interaction_check, so the admin check is repeated here.
        try:
            require_admin(interaction, self.bot.config.owner_ids)
        except Refused:
            return []
        if not self.bot.index.ready:
            return []
        return article_choices(self.bot.index.engine.articles, current)

    # -- shared steps ------------------------------------------------------------------

    async def _reindex_or_undo(self, undo, undone: str) -> ReindexReport:
        """Reindex after a corpus change; if that cannot happen, run ``undo`` and raise Unchanged."""
        holder = self.bot.index
        try:
            task = holder.start_reindex()
        except ReindexInProgress as running:  # one started while we were fetching or writing
            await asyncio.to_thread(undo)
            raise busy(running.started_at) from None
        try:
            return await task
        except Exception as exc:  # the old index keeps serving, so the corpus goes back to match it
            log.warning("Reindex after a corpus change failed; undoing the change", exc_info=exc)
            await asyncio.to_thread(undo)
            reason = str(exc) or type(exc).__name__
            raise Unchanged(f"the reindex failed ({reason}); {undone}, and the previous index still answers") from None

    async def _reindex_quietly(self) -> None:
        """Reindex so the index matches a rolled-back corpus; a busy or failed build is only logged."""
        try:
            await self.bot.index.start_reindex()
        except ReindexInProgress:
            log.info("A reindex was already running; it will pick up the rolled-back corpus")
        except Exception:
            log.warning("Reindex after a rollback failed; run /reindex", exc_info=True)

    async def _finish(self, interaction: discord.Interaction, **kwargs) -> None:
        try:
            await interaction.edit_original_response(allowed_mentions=NO_PINGS, **kwargs)
        except discord.HTTPException:
            log.warning("Could not show the result of /%s (interaction expired?)", interaction.command and interaction.command.name, exc_info=True)


def _move_back(moved: Path, original: Path) -> None:
    """Undo a removal, unless something new took the old name meanwhile (then the file stays in .removed)."""
    if not original.exists():
        original.parent.mkdir(parents=True, exist_ok=True)
        os.replace(moved, original)


async def setup(bot: FanBot) -> None:
    await bot.add_cog(CorpusAdmin(bot))
