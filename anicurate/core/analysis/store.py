"""Analysis results in the catalogue's ``analysis`` table, and flags recomputed from them.

Row ``(source, "signals")`` holds the per-frame signals as one float32 blob (names x frames)
followed by the per-frame 64-bit hashes, and the detected events as JSON. Row ``(source,
"flags")`` holds each of the source's clips' metrics and flags, recomputed from the signals
whenever thresholds, settings or clips change, without decoding anything.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from anicurate.core.analysis.detect import CUT_MIN_CONTENT, Events, detect, held_frames
from anicurate.core.analysis.flags import (
    Flag,
    Thresholds,
    clip_flags,
    duplicate_flag,
    flags_from_json,
    near_duplicates,
    overlap_flag,
    overlaps,
)
from anicurate.core.analysis.metrics import ClipMetrics, clip_metrics
from anicurate.core.analysis.signals import SIGNAL_NAMES, Signals
from anicurate.core.project.catalogue import Clip, Project, Source
from anicurate.core.project.rows import DamagedRow, need_int, parse_json

log = logging.getLogger(__name__)

#: Bump when the signals change: sources with signals of another version are decoded again.
SIGNALS_VERSION = 16  # 7: 2x box; 8: continuous changes; 9: alike; 10: no flow on re-coded holds;
# 11: alike inside black bars, candidates' still share in night scenes, block_median, span16;
# 12: kept; 13: exact; 14: edge_x, edge_y (wipes); 15: HD luma through 2x boxes;
# 16: packed RGB (GIF) frames to 4:2:0 by OpenCV
#: Bump when the detector (events from signals) changes: stored events of another version are
#: detected again from the stored signals, and flags recomputed; nothing is decoded.
DETECTOR_VERSION = 8  # 2: colour-led cuts between action shots, short inserts are no flashes;
# 3: credits crawling over drawings on twos set no level for their changes; 4: dissolves under text;
# 5: a background kept through flicker and weave is no cut; 6: a background kept exactly is no
# cut, a ramp into a card keeps its picture, a blend seen at one frame over a long span is none;
# 7: wipes; 8: dissolves that flow half matches (HD, gate weave)
#: Flags rows depend on both.
RESULTS_VERSION = 1000 * SIGNALS_VERSION + DETECTOR_VERSION
SIGNALS = "signals"
FLAGS = "flags"
THRESHOLDS_KEY = "thresholds"


@dataclass(frozen=True, slots=True)
class ClipResult:
    """A clip's metrics and flags."""

    clip_id: int
    source_id: int
    metrics: ClipMetrics
    flags: list[Flag]

    def to_json(self) -> dict[str, Any]:
        return {"metrics": self.metrics.to_json(), "flags": [f.to_json() for f in self.flags]}


def encode_signals(sig: Signals) -> bytes:
    return np.ascontiguousarray(sig.values, "<f4").tobytes() + sig.hashes.astype("<u8").tobytes()


def decode_signals(data: bytes, names: list[str], frames: int) -> Signals:
    """Signals from a blob; rows this version does not know are dropped, missing ones are NaN.

    DamagedRow when the blob's length does not match ``names`` x ``frames``.
    """
    if frames < 1 or len(data) != (4 * len(names) + 8) * frames:
        raise DamagedRow(
            f"signals blob of {len(data)} bytes does not hold {len(names)} signals x {frames}"
            " frames"
        )
    stored = np.frombuffer(data, "<f4", count=len(names) * frames).reshape(len(names), frames)
    hashes = np.frombuffer(data, "<u8", offset=4 * len(names) * frames, count=frames).copy()
    values = np.full((len(SIGNAL_NAMES), frames), np.nan, np.float32)
    for row, name in enumerate(names):
        if name in SIGNAL_NAMES:
            values[SIGNAL_NAMES.index(name)] = stored[row]
    return Signals(values, hashes)


def save_signals(project: Project, source_id: int, sig: Signals, events: Events) -> None:
    """Store a source's signals and events for this analyser version (replacing older ones)."""
    save_many(project, [(source_id, sig, events)])


def save_many(project: Project, rows: Sequence[tuple[int, Signals, Events]]) -> None:
    """Store several sources' signals and events in one transaction (one commit, not one each)."""
    now = time.time()
    with project.transaction() as conn:
        conn.executemany(
            "INSERT INTO analysis (source_id, analyser, version, data, json, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, analyser) DO UPDATE SET"
            " version = excluded.version, data = excluded.data, json = excluded.json,"
            " created_at = excluded.created_at",
            [(source_id, SIGNALS, SIGNALS_VERSION, encode_signals(sig),
              _meta(sig, events), now)
             for source_id, sig, events in rows],
        )  # fmt: skip


def _meta(sig: Signals, events: Events) -> str:
    """A signals row's JSON: what the blob holds, and the events this detector found in it."""
    return json.dumps({"names": list(SIGNAL_NAMES), "frames": sig.frames,
                       "detector": DETECTOR_VERSION, "events": events.to_json()})  # fmt: skip


def load_signals(project: Project, source_id: int) -> tuple[Signals, Events] | None:
    """A source's current signals and events, or None when missing or stale.

    Events are stored as detected with the default cut threshold; under a project threshold of
    its own, or when stored by another detector version, they are detected again from the
    stored signals (cheap: nothing is decoded).
    """
    got = _load(project, source_id)
    return None if got is None else (got[0], got[1])


def _load(project: Project, source_id: int) -> tuple[Signals, Events, bool] | None:
    """:func:`load_signals`, and whether the stored events were another detector's."""
    rows = project.read(
        "SELECT id, data, json FROM analysis WHERE source_id = ? AND analyser = ? AND version = ?",
        (source_id, SIGNALS, SIGNALS_VERSION),
    )
    if not rows or rows[0][1] is None:
        return None
    try:
        sig, ev = read_signals_row(rows[0][1], rows[0][2])
    except DamagedRow as e:  # treated as missing: the next analysis replaces it
        log.warning("%s: analysis row %s: damaged row: %s", project.path, rows[0][0], e)
        return None
    cut_min = thresholds_of(project).cut_min_content
    if ev is None or cut_min != CUT_MIN_CONTENT:
        return sig, detect(sig, cut_min), ev is None
    events = Events(cuts=ev[0], transitions=ev[1], flashes=ev[2], held=held_frames(sig),
                    overlays=ev[3])  # fmt: skip
    return sig, events, False


def _store_events(project: Project, rows: Sequence[tuple[int, Signals, Events]]) -> None:
    """Replace stored events (detected again by this detector) and leave the signals alone."""
    with project.transaction() as conn:
        conn.executemany(
            "UPDATE analysis SET json = ? WHERE source_id = ? AND analyser = ? AND version = ?",
            [(_meta(sig, events), source_id, SIGNALS, SIGNALS_VERSION)
             for source_id, sig, events in rows],
        )  # fmt: skip


_Spans = list[tuple[int, int]]
_StoredEvents = tuple[list[int], _Spans, _Spans, _Spans]


def read_signals_row(data: Any, text: Any) -> tuple[Signals, _StoredEvents | None]:
    """A stored signals row's signals and events (None: detect again); DamagedRow if unusable."""
    if not isinstance(data, bytes):
        raise DamagedRow("signals data is not a blob")
    meta = parse_json(text, "json")
    try:
        names = [str(n) for n in meta["names"]]
        frames = need_int(meta["frames"], "frames", 1)
        ev = meta.get("events") if meta.get("detector", 1) == DETECTOR_VERSION else None
        events = None
        if ev is not None:
            events = (
                [int(c) for c in ev["cuts"]],
                [(int(a), int(b)) for a, b in ev["transitions"]],
                [(int(a), int(b)) for a, b in ev["flashes"]],
                [(int(a), int(b)) for a, b in ev.get("overlays", [])],
            )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
        raise DamagedRow(f"signals metadata is not valid ({type(e).__name__}: {e})") from e
    return decode_signals(data, names, frames), events


def stale_sources(project: Project) -> list[Source]:
    """Readable sources without signals of the current analyser version."""
    current = {
        source_id
        for source_id, size, text in project.read(
            "SELECT source_id, length(data), json FROM analysis WHERE analyser = ?"
            " AND version = ? AND typeof(data) = 'blob'",
            (SIGNALS, SIGNALS_VERSION),
        )
        if _whole(size, text)  # a damaged row counts as missing: analysed again
    }
    return [s for s in project.sources() if s.info is not None and s.id not in current]


def flags_outdated(project: Project) -> bool:
    """Whether the stored flags are another version's while signals are current: an update of
    the detector or the flags, which a re-flag brings up to date without decoding."""
    old = project.read(
        "SELECT 1 FROM analysis WHERE analyser = ? AND version != ? LIMIT 1",
        (FLAGS, RESULTS_VERSION),
    )
    current = project.read(
        "SELECT 1 FROM analysis WHERE analyser = ? AND version = ? LIMIT 1",
        (SIGNALS, SIGNALS_VERSION),
    )
    return bool(old) and bool(current)


def _whole(size: int, text: Any) -> bool:
    """Whether a signals row's blob is as long as its metadata says (cheap: no blob read)."""
    try:
        meta = parse_json(text, "json")
        return bool(size == (4 * len(meta["names"]) + 8) * need_int(meta["frames"], "frames", 1))
    except (DamagedRow, KeyError, TypeError):
        return False


def thresholds_of(project: Project) -> Thresholds:
    """The project's flag thresholds: defaults for missing or damaged values (never raises)."""
    stored = project.setting(THRESHOLDS_KEY)
    if stored is not None and not isinstance(stored, dict):
        log.warning("%s: setting %r is not a JSON object; using defaults", project.path,
                    THRESHOLDS_KEY)  # fmt: skip
        stored = None
    return Thresholds.from_dict(stored)


def set_thresholds(project: Project, thresholds: Thresholds) -> dict[int, ClipResult]:
    """Store new thresholds and re-flag every clip from the stored signals (nothing decodes)."""
    project.set_setting(THRESHOLDS_KEY, thresholds.to_dict())
    return reflag(project)


def _clip_size(clip: Clip, source: Source) -> tuple[int, int]:
    if clip.crop is not None:
        return clip.crop[2], clip.crop[3]
    assert source.info is not None
    return source.info.width, source.info.height


def reflag(project: Project) -> dict[int, ClipResult]:
    """Recompute metrics and flags of all clips from stored signals and store them per source.

    Clips of sources without current signals get none. Near-duplicates are found across the
    whole project, so every source's flags row is rewritten. Returns results by clip id.
    """
    settings = project.settings()
    thresholds = thresholds_of(project)
    pairs = project.clips_with_sources()
    own_threshold = thresholds.cut_min_content != CUT_MIN_CONTENT
    loaded: dict[int, tuple[Signals, Events] | None] = {}
    redetected: list[tuple[int, Signals, Events]] = []  # stored by an older detector
    metrics: dict[int, tuple[Clip, Source, ClipMetrics]] = {}
    for clip, source in pairs:
        if source.id not in loaded:
            full = _load(project, source.id) if source.info else None
            loaded[source.id] = None if full is None else (full[0], full[1])
            if full is not None and full[2]:  # stored as detected with the default threshold
                sig, events, _ = full
                redetected.append((source.id, sig, detect(sig) if own_threshold else events))
        got = loaded[source.id]
        if got is None:
            continue
        sig, events = got
        metrics[clip.id] = (clip, source, clip_metrics(sig, events, clip.first_frame,
                                                       clip.last_frame))  # fmt: skip
    signatures = {cid: m.hashes for cid, (_, _, m) in metrics.items() if m.frames > 1}
    dupes = near_duplicates(signatures, thresholds.duplicate_bits)
    shared = overlaps({c.id: (s.id, c.first_frame, c.last_frame) for c, s in pairs})
    labels = {clip.id: clip.label(source) for clip, source in pairs}
    results: dict[int, ClipResult] = {}
    for cid, (clip, source, m) in metrics.items():
        w, h = _clip_size(clip, source)
        flags = clip_flags(m, width=w, height=h, settings=settings, thresholds=thresholds)
        if cid in dupes:
            flags.append(duplicate_flag(dupes[cid], labels))
        if cid in shared:
            flags.append(overlap_flag(shared[cid], labels))
        results[cid] = ClipResult(cid, source.id, m, flags)
    by_source: dict[int, dict[str, Any]] = {sid: {} for sid, got in loaded.items() if got}
    for r in results.values():
        by_source[r.source_id][str(r.clip_id)] = r.to_json()
    if redetected:  # stored once, so that the next re-flag reads them
        _store_events(project, redetected)
    now = time.time()
    with project.transaction() as conn:
        conn.execute("DELETE FROM analysis WHERE analyser = ?", (FLAGS,))
        conn.executemany(
            "INSERT INTO analysis (source_id, analyser, version, data, json, created_at)"
            " VALUES (?, ?, ?, NULL, ?, ?)",
            [(sid, FLAGS, RESULTS_VERSION, json.dumps(clips), now)
             for sid, clips in by_source.items()],
        )  # fmt: skip
    return results


def load_results(project: Project) -> dict[int, ClipResult]:
    """The stored metrics and flags of every clip that has them, by clip id (no recomputing)."""
    out: dict[int, ClipResult] = {}
    rows = project.read(
        "SELECT id, source_id, json FROM analysis WHERE analyser = ? AND version = ?",
        (FLAGS, RESULTS_VERSION),
    )
    for row_id, source_id, text in rows:
        try:
            out.update(read_flags_row(source_id, text))
        except DamagedRow as e:  # left out: the next re-flag rewrites it
            log.warning("%s: analysis row %s: damaged row: %s", project.path, row_id, e)
    return out


def _metrics(stored: Any) -> ClipMetrics:
    """ClipMetrics from stored JSON, each field's JSON type checked (TypeError otherwise)."""
    for name, wanted in _METRIC_TYPES:
        value = stored[name]
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise TypeError(f"metric {name} is {value!r:.40}")
    return ClipMetrics.from_json(dict(stored))


#: Each ClipMetrics field with the JSON types its stored value may have (built once: a browser
#: reads every clip's metrics).
_JSON_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "str": (str,)}
_METRIC_TYPES = [(f.name, _JSON_TYPES.get(str(f.type), (list,))) for f in fields(ClipMetrics)]


def read_flags_row(source_id: Any, text: Any) -> dict[int, ClipResult]:
    """A stored flags row's results by clip id; DamagedRow if any part cannot be used."""
    data = parse_json(text, "json")
    out: dict[int, ClipResult] = {}
    try:
        for cid, item in data.items():
            out[int(cid)] = ClipResult(
                int(cid),
                need_int(source_id, "source_id"),
                _metrics(item["metrics"]),
                flags_from_json(item["flags"]),
            )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
        raise DamagedRow(f"flags are not valid ({type(e).__name__}: {e})") from e
    return out
