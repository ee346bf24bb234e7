"""The samples workspace: prompts (rows) by runs or steps (columns), all cells played by one
clock, a verdict per sample, Trace from a sample's prompt to the training clips behind it.

Cells decode their (short) sample videos once into small images; one PlaybackClock, over the
longest sample's frame timing, says which frame is due and every visible cell shows that frame
(a shorter sample holds its last one), so cells never drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.errors import AnicurateError
from anicurate.core.media.index import FrameIndex
from anicurate.core.media.reader import open_media
from anicurate.core.samples import (
    Column,
    Sample,
    TraceHit,
    cell,
    grid_columns,
    prompt_rows,
    strip_trigger,
)
from anicurate.ui.player.clock import PlaybackClock

CELL_SIDE = 176  # longest side of a cell's picture
MAX_FRAMES = 240  # frames decoded per sample (samples are short; this caps a stray long file)


def _image(rgb: np.ndarray) -> QImage:
    h, w = rgb.shape[:2]
    data = np.ascontiguousarray(rgb)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class SampleCell(QFrame):
    """One sample: its picture at the shared frame, Good / Bad, a note and Trace."""

    verdict_changed = Signal(int, str, str)  # sample id, verdict, note
    trace_requested = Signal(object)  # Sample

    def __init__(self, sample: Sample, parent: Any = None) -> None:
        super().__init__(parent)
        self.sample = sample
        self.setObjectName("sampleCell")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.frames: list[QPixmap] = []
        self.index: FrameIndex | None = None
        self.error = ""
        self.shown_frame = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedSize(CELL_SIDE, CELL_SIDE * 9 // 16 + 24)
        self.picture.setToolTip(sample.path)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.setSpacing(3)
        self.good = self._toggle("\u2714 Good", "good")
        self.bad = self._toggle("\u2716 Bad", "bad")
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)
        for b in (self.good, self.bad):
            self.group.addButton(b)
            row.addWidget(b)
        self.trace_button = QToolButton()
        self.trace_button.setText("Trace")
        self.trace_button.setObjectName("traceButton")
        self.trace_button.setToolTip("List the training clips whose captions match this prompt")
        self.trace_button.clicked.connect(lambda: self.trace_requested.emit(self.sample))
        row.addStretch(1)
        row.addWidget(self.trace_button)
        layout.addLayout(row)
        self.note = QLineEdit(sample.note)
        self.note.setObjectName("sampleNote")
        self.note.setPlaceholderText("Note\u2026")
        self.note.editingFinished.connect(self._note_done)
        layout.addWidget(self.note)
        self._show_verdict(sample.verdict)
        self.load()

    def _toggle(self, text: str, verdict: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setCheckable(True)
        button.setObjectName(f"verdict_{verdict}")
        button.clicked.connect(lambda checked: self.set_verdict(verdict if checked else ""))
        return button

    def _show_verdict(self, verdict: str) -> None:
        self.good.setChecked(verdict == "good")
        self.bad.setChecked(verdict == "bad")
        colour = {"good": "#3c9d5d", "bad": "#d9534f"}.get(verdict)
        self.setStyleSheet(f"#sampleCell {{ border: 2px solid {colour}; }}" if colour else "")

    def set_verdict(self, verdict: str) -> None:
        self._show_verdict(verdict)
        self.verdict_changed.emit(self.sample.id, verdict, self.note.text())

    def _note_done(self) -> None:
        if self.note.isModified():
            self.note.setModified(False)
            verdict = "good" if self.good.isChecked() else "bad" if self.bad.isChecked() else ""
            self.verdict_changed.emit(self.sample.id, verdict, self.note.text())

    def load(self) -> None:
        """Decode the sample's frames into small pictures (a failure shows as text)."""
        try:
            with open_media(self.sample.path) as reader:
                self.index = reader.index
                for k, rgb in enumerate(reader.frames()):
                    if k >= MAX_FRAMES:
                        break
                    pix = QPixmap.fromImage(_image(rgb))
                    self.frames.append(pix.scaled(
                        self.picture.width(), self.picture.height(),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    ))  # fmt: skip
        except (AnicurateError, OSError) as err:
            self.error = str(err)
            self.picture.setText(f"cannot play:\n{Path(self.sample.path).name}")
            self.picture.setToolTip(self.error)
            return
        self.show_frame(0)

    def show_frame(self, frame: int) -> None:
        """Show ``frame`` (the last one when this sample is shorter)."""
        if not self.frames:
            return
        k = min(max(frame, 0), len(self.frames) - 1)
        if k != self.shown_frame:
            self.shown_frame = k
            self.picture.setPixmap(self.frames[k])


class SamplesWorkspace(QWidget):
    """The grid, its shared clock and the Trace list (see the module docstring)."""

    verdict_changed = Signal(int, str, str)  # sample id, verdict, note
    trace_requested = Signal(object)  # Sample
    open_clip_requested = Signal(int)  # clip id
    import_requested = Signal()
    ab_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("samplesWorkspace")
        self.samples: list[Sample] = []
        self.trigger = ""
        self.cells: dict[int, SampleCell] = {}
        self.rows: list[str] = []
        self.columns: list[Column] = []
        self.clock: PlaybackClock | None = None
        self.frame = 0
        self.last_frame = 0
        self.elapsed = QElapsedTimer()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_timer)

        bar = QHBoxLayout()
        self.import_button = QPushButton("Import Run\u2026")
        self.import_button.clicked.connect(self.import_requested.emit)
        self.by_step = QCheckBox("A column per step")
        self.by_step.setToolTip("Off: one column per run, its latest step")
        self.by_step.toggled.connect(lambda _c: self.rebuild())
        self.play_button = QPushButton("\u25b6 Play")
        self.play_button.setObjectName("samplesPlay")
        self.play_button.clicked.connect(self.toggle_play)
        self.ab_button = QPushButton("Write A/B Prompt Set\u2026")
        self.ab_button.setToolTip("Each prompt with and without the trigger, as a text file and "
                                  "as trainer configs that sample it")  # fmt: skip
        self.ab_button.clicked.connect(self.ab_requested.emit)
        self.status = QLabel()
        self.status.setObjectName("fieldName")
        for w in (self.import_button, self.by_step, self.play_button, self.ab_button):
            bar.addWidget(w)
        bar.addWidget(self.status, 1)

        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(6)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)

        trace_box = QWidget()
        tl = QVBoxLayout(trace_box)
        tl.setContentsMargins(0, 0, 0, 0)
        self.trace_title = QLabel("Trace: pick a sample's Trace to list the clips behind it")
        self.trace_title.setObjectName("fieldName")
        self.trace_title.setWordWrap(True)
        self.trace_list = QListWidget()
        self.trace_list.setObjectName("traceList")
        self.trace_list.itemActivated.connect(self._open_item)
        self.open_button = QPushButton("Open in Player")
        self.open_button.clicked.connect(lambda: self._open_item(self.trace_list.currentItem()))
        tl.addWidget(self.trace_title)
        tl.addWidget(self.trace_list, 1)
        tl.addWidget(self.open_button)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(trace_box)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        trace_box.setMinimumWidth(220)
        trace_box.setMaximumWidth(360)
        self.trace_list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    # -- the grid ----------------------------------------------------------------------------

    def set_samples(self, found: list[Sample], trigger: str) -> None:
        self.samples, self.trigger = list(found), trigger
        self.rebuild()

    def rebuild(self) -> None:
        """Lay the grid out again from the samples (prompts x columns)."""
        self.stop()
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and (w := item.widget()) is not None:
                w.deleteLater()
        self.cells.clear()
        self.columns = grid_columns(self.samples, self.by_step.isChecked())
        self.rows = prompt_rows([s.prompt for s in self.samples], self.trigger)
        for c, column in enumerate(self.columns):
            head = QLabel(column.title)
            head.setStyleSheet("font-weight: bold;")
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.grid.addWidget(head, 0, c + 1)
        for r, prompt in enumerate(self.rows):
            paired = strip_trigger(prompt, self.trigger) != prompt.strip()
            label = QLabel(("\u2022 " if paired else "\u25e6 ") + prompt)
            label.setObjectName("samplePrompt")
            label.setWordWrap(True)
            label.setFixedWidth(180)
            label.setToolTip("with the trigger" if paired else "without the trigger")
            self.grid.addWidget(label, r + 1, 0)
            for c, column in enumerate(self.columns):
                sample = cell(self.samples, prompt, column)
                if sample is None:
                    empty = QLabel("\u2014")
                    empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.grid.addWidget(empty, r + 1, c + 1)
                    continue
                widget = SampleCell(sample)
                widget.verdict_changed.connect(self.verdict_changed.emit)
                widget.trace_requested.connect(self.trace_requested.emit)
                self.cells[sample.id] = widget
                self.grid.addWidget(widget, r + 1, c + 1)
        longest = max((c for c in self.cells.values() if c.index is not None),
                      key=lambda c: len(c.frames), default=None)  # fmt: skip
        self.clock = PlaybackClock(longest.index) if longest and longest.index else None
        self.last_frame = max(0, len(longest.frames) - 1) if longest else 0
        self.frame = 0
        n, runs = len(self.samples), len({s.run for s in self.samples})
        self.status.setText(f"{len(self.rows)} prompts \u00b7 {runs} runs \u00b7 {n} samples")
        self.play_button.setEnabled(self.clock is not None)

    # -- one clock for every cell ------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.clock is not None and self.clock.speed != 0

    def toggle_play(self) -> None:
        self.stop() if self.playing else self.play()

    def play(self) -> None:
        if self.clock is None:
            return
        self.elapsed.restart()
        self.clock.start(self.frame, 1.0, 0.0)
        self.play_button.setText("\u23f8 Pause")
        self.timer.start(0)

    def stop(self) -> None:
        self.timer.stop()
        if self.clock is not None:
            self.clock.speed = 0.0
        self.play_button.setText("\u25b6 Play")

    def tick_at(self, now_s: float) -> int:
        """Show the frame due at ``now_s`` (seconds since play) in every cell; returns it and
        the milliseconds until the next is due via the timer (tests pass times directly)."""
        if self.clock is None:
            return self.frame
        tick = self.clock.tick(now_s, 0, self.last_frame)
        self.show_frame(tick.frame)
        if self.playing:
            self.timer.start(tick.wait_ms)
        return tick.frame

    def show_frame(self, frame: int) -> None:
        self.frame = frame
        for c in self.cells.values():
            c.show_frame(frame)

    def _on_timer(self) -> None:
        if self.playing:
            self.tick_at(self.elapsed.elapsed() / 1000.0)

    # -- trace -------------------------------------------------------------------------------

    def show_trace(self, sample: Sample, hits: list[TraceHit]) -> None:
        self.trace_title.setText(f"Clips behind \u201c{sample.prompt}\u201d ({sample.run})")
        self.trace_list.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.score:.2f}  {hit.label}\n{hit.caption}")
            item.setData(Qt.ItemDataRole.UserRole, hit.clip_id)
            item.setToolTip(", ".join(hit.matched))
            self.trace_list.addItem(item)
        if not hits:
            self.trace_list.addItem("No clip's caption matches this prompt.")
        self.trace_list.setCurrentRow(0)

    def _open_item(self, item: QListWidgetItem | None) -> None:
        clip_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(clip_id, int):
            self.open_clip_requested.emit(clip_id)
