"""The difference timeline under the player: per-frame curves, event markers, playhead, in/out.

A pyqtgraph plot whose x axis is the frame index. The difference curve (left axis) and the
motion curve (right axis, its own view box) are downsampled by peak and clipped to the view, so
a 20,000-frame source pans and zooms smoothly. Cuts, fades/dissolves, flashes and held frames are
drawn as a few batched items, not one item per event. The playhead, the in/out region and the
threshold line are draggable and report by signal; clicking the plot seeks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QWidget

from anicurate.core.analysis.detect import runs

BACKGROUND = "#17181b"
AXIS = "#a4a4ad"
DIFF_COLOR = "#5fa8ff"
MOTION_COLOR = "#c792ea"
CUT_COLOR = "#ff5d5d"
FADE_COLOR = (255, 170, 60, 70)
FLASH_COLOR = "#ffe14d"
HELD_COLOR = "#7a7a84"
IN_OUT_BRUSH = (90, 200, 120, 38)
PLAYHEAD_COLOR = "#ffffff"
THRESHOLD_COLOR = "#ff9f43"
SYNTH_COLOR = "#4dd0c8"  # frames a fix synthesises


@dataclass
class TimelineData:
    """What the timeline draws, per source frame: plain arrays and frame lists from the caller.

    ``difference[i]`` and ``motion[i]`` measure the change from frame i-1 to frame i; ``cuts``
    are first frames of new shots; ``transitions`` and ``flashes`` inclusive [start, end]
    intervals (a flash may be one int); ``held`` is True where a frame repeats the one before.
    """

    frames: int
    difference: np.ndarray | None = None
    motion: np.ndarray | None = None
    cuts: Sequence[int] = ()
    transitions: Sequence[tuple[int, int]] = ()
    flashes: Sequence[int | tuple[int, int]] = ()
    held: np.ndarray | None = None
    threshold: float | None = None
    #: The threshold is on the motion curve (in its units), not on the difference curve.
    threshold_on_motion: bool = False
    effective_fps: float | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def events(self) -> list[int]:
        """Frames worth jumping to: cuts, transition starts and flash starts."""
        out = set(self.cuts) | {a for a, _ in self.transitions}
        out |= {f if isinstance(f, int) else f[0] for f in self.flashes}
        return sorted(int(x) for x in out)


def legend_html() -> str:
    """One line naming each colour the timeline uses."""
    fade = "#{:02x}{:02x}{:02x}".format(*FADE_COLOR[:3])
    keys = [("\u2501", DIFF_COLOR, "difference"), ("\u2501", MOTION_COLOR, "motion"),
            ("\u2503", CUT_COLOR, "cut"), ("\u25a0", fade, "transition"),
            ("\u2507", FLASH_COLOR, "flash"), ("\u25ac", HELD_COLOR, "held"),
            ("\u2504", THRESHOLD_COLOR, "threshold"),
            ("\u25bc", SYNTH_COLOR, "synthesised")]  # fmt: skip
    parts = [f'<span style="color:{c}">{glyph}</span>&nbsp;{name}' for glyph, c, name in keys]
    return f'<span style="color:{AXIS}">' + "&nbsp;&nbsp;&nbsp;".join(parts) + "</span>"


class Timeline(pg.PlotWidget):  # type: ignore[misc]
    """Curves and markers of one source, with a playhead, in/out region and threshold line."""

    seek_requested = Signal(int)
    in_out_changed = Signal(int, int)
    threshold_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=BACKGROUND)
        self.setObjectName("timeline")
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMinimumHeight(120)
        self.data: TimelineData | None = None
        self.frames = 0
        self._top = 1.0
        self._syncing = False
        #: Keys pressed on the timeline go here first (the player's editor keys).
        self.key_handler: Callable[[QKeyEvent], bool] | None = None

        plot = self.getPlotItem()
        self.plot_item = plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.showGrid(x=True, y=False, alpha=0.15)
        small = QFont()
        small.setPointSizeF(max(small.pointSizeF() - 1, 7))
        for name, label in (("bottom", "frame"), ("left", "difference"), ("right", "motion")):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(AXIS))
            axis.setTextPen(pg.mkPen(AXIS))
            axis.setStyle(tickFont=small, tickTextOffset=3)
            axis.enableAutoSIPrefix(False)  # "motion (x0.001)" over 0-800 reads as nonsense
            plot.setLabel(name, label, color=AXIS)
        plot.showAxis("right")
        plot.getAxis("left").setWidth(52)
        plot.getAxis("right").setWidth(56)
        self.vb: pg.ViewBox = plot.getViewBox()
        plot.getAxis("right").linkToView(self.vb)
        self.vb.setDefaultPadding(0.0)

        # Motion shares the view, scaled so its peak meets the difference's; the right axis
        # undoes the scale (a second view box is fragile to tear down under PySide6).
        self.motion_scale = 1.0

        self.diff_curve = pg.PlotDataItem(pen=pg.mkPen(DIFF_COLOR, width=1.2), name="difference")
        self.motion_curve = pg.PlotDataItem(pen=pg.mkPen(MOTION_COLOR, width=1), name="motion")
        for curve in (self.diff_curve, self.motion_curve):
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)

        self.fades = pg.BarGraphItem(x0=[], x1=[], y0=[], y1=[], brush=FADE_COLOR, pen=None)
        self.held_bars = pg.BarGraphItem(x0=[], x1=[], y0=[], y1=[], brush=HELD_COLOR, pen=None)
        self.cut_lines = pg.PlotCurveItem(pen=pg.mkPen(CUT_COLOR, width=1.6), connect="pairs")
        self.flash_lines = pg.PlotCurveItem(
            pen=pg.mkPen(FLASH_COLOR, width=1.4, style=Qt.PenStyle.DashLine), connect="pairs"
        )
        self.above = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(THRESHOLD_COLOR))
        # Frames a clip's fix synthesises (between source frames), as ticks along the top.
        self.synthesised: list[float] = []
        self.synth_marks = pg.ScatterPlotItem(
            size=7, symbol="t", pen=None, brush=pg.mkBrush(SYNTH_COLOR)
        )
        self.region = pg.LinearRegionItem(
            values=(0, 1), brush=pg.mkBrush(*IN_OUT_BRUSH),
            pen=pg.mkPen((90, 200, 120, 200), width=2),
            hoverBrush=pg.mkBrush(90, 200, 120, 60),
        )  # fmt: skip
        self.region.setZValue(-5)
        self.playhead = pg.InfiniteLine(
            pos=0, angle=90, movable=True, pen=pg.mkPen(PLAYHEAD_COLOR, width=1.5),
            hoverPen=pg.mkPen("#ffd166", width=3),
        )  # fmt: skip
        self.playhead.setZValue(20)
        self.threshold = pg.InfiniteLine(
            pos=0, angle=0, movable=True,
            pen=pg.mkPen(THRESHOLD_COLOR, width=1, style=Qt.PenStyle.DashLine),
            hoverPen=pg.mkPen(THRESHOLD_COLOR, width=2.5),
            label="threshold {value:.1f}", labelOpts={"position": 0.04, "color": THRESHOLD_COLOR,
                                                      "anchors": [(0, 1), (0, 1)]},
        )  # fmt: skip
        self.threshold.setZValue(15)
        self.message = pg.TextItem("", color=AXIS, anchor=(0.5, 0.5))
        for item in (
            self.region, self.fades, self.held_bars, self.motion_curve, self.diff_curve,
            self.cut_lines,
            self.flash_lines, self.above, self.synth_marks, self.threshold, self.playhead,
        ):  # fmt: skip
            plot.addItem(item)
        self.vb.addItem(self.message, ignoreBounds=True)

        # The legend is a line above the plot, so it never hides a spike.
        plot.setTitle(legend_html(), size="8pt")
        # Over the axes too: in the view's column alone the legend's width set the view's least
        # width, and in a narrow player that pushed the right axis (motion's) out of the widget.
        plot.layout.removeItem(plot.titleLabel)
        plot.layout.addItem(plot.titleLabel, 0, 0, 1, 3)

        self.playhead.sigDragged.connect(self._on_playhead_dragged)
        self.region.sigRegionChangeFinished.connect(self._on_region_finished)
        self.threshold.sigDragged.connect(self._on_threshold_dragged)
        plot.scene().sigMouseClicked.connect(self.on_scene_click)
        self.clear_data()

    # -- content -----------------------------------------------------------------------------

    def clear_data(self, frames: int = 0, message: str = "") -> None:
        """No curves: only the frame axis (when ``frames``), playhead and region."""
        self.set_data(TimelineData(frames=frames), message=message)

    def set_data(self, data: TimelineData, *, message: str | None = None) -> None:
        """Draw ``data``; the view shows the whole source."""
        self.data = data
        n = self.frames = max(int(data.frames), 0)
        diff = self._curve(data.difference, n)
        motion = self._curve(data.motion, n)
        x = np.arange(n, dtype=np.float64)
        peak = float(np.max(diff)) if diff is not None and len(diff) else 1.0
        on_motion = data.threshold_on_motion
        # Room above the peak, and above the threshold for its label (drawn over the line) and
        # the synthesised-frame marks at the top: a threshold above every peak was clipped.
        line = 0.0 if on_motion else data.threshold or 0.0
        top = max(peak * 1.12, line * 1.3, 1e-6)
        mpeak = float(np.max(motion)) if motion is not None and len(motion) else 0.0
        if on_motion and data.threshold:  # keep a motion limit above every peak in view
            mpeak = max(mpeak, data.threshold * 1.1)
        # Motion drawn in the lower 80% so its peaks stay clear of the difference's spikes.
        self.motion_scale = 0.8 * top / mpeak if mpeak > 0 else 1.0
        self.plot_item.getAxis("right").setScale(1 / self.motion_scale)
        if diff is not None:
            self.diff_curve.setData(x, diff)
        else:
            self.diff_curve.setData([], [])
        if motion is not None:
            self.motion_curve.setData(x, motion * self.motion_scale)
        else:
            self.motion_curve.setData([], [])
        self._top = top
        held_band = (-0.09 * top, -0.03 * top)
        self.vb.setLimits(xMin=-0.5, xMax=max(n - 0.5, 1), minXRange=min(8, max(n, 1)),
                          yMin=held_band[0] * 1.2, yMax=top)  # fmt: skip
        self.vb.setYRange(held_band[0] * 1.2, top, padding=0)

        cuts = np.asarray(sorted(data.cuts), np.float64)
        self.cut_lines.setData(np.repeat(cuts, 2), np.tile([0.0, top], len(cuts)))
        flashes = [f if isinstance(f, tuple) else (f, f) for f in data.flashes]
        fx = np.asarray([a for a, _ in flashes], np.float64)
        self.flash_lines.setData(np.repeat(fx, 2), np.tile([0.0, top], len(fx)))
        trans = list(data.transitions)
        self.fades.setOpts(
            x0=[a - 0.5 for a, _ in trans], x1=[b + 0.5 for _, b in trans],
            y0=[0.0] * len(trans), y1=[top] * len(trans),
        )  # fmt: skip
        held = runs(data.held) if data.held is not None else []
        self.held_bars.setOpts(
            x0=[a - 0.5 for a, _ in held], x1=[b + 0.5 for _, b in held],
            y0=[held_band[0]] * len(held), y1=[held_band[1]] * len(held),
        )  # fmt: skip
        has_threshold = data.threshold is not None and (motion if on_motion else diff) is not None
        self.threshold.setVisible(has_threshold)
        if has_threshold and data.threshold is not None:
            self.threshold.setBounds((0, top))
            self.threshold.setValue(data.threshold * (self.motion_scale if on_motion else 1.0))
            self._update_threshold_label()
        self._update_above()
        self._draw_synthesised()
        self.region.setBounds((-0.5, max(n - 0.5, 0.5)))
        self.playhead.setBounds((0, max(n - 1, 0)))
        # Without a clip there is no frame to point at; without motion no axis to read it on.
        self.region.setVisible(n > 0)
        self.playhead.setVisible(n > 0)
        self.plot_item.getAxis("bottom").setStyle(showValues=n > 0)
        self.plot_item.getAxis("left").setStyle(showValues=diff is not None)
        if message is None:
            message = "" if diff is not None else "No analysis for this source yet"
        self.message.setText(message)
        self.message.setPos(max(n, 1) / 2, top / 2)
        self.vb.setXRange(-0.5, max(n - 0.5, 1), padding=0)

    def set_synthesised(self, positions: list[float]) -> None:
        """Mark where a fix synthesises frames (source frame positions, e.g. 3.5 between 3
        and 4); an empty list clears the marks."""
        self.synthesised = list(positions)
        self._draw_synthesised()

    def _draw_synthesised(self) -> None:
        xs = np.asarray(self.synthesised, np.float64)
        self.synth_marks.setData(xs, np.full(len(xs), 0.96 * self._top))

    def _curve(self, values: np.ndarray | None, n: int) -> np.ndarray | None:
        if values is None:
            return None
        arr = np.asarray(values, np.float64)[:n]
        return np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0)

    # -- playhead, region, threshold ---------------------------------------------------------

    @property
    def playhead_frame(self) -> int:
        return int(np.rint(self.playhead.value()))

    def set_playhead(self, index: int) -> None:
        """Move the cursor (no seek signal); keep it in view when it runs off an edge."""
        if self.playhead.moving:  # the user is dragging it: do not fight
            return
        self._syncing = True
        try:
            self.playhead.setValue(index)
        finally:
            self._syncing = False
        lo, hi = self.vb.viewRange()[0]
        if not lo <= index <= hi and self.frames:
            width = hi - lo
            start = min(max(index - width * 0.1, -0.5), max(self.frames - 0.5 - width, -0.5))
            self.vb.setXRange(start, start + width, padding=0)

    def set_in_out(self, first: int, last: int) -> None:
        """Show the in/out range (inclusive frames) without emitting ``in_out_changed``."""
        self._syncing = True
        try:
            self.region.setRegion((first - 0.5, last + 0.5))
        finally:
            self._syncing = False

    @property
    def in_out(self) -> tuple[int, int]:
        lo, hi = self.region.getRegion()
        return round(lo + 0.5), round(hi - 0.5)

    def set_threshold(self, value: float) -> None:
        """Move the threshold line to ``value`` (in its curve's units)."""
        on_motion = self.data is not None and self.data.threshold_on_motion
        self.threshold.setValue(value * (self.motion_scale if on_motion else 1.0))
        self._update_threshold_label()
        self._update_above()

    @property
    def threshold_value(self) -> float:
        """The threshold in its curve's units (motion undoes the drawing scale)."""
        value = float(self.threshold.value())
        on_motion = self.data is not None and self.data.threshold_on_motion
        return value / self.motion_scale if on_motion else value

    def _update_threshold_label(self) -> None:
        on_motion = self.data is not None and self.data.threshold_on_motion
        name = "motion limit" if on_motion else "cut threshold"
        self.threshold.label.setFormat(f"{name} {self.threshold_value:.2f}")

    def seek_to_x(self, x: float) -> None:
        """Seek to the frame at data coordinate ``x`` (what a click does)."""
        if not self.frames:
            return
        index = min(max(round(x), 0), self.frames - 1)
        self.set_playhead(index)
        self.seek_requested.emit(index)

    def on_scene_click(self, event: object) -> None:
        """A left click inside the plot area seeks to the frame under it."""
        button = getattr(event, "button", lambda: None)()
        if button != Qt.MouseButton.LeftButton or getattr(event, "double", lambda: False)():
            return
        pos: QPointF = event.scenePos()  # type: ignore[attr-defined]
        if not self.vb.sceneBoundingRect().contains(pos):
            return
        self.seek_to_x(self.vb.mapSceneToView(pos).x())

    def _on_playhead_dragged(self, _line: object) -> None:
        if self._syncing or not self.frames:
            return
        index = min(max(self.playhead_frame, 0), self.frames - 1)
        self.seek_requested.emit(index)

    def _on_region_finished(self, _region: object) -> None:
        if self._syncing or not self.frames:
            return
        first, last = self.in_out
        first = min(max(first, 0), self.frames - 1)
        last = min(max(last, first), self.frames - 1)
        self.set_in_out(first, last)  # snap to whole frames
        self.in_out_changed.emit(first, last)

    def _on_threshold_dragged(self, _line: object) -> None:
        self._update_threshold_label()
        self._update_above()
        self.threshold_changed.emit(self.threshold_value)

    def _update_above(self) -> None:
        data = self.data
        on_motion = data is not None and data.threshold_on_motion
        values = None
        if data is not None:
            values = self._curve(data.motion if on_motion else data.difference, self.frames)
        if values is None or not self.threshold.isVisible():
            self.above.setData([], [])
            return
        if on_motion:
            values = values * self.motion_scale
        idx = np.flatnonzero(values > float(self.threshold.value()))
        self.above.setData(idx.astype(np.float64), values[idx])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        handler = self.key_handler
        if handler is None or not handler(event):
            super().keyPressEvent(event)
