"""Fan answers bot: answers fans' questions from a folder of news articles.

The package has three wings that a reader can see in the folder layout:

* ``bot.engine`` -- corpus loading, passages, text analysis, BM25 search and
  answer selection.  Pure Python, no Discord import.
* ``bot.cli`` -- the command line face (``python -m bot ...``).
* ``bot.discord_bot`` -- the Discord face (client, cogs, embeds, views), with
  its settings store in ``bot.storage``.
"""

__version__ = "0.1.0"
