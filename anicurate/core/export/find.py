"""From a bad training sample back to its clips: rank a dataset's clips by how well their
captions match a prompt: each tag weighted by its rarity (idf), plus BM25 over the words, so
sentence captions match too. Datasets: anicurate exports, Video-BLIP2 JSON, .txt folders."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anicurate.core.export.find_sources import read_dataset
from anicurate.core.export.rank import BM25

#: Share of a tag's weight a prompt earns when it holds only some of the tag's words.
WORD_WEIGHT = 0.5
#: Share of the BM25 word score in a hit's score (tags matched whole count in full).
SENTENCE_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Hit:
    """An exported file that matches a prompt, with where it came from."""

    score: float
    path: str
    clip_id: int
    source_path: str
    frame_range: tuple[int, int]
    caption: str
    matched: tuple[str, ...]  # the caption's tags the prompt matched, rarest first

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4), "path": self.path, "clip_id": self.clip_id,
            "source": self.source_path, "frame_range": list(self.frame_range),
            "caption": self.caption, "matched": list(self.matched),
        }  # fmt: skip


def norm_tag(tag: str) -> str:
    """``Long_Hair `` and ``long hair`` are one tag."""
    return " ".join(tag.replace("_", " ").lower().split())


def caption_tags(caption: str) -> list[str]:
    """The comma-separated tags of a caption, normalised, each once."""
    return list(dict.fromkeys(t for t in (norm_tag(p) for p in caption.split(",")) if t))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w']+", text.lower().replace("_", " ")))


def _phrase(text: str) -> str:
    """The words of ``text`` in order, space-separated and padded, for whole-phrase matching."""
    return " " + " ".join(re.findall(r"[\w']+", text.lower().replace("_", " "))) + " "


def find(dataset: Path, prompt: str, top: int = 10) -> list[Hit]:
    """The ``top`` exported files whose captions best match ``prompt``, best first.

    A caption tag scores idf = log(1 + N / df) when the prompt holds it whole (as a comma part or
    as words in order), and WORD_WEIGHT of that when the prompt holds some of its words.
    """
    files = read_dataset(Path(dataset))
    hits = [
        Hit(score, f.path, f.clip_id, f.source_path, f.frame_range, f.caption, matched)
        for f, (score, matched) in zip(files, score_captions([f.caption for f in files], prompt),
                                       strict=True)
        if score > 0
    ]  # fmt: skip
    hits.sort(key=lambda h: (-h.score, h.clip_id, h.path))
    return hits[:top]


def score_captions(captions: Sequence[str], prompt: str) -> list[tuple[float, tuple[str, ...]]]:
    """Each caption's score for ``prompt`` and the tags it matched, rarest first (``find``'s
    ranking, also used to trace a sample's prompt to a project's clips)."""
    tag_lists = [caption_tags(c) for c in captions]
    bm25 = BM25(list(captions))
    n = len(captions)
    df: Counter[str] = Counter(t for tags in tag_lists for t in set(tags))
    prompt_tags = set(caption_tags(prompt))
    prompt_text = _phrase(prompt)
    prompt_words = _words(prompt)
    out: list[tuple[float, tuple[str, ...]]] = []
    for k, tags in enumerate(tag_lists):
        score = 0.0
        matched: list[tuple[float, str]] = []
        for tag in tags:
            idf = math.log(1 + n / df[tag])
            words = _words(tag)
            if tag in prompt_tags or (words and _phrase(tag) in prompt_text):
                score += idf
                matched.append((idf, tag))
            elif words and words & prompt_words:
                score += WORD_WEIGHT * idf * len(words & prompt_words) / len(words)
                matched.append((WORD_WEIGHT * idf, tag))
        whole = frozenset(
            w
            for idf, t in matched
            for w in _words(t)
            if t in prompt_tags or _phrase(t) in prompt_text
        )  # words already scored as whole tags
        word_score, _ = bm25.score(k, prompt, whole)
        score += SENTENCE_WEIGHT * word_score
        out.append((score, tuple(t for _, t in sorted(matched, key=lambda m: (-m[0], m[1])))))
    return out
