"""Sentence captions of clips in the catalogue: a person's sentence (journalled, undoable),
imported ones (per start frame, as Video-BLIP2-Preprocessor writes them) and machine ones.

Which sentence a clip's caption uses: a person's, else the newest imported or machine one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from anicurate.core.errors import AnicurateError
from anicurate.core.project.catalogue import Project
from anicurate.core.project.edits import edit
from anicurate.core.project.rows import DamagedRow, need_real, need_text, short

ORIGINS = ("manual", "imported", "machine")


class CaptionError(AnicurateError):
    """A caption file, sentence or captioning request that cannot be used."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One stored sentence: the whole clip's (frame None) or from a source frame on."""

    clip_id: int
    frame: int | None
    text: str
    origin: str
    detail: str
    created_at: float


#: The columns :func:`read_sentence_row` reads, in its order.
SENTENCE_COLUMNS = "frame, text, origin, detail, created_at"


def read_sentence_row(clip_id: int, row: Sequence[Any]) -> Sentence:
    """One stored sentence (``SENTENCE_COLUMNS``); DamagedRow when a value cannot be used.

    The readers leave such rows out; ``anicurate check`` names them with this same check."""
    frame, text, origin, detail, created = row
    if frame is not None and type(frame) is not int:
        raise DamagedRow(f"frame is not a whole number ({short(frame)})")
    if origin not in ORIGINS:
        raise DamagedRow(f"origin {short(origin)} is unknown")
    return Sentence(clip_id, frame, need_text(text, "text"), origin, need_text(detail, "detail"),
                    need_real(created, "created_at"))  # fmt: skip


def sentences(project: Project, clip_id: int) -> list[Sentence]:
    """Every readable sentence of a clip, the one in use first (see :func:`_rank`)."""
    rows = project.read(f"SELECT {SENTENCE_COLUMNS} FROM sentences WHERE clip_id = ?", (clip_id,))
    out = []
    for row in rows:
        try:
            out.append(read_sentence_row(clip_id, row))
        except DamagedRow:
            continue  # quarantined: left out here, named by `anicurate check`
    return sorted(out, key=_rank)


def _rank(s: Sentence) -> tuple[int, float, int]:
    return (0 if s.origin == "manual" else 1, -s.created_at, -1 if s.frame is None else s.frame)


def clip_sentences(project: Project, clip_id: int) -> list[Sentence]:
    """The sentences a caption uses, by start frame: the chosen origin's rows only."""
    rows = sentences(project, clip_id)
    if not rows:
        return []
    best = rows[0]
    chosen = [s for s in rows if s.origin == best.origin and s.detail == best.detail]
    return sorted(chosen, key=lambda s: -1 if s.frame is None else s.frame)


def clip_sentence(project: Project, clip_id: int, frame: int | None = None) -> str:
    """The clip's sentence ("" when none); with ``frame``, the one whose start is the latest
    at or before that source frame (the first one when all start later)."""
    chosen = clip_sentences(project, clip_id)
    if not chosen:
        return ""
    if frame is None:
        return chosen[0].text
    before = [s for s in chosen if s.frame is None or s.frame <= frame]
    return (before[-1] if before else chosen[0]).text


def manual_sentence(project: Project, clip_id: int) -> str:
    """What a person typed for the clip ("" when nothing), for the caption field."""
    return next((s.text for s in sentences(project, clip_id) if s.origin == "manual"), "")


def clean_sentence(text: str) -> str:
    """One line without surrounding blanks: what a trainer reads from a caption file."""
    return re.sub(r"\s+", " ", text).strip()


def set_sentence(project: Project, clip_id: int, text: str) -> None:
    """Set (or, with empty text, clear) a person's sentence for a clip; one undoable edit."""
    text = clean_sentence(text)
    if project.read("SELECT 1 FROM clips WHERE id = ?", (clip_id,)) == []:
        raise CaptionError(f"no clip {clip_id}")
    with edit(project, "Edit caption" if text else "Clear caption") as rec:
        rec.touch_clips([clip_id])
        conn = project.connection
        conn.execute("DELETE FROM sentences WHERE clip_id = ? AND origin = 'manual'", (clip_id,))
        if text:
            conn.execute(
                "INSERT INTO sentences (clip_id, frame, text, origin, detail, created_at)"
                " VALUES (?, NULL, ?, 'manual', '', ?)",
                (clip_id, text, time.time()),
            )


def clear_sentence(project: Project, clip_id: int) -> None:
    """Remove a person's sentence (imported or machine ones then show again); undoable."""
    set_sentence(project, clip_id, "")


def store_sentences(
    project: Project,
    entries: Iterable[tuple[int, int | None, str]],
    origin: str,
    detail: str,
    label: str,
) -> int:
    """Replace the ``origin`` sentences of each clip named in ``entries`` (clip, frame, text)
    with the given ones, as one undoable edit; returns how many clips changed."""
    if origin not in ORIGINS or origin == "manual":
        raise CaptionError(f"origin {origin!r} is not for stored sentences")
    by_clip: dict[int, dict[int | None, str]] = {}
    for clip_id, frame, text in entries:
        text = clean_sentence(text)
        if text:
            by_clip.setdefault(clip_id, {})[frame] = text
    if not by_clip:
        return 0
    now = time.time()
    with edit(project, label) as rec:
        rec.touch_clips(sorted(by_clip))
        conn = project.connection
        for clip_id, frames in by_clip.items():
            conn.execute(
                "DELETE FROM sentences WHERE clip_id = ? AND origin = ?", (clip_id, origin)
            )
            conn.executemany(
                "INSERT INTO sentences (clip_id, frame, text, origin, detail, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(clip_id, f, t, origin, detail, now) for f, t in frames.items()],
            )
    return len(by_clip)


def clips_matching_text(project: Project, query: str, clip_ids: Sequence[int] | None = None
                        ) -> list[int]:  # fmt: skip
    """Ids of clips whose sentences or tags hold every word of ``query`` (the browser filter)."""
    words = re.findall(r"[\w']+", query.lower().replace("_", " "))
    if not words:
        return sorted(int(r[0]) for r in project.read("SELECT id FROM clips"))
    texts: dict[int, list[str]] = {}
    for clip_id, text in project.read(
        "SELECT clip_id, text FROM sentences UNION ALL SELECT clip_id, tag FROM tags"
    ):
        if isinstance(text, str) and type(clip_id) is int:
            texts.setdefault(clip_id, []).append(text.lower().replace("_", " "))
    wanted = None if clip_ids is None else set(clip_ids)
    hits = []
    for clip_id, parts in texts.items():
        found = set(re.findall(r"[\w']+", " ".join(parts)))
        if all(w in found for w in words) and (wanted is None or clip_id in wanted):
            hits.append(clip_id)
    return sorted(hits)
