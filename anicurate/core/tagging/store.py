"""Tags and captions in the catalogue: auto results, a person's edits (which always win), the
fingerprints that decide re-tagging, and the frequency and coverage views of a dataset.

Rules: a tag a person added, kept or renamed is ``manual`` and re-tagging keeps it; a tag a
person removed is remembered in ``removed_tags`` and re-tagging never brings it back; once a
person orders a clip's tags, re-tagging keeps that order and appends new tags at the end.
Every edit rebuilds the clip's auto caption (trigger tag first).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from anicurate.core.project.catalogue import Clip, ClipStatus, Project
from anicurate.core.project.edits import edit
from anicurate.core.project.rows import DamagedRow, parse_json
from anicurate.core.tagging.caption import build_caption
from anicurate.core.tagging.merge import TagResult
from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.vocabulary import display_name, normalise

OPTIONS_KEY = "tagging.options"
COVERAGE_KEY = "tagging.coverage"
MODEL_KEY = "tagging.model"
# Bumped when sampling, preprocessing or merging change in a way that changes tags.
PIPELINE_VERSION = 1

# Common emotions and actions a video dataset should show (Danbooru tag names); editable per
# project under COVERAGE_KEY.
DEFAULT_COVERAGE: tuple[str, ...] = (
    "smile", "laughing", "crying", "tears", "sad", "angry", "surprised", "scared", "blush",
    "embarrassed", "closed eyes", "open mouth", "walking", "running", "sitting", "standing",
    "lying", "jumping", "looking back", "looking at viewer", "waving", "eating", "drinking",
    "hug", "dancing", "sleeping", "pointing", "holding",
)  # fmt: skip

_ACCEPTED = (ClipStatus.ACCEPTED,)
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ClipTag:
    tag: str
    score: float | None  # the tagger's confidence; None for a tag a person typed
    origin: str  # "auto" or "manual"
    category: str | None  # "general", "character", or None when unknown
    position: int


@dataclass(frozen=True, slots=True)
class CoverageItem:
    term: str
    clips: int  # clips (of the statuses asked for) carrying the tag; 0 = missing


# -- settings -------------------------------------------------------------------------------


def load_options(project: Project) -> TaggingOptions:
    """The project's tagging options (defaults when never set)."""
    stored = project.setting(OPTIONS_KEY)
    if not isinstance(stored, dict):
        return TaggingOptions()
    try:
        return TaggingOptions.from_dict(stored)
    except (TypeError, ValueError, AttributeError) as e:
        log.warning("%s: setting %r is damaged (%s); using defaults", project.path, OPTIONS_KEY, e)
        return TaggingOptions()


def save_options(project: Project, options: TaggingOptions) -> None:
    project.set_setting(OPTIONS_KEY, options.to_dict())


def coverage_terms(project: Project) -> list[str]:
    """The editable emotions/actions checklist (DEFAULT_COVERAGE until a person edits it)."""
    stored = project.setting(COVERAGE_KEY)
    return [str(t) for t in stored] if isinstance(stored, list) else list(DEFAULT_COVERAGE)


def set_coverage_terms(project: Project, terms: Iterable[str]) -> None:
    cleaned = list(dict.fromkeys(display_name(t) for t in terms if t.strip()))
    project.set_setting(COVERAGE_KEY, cleaned)


# -- fingerprints ---------------------------------------------------------------------------


def clip_fingerprint(
    clip: Clip,
    source_hash: str,
    frames: Sequence[int],
    model_identity: dict[str, Any],
    options: TaggingOptions,
) -> str:
    """A hash of everything that decides a clip's auto tags; equal fingerprints, equal tags."""
    payload = {
        "v": PIPELINE_VERSION,
        "source": source_hash,
        "range": [clip.first_frame, clip.last_frame],
        "crop": list(clip.crop) if clip.crop else None,
        "frames": list(frames),
        "model": model_identity,
        "options": options.to_dict(),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def stored_fingerprints(project: Project) -> dict[int, str]:
    """clip id -> fingerprint of its last auto-tagging."""
    rows = project.read(
        "SELECT clip_id, fingerprint FROM clip_tagging WHERE fingerprint IS NOT NULL"
    )
    return {c: f for c, f in rows if type(c) is int and type(f) is str}


@dataclass(frozen=True, slots=True)
class TaggingRecord:
    """How a clip was last auto-tagged."""

    model: str
    provider: str
    frames: list[int]
    rating: dict[str, float]
    tagged_at: float


def tagging_record(project: Project, clip_id: int) -> TaggingRecord | None:
    """How a clip was last auto-tagged; None when never, or when that record is damaged."""
    rows = project.read(
        "SELECT model, provider, frames, rating, tagged_at FROM clip_tagging"
        " WHERE clip_id = ? AND fingerprint IS NOT NULL",
        (clip_id,),
    )
    if not rows:
        return None
    try:
        return read_tagging_row(rows[0])
    except DamagedRow as e:
        log.warning("%s: clip_tagging of clip %s: damaged row: %s", project.path, clip_id, e)
        return None


def read_tagging_row(row: Sequence[Any]) -> TaggingRecord:
    """A clip_tagging row (model, provider, frames, rating, tagged_at); DamagedRow if unusable."""
    frames, rating = parse_json(row[2], "frames"), parse_json(row[3], "rating")
    if not isinstance(frames, list) or not all(type(f) is int for f in frames):
        raise DamagedRow("frames is not a list of frame numbers")
    if not isinstance(rating, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in rating.values()
    ):
        raise DamagedRow("rating is not an object of scores")
    if not all(isinstance(v, str) for v in row[:2]) or not isinstance(row[4], int | float):
        raise DamagedRow("model, provider or tagged_at has the wrong type")
    return TaggingRecord(row[0], row[1], frames, rating, float(row[4]))


# -- reading --------------------------------------------------------------------------------


def clip_tags(project: Project, clip_id: int) -> list[ClipTag]:
    """A clip's tags in caption order."""
    return _tags(project.connection, clip_id)


def caption(project: Project, clip_id: int) -> str:
    """The caption export will write: a person's edited caption if any, else the built one."""
    rows = {
        origin: text
        for origin, text in project.read(
            "SELECT origin, text FROM captions WHERE clip_id = ?", (clip_id,)
        )
        if isinstance(text, str)  # a damaged caption is left out: the built one stands in
    }
    if "manual" in rows:
        return str(rows["manual"])
    if "auto" in rows:
        return str(rows["auto"])
    return build_caption([t.tag for t in clip_tags(project, clip_id)], _trigger(project))


def tag_frequencies(
    project: Project, statuses: Sequence[ClipStatus] | None = _ACCEPTED
) -> list[tuple[str, int]]:
    """(tag, clips carrying it), most frequent first, over clips of ``statuses`` (None: all)."""
    where, args = _status_filter(statuses)
    rows = project.read(
        "SELECT t.tag, count(DISTINCT t.clip_id) FROM tags t JOIN clips c ON c.id = t.clip_id"
        f" {where} GROUP BY t.tag ORDER BY 2 DESC, 1",
        args,
    )
    merged: dict[str, int] = {}
    shown: dict[str, str] = {}
    for tag, n in rows:
        if not isinstance(tag, str):
            continue  # a damaged tag row
        key = normalise(tag)
        shown.setdefault(key, tag)
        merged[key] = merged.get(key, 0) + int(n)
    return sorted(((shown[k], n) for k, n in merged.items()), key=lambda r: (-r[1], r[0]))


def clip_count(project: Project, statuses: Sequence[ClipStatus] | None = _ACCEPTED) -> int:
    """Clips of ``statuses`` (None: all): the population tag_frequencies counts in, counted in
    SQL as it does (a browser refresh re-reads this, and parsing every clip did not scale)."""
    where, args = _status_filter(statuses)
    return int(project.read(f"SELECT count(*) FROM clips c {where}", args)[0][0])


def clips_with_tag(
    project: Project, tag: str, statuses: Sequence[ClipStatus] | None = None
) -> list[int]:
    """Ids of clips carrying ``tag`` (compared normalised), for filtering the browser."""
    key = normalise(tag)
    where, args = _status_filter(statuses)
    rows = project.read(
        f"SELECT DISTINCT t.clip_id, t.tag FROM tags t JOIN clips c ON c.id = t.clip_id {where}",
        args,
    )
    return sorted({int(c) for c, t in rows if isinstance(t, str) and normalise(t) == key})


def coverage(
    project: Project,
    terms: Iterable[str] | None = None,
    statuses: Sequence[ClipStatus] | None = _ACCEPTED,
) -> list[CoverageItem]:
    """How many clips show each checklist term (the project's list unless ``terms`` is given)."""
    counts = {normalise(tag): n for tag, n in tag_frequencies(project, statuses)}
    wanted = coverage_terms(project) if terms is None else list(terms)
    return [CoverageItem(t, counts.get(normalise(t), 0)) for t in wanted]


# -- writing: auto tags ---------------------------------------------------------------------


def store_auto_tags(
    project: Project,
    clip_id: int,
    result: TagResult,
    *,
    fingerprint: str,
    model: str,
    provider: str,
    frames: Sequence[int],
) -> None:
    """Replace a clip's auto tags with ``result``, keeping a person's edits; one transaction."""
    with project.transaction() as conn:
        existing = _tags(conn, clip_id)
        removed = _removed(conn, clip_id)
        manual_order = _manual_order(conn, clip_id)
        manual = [t for t in existing if t.origin == "manual"]
        taken = removed | {normalise(t.tag) for t in manual}
        fresh: dict[str, ClipTag] = {}
        for scored in result.tags:
            key = normalise(scored.name)
            if key not in taken and key not in fresh:
                fresh[key] = ClipTag(scored.name, scored.score, "auto", scored.category, 0)
        if manual_order:
            ordered: list[ClipTag] = []
            for old in existing:
                key = normalise(old.tag)
                if old.origin == "manual":
                    ordered.append(old)
                elif key in fresh:
                    ordered.append(fresh.pop(key))
            ordered.extend(fresh.values())
        else:
            ordered = [*manual, *fresh.values()]
        _write_tags(conn, clip_id, ordered)
        conn.execute(
            "INSERT INTO clip_tagging (clip_id, fingerprint, model, provider, frames, rating,"
            " tagged_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (clip_id) DO UPDATE SET"
            " fingerprint = excluded.fingerprint, model = excluded.model,"
            " provider = excluded.provider, frames = excluded.frames,"
            " rating = excluded.rating, tagged_at = excluded.tagged_at",
            (
                clip_id, fingerprint, model, provider, json.dumps(list(frames)),
                json.dumps(result.rating), time.time(),
            ),
        )  # fmt: skip
        _refresh_caption(project, conn, clip_id)


# -- writing: a person's edits --------------------------------------------------------------


def add_tag(
    project: Project,
    clip_id: int,
    tag: str,
    *,
    position: int | None = None,
    category: str | None = None,
) -> str:
    """Add (or confirm) a tag as manual, at ``position`` or the end; returns the stored name."""
    name = display_name(tag)
    if not name:
        raise ValueError("a tag cannot be empty")
    key = normalise(name)
    with edit(project, f"Add tag {name}") as rec:
        rec.touch_clips([clip_id])
        conn = project.connection
        tags = _tags(conn, clip_id)
        at = next((i for i, t in enumerate(tags) if normalise(t.tag) == key), None)
        if at is not None:
            current = tags.pop(at)
            new = ClipTag(current.tag, current.score, "manual", current.category, 0)
        else:
            new = ClipTag(name, None, "manual", category, 0)
        if position is None:
            index = len(tags) if at is None else at
        else:
            index = max(0, min(position, len(tags)))
            _set_manual_order(conn, clip_id)
        tags.insert(index, new)
        _write_tags(conn, clip_id, tags)
        conn.execute("DELETE FROM removed_tags WHERE clip_id = ? AND tag = ?", (clip_id, key))
        _refresh_caption(project, conn, clip_id)
    return new.tag


def remove_tag(project: Project, clip_id: int, tag: str) -> bool:
    """Remove a tag from a clip for good (re-tagging will not add it back); False if absent."""
    key = normalise(tag)
    with edit(project, f"Remove tag {tag}") as rec:
        rec.touch_clips([clip_id])
        conn = project.connection
        tags = _tags(conn, clip_id)
        kept = [t for t in tags if normalise(t.tag) != key]
        conn.execute(
            "INSERT OR IGNORE INTO removed_tags (clip_id, tag) VALUES (?, ?)", (clip_id, key)
        )
        if len(kept) == len(tags):
            return False
        _write_tags(conn, clip_id, kept)
        _refresh_caption(project, conn, clip_id)
    return True


def set_tag_order(project: Project, clip_id: int, order: Sequence[str]) -> None:
    """Put the named tags first, in this order (others follow as they were); re-tagging then
    keeps the order."""
    keys = [normalise(t) for t in order]
    with edit(project, "Reorder tags") as rec:
        rec.touch_clips([clip_id])
        conn = project.connection
        tags = _tags(conn, clip_id)
        rank = {k: i for i, k in enumerate(keys)}
        tags.sort(key=lambda t: rank.get(normalise(t.tag), len(rank)))
        _write_tags(conn, clip_id, tags)
        _set_manual_order(conn, clip_id)
        _refresh_caption(project, conn, clip_id)


def replace_tag(project: Project, old: str, new: str, clip_ids: Iterable[int] | None = None) -> int:
    """Rename ``old`` to ``new`` on the given clips (None: all); returns how many changed.

    The new tag is manual (a person chose it) and keeps the old one's place; ``old`` counts as
    removed, so re-tagging does not bring it back. An empty ``new`` removes ``old``.
    """
    old_key = normalise(old)
    new_name = display_name(new)
    new_key = normalise(new_name)
    if old_key == new_key and new_name == old.strip():
        return 0
    wanted = None if clip_ids is None else set(clip_ids)
    changed = 0
    label = f"Replace tag {old} with {new_name}" if new_name else f"Remove tag {old}"
    with edit(project, label) as rec:
        conn = project.connection
        candidates = sorted(
            {int(c) for c, t in conn.execute("SELECT clip_id, tag FROM tags")
             if normalise(t) == old_key and (wanted is None or int(c) in wanted)}
        )  # fmt: skip
        rec.touch_clips(candidates)
        for clip_id in candidates:
            tags = _tags(conn, clip_id)
            out: list[ClipTag] = []
            has_new = any(normalise(t.tag) == new_key for t in tags) and new_key != old_key
            for t in tags:
                key = normalise(t.tag)
                if key == old_key:
                    if new_name and not has_new:
                        out.append(ClipTag(new_name, None, "manual", None, 0))
                elif key == new_key:
                    out.append(ClipTag(t.tag, t.score, "manual", t.category, 0))
                else:
                    out.append(t)
            _write_tags(conn, clip_id, out)
            if new_key != old_key:
                conn.execute(
                    "INSERT OR IGNORE INTO removed_tags (clip_id, tag) VALUES (?, ?)",
                    (clip_id, old_key),
                )
            conn.execute(
                "DELETE FROM removed_tags WHERE clip_id = ? AND tag = ?", (clip_id, new_key)
            )
            _refresh_caption(project, conn, clip_id)
            changed += 1
    return changed


def refresh_captions(project: Project, clip_ids: Iterable[int] | None = None) -> None:
    """Rebuild auto captions (after the trigger tag changed)."""
    with project.transaction() as conn:
        ids = (
            [int(r[0]) for r in conn.execute("SELECT id FROM clips")]
            if clip_ids is None
            else list(clip_ids)
        )
        for clip_id in ids:
            _refresh_caption(project, conn, clip_id)


# -- helpers --------------------------------------------------------------------------------


def _tags(conn: sqlite3.Connection, clip_id: int) -> list[ClipTag]:
    """A clip's readable tag rows in order; damaged ones are skipped (and so dropped by the
    next write of the clip's tags)."""
    rows = conn.execute(
        "SELECT tag, score, origin, category, position FROM tags WHERE clip_id = ?"
        " ORDER BY position, id",
        (clip_id,),
    )
    return [tag for tag in map(_tag_or_none, rows) if tag is not None]


def _tag_or_none(row: Sequence[Any]) -> ClipTag | None:
    try:
        return read_tag_row(row)
    except DamagedRow as e:
        log.warning("damaged tag row %r: %s", row[0], e)
        return None


def read_tag_row(row: Sequence[Any]) -> ClipTag:
    """A tags row (tag, score, origin, category, position); DamagedRow when unusable."""
    tag, score, origin, category, position = row
    if not isinstance(tag, str) or not tag.strip():
        raise DamagedRow("tag is not text")
    if score is not None and (
        not isinstance(score, int | float) or isinstance(score, bool) or not math.isfinite(score)
    ):
        raise DamagedRow(f"score {score!r:.40} is not a number")
    if origin not in ("auto", "manual"):
        raise DamagedRow(f"origin {origin!r:.40} is unknown")
    if category is not None and not isinstance(category, str):
        raise DamagedRow("category is not text")
    if type(position) is not int:
        raise DamagedRow("position is not a whole number")
    return ClipTag(tag, None if score is None else float(score), origin, category, position)


def _write_tags(conn: sqlite3.Connection, clip_id: int, tags: Sequence[ClipTag]) -> None:
    conn.execute("DELETE FROM tags WHERE clip_id = ?", (clip_id,))
    conn.executemany(
        "INSERT INTO tags (clip_id, tag, score, origin, category, position)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(clip_id, t.tag, t.score, t.origin, t.category, i) for i, t in enumerate(tags)],
    )


def _removed(conn: sqlite3.Connection, clip_id: int) -> set[str]:
    rows = conn.execute("SELECT tag FROM removed_tags WHERE clip_id = ?", (clip_id,))
    return {str(r[0]) for r in rows}


def _manual_order(conn: sqlite3.Connection, clip_id: int) -> bool:
    row = conn.execute(
        "SELECT manual_order FROM clip_tagging WHERE clip_id = ?", (clip_id,)
    ).fetchone()
    return bool(row and row[0])


def _set_manual_order(conn: sqlite3.Connection, clip_id: int) -> None:
    conn.execute(
        "INSERT INTO clip_tagging (clip_id, manual_order) VALUES (?, 1)"
        " ON CONFLICT (clip_id) DO UPDATE SET manual_order = 1",
        (clip_id,),
    )


def _trigger(project: Project) -> str:
    return project.settings().trigger_tag


def _refresh_caption(project: Project, conn: sqlite3.Connection, clip_id: int) -> None:
    text = build_caption([t.tag for t in _tags(conn, clip_id)], _trigger(project))
    conn.execute(
        "INSERT INTO captions (clip_id, text, origin) VALUES (?, ?, 'auto')"
        " ON CONFLICT (clip_id, origin) DO UPDATE SET text = excluded.text",
        (clip_id, text),
    )


def _status_filter(statuses: Sequence[ClipStatus] | None) -> tuple[str, tuple[str, ...]]:
    if statuses is None:
        return "", ()
    marks = ", ".join("?" for _ in statuses)
    return f"WHERE c.status IN ({marks})", tuple(s.value for s in statuses)
