"""Turning a link or an uploaded file into a corpus article.

Three steps, one module each, so the CLI and the Discord face share them:
``fetch`` (bounded HTTP GET), ``extract`` (main text and metadata via
trafilatura, or Markdown/plain text as given) and ``store`` (slug, dedupe,
safe write of ``corpus/<slug>.md``).  Nothing here imports the engine or
discord; the faces rebuild the index after a successful store.
"""

from bot.ingest.errors import ExtractError, FetchError, IngestError, StoreError

__all__ = ["ExtractError", "FetchError", "IngestError", "StoreError"]
