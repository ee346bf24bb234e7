"""The UI's one style table for flags: every FlagKind has a badge, a name and a colour, and the
table column, tooltip and inspector all read it."""

from __future__ import annotations

from fractions import Fraction

from anicurate.core.analysis import ClipMetrics, ClipResult
from anicurate.core.analysis.flags import Flag, FlagKind
from anicurate.core.listing import ClipRow
from anicurate.core.media.formats import MediaKind
from anicurate.core.media.info import MediaInfo
from anicurate.core.project import Clip, ClipStatus, Source
from anicurate.ui.browse.clip_model import FLAG_STYLES, ClipListModel, Column, tooltip_text
from anicurate.ui.browse.inspector import flags_html


def test_every_kind_has_a_style_in_list_order() -> None:
    assert list(FLAG_STYLES) == list(FlagKind)
    assert len({s.short for s in FLAG_STYLES.values()}) == len(FlagKind)
    assert all(s.color.startswith("#") and len(s.color) == 7 for s in FLAG_STYLES.values())
    assert FLAG_STYLES[FlagKind.LOW_FPS].short == "LOW FPS"
    assert FLAG_STYLES[FlagKind.OVERLAP].name == "shares frames with another clip"


def _flagged_row(flags: list[Flag]) -> ClipRow:
    info = MediaInfo(
        path="/m/a.mp4", kind=MediaKind.VIDEO, container="mp4", codec="h264", width=64,
        height=48, rotation=0, sample_aspect=Fraction(1), frame_count=10, fps=Fraction(24),
        duration=10 / 24, vfr=False, has_audio=False,
    )  # fmt: skip
    source = Source(1, "/m/a.mp4", 100, 0.0, "h1", info, None, None, 0.0)
    metrics = ClipMetrics(
        first=0, last=9, frames=10, duration=10 / 24, cuts=[4], transitions=[], flashes=[],
        drawings=10, effective_fps=24.0, held_ratio=0.0, hold_pattern="ones", motion_mean=0.1,
        motion_p95=0.2, blur=100.0, noise=1.0, hashes=[],
    )  # fmt: skip
    result = ClipResult(1, 1, metrics, flags)
    return ClipRow(source, Clip(1, 1, 0, 9, None, ClipStatus.UNREVIEWED, ""), result)


def test_column_tooltip_and_inspector_read_the_table() -> None:
    flags = [Flag(FlagKind.CUT, "cut at frame 4"), Flag(FlagKind.LOW_FPS, "effective fps 6")]
    row = _flagged_row(flags)
    model = ClipListModel()
    model.apply_rows([row])
    assert model.index(0, Column.FLAGS).data() == "cut, low fps"
    tip = tooltip_text(row).splitlines()
    assert tip[-2:] == [
        "\u26a0 contains a cut: cut at frame 4",
        "\u26a0 low effective fps: effective fps 6",
    ]
    html = flags_html(flags)
    assert "background:#c7463f" in html and "&nbsp;low effective fps&nbsp;" in html
    assert "background:#b7791f" in html and "<b>2 flags</b>" in html
