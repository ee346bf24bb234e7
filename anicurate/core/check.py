"""``anicurate check``: find damage in a project file, and repair what can be repaired.

The check runs SQLite's own integrity and foreign-key checks, compares the tables with the
schema and reads every row with the same validators the app uses (sources, clips, settings,
analysis, tags, captions, sentences, thumbnails, samples, the edit journal). The repair keeps a
backup first, recovers the readable rows into a new file when the file itself is damaged, then
fixes rows (unknown status back to unreviewed, a damaged setting back to its default, a damaged
source re-read from its file) or drops those that cannot be fixed, and says what it did.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anicurate.core.analysis.store import FLAGS, SIGNALS, read_flags_row, read_signals_row
from anicurate.core.captions.sentences import SENTENCE_COLUMNS, read_sentence_row
from anicurate.core.errors import DamagedProject
from anicurate.core.fix.store import fix_damage
from anicurate.core.project import schema
from anicurate.core.project.backup import SIDECARS, backup_file
from anicurate.core.project.catalogue import (
    ClipStatus,
    Project,
    checked_clip,
    checked_source,
)
from anicurate.core.project.importer import import_paths
from anicurate.core.project.rows import DAMAGED_KIND, Damage, DamagedRow, parse_json
from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS
from anicurate.core.project.thumbnails import CLIP_THUMBNAIL_SQL, read_clip_thumbnail_row
from anicurate.core.samples import SAMPLE_SQL, read_sample_row
from anicurate.core.tagging.store import read_tag_row, read_tagging_row

log = logging.getLogger(__name__)

_SOURCE_SQL = "SELECT id, path, size, mtime, hash, info, error_kind, error, added_at FROM sources"
_CLIP_SQL = (
    "SELECT id, source_id, first_frame, last_frame, crop_x, crop_y, crop_w, crop_h, status, note"
    " FROM clips"
)
# integrity_check lines about one row's values: the row checks name those rows better.
_ROW_LINES = ("CHECK constraint failed", "NULL value in", "non-")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem ``check`` found; ``damage`` is set for a row the repair can act on."""

    message: str
    damage: Damage | None = None


@dataclass(slots=True)
class Repair:
    """What a repair did: the backup it kept and one line per change or drop."""

    backup: Path
    changes: list[str] = field(default_factory=list)


def check_project(path: str | os.PathLike[str]) -> list[Finding]:
    """Every problem in the project at ``path`` (empty: clean). A file that cannot be opened
    at all raises its ProjectError; a damaged database is reported as a finding."""
    path = Path(path)
    try:
        project = Project.open(path)
    except DamagedProject as err:
        return [Finding(str(err))]
    with project:
        return _file_findings(project) + [Finding(d.describe(), d) for d in row_damage(project)]


def _file_findings(project: Project) -> list[Finding]:
    conn = project.connection
    found: list[Finding] = []
    try:
        lines = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(50)")]
    except sqlite3.DatabaseError as e:
        lines = [str(e)]
    lines = _file_damage(lines)
    if lines:
        found += [
            Finding(f"damaged database: sqlite integrity_check says: {line}") for line in lines
        ]
        return found  # row reads would only repeat what SQLite said
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        found.append(
            Finding(
                f"{table} row {rowid} refers to a missing {parent} row",
                Damage(str(table), rowid, f"refers to a missing {parent} row"),
            )
        )
    expected = _expected_tables()
    have = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    found += [Finding(f"table {t} is missing (schema {project.schema_version})")
              for t in sorted(expected - have)]  # fmt: skip
    return found


def _file_damage(lines: list[str]) -> list[str]:
    """integrity_check's lines about the file itself (damaged pages), not about row values."""
    return [x for x in lines if x != "ok" and not x.startswith(_ROW_LINES)]


def _expected_tables() -> set[str]:
    conn = sqlite3.connect(":memory:")
    try:
        schema.migrate(conn)
        return {
            str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    finally:
        conn.close()


def row_damage(project: Project) -> list[Damage]:
    """Every row and setting of the project that the app's readers would quarantine."""
    out: list[Damage] = []

    def scan(table: str, sql: str, validate: Callable[[tuple[Any, ...]], object]) -> None:
        for row in project.read(sql):
            try:
                validate(row)
            except DamagedRow as e:
                rowid = row[0] if type(row[0]) is int else None
                path = row[-1] if table == "clips" and isinstance(row[-1], str) else ""
                out.append(Damage(table, rowid, str(e), path=path))

    scan("sources", _SOURCE_SQL, checked_source)
    scan(
        "clips",
        _CLIP_SQL.replace(
            " FROM clips", ", (SELECT path FROM sources s WHERE s.id = source_id) FROM clips"
        ),
        lambda r: checked_clip(r[:10]),
    )
    out += project._settings_read()[1]
    out += _json_settings(project)

    def analysis(row: tuple[Any, ...]) -> None:
        _id, analyser, source_id, data, text = row
        if analyser == SIGNALS:
            read_signals_row(data, text)
        elif analyser == FLAGS:
            read_flags_row(source_id, text)

    scan("analysis", "SELECT id, analyser, source_id, data, json FROM analysis", analysis)
    scan("tags", "SELECT id, tag, score, origin, category, position FROM tags",
         lambda r: read_tag_row(r[1:]))  # fmt: skip
    scan("captions", "SELECT id, text, origin FROM captions", _caption)
    scan("clip_tagging",
         "SELECT clip_id, model, provider, frames, rating, tagged_at FROM clip_tagging"
         " WHERE fingerprint IS NOT NULL", lambda r: read_tagging_row(r[1:]))  # fmt: skip
    scan("thumbnails", "SELECT source_id, jpeg FROM thumbnails", _thumbnail)
    scan("clip_thumbnails", CLIP_THUMBNAIL_SQL, read_clip_thumbnail_row)
    scan("sentences", f"SELECT id, clip_id, {SENTENCE_COLUMNS} FROM sentences",
         lambda r: read_sentence_row(r[1], r[2:]))  # fmt: skip
    scan("samples", SAMPLE_SQL, read_sample_row)
    out += fix_damage(project)
    scan("edits", "SELECT id, changes FROM edits", _edit)
    return out


def _json_settings(project: Project) -> list[Damage]:
    """Settings beside the training ones whose JSON has the wrong shape."""
    shapes = {"thresholds": dict, "tagging.options": dict, "tagging.coverage": list}
    out = []
    for key, value in project.read("SELECT key, value FROM settings"):
        if key in shapes:
            try:
                data = parse_json(value, "value")
            except DamagedRow:
                continue  # reported by _settings_read with the training settings
            if not isinstance(data, shapes[key]):
                kind = "object" if shapes[key] is dict else "list"
                out.append(Damage("settings", None, f"value is not a JSON {kind}", key=key))
    return out


def _caption(row: tuple[Any, ...]) -> None:
    if not isinstance(row[1], str) or row[2] not in ("auto", "manual"):
        raise DamagedRow("caption text or origin is damaged")


def _thumbnail(row: tuple[Any, ...]) -> None:
    if not isinstance(row[1], bytes) or not row[1].startswith(b"\xff\xd8"):
        raise DamagedRow("thumbnail is not a JPEG")


def _edit(row: tuple[Any, ...]) -> None:
    changes = parse_json(row[1], "changes")
    if not isinstance(changes, list) or not all(
        isinstance(c, list) and len(c) == 4 for c in changes
    ):
        raise DamagedRow("changes is not a list of row changes")


# -- repair ---------------------------------------------------------------------------------


def repair_project(path: str | os.PathLike[str]) -> Repair:
    """Fix what :func:`check_project` finds, after keeping a backup of the file as it was.

    Returns the backup and what changed; ProjectError when the file cannot be opened at all.
    """
    path = Path(path)
    report = Repair(backup_file(path))
    if _needs_recovery(path):
        report.changes += _recover(path)
    reread: list[str] = []
    with Project.open(path) as project, project.transaction() as conn:
        for damage in row_damage(project):
            report.changes.append(_repair_row(conn, damage, reread))
        for table, rowid, parent, _fk in list(conn.execute("PRAGMA foreign_key_check")):
            conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
            report.changes.append(f"dropped {table} row {rowid}: its {parent} row is missing")
    if reread:
        job = import_paths(path, [Path(p) for p in reread])
        for _ in job:
            pass
        report.changes.append(f"read {len(reread)} damaged source(s) again from their files")
    with Project.open(path) as project:
        project.checkpoint()
    return report


def _needs_recovery(path: Path) -> bool:
    try:
        with Project.open(path) as project:
            lines = [str(r[0]) for r in project.connection.execute("PRAGMA integrity_check")]
    except DamagedProject:
        return True
    except sqlite3.DatabaseError:
        return True
    return bool(_file_damage(lines))


def _recover(path: Path) -> list[str]:
    """Replace a damaged file with a new one holding every row SQLite can still read."""
    tmp = path.with_name(f".{path.name}.recovered-{os.getpid()}")
    for p in (tmp, *(Path(f"{tmp}{s}") for s in SIDECARS)):
        p.unlink(missing_ok=True)
    changes: list[str] = []
    src = sqlite3.connect(path, isolation_level=None)
    try:
        try:
            src.execute("VACUUM INTO ?", (str(tmp),))
            changes.append("rebuilt the damaged database file (VACUUM INTO)")
        except sqlite3.DatabaseError as e:
            tmp.unlink(missing_ok=True)
            changes.append(f"the damaged file could not be rebuilt whole ({e}); salvaging rows")
            changes += _salvage(src, tmp)
    finally:
        src.close()
    for p in (Path(f"{path}{s}") for s in SIDECARS):
        p.unlink(missing_ok=True)  # kept in the backup; they belong to the damaged file
    os.replace(tmp, path)
    return changes


def _salvage(src: sqlite3.Connection, dest: Path) -> list[str]:
    """Copy each table's readable rows, in id order, into a fresh project file at ``dest``."""
    out = sqlite3.connect(dest, isolation_level=None)
    changes: list[str] = []
    try:
        schema.migrate(out)
        out.execute("PRAGMA foreign_keys = OFF")
        tables = [r[0] for r in out.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out.execute("BEGIN")
        for table in tables:
            copied, lost = 0, ""
            for row in _rows_of(src, table):
                if isinstance(row, Exception):
                    lost = f"; rows after it could not be read ({row})"
                    break
                marks = ", ".join("?" for _ in row)
                try:
                    out.execute(f"INSERT INTO {table} VALUES ({marks})", row)
                    copied += 1
                except sqlite3.Error:
                    lost = "; some rows did not fit the schema"
            changes.append(f"salvaged {copied} {table} row(s){lost}")
        out.execute("COMMIT")
    finally:
        out.close()
    return changes


def _rows_of(src: sqlite3.Connection, table: str) -> Iterator[tuple[Any, ...] | Exception]:
    last = None
    while True:
        try:
            if last is None:
                rows = src.execute(f"SELECT * FROM {table} ORDER BY rowid LIMIT 200").fetchall()
            else:
                rows = src.execute(
                    f"SELECT * FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 200", (last,)
                ).fetchall()
            ids = src.execute(
                f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 200",
                (-(2**63) if last is None else last,),
            ).fetchall()
        except sqlite3.DatabaseError as e:
            yield e
            return
        if not rows:
            return
        yield from rows
        last = ids[len(rows) - 1][0]


def _repair_row(conn: sqlite3.Connection, damage: Damage, reread: list[str]) -> str:
    """Fix or drop one damaged row; returns what was done, in words."""
    what = damage.describe()
    if damage.table == "settings":
        default = PRESETS[DEFAULT_PRESET].to_dict()
        if damage.key in default:
            conn.execute("UPDATE settings SET value = ? WHERE key = ?",
                         (json.dumps(default[damage.key]), damage.key))  # fmt: skip
            return f"{what} -> restored the default {default[damage.key]!r}"
        conn.execute("DELETE FROM settings WHERE key = ?", (damage.key,))
        return f"{what} -> removed (the default applies)"
    if damage.rowid is None:
        return f"{what} -> left as it is (the row has no id)"
    if damage.table == "sources":
        return _repair_source(conn, damage, reread)
    if damage.table == "clips":
        return _repair_clip(conn, damage)
    if damage.table == "edits":
        n = conn.execute("SELECT count(*) FROM edits").fetchone()[0]
        conn.execute("DELETE FROM edits")
        return f"{what} -> cleared the undo history ({n} edits)"
    by_clip = ("clip_tagging", "clip_thumbnails", "clip_fixes")
    key = "id"
    if damage.table == "thumbnails":
        key = "source_id"
    elif damage.table in by_clip:
        key = "clip_id"
    conn.execute(f"DELETE FROM {damage.table} WHERE {key} = ?", (damage.rowid,))
    redo = {
        "analysis": " (analyze again to rebuild it)",
        "clip_tagging": " (tag again)",
        "clip_thumbnails": " (a cache: made again when the clip is shown)",
        "sentences": " (the sentence is lost: import or type it again)",
        "samples": " (the sample and its verdict are lost: import the folder again)",
    }
    return f"{what} -> dropped{redo.get(damage.table, '')}"


def _repair_source(conn: sqlite3.Connection, damage: Damage, reread: list[str]) -> str:
    what = damage.describe()
    row = conn.execute("SELECT path FROM sources WHERE id = ?", (damage.rowid,)).fetchone()
    path = row[0] if row else None
    if not isinstance(path, str) or not path:
        n = conn.execute("SELECT count(*) FROM clips WHERE source_id = ?",
                         (damage.rowid,)).fetchone()[0]  # fmt: skip
        conn.execute("DELETE FROM sources WHERE id = ?", (damage.rowid,))
        return f"{what} -> dropped the source and its {n} clip(s): it has no file path"
    # Reset to "must be read again"; the import after the repair restores it from the file.
    conn.execute(
        "UPDATE sources SET size = 0, mtime = 0, hash = '', kind = NULL, info = NULL,"
        " error_kind = ?, error = ?, added_at = ? WHERE id = ?",
        (DAMAGED_KIND, f"damaged row: {damage.reason}", time.time(), damage.rowid),
    )
    reread.append(path)
    return f"{what} -> reset; read again from {path}"


def _repair_clip(conn: sqlite3.Connection, damage: Damage) -> str:
    what = damage.describe()
    row = conn.execute(_CLIP_SQL + " WHERE id = ?", (damage.rowid,)).fetchone()
    fixes: list[str] = []
    status, crop, note = row[8], row[4:8], row[9]
    if status not in {s.value for s in ClipStatus}:
        status = ClipStatus.UNREVIEWED.value
        fixes.append("status reset to unreviewed")
    if not isinstance(note, str):
        note = ""
        fixes.append("note cleared")
    fixed_crop = crop
    try:
        checked_clip((*row[:4], *crop, status, note))
    except DamagedRow:
        fixed_crop = (None, None, None, None)
        if any(v is not None for v in crop):
            fixes.append("crop removed")
    try:
        checked_clip((*row[:4], *fixed_crop, status, note))
    except DamagedRow as e:
        conn.execute("DELETE FROM clips WHERE id = ?", (damage.rowid,))
        return f"{what} -> dropped the clip ({e})"
    conn.execute(
        "UPDATE clips SET status = ?, note = ?, crop_x = ?, crop_y = ?, crop_w = ?, crop_h = ?"
        " WHERE id = ?",
        (status, note, *fixed_crop, damage.rowid),
    )
    return f"{what} -> {', '.join(fixes) or 'rewritten'}"
