"""Deterministic corpora written as article files, for measuring the engine at scale.

Two kinds: *synthetic* (pseudo-words drawn from a Zipfian vocabulary, about
60 tokens a passage, one paragraph per passage) and *real* (the bundled
articles repeated and perturbed, so the text has real news structure). Both
come from a fixed seed, so every run measures the very same corpus and queries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.engine.passages import MAX_CHARS, TARGET_CHARS
from bot.engine.stopwords import STOPWORDS

SEED = 20240519
VOCABULARY = 50_000
ZIPF_EXPONENT = 1.0
_ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
_CODAS = ["", "", "", "n", "r", "l", "m", "x", "nd", "rk", "lt"]
_SOURCES = ["Radio Times", "Digital Spy", "Variety", "PinkNews", "The Guardian", "Den of Geek", ""]
_PARAGRAPHS_PER_ARTICLE = (6, 14)
# Fan questions for the bundled articles (the real corpus): asked as they would be in chat.
REAL_QUESTIONS = (
    "is season 2 confirmed?", "how many heartstopper books are there?", "where was heartstopper filmed?",
    "who plays nick?", "who plays elle?", "when will season 2 come out?", "what is the rotten tomatoes score?",
    "how many episodes are in the first season?", "who wrote heartstopper?", "when does stranger things season 5 come out?",
)


@dataclass(frozen=True)
class SyntheticCorpus:
    """A corpus on disk and the questions to ask it (question text, as typed by a fan)."""

    path: Path
    kind: str  # "synthetic" or "real"
    passages: int  # passages the generator meant to write (the engine's own count is measured)
    files: int
    questions: tuple[str, ...]


def vocabulary(size: int = VOCABULARY, seed: int = SEED) -> list[str]:
    """``size`` distinct pronounceable pseudo-words (1-3 syllables, about 7 letters, like the content words of news prose)."""
    rng = np.random.default_rng(seed)
    words: set[str] = set()
    while len(words) < size:
        syllables = int(rng.choice([1, 2, 2, 2, 3, 3]))
        parts = [_ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))] for _ in range(syllables)]
        word = "".join(parts) + _CODAS[rng.integers(len(_CODAS))]
        if word not in STOPWORDS and len(word) > 2:
            words.add(word)
    ordered = sorted(words)
    rng.shuffle(ordered)  # rank (frequency) independent of spelling
    return ordered


class Zipf:
    """Word ranks drawn with probability proportional to 1 / rank**s."""

    def __init__(self, rng: np.random.Generator, size: int = VOCABULARY) -> None:
        self.rng = rng
        self.cumulative = np.cumsum(1.0 / np.arange(1, size + 1, dtype=np.float64) ** ZIPF_EXPONENT)

    def ranks(self, count: int) -> np.ndarray:
        return np.searchsorted(self.cumulative, self.rng.random(count) * self.cumulative[-1]).astype(np.int32)


def _paragraph(words: list[str], rng: np.random.Generator) -> str:
    """Sentences of 6-18 words; long enough to be one passage on its own, short enough not to be cut."""
    sentences, current = [], []
    limit = int(rng.integers(6, 19))
    for word in words:
        current.append(word)
        if len(current) >= limit:
            sentences.append(" ".join(current).capitalize() + ".")
            current, limit = [], int(rng.integers(6, 19))
    if current:
        sentences.append(" ".join(current).capitalize() + ".")
    return " ".join(sentences)


def _front_matter(title: str, source: str, date: dt.date) -> str:
    return f'---\ntitle: "{title}"\nsource: "{source}"\nurl: null\ndate: {date.isoformat()}\n---\n'


def write_synthetic(folder: Path, passages: int, *, questions: int = 200, seed: int = SEED) -> SyntheticCorpus:
    """Write ``passages`` one-paragraph passages as articles of 6-14 paragraphs under ``folder``.

    Questions are three distinct words of a random passage: what a fan who
    read that passage might type, weighted toward frequent words as real
    questions are (which makes their posting lists long: the hard case).
    """
    rng = np.random.default_rng(seed + passages)
    vocab = np.array(vocabulary(seed=seed), dtype=object)
    zipf = Zipf(rng)
    lengths = np.clip(rng.normal(60, 12, passages).round().astype(int), 40, 100)
    ranks = zipf.ranks(int(lengths.sum()))
    padding = iter(vocab[zipf.ranks(passages * 20)].tolist())
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.date(2019, 1, 1)
    texts: list[str] = []
    offset = 0
    for length in lengths.tolist():
        words = vocab[ranks[offset:offset + length]].tolist()
        offset += length
        text = _paragraph(words, rng)
        while len(text) < TARGET_CHARS + 5:  # a shorter paragraph would be joined with the next
            text = text[:-1] + " " + next(padding) + "."
        if len(text) > MAX_CHARS - 10:
            text = text[: text.rfind(" ", 0, MAX_CHARS - 10)] + "."
        texts.append(text)
    files = 0
    position = 0
    while position < passages:
        count = int(rng.integers(*_PARAGRAPHS_PER_ARTICLE))
        body = texts[position:position + count]
        title = " ".join(vocab[zipf.ranks(5)].tolist()).title()
        date = start + dt.timedelta(days=int(rng.integers(0, 2900)))
        source = _SOURCES[int(rng.integers(len(_SOURCES)))]
        name = f"{files // 1000:03d}/article-{files:06d}.md"
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(_front_matter(title, source, date) + "\n\n".join(body) + "\n", encoding="utf-8")
        position += count
        files += 1
    asked = []
    for _ in range(questions):
        words = texts[int(rng.integers(passages))].rstrip(".").replace(".", "").lower().split()
        picked = rng.choice(len(words), size=min(3, len(words)), replace=False)
        asked.append(" ".join(words[i] for i in sorted(picked.tolist())) + "?")
    return SyntheticCorpus(folder, "synthetic", passages, files, tuple(asked))


_WORDISH = re.compile(r"[A-Za-z]{4,}")


def write_real(folder: Path, source: Path, copies: int, *, questions: int = 200, seed: int = SEED) -> SyntheticCorpus:
    """``copies`` perturbed copies of every article in ``source`` (one in ten long words swapped).

    The swap keeps the copies from being identical (which would make every
    term's document frequency a multiple of ``copies``) while the passage
    structure, headings and lengths stay those of real news articles.
    """
    rng = np.random.default_rng(seed)
    vocab = vocabulary(seed=seed)
    originals = sorted(p for p in source.glob("*.md") if p.is_file())
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for copy in range(copies):
        for original in originals:
            text = original.read_text(encoding="utf-8")
            head, _, body = text.partition("\n---\n")
            swap = (lambda m: vocab[int(rng.integers(2000))] if rng.random() < 0.1 else m.group(0))
            body = _WORDISH.sub(swap, body)
            head = head.replace('title: "', f'title: "({copy}) ', 1)
            name = f"{copy // 100:03d}/{copy:05d}-{original.name}"
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_text(head + "\n---\n" + body, encoding="utf-8")
            files += 1
    asked = [REAL_QUESTIONS[i % len(REAL_QUESTIONS)] for i in range(questions)]
    return SyntheticCorpus(folder, "real", 0, files, tuple(asked))
