"""The frame-exact player: shows the frame it names, plays at the source's own timing, editor keys.

The widget asks its :class:`FrameServer` for frames and shows what comes back; the label always
names the frame on screen (not the one asked for). Playback runs on a QElapsedTimer clock: each
tick finds the frame the clock says is on screen now (each frame's own duration, so variable
delays play right) and asks for it, so a slow decode drops frames instead of drifting.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.crop import CropGeometry, CropRect
from anicurate.ui.common.formatting import fps_text
from anicurate.ui.player.clock import PlaybackClock, PlayStats, Tick, shuttle_speed, time_text
from anicurate.ui.player.crop_overlay import CropOverlay
from anicurate.ui.player.frame_server import FrameServer, OpenedSource
from anicurate.ui.player.transport import BUTTONS, Transport

ZOOM_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


class FrameView(QWidget):
    """Paints one QImage scaled to fit (aspect kept), with a zoom factor and a pan offset."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frameView")
        self.image: QImage | None = None
        self.frame_size = QSize()  # the source's size, known before the first frame arrives
        self.zoom = 1.0  # 1 = fit the widget
        self.pan = QPointF(0, 0)
        self.message = "No clip selected"
        self.smooth = True
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(False)
        self._pan_from: tuple[QPointF, QPointF] | None = None
        self.overlay = CropOverlay(self.image_rect, self)

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        if image is not None and image.size() != self.frame_size:
            self.frame_size = image.size()
        self.update()

    def image_rect(self) -> QRectF:
        """Where the picture is drawn, in widget pixels."""
        size = self.frame_size
        if size.isEmpty():
            return QRectF()
        fitted = size.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        w, h = fitted.width() * self.zoom, fitted.height() * self.zoom
        cx = self.width() / 2 + self.pan.x()
        cy = self.height() / 2 + self.pan.y()
        return QRectF(cx - w / 2, cy - h / 2, w, h)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom (1 = fit) keeping the image point under ``anchor`` still."""
        zoom = min(max(zoom, 1.0), ZOOM_STEPS[-1])
        if anchor is not None and self.zoom > 0:
            centre = QPointF(self.width() / 2, self.height() / 2) + self.pan
            self.pan += (anchor - centre) * (1 - zoom / self.zoom)
        self.zoom = zoom
        if zoom == 1.0:
            self.pan = QPointF(0, 0)
        self.update()
        self.overlay.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#0c0c0e"))
        if self.image is None or self.image.isNull():
            painter.setPen(QColor("#77777d"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.smooth)
        painter.drawImage(self.image_rect(), self.image)
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.overlay.setGeometry(self.rect())
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom * (1.25**steps), event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.zoom > 1.0 and event.button() in (
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.MiddleButton,
        ):
            self._pan_from = (event.position(), QPointF(self.pan))
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            start, pan = self._pan_from
            self.pan = pan + (event.position() - start)
            self.update()
            self.overlay.update()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pan_from = None
        super().mouseReleaseEvent(event)


def ask_frame_dialog(parent: QWidget, current: int, last: int) -> int | None:
    """A small modal dialog asking for a frame number in 0..``last``; None when cancelled."""
    value, ok = QInputDialog.getInt(
        parent, "Go to frame", f"Frame (0\u2013{last}):", current, 0, last
    )
    return value if ok else None


class PlayerWidget(QWidget):
    """Frame-exact viewer with transport, in/out, shuttle, event jumps and crop mode.

    Frame numbers are the source's display indices (0-based); in and out are inclusive.
    """

    frame_shown = Signal(int)  # the index now on screen
    position_changed = Signal(int)  # the index asked for (the playhead)
    in_out_changed = Signal(int, int)
    playing_changed = Signal(bool)
    loaded = Signal(object)  # OpenedSource
    load_failed = Signal(str)
    crop_mode_changed = Signal(bool)
    crop_changed = Signal(object)  # CropRect | None (pad)

    def __init__(self, parent: QWidget | None = None, *, server: FrameServer | None = None):
        super().__init__(parent)
        self.setObjectName("player")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.server = server or FrameServer(self)
        self.server.opened.connect(self._on_opened)
        self.server.frame_ready.connect(self._on_frame)
        self.server.failed.connect(self._on_failed)

        self.source: OpenedSource | None = None
        self._generation = -1
        self._path: Path | None = None
        self._range: tuple[int, int | None] = (0, None)
        self._crop: CropRect | None = None
        self.position = 0
        self.shown_index: int | None = None
        self.shown_image: QImage | None = None
        self.in_frame = 0
        self.out_frame = 0
        self.events: list[int] = []
        self.effective_fps: float | None = None
        self.training_size = (384, 384)
        # Asks for a frame (parent, current, last): a dialog; tests and scripts may replace it.
        self.ask_frame: Callable[[QWidget, int, int], int | None] = ask_frame_dialog

        self.speed = 0.0  # 0: paused; negative plays backwards
        self.stats = PlayStats()
        self.clock: PlaybackClock | None = None  # made for each source
        self._elapsed = QElapsedTimer()  # the clock's "now"
        self._elapsed.start()
        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick.timeout.connect(self._on_tick)

        self.view = FrameView()
        self.overlay = self.view.overlay
        self.overlay.crop_changed.connect(self._on_crop_changed)
        self.info_label = QLabel()
        self.info_label.setObjectName("playerInfo")
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.info_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.range_label = QLabel()
        self.range_label.setObjectName("playerRange")
        self.range_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}

        self.transport = Transport(self, {
            "home": self._go_home, "back10": lambda: self.step(-10),
            "back": lambda: self.step(-1), "play": self.toggle_play,
            "fwd": lambda: self.step(1), "fwd10": lambda: self.step(10), "end": self._go_end,
            "in": lambda: self.set_in(self.position), "out": lambda: self.set_out(self.position),
            "crop": lambda: self.set_crop_mode(not self.crop_mode), "zoom_fit": self.zoom_fit,
            "shuttle_back": lambda: self.shuttle(-1), "pause": self.pause,
            "shuttle_fwd": lambda: self.shuttle(1), "prev_event": lambda: self.jump_event(-1),
            "next_event": lambda: self.jump_event(1),
            "zoom_in": lambda: self._zoom_by(1.25), "zoom_out": lambda: self._zoom_by(1 / 1.25),
            "goto": self.go_to_frame,
        })  # fmt: skip

        def button(key: str, text: str = "", tip: str = "", slot: Callable[[], object] | None = None
                   ) -> QToolButton:  # fmt: skip
            b = QToolButton()
            b.setObjectName(f"player_{key}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the player
            if key in self.transport.actions:
                b.setDefaultAction(self.transport.actions[key])
            else:
                b.setText(text)
                b.setToolTip(tip)
                assert slot is not None
                b.clicked.connect(slot)
            self.buttons[key] = b
            bar.addWidget(b)
            return b

        for key in BUTTONS:
            if key == "in":
                bar.addSpacing(8)
            elif key == "crop":
                bar.addStretch(1)
            elif key == "zoom_fit":
                button("crop_fit", "Fit", "Largest crop of the training ratio", self.overlay.fit)
                button("crop_centre", "Centre", "Centre the crop", self.overlay.centre)
                pad = button("crop_pad", "Pad", "Pad the frame to the ratio instead of cropping",
                    lambda: self.overlay.set_pad(self.buttons["crop_pad"].isChecked()))  # fmt: skip
                pad.setCheckable(True)
                bar.addSpacing(8)
            button(key)

        info = QHBoxLayout()
        info.setContentsMargins(8, 2, 8, 0)
        info.addWidget(self.info_label, 1)
        info.addWidget(self.range_label)

        self.setStyleSheet(
            "QToolButton { padding: 2px 4px; }"
            "QToolButton:checked { background: #3b6fc4; color: white; border-radius: 3px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addLayout(info)
        layout.addLayout(bar)
        self._update_crop_controls()
        self._update_labels()

    # -- loading -----------------------------------------------------------------------------

    def load(
        self, path: Path, first: int = 0, last: int | None = None, crop: CropRect | None = None
    ) -> int:
        """Show ``path``; in/out start at the clip's ``first``..``last``. Returns the generation."""
        self.pause()
        self._path = Path(path)
        self._range = (first, last)
        self._crop = crop
        self.source = None
        self.shown_index = None
        self.position = max(first, 0)
        self.events = []
        self.effective_fps = None
        self.view.set_image(None)
        self.view.frame_size = QSize()
        self.view.message = "Loading\u2026"
        self.overlay.set_geometry_rules(None)
        self._generation = self.server.open(self._path)
        self.server.request(self.position)
        self._update_labels()
        return self._generation

    def unload(self, message: str = "No clip selected") -> None:
        self.pause()
        self._path = None
        self.source = None
        self.shown_index = None
        self._generation = -1
        self.view.set_image(None)
        self.view.message = message
        self.overlay.set_geometry_rules(None)
        self.set_crop_mode(False)
        self._update_labels()

    def shutdown(self) -> None:
        """Stop playback and the frame server thread (call before the window goes away)."""
        self.pause()
        self.server.stop()

    @property
    def frame_count(self) -> int:
        return len(self.source.index) if self.source is not None else 0

    def set_events(self, frames: list[int]) -> None:
        """Frames Up/Down jump between (cuts, flags), as the caller knows them."""
        self.events = sorted({int(f) for f in frames})

    def set_effective_fps(self, fps: float | None) -> None:
        self.effective_fps = fps
        self._update_labels()

    def set_training_size(self, width: int, height: int) -> None:
        """The crop keeps this ratio and warns below this size."""
        self.training_size = (width, height)
        self._reset_crop_rules()

    # -- navigation --------------------------------------------------------------------------

    def seek(self, index: int) -> None:
        """Show frame ``index`` (clamped to the source)."""
        n = self.frame_count
        if self._path is None:
            return
        index = min(max(int(index), 0), n - 1) if n else max(int(index), 0)
        self.server.set_direction(1 if index >= self.position else -1)
        if index != self.position:
            self.position = index
            self.position_changed.emit(index)
        self.server.request(index)

    def step(self, frames: int) -> None:
        """Pause and move ``frames`` frames (negative: back)."""
        self.pause()
        self.seek(self.position + frames)

    def set_in(self, index: int) -> None:
        """In point at ``index``; an out point before it moves to the end."""
        n = self.frame_count
        if not n:
            return
        index = min(max(int(index), 0), n - 1)
        out = self.out_frame if self.out_frame >= index else n - 1
        self._set_in_out(index, out)

    def set_out(self, index: int) -> None:
        """Out point at ``index``; an in point after it moves to the start."""
        n = self.frame_count
        if not n:
            return
        index = min(max(int(index), 0), n - 1)
        start = self.in_frame if self.in_frame <= index else 0
        self._set_in_out(start, index)

    def set_in_out(self, first: int, last: int) -> None:
        """Both points at once (e.g. from the timeline's region)."""
        n = self.frame_count
        if not n:
            return
        first, last = sorted((min(max(int(first), 0), n - 1), min(max(int(last), 0), n - 1)))
        self._set_in_out(first, last)

    def _set_in_out(self, first: int, last: int) -> None:
        if (first, last) != (self.in_frame, self.out_frame):
            self.in_frame, self.out_frame = first, last
            self.in_out_changed.emit(first, last)
        self._update_labels()

    def next_event(self, direction: int) -> int | None:
        """The nearest event after (1) or before (-1) the current frame, if any."""
        if direction > 0:
            k = bisect.bisect_right(self.events, self.position)
            return self.events[k] if k < len(self.events) else None
        k = bisect.bisect_left(self.events, self.position)
        return self.events[k - 1] if k > 0 else None

    def jump_event(self, direction: int) -> None:
        target = self.next_event(direction)
        if target is not None:
            self.pause()
            self.seek(target)

    def go_to_frame(self) -> bool:
        """Ctrl+G: ask for a frame number (:attr:`ask_frame`) and show that frame."""
        n = self.frame_count
        if not n:
            return False
        index = self.ask_frame(self, self.position, n - 1)
        if index is None:
            return False
        self.pause()
        self.seek(index)
        return True

    def _go_home(self) -> None:
        self.pause()
        self.seek(0)

    def _zoom_by(self, factor: float) -> None:
        self.view.set_zoom(self.view.zoom * factor)
        self._update_labels()

    def _go_end(self) -> None:
        self.pause()
        self.seek(self.frame_count - 1)

    # -- playback ----------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.speed != 0.0

    def play(self, speed: float = 1.0) -> None:
        """Play at ``speed`` (negative: backwards) from here, looping the in/out range."""
        if self.source is None or self.clock is None or self.frame_count < 2 or speed == 0:
            return
        was_playing = self.playing
        if not self.in_frame <= self.position <= self.out_frame:
            self.seek(self.in_frame if speed > 0 else self.out_frame)
        self.speed = float(speed)
        self.server.set_direction(1 if speed > 0 else -1)
        self.clock.start(self.position, speed, self._now())
        if not was_playing:  # the frame it starts on counts as due and, once on screen, shown
            self.stats = PlayStats(1, int(self.shown_index == self.position))
            self.playing_changed.emit(True)
        self.view.smooth = False
        self._update_play_button()
        self._on_tick()

    def pause(self) -> None:
        if not self.playing:
            return
        self.speed = 0.0
        self._tick.stop()
        self.view.smooth = True
        self.view.update()
        self._update_play_button()
        self.playing_changed.emit(False)
        if self.shown_index is not None and self.shown_index != self.position:
            self.seek(self.shown_index)  # stop on the frame the user saw

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play(1.0)

    def shuttle(self, direction: int) -> None:
        """J/L: start playing that way, or speed up (1, 2, 4, 8x); the other way slows first."""
        speed = shuttle_speed(self.speed, direction)
        if speed == 0:
            self.pause()
        else:
            self.play(speed)

    def _now(self) -> float:
        return self._elapsed.nsecsElapsed() / 1e9

    def _on_tick(self) -> None:
        if not self.playing or self.source is None or self.clock is None:
            return
        tick: Tick = self.clock.tick(self._now(), self.in_frame, self.out_frame)
        if tick.newly_due:
            self.stats.due += tick.newly_due
            if tick.frame != self.position:
                self.position = tick.frame
                self.position_changed.emit(tick.frame)
            self.server.request(tick.frame)
        self._tick.start(tick.wait_ms)

    # -- crop --------------------------------------------------------------------------------

    @property
    def crop_mode(self) -> bool:
        return self.overlay.active

    def set_crop_mode(self, on: bool) -> None:
        if on and self.overlay.geometry_rules is None:
            on = False  # nothing loaded yet
        if on == self.crop_mode:
            self.buttons["crop"].setChecked(on)
            return
        if on:
            self.view.set_zoom(1.0)
        self.overlay.set_active(on)
        self.buttons["crop"].setChecked(on)
        self._update_crop_controls()
        self.crop_mode_changed.emit(on)

    def set_crop(self, rect: CropRect | None) -> None:
        """Show ``rect`` (None: no crop, the fit preset) without announcing it (e.g. an undo)."""
        self._crop = rect
        if self.overlay.geometry_rules is not None:
            self.overlay.set_geometry_rules(self.overlay.geometry_rules, rect)

    def _reset_crop_rules(self) -> None:
        if self.source is None:
            return
        info = self.source.info
        rules = CropGeometry(max(info.width, 1), max(info.height, 1), *self.training_size)
        self.overlay.set_geometry_rules(rules, self._crop)
        self._update_crop_controls()

    def _on_crop_changed(self, rect: CropRect | None) -> None:
        self._crop = rect
        self._update_crop_controls()
        self.crop_changed.emit(rect)

    def _update_crop_controls(self) -> None:
        on = self.crop_mode
        for key in ("crop_fit", "crop_centre", "crop_pad"):
            self.buttons[key].setVisible(on)

    def zoom_fit(self) -> None:
        self.view.set_zoom(1.0)
        self._update_labels()

    # -- server results ----------------------------------------------------------------------

    def _on_opened(self, opened: OpenedSource) -> None:
        if opened.generation != self._generation:
            return
        self.source = opened
        self.clock = PlaybackClock(opened.index)
        n = len(opened.index)
        first, last = self._range
        first = min(max(first, 0), n - 1)
        last = n - 1 if last is None else min(max(last, first), n - 1)
        self.in_frame, self.out_frame = first, last
        self.position = min(max(self.position, 0), n - 1)
        self.view.frame_size = QSize(opened.info.width, opened.info.height)
        self._reset_crop_rules()
        self._update_labels()
        self.loaded.emit(opened)
        self.in_out_changed.emit(first, last)
        self.position_changed.emit(self.position)

    def _on_frame(self, generation: int, index: int, image: QImage) -> None:
        if generation != self._generation:
            return
        if self.playing and index != self.shown_index:
            self.stats.shown += 1
        self.shown_index = index
        self.shown_image = image
        self.view.set_image(image)
        self._update_labels()
        self.frame_shown.emit(index)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.pause()
        self.view.set_image(None)
        self.view.message = message
        self.view.update()
        self.load_failed.emit(message)

    # -- labels ------------------------------------------------------------------------------

    def _update_play_button(self) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause
            if self.playing
            else QStyle.StandardPixmap.SP_MediaPlay
        )
        play = self.transport.actions["play"]
        play.setIcon(self.style().standardIcon(icon))
        speed = f"  {self.speed:+g}\u00d7" if self.playing and abs(self.speed) != 1 else ""
        play.setToolTip(f"Play / pause (Space){speed}")
        self._update_labels()

    def _update_labels(self) -> None:
        source = self.source
        for name, b in self.buttons.items():
            if name not in self.transport.actions:  # the others follow their action
                b.setEnabled(source is not None)
        for name, action in self.transport.actions.items():
            action.setEnabled(
                source is not None and (name != "crop" or self.overlay.geometry_rules is not None)
            )
        if source is None:
            self.info_label.setText("" if self._path is None else "loading\u2026")
            self.range_label.setText("")
            return
        n = len(source.index)
        shown = self.shown_index if self.shown_index is not None else self.position
        parts = [
            f"frame {shown} / {n}",
            time_text(float(source.index.times[min(shown, n - 1)])),
            f"{fps_text(source.info.fps)} fps" + (" (variable)" if source.info.vfr else ""),
        ]
        if self.effective_fps is not None:
            parts[-1] += f" (eff. {self.effective_fps:.1f})"
        if self.playing:
            parts.append(f"\u25b6 {self.speed:+g}\u00d7")
        if self.view.zoom != 1.0:
            parts.append(f"zoom {self.view.zoom * 100:.0f}%")
        self.info_label.setText("   ".join(parts))
        count = self.out_frame - self.in_frame + 1
        self.range_label.setText(
            f"in {self.in_frame} \u2013 out {self.out_frame}  ({count} frames)"
        )

    # -- keys --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Editor keys; True when the key was the player's (the timeline forwards keys here)."""
        return self.transport.handle_key(event)
