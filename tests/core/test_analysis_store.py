"""Analysis in a project: stored signals, stale-only re-runs, re-flagging without decoding."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from anicurate.core.analysis import (
    DETECTOR_VERSION,
    SIGNALS_VERSION,
    Thresholds,
    analyze_project,
    load_results,
    load_signals,
    reflag,
    set_thresholds,
    stale_sources,
    thresholds_of,
)
from anicurate.core.analysis import signals as signals_module
from anicurate.core.project import Project, import_paths
from tests.helpers.analysis_samples import DAY, NIGHT, Layout, Timeline


def _run(gen):  # type: ignore[no-untyped-def]
    steps = []
    try:
        while True:
            steps.append(next(gen))
    except StopIteration as stop:
        return steps, stop.value


@pytest.fixture
def project(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    Timeline().shot(24, DAY, Layout()).shot(24, NIGHT, Layout(figure_x=0.6)).write(
        media / "cut.mp4"
    )
    Timeline().shot(30, DAY, Layout(pan_speed=100, walk_speed=60), hold=1).write(media / "fast.mp4")
    Timeline().shot(36, NIGHT, Layout(), hold=3).write(media / "threes.mp4")
    (media / "broken.mp4").write_bytes(b"\x00" * 100)
    path = tmp_path / "p.anicurate"
    _run(import_paths(path, [media]))
    return path


def _by_name(results: dict, p: Project) -> dict[str, object]:  # type: ignore[type-arg]
    names = {c.id: s.path.rsplit("/", 1)[-1] for c, s in p.clips_with_sources()}
    return {names[cid]: r for cid, r in results.items()}


def test_analyze_project_stores_signals_and_flags(project: Path) -> None:
    steps, summary = _run(analyze_project(project))
    assert summary.analysed == 3 and summary.failed == []
    assert [s.done for s in steps] == [0, 1, 2, 3]
    with Project.open(project) as p:
        assert stale_sources(p) == []
        results = _by_name(load_results(p), p)
        assert set(results) == {"cut.mp4", "fast.mp4", "threes.mp4"}
        kinds = {name: [f.kind for f in r.flags] for name, r in results.items()}  # type: ignore[attr-defined]
        assert "cut" in kinds["cut.mp4"] and "large_motion" in kinds["fast.mp4"]
        assert results["threes.mp4"].metrics.effective_fps == 8.0  # type: ignore[attr-defined]
        source = next(s for s in p.sources() if s.path.endswith("cut.mp4"))
        loaded = load_signals(p, source.id)
        assert loaded is not None and loaded[1].cuts == [24] and loaded[0].frames == 48


def test_only_stale_sources_are_analysed_again(project: Path) -> None:
    _run(analyze_project(project))
    _, again = _run(analyze_project(project))
    assert again.analysed == 0
    with Project.open(project) as p, p.transaction() as conn:
        for s in p.sources():
            if s.path.endswith(("fast.mp4", "threes.mp4")):
                conn.execute("UPDATE analysis SET version = ? WHERE source_id = ?"
                             " AND analyser = 'signals'", (SIGNALS_VERSION - 1, s.id))  # fmt: skip
    steps, summary = _run(analyze_project(project, workers=2))  # a process pool
    assert summary.analysed == 2
    assert sorted(Path(s.item).name for s in steps[1:]) == ["fast.mp4", "threes.mp4"]
    assert len(summary.results) == 3


def test_thresholds_reflag_without_decoding(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(analyze_project(project))

    def no_decoding(*args: object, **kw: object) -> None:
        raise AssertionError("re-flagging must not decode")

    monkeypatch.setattr(signals_module, "inspect_source", no_decoding)
    monkeypatch.setattr(signals_module, "compute_signals", no_decoding)
    monkeypatch.setattr("anicurate.core.media.reader.open_media", no_decoding)
    with Project.open(project) as p:
        before = _by_name(load_results(p), p)
        fast = before["fast.mp4"].metrics.motion_p95  # type: ignore[attr-defined]
        assert "large_motion" in [f.kind for f in before["fast.mp4"].flags]  # type: ignore[attr-defined]
        new = replace(thresholds_of(p), motion_p95_max=fast + 1)
        set_thresholds(p, new)
        assert p.setting("thresholds")["motion_p95_max"] == fast + 1
        after = _by_name(load_results(p), p)
        assert "large_motion" not in [f.kind for f in after["fast.mp4"].flags]  # type: ignore[attr-defined]
        set_thresholds(p, Thresholds(motion_p95_max=0.0))
        low = _by_name(load_results(p), p)
        reason = next(f.reason for f in low["threes.mp4"].flags if f.kind == "large_motion")  # type: ignore[attr-defined]
        assert reason.startswith("motion p95 ") and reason.endswith(" above 0")


def test_a_new_detector_redetects_from_stored_signals_once_without_decoding(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(analyze_project(project))
    with Project.open(project) as p, p.transaction() as conn:
        # As an older detector left them: no cuts, and its own version (or none at all).
        for sid, text in conn.execute("SELECT source_id, json FROM analysis"
                                      " WHERE analyser = 'signals'").fetchall():  # fmt: skip
            meta = json.loads(text)
            meta["events"]["cuts"] = []
            meta["detector"] = DETECTOR_VERSION - 1
            conn.execute("UPDATE analysis SET json = ? WHERE source_id = ? AND analyser = "
                         "'signals'", (json.dumps(meta), sid))  # fmt: skip
        conn.execute("UPDATE analysis SET version = 1 WHERE analyser = 'flags'")
    monkeypatch.setattr(signals_module, "inspect_source", _no_decoding)
    with Project.open(project) as p:
        assert stale_sources(p) == [] and load_results(p) == {}  # old flags, current signals
        cut = next(s for s in p.sources() if s.path.endswith("cut.mp4"))
        sig_events = load_signals(p, cut.id)
        assert sig_events is not None and sig_events[1].cuts == [24]
    _, summary = _run(analyze_project(project))  # re-flags only
    assert summary.analysed == 0
    with Project.open(project) as p:
        by_name = _by_name(summary.results, p)
        assert by_name["cut.mp4"].metrics.cuts == [24]  # type: ignore[attr-defined]
        stored = p.read("SELECT json FROM analysis WHERE analyser = 'signals' AND source_id = ?",
                        (cut.id,))  # fmt: skip
        meta = json.loads(stored[0][0])
        assert meta["detector"] == DETECTOR_VERSION and meta["events"]["cuts"] == [24]


def _no_decoding(*args: object, **kw: object) -> None:
    raise AssertionError("a new detector must not decode")


def test_split_clips_are_flagged_from_their_own_range(project: Path) -> None:
    _run(analyze_project(project))
    with Project.open(project) as p:
        source = next(s for s in p.sources() if s.path.endswith("cut.mp4"))
        now = time.time()
        with p.transaction() as conn:
            conn.execute("UPDATE clips SET last_frame = 23 WHERE source_id = ?", (source.id,))
            conn.execute(
                "INSERT INTO clips (source_id, first_frame, last_frame, created_at, updated_at)"
                " VALUES (?, 20, 47, ?, ?)",
                (source.id, now, now),
            )
        results = reflag(p)
        clips = {(c.first_frame, c.last_frame): c.id for c in p.clips(source.id)}
        assert [f.kind for f in results[clips[(0, 23)]].flags if f.kind == "cut"] == []
        assert [f.reason for f in results[clips[(20, 47)]].flags if f.kind == "cut"] == [
            "cut at frame 24"
        ]
        # The two ranges share frames 20-23: each clip says so, naming the other.
        first, second = clips[(0, 23)], clips[(20, 47)]
        assert [f.reason for f in results[first].flags if f.kind == "overlap"] == [
            f"frames 20\u201323 also in clip {second} (cut.mp4 [20\u201347])"
        ]
        assert [f.reason for f in results[second].flags if f.kind == "overlap"] == [
            f"frames 20\u201323 also in clip {first} (cut.mp4 [0\u201323])"
        ]
        others = [r for cid, r in results.items() if cid not in (first, second)]
        assert others and not any(f.kind == "overlap" for r in others for f in r.flags)


def test_cut_threshold_redetects_cuts_from_stored_signals(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(analyze_project(project))

    def no_decoding(*args: object, **kw: object) -> None:
        raise AssertionError("a threshold change must not decode")

    monkeypatch.setattr(signals_module, "compute_signals", no_decoding)
    monkeypatch.setattr("anicurate.core.media.reader.open_media", no_decoding)
    with Project.open(project) as p:
        source = next(s for s in p.sources() if s.path.endswith("cut.mp4"))
        stored = load_signals(p, source.id)
        assert stored is not None and stored[1].cuts == [24]
        change = float(stored[0]["content"][24])

        set_thresholds(p, replace(thresholds_of(p), cut_min_content=change + 1))
        assert load_signals(p, source.id)[1].cuts == []  # type: ignore[index]
        cut_flags = [f for f in _by_name(load_results(p), p)["cut.mp4"].flags if f.kind == "cut"]  # type: ignore[attr-defined]
        assert cut_flags == []

        set_thresholds(p, replace(thresholds_of(p), cut_min_content=change - 0.5))
        assert load_signals(p, source.id)[1].cuts == [24]  # type: ignore[index]
        flags = _by_name(load_results(p), p)["cut.mp4"].flags  # type: ignore[attr-defined]
        reasons = [f.reason for f in flags if f.kind == "cut"]
        assert reasons == ["cut at frame 24"]
