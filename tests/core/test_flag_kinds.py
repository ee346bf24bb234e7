"""FlagKind: the flag kinds as an enum whose values are the strings projects already store, and
stored flags read back as FlagKinds (kinds this version does not know are left out)."""

from __future__ import annotations

import json
from pathlib import Path

from anicurate.core.analysis import analyze_source
from anicurate.core.analysis.flags import Flag, FlagKind, Thresholds, clip_flags, flags_from_json
from anicurate.core.project import DEFAULT_PRESET, PRESETS
from tests.helpers.analysis_samples import DAY, NIGHT, Layout, Timeline

STORED = [
    "cut", "fade", "flash", "large_motion", "low_fps", "too_few_frames", "low_resolution",
    "aspect", "blurry", "noisy", "static", "duplicate", "overlap", "text_overlay",
]  # fmt: skip


def test_values_are_the_stored_strings_in_list_order() -> None:
    assert [k.value for k in FlagKind] == STORED
    assert FlagKind("low_fps") is FlagKind.LOW_FPS
    assert FlagKind.CUT == "cut" and "cut" in {FlagKind.CUT}  # StrEnum: old string compares work


def test_json_round_trip_and_unknown_kinds() -> None:
    flags = [Flag(FlagKind.CUT, "cut at frame 30"), Flag(FlagKind.OVERLAP, "frames 3-4")]
    text = json.dumps([f.to_json() for f in flags])
    assert text == (
        '[{"kind": "cut", "reason": "cut at frame 30"}, '
        '{"kind": "overlap", "reason": "frames 3-4"}]'
    )
    stored = [*json.loads(text), {"kind": "sparkles", "reason": "from a newer version"}]
    back = flags_from_json(stored)
    assert back == flags
    assert all(type(f.kind) is FlagKind for f in back)


def test_clip_flags_are_flag_kinds(tmp_path: Path) -> None:
    tl = Timeline(w=640, h=360).shot(20, DAY, Layout()).shot(20, NIGHT, Layout(figure_x=0.5))
    a = analyze_source(tl.write(tmp_path / "cut.mp4"))
    flags = clip_flags(
        a.metrics, width=640, height=360, settings=PRESETS[DEFAULT_PRESET], thresholds=Thresholds()
    )
    assert FlagKind.CUT in [f.kind for f in flags]
    assert all(type(f.kind) is FlagKind for f in flags)
