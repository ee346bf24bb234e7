"""Every edit a person makes to clips, journalled so that undo and redo work across restarts.

An edit names the rows it touches; the journal stores each row's state before and after, so
undo and redo replay row states and never need to know what kind of edit it was. Rows are
keyed by SQLite ``rowid``, which every catalogue table has. A new edit after some undos drops
the undone ones (the usual linear history).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from anicurate.core.crop import CropGeometry, CropRect
from anicurate.core.errors import AnicurateError
from anicurate.core.project.catalogue import Clip, ClipStatus, Project
from anicurate.core.project.settings import ProjectSettings

# Tables whose rows hang off a clip (ON DELETE CASCADE): snapshotted with it, so undoing a
# merge or a split brings back a clip's tags and caption, not only the clip row.
_CLIP_DEPENDENTS = (
    "tags", "captions", "removed_tags", "clip_tagging", "sentences", "clip_fixes",
)  # fmt: skip
Row = dict[str, Any]


class EditError(AnicurateError):
    """An edit that does not make sense (a split outside the clip, a merge across sources ...)."""


@dataclass
class _Edit:
    """Rows touched by one edit: (table, rowid) -> state before (None when it did not exist)."""

    label: str
    before: dict[tuple[str, int], Row | None] = field(default_factory=dict)
    clips: set[int] = field(default_factory=set)  # whose dependent rows may be added too


class Recorder:
    """Handed to an edit's body: declare rows before changing them, or after inserting them."""

    def __init__(self, project: Project, edit: _Edit) -> None:
        self._conn = project.connection
        self._edit = edit

    def touch(self, table: str, rowids: Iterable[int]) -> None:
        """Snapshot rows that are about to change or be deleted (first snapshot wins)."""
        for rowid in rowids:
            key = (table, int(rowid))
            if key not in self._edit.before:
                self._edit.before[key] = _read_row(self._conn, table, int(rowid))

    def touch_clips(self, clip_ids: Iterable[int]) -> None:
        """Snapshot clips together with their tags, captions and tagging state."""
        ids = [int(i) for i in clip_ids]
        self.touch("clips", ids)
        self._edit.clips.update(ids)
        for table, rowid in _dependent_rows(self._conn, ids):
            self.touch(table, [rowid])

    def _mark_new_dependents(self) -> None:
        """Rows the edit added under touched clips (a tag written anew) are undone by deletion."""
        for table, rowid in _dependent_rows(self._conn, sorted(self._edit.clips)):
            self.inserted(table, rowid)

    def inserted(self, table: str, rowid: int) -> None:
        """Mark a row this edit created (undo deletes it)."""
        self._edit.before.setdefault((table, int(rowid)), None)


@contextmanager
def edit(project: Project, label: str) -> Iterator[Recorder]:
    """Run one undoable edit atomically: the body changes rows through ``project.connection``."""
    record = _Edit(label)
    with project.transaction() as conn:
        recorder = Recorder(project, record)
        yield recorder
        recorder._mark_new_dependents()
        changes = []
        for (table, rowid), before in record.before.items():
            after = _read_row(conn, table, rowid)
            if _content(before) != _content(after):
                changes.append([table, rowid, before, after])
        if changes:
            conn.execute("DELETE FROM edits WHERE undone = 1")
            conn.execute(
                "INSERT INTO edits (label, created_at, changes) VALUES (?, ?, ?)",
                (label, time.time(), json.dumps(changes)),
            )


def undo(project: Project) -> str | None:
    """Undo the newest edit not yet undone; returns its label, or None when there is none."""
    with project.transaction() as conn:
        row = conn.execute(
            "SELECT id, label, changes FROM edits WHERE undone = 0 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        _replay(conn, [(t, r, before) for t, r, before, _ in reversed(json.loads(row[2]))])
        conn.execute("UPDATE edits SET undone = 1 WHERE id = ?", (row[0],))
        return str(row[1])


def redo(project: Project) -> str | None:
    """Redo the oldest undone edit; returns its label, or None when there is none."""
    with project.transaction() as conn:
        row = conn.execute(
            "SELECT id, label, changes FROM edits WHERE undone = 1 ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        _replay(conn, [(t, r, after) for t, r, _, after in json.loads(row[2])])
        conn.execute("UPDATE edits SET undone = 0 WHERE id = ?", (row[0],))
        return str(row[1])


def history(project: Project) -> tuple[str | None, str | None]:
    """Labels of what undo and redo would do now (for menu texts), None where nothing."""
    conn = project.connection
    u = conn.execute("SELECT label FROM edits WHERE undone = 0 ORDER BY id DESC LIMIT 1").fetchone()
    r = conn.execute("SELECT label FROM edits WHERE undone = 1 ORDER BY id LIMIT 1").fetchone()
    return (u[0] if u else None, r[0] if r else None)


# -- the edits ------------------------------------------------------------------------------


def set_status(project: Project, clip_ids: Sequence[int], status: ClipStatus) -> int:
    """Accept, reject or reset clips; returns how many changed."""
    ids = list(dict.fromkeys(clip_ids))
    noun = "clip" if len(ids) == 1 else f"{len(ids)} clips"
    verb = {ClipStatus.ACCEPTED: "Accept", ClipStatus.REJECTED: "Reject"}.get(status, "Reset")
    changed = [c.id for c, _source in project.clips_by_id(ids) if c.status != status]
    if changed:
        with edit(project, f"{verb} {noun}") as rec:
            rec.touch("clips", changed)
            _update_clips(project, changed, "status = ?", [status.value])
    return len(changed)


def set_note(project: Project, clip_id: int, note: str) -> None:
    with edit(project, "Edit note") as rec:
        rec.touch("clips", [clip_id])
        _update_clips(project, [clip_id], "note = ?", [note])


def set_crop(project: Project, clip_id: int, crop: tuple[int, int, int, int] | None) -> None:
    """Set (x, y, w, h) in displayed pixels, or clear the crop with None."""
    values: list[Any] = list(crop) if crop is not None else [None] * 4
    with edit(project, "Crop" if crop else "Clear crop") as rec:
        rec.touch("clips", [clip_id])
        _update_clips(project, [clip_id], "crop_x = ?, crop_y = ?, crop_w = ?, crop_h = ?", values)


def trim(project: Project, clip_id: int, first: int, last: int) -> Clip:
    """Set the clip's in and out frames (inclusive), within its source's frames."""
    clip = _clip(project, clip_id)
    _check_range(project, clip, first, last)
    with edit(project, "Trim") as rec:
        rec.touch("clips", [clip_id])
        _update_clips(project, [clip_id], "first_frame = ?, last_frame = ?", [first, last])
    return _clip(project, clip_id)


def split(project: Project, clip_id: int, at: Iterable[int], drop: int = 0) -> list[Clip]:
    """Split a clip before each frame in ``at`` (e.g. the first frames of new shots).

    ``drop`` frames are left out on both sides of each split (cut edges often hold a blended or
    flash frame). Pieces left empty are skipped. The first piece keeps the clip's id, tags and
    status; new pieces start unreviewed with the same crop and note.
    """
    clip = _clip(project, clip_id)
    points = sorted({p for p in at if clip.first_frame < p <= clip.last_frame})
    if not points:
        raise EditError(f"no split point inside frames {clip.first_frame}-{clip.last_frame}")
    ranges = shot_ranges(clip.first_frame, clip.last_frame, points, drop=drop)
    if not ranges:
        raise EditError("dropping frames at the split points leaves nothing of the clip")
    label = "Split at cuts" if len(points) > 1 else "Split"
    return split_ranges(project, {clip_id: ranges}, label)[clip_id]


def shot_ranges(
    first: int,
    last: int,
    cuts: Iterable[int],
    spans: Iterable[Sequence[int]] = (),
    drop: int = 0,
) -> list[tuple[int, int]]:
    """Inclusive frame ranges of ``first..last`` between cuts, without the frames of fades and
    flashes (``spans``, inclusive) and without ``drop`` frames either side of each cut or span."""
    removed: list[tuple[int, int]] = []
    for c in cuts:  # a cut at c: frame c starts a new shot
        removed.append((c - drop, c - 1 + drop) if drop else (c, c - 1))
    for span in spans:
        a, b = int(span[0]), int(span[-1])
        removed.append((a - drop, b + drop))
    out: list[tuple[int, int]] = []
    start = first
    for a, b in sorted(removed):
        if a > last or b < first - 1:
            continue
        if a > start or (a == start and b < a):  # an empty removal at a cut still splits
            stop = min(a - 1, last)
            if start <= stop:
                out.append((start, stop))
        start = max(start, b + 1)
    if start <= last:
        out.append((start, last))
    return out


def split_ranges(
    project: Project, pieces: Mapping[int, Sequence[tuple[int, int]]], label: str
) -> dict[int, list[Clip]]:
    """Cut each clip into the given inclusive frame ranges, as one undoable edit.

    The first range stays with the clip (its id, tags and status); the others become new
    unreviewed clips with the same crop and note. A clip whose ranges equal its own frames is
    left alone. Returns the pieces of every clip named, in frame order.
    """
    clips = {c.id: c for c, _source in project.clips_by_id(pieces)}
    for clip_id, ranges in pieces.items():
        clip = clips.get(clip_id)
        if clip is None:
            raise EditError(f"no clip {clip_id}")
        if not ranges:
            raise EditError(f"clip {clip_id}: nothing left to keep")
        for start, stop in ranges:
            if not clip.first_frame <= start <= stop <= clip.last_frame:
                raise EditError(
                    f"frames {start}-{stop} are not inside the clip's "
                    f"{clip.first_frame}-{clip.last_frame}"
                )
    out: dict[int, list[int]] = {cid: [cid] for cid in pieces}
    changing = {
        cid: sorted(r) for cid, r in pieces.items()
        if sorted(r) != [(clips[cid].first_frame, clips[cid].last_frame)]
    }  # fmt: skip
    if changing:
        with edit(project, label) as rec:
            conn = project.connection
            rec.touch("clips", list(changing))
            now = time.time()
            for clip_id, ranges in changing.items():
                first, *rest = ranges
                _update_clips(project, [clip_id], "first_frame = ?, last_frame = ?", list(first))
                for start, stop in rest:
                    cur = conn.execute(
                        "INSERT INTO clips (source_id, first_frame, last_frame, crop_x, crop_y,"
                        " crop_w, crop_h, status, note, created_at, updated_at)"
                        " SELECT source_id, ?, ?, crop_x, crop_y, crop_w, crop_h, 'unreviewed',"
                        " note, ?, ? FROM clips WHERE id = ?",
                        (start, stop, now, now, clip_id),
                    )
                    assert cur.lastrowid is not None
                    rec.inserted("clips", cur.lastrowid)
                    out[clip_id].append(cur.lastrowid)
    after = {c.id: c for c, _source in project.clips_by_id(i for ids in out.values() for i in ids)}
    return {cid: [after[i] for i in ids] for cid, ids in out.items()}


def set_crops(
    project: Project, crops: Mapping[int, tuple[int, int, int, int] | None], label: str
) -> int:
    """Set or clear the crops of many clips as one undoable edit; returns how many changed."""
    current = {c.id: c.crop for c, _source in project.clips_by_id(crops)}
    missing = set(crops) - set(current)
    if missing:
        raise EditError(f"no clip {min(missing)}")
    changed = [cid for cid, crop in crops.items() if current[cid] != crop]
    if changed:
        with edit(project, label) as rec:
            rec.touch("clips", changed)
            for cid in changed:
                crop = crops[cid]
                values: list[Any] = list(crop) if crop is not None else [None] * 4
                _update_clips(
                    project, [cid], "crop_x = ?, crop_y = ?, crop_w = ?, crop_h = ?", values
                )
    return len(changed)


def change_settings(project: Project, settings: ProjectSettings) -> list[str]:
    """Store new training settings as one undoable edit; returns the names that changed."""
    old = project.settings().to_dict()
    new = settings.to_dict()
    changed = [k for k in new if old.get(k) != new[k]]
    if not changed:
        return []
    conn = project.connection
    with edit(project, f"Settings: {', '.join(changed)}") as rec:
        keyed = dict(conn.execute("SELECT key, rowid FROM settings"))
        rec.touch("settings", [keyed[k] for k in changed if k in keyed])
        for key in changed:
            cur = conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(new[key])),
            )
            if key not in keyed and cur.lastrowid:
                rec.inserted("settings", cur.lastrowid)
    return changed


class CropMode(StrEnum):
    """Batch crops: the clip's crop centred (the largest one when it has none), the largest crop
    of the training ratio, padding to the ratio, or no crop."""

    CENTRE = "centre"
    FIT = "fit"
    PAD = "pad"
    CLEAR = "clear"


def crop_clips(project: Project, clip_ids: Iterable[int], mode: CropMode) -> int:
    """Apply a crop preset to many clips at the training ratio, as one undoable edit.

    Clips whose sources failed to import are left alone. Returns how many clips changed.
    """
    settings = project.settings()
    crops: dict[int, tuple[int, int, int, int] | None] = {}
    for clip, source in project.clips_by_id(clip_ids):
        if source.info is None:
            continue
        if mode is CropMode.CLEAR:
            crops[clip.id] = None
            continue
        geo = CropGeometry(
            source.info.width, source.info.height, settings.train_width, settings.train_height
        )
        current = clip.crop if not geo.is_pad(clip.crop) else None
        if mode is CropMode.PAD:
            rect = geo.pad_rect()
        elif mode is CropMode.CENTRE and current is not None:
            rect = geo.centred(CropRect(*current))
        else:
            rect = geo.fit()
        crops[clip.id] = rect.as_tuple()
    n = len(crops)
    noun = "clip" if n == 1 else f"{n} clips"
    label = {
        CropMode.CENTRE: "Crop: centre", CropMode.FIT: "Crop: fit", CropMode.PAD: "Crop: pad",
        CropMode.CLEAR: "Clear crop",
    }[mode]  # fmt: skip
    return set_crops(project, crops, f"{label} ({noun})")


def merge(project: Project, clip_ids: Sequence[int]) -> Clip:
    """Join clips of one source into the first of them, spanning from the first to the last frame.

    The others are deleted (their tags with them; undo brings everything back).
    """
    clips = sorted((_clip(project, i) for i in set(clip_ids)), key=lambda c: c.first_frame)
    if len(clips) < 2:
        raise EditError("select two or more clips to merge")
    if len({c.source_id for c in clips}) != 1:
        raise EditError("only clips of the same source can be merged")
    keep, others = clips[0], clips[1:]
    last = max(c.last_frame for c in clips)
    chosen = {c.id for c in clips}
    between = [
        c for c in project.clips(keep.source_id)
        if c.id not in chosen and c.first_frame <= last and c.last_frame >= keep.first_frame
    ]  # fmt: skip
    if between:
        raise EditError("the clips are not adjacent: another clip lies between them")
    with edit(project, f"Merge {len(clips)} clips") as rec:
        rec.touch_clips([c.id for c in clips])
        _update_clips(project, [keep.id], "last_frame = ?", [last])
        marks = ",".join("?" * len(others))
        project.connection.execute(
            f"DELETE FROM clips WHERE id IN ({marks})", [c.id for c in others]
        )
    return _clip(project, keep.id)


# -- rows -----------------------------------------------------------------------------------


def _update_clips(
    project: Project, ids: Sequence[int], assignments: str, values: list[Any]
) -> None:
    marks = ",".join("?" * len(ids))
    project.connection.execute(
        f"UPDATE clips SET {assignments}, updated_at = ? WHERE id IN ({marks})",
        [*values, time.time(), *ids],
    )


def _clip(project: Project, clip_id: int) -> Clip:
    found = project.clips_by_id([clip_id])
    if not found:
        raise EditError(f"no clip {clip_id}")
    return found[0][0]


def _check_range(project: Project, clip: Clip, first: int, last: int) -> None:
    info = project.source(clip.source_id).info
    frames = info.frame_count if info is not None else clip.last_frame + 1
    if not 0 <= first <= last < frames:
        raise EditError(f"frames {first}-{last} are not inside the source's 0-{frames - 1}")


def _dependent_rows(conn: Any, clip_ids: Sequence[int]) -> Iterator[tuple[str, int]]:
    if not clip_ids:
        return
    marks = ",".join("?" * len(clip_ids))
    for table in _CLIP_DEPENDENTS:
        if _has_table(conn, table):
            query = f"SELECT rowid FROM {table} WHERE clip_id IN ({marks})"
            for (rowid,) in conn.execute(query, list(clip_ids)):
                yield table, int(rowid)


def _has_table(conn: Any, table: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return row.fetchone() is not None


def _read_row(conn: Any, table: str, rowid: int) -> Row | None:
    cur = conn.execute(f"SELECT * FROM {table} WHERE rowid = ?", (rowid,))
    row = cur.fetchone()
    if row is None:
        return None
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def _replay(conn: Any, states: list[tuple[str, int, Row | None]]) -> None:
    """Bring rows to the given states.

    Rows of the clip's leaf tables (tags ...) are all deleted first and then written: a
    rewritten tag list may hold the same tags under swapped rowids, which row-by-row updates
    would trip over (UNIQUE (clip_id, tag)). Clip rows are updated in place, since deleting one
    would cascade to rows that are not part of this edit.
    """
    conn.execute("PRAGMA defer_foreign_keys = ON")  # rows come back in any order
    for table, rowid, state in states:
        if state is None or table in _CLIP_DEPENDENTS:
            _write_row(conn, table, rowid, None)
    for table, rowid, state in states:
        if state is not None:
            _write_row(conn, table, rowid, state)


def _content(row: Row | None) -> Row | None:
    """A row without its edit time: touching a row without changing it is no edit."""
    return None if row is None else {k: v for k, v in row.items() if k != "updated_at"}


def _write_row(conn: Any, table: str, rowid: int, state: Row | None) -> None:
    """Make the row be ``state`` (None: absent), whether it exists now or not.

    UPDATE rather than INSERT OR REPLACE: a replace deletes first, and the delete would
    cascade to the clip's tags.
    """
    if state is None:
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
        return
    cols = list(state)
    sets = ", ".join(f"{c} = ?" for c in cols)
    cur = conn.execute(f"UPDATE {table} SET {sets} WHERE rowid = ?", [*state.values(), rowid])
    if cur.rowcount == 0:
        marks = ", ".join("?" * len(cols))
        conn.execute(
            f"INSERT INTO {table} (rowid, {', '.join(cols)}) VALUES (?, {marks})",
            [rowid, *state.values()],
        )
