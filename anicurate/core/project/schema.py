"""The catalogue's SQL schema as forward migrations; ``PRAGMA user_version`` counts those applied.

Step ``i`` of :data:`MIGRATIONS` takes a file from version ``i`` to ``i + 1``, so a new project is
built by the same steps that upgrade an old one, and the two can never drift apart. A step is
only ever appended, never edited once released: files in the wild were made by it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

# Marks a SQLite file as an anicurate project ("ANIC"), so any other database is refused.
APPLICATION_ID = 0x414E4943

Migration = Sequence[str]

_V1_CATALOGUE: Migration = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    # hash: blake2b-256 hex of the content, "" while the file could not be read.
    # kind/info: MediaKind and MediaInfo JSON, NULL until the file probed; error_kind is a
    # MediaErrorKind value and error a message for a person, both NULL when the file is fine.
    """CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL,
        hash TEXT NOT NULL,
        kind TEXT,
        info TEXT,
        error_kind TEXT,
        error TEXT,
        added_at REAL NOT NULL,
        CHECK ((error_kind IS NULL) = (error IS NULL))
    )""",
    "CREATE INDEX sources_hash ON sources (hash)",
    # first_frame/last_frame: inclusive range of displayed frames; crop all NULL or all set.
    """CREATE TABLE clips (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        first_frame INTEGER NOT NULL CHECK (first_frame >= 0),
        last_frame INTEGER NOT NULL,
        crop_x INTEGER,
        crop_y INTEGER,
        crop_w INTEGER,
        crop_h INTEGER,
        status TEXT NOT NULL DEFAULT 'unreviewed'
            CHECK (status IN ('unreviewed', 'accepted', 'rejected')),
        note TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        CHECK (last_frame >= first_frame),
        CHECK (CASE WHEN crop_x IS NULL
                    THEN crop_y IS NULL AND crop_w IS NULL AND crop_h IS NULL
                    ELSE crop_y IS NOT NULL AND crop_w IS NOT NULL AND crop_h IS NOT NULL
                         AND crop_x >= 0 AND crop_y >= 0 AND crop_w > 0 AND crop_h > 0 END)
    )""",
    "CREATE INDEX clips_source ON clips (source_id, first_frame)",
    "CREATE INDEX clips_status ON clips (status)",
    # score: the tagger's confidence, NULL for tags a person added.
    """CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        score REAL,
        origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
        UNIQUE (clip_id, tag)
    )""",
    "CREATE INDEX tags_tag ON tags (tag)",
    # At most one caption per origin: an edited caption sits beside the generated one.
    """CREATE TABLE captions (
        id INTEGER PRIMARY KEY,
        clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
        UNIQUE (clip_id, origin)
    )""",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",  # value: JSON
)

_V2_THUMBNAILS_AND_ANALYSIS: Migration = (
    """CREATE TABLE thumbnails (
        source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
        jpeg BLOB NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL
    )""",
    # One cached result per source and analyser; a result whose version is older than the
    # analyser's is stale. data: e.g. per-frame float32 signals; json: metrics and events.
    """CREATE TABLE analysis (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        analyser TEXT NOT NULL,
        version INTEGER NOT NULL,
        data BLOB,
        json TEXT,
        created_at REAL NOT NULL,
        UNIQUE (source_id, analyser)
    )""",
)

_V3_TAGGING: Migration = (
    # position: the caption order of a clip's tags (ties broken by id); category: "general" or
    # "character" from the tagger's vocabulary, NULL for a person's tag it does not know.
    "ALTER TABLE tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE tags ADD COLUMN category TEXT",
    # Tags a person removed from a clip: re-tagging never brings them back.
    """CREATE TABLE removed_tags (
        clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (clip_id, tag)
    )""",
    # The last auto-tagging of a clip. fingerprint: hash of what decided its tags (source
    # content, frame range, crop, model, options), so unchanged clips are not tagged again;
    # NULL while the clip was never auto-tagged. frames: JSON list of frames scored; rating:
    # JSON {rating: score}. manual_order: a person ordered the tags, re-tagging keeps that order.
    """CREATE TABLE clip_tagging (
        clip_id INTEGER PRIMARY KEY REFERENCES clips (id) ON DELETE CASCADE,
        fingerprint TEXT,
        model TEXT,
        provider TEXT,
        frames TEXT,
        rating TEXT,
        tagged_at REAL,
        manual_order INTEGER NOT NULL DEFAULT 0
    )""",
)

_V4_EDIT_JOURNAL: Migration = (
    # One row per undoable edit. changes: JSON list of [table, rowid, before, after] row states
    # (null: the row did not exist); undone: 1 once undone, until a new edit drops it.
    """CREATE TABLE edits (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        created_at REAL NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0,
        changes TEXT NOT NULL
    )""",
)

_V5_SENTENCES: Migration = (
    # Sentence captions of a clip, beside its tags. frame: the source frame a sentence starts at
    # (Video-BLIP2-Preprocessor's per-frame_index prompts), NULL for the whole clip. origin:
    # "manual" (a person typed it; always wins), "imported" (a caption file) or "machine" (a
    # vision-language model). detail: where it came from (file or model), for a person.
    """CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
        frame INTEGER,
        text TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('manual', 'imported', 'machine')),
        detail TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    )""",
    "CREATE UNIQUE INDEX sentences_one ON sentences (clip_id, origin, ifnull(frame, -1))",
)

_V6_CLIP_THUMBNAILS: Migration = (
    # A clip's own picture (its middle frame), for clips that do not span their whole source
    # (after a split or a trim): shots of one file must look different in the grid. It is
    # current while the clip still has this range and its source this content (source_hash);
    # anything else makes a new one. Made lazily, so old projects need no backfill here.
    """CREATE TABLE clip_thumbnails (
        clip_id INTEGER PRIMARY KEY REFERENCES clips (id) ON DELETE CASCADE,
        first_frame INTEGER NOT NULL,
        last_frame INTEGER NOT NULL,
        source_hash TEXT NOT NULL,
        jpeg BLOB NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL
    )""",
)

_V7_SAMPLES: Migration = (
    # Samples a trainer generated (issue 14's samples workspace): one video per run, step and
    # prompt. run: a person's label for the training run ("base", "fine-tuned"); step: the
    # training step (NULL when the folder does not say); verdict: '' (none), 'good' or 'bad',
    # with a free note.
    """CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        run TEXT NOT NULL,
        step INTEGER,
        prompt TEXT NOT NULL,
        path TEXT NOT NULL,
        verdict TEXT NOT NULL DEFAULT '' CHECK (verdict IN ('', 'good', 'bad')),
        note TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL
    )""",
    "CREATE UNIQUE INDEX samples_path ON samples (run, path)",
)

_V8_CLIP_FIXES: Migration = (
    # A clip's fix (upscale, denoise, interpolation): FixSpec JSON, applied at export render and
    # previewed in the player; the source files are never changed. No row: no fix.
    """CREATE TABLE clip_fixes (
        clip_id INTEGER PRIMARY KEY REFERENCES clips (id) ON DELETE CASCADE,
        spec TEXT NOT NULL
    )""",
)

MIGRATIONS: tuple[Migration, ...] = (
    _V1_CATALOGUE,
    _V2_THUMBNAILS_AND_ANALYSIS,
    _V3_TAGGING,
    _V4_EDIT_JOURNAL,
    _V5_SENTENCES,
    _V6_CLIP_THUMBNAILS,
    _V7_SAMPLES,
    _V8_CLIP_FIXES,
)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file's header (0 for a new, empty database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the file up to ``len(migrations)`` in one transaction; returns the version it had.

    The version is re-read after taking the write lock, so two processes opening the same old
    file cannot both migrate it. Any failure rolls the whole upgrade back.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        start = user_version(conn)
        for step in migrations[start:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {max(start, len(migrations))}")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return start
