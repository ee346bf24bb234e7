"""The fix preview: the player's current frame before (A) and after (B) the clip's fix, at 1:1,
computed in a background thread that serves only the newest request, cached by
(clip, frame, fix fingerprint)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from anicurate.core.analysis.detect import Events
from anicurate.core.fix import Engines, FixSpec, load_engines
from anicurate.core.fix.preview import PreviewPair, fix_plan, preview_pair

CACHED = 24  # preview pairs kept


@dataclass(frozen=True, slots=True)
class PreviewRequest:
    """One frame of one clip under one fix."""

    clip_id: int
    frame: int
    source_path: str
    first: int
    last: int
    fps: float
    spec: FixSpec
    events: Events | None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.clip_id, self.frame, fingerprint(self.spec))


def fingerprint(spec: FixSpec) -> str:
    return json.dumps(spec.to_json(), sort_keys=True)


class _Signals(QObject):
    done = Signal(object, object)  # PreviewRequest, PreviewPair | str (an error)


class _Task(QRunnable):
    def __init__(self, owner: FixPreviewer, request: PreviewRequest) -> None:
        super().__init__()
        self.owner, self.request = owner, request

    def run(self) -> None:
        try:
            result: PreviewPair | str = self.owner.compute(self.request)
        except Exception as err:  # shown in the panel, never a crash
            result = f"{type(err).__name__}: {err}"
        self.owner.signals.done.emit(self.request, result)


class FixPreviewer(QObject):
    """Runs preview requests one at a time off the GUI thread; a request made while one runs
    replaces any waiting one (newest wins). ``ready`` carries the request and its pair."""

    ready = Signal(object, object)  # PreviewRequest, PreviewPair
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signals = _Signals(self)
        self.signals.done.connect(self._on_done)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.cache: OrderedDict[tuple[int, int, str], PreviewPair] = OrderedDict()
        self.computed = 0  # pairs computed (not from the cache), for tests
        self._running: PreviewRequest | None = None
        self._waiting: PreviewRequest | None = None
        self._lock = threading.Lock()  # the worker's engines and reader
        self._engines: tuple[str, Engines] | None = None
        self._reader: tuple[str, Any] | None = None

    def request(self, req: PreviewRequest) -> None:
        """Show ``req`` as soon as possible: from the cache now, or computed in the background."""
        pair = self.cache.get(req.key)
        if pair is not None:
            self.cache.move_to_end(req.key)
            self.ready.emit(req, pair)
            return
        if self._running is not None:
            self._waiting = req
            return
        self._start(req)

    def _start(self, req: PreviewRequest) -> None:
        self._running = req
        self.pool.start(_Task(self, req))

    def _on_done(self, req: PreviewRequest, result: PreviewPair | str) -> None:
        self._running = None
        if isinstance(result, PreviewPair):
            self.cache[req.key] = result
            while len(self.cache) > CACHED:
                self.cache.popitem(last=False)
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting.key != req.key:
            self.request(waiting)
            return  # a newer frame is wanted: this one is only cached
        if isinstance(result, PreviewPair):
            self.ready.emit(req, result)
        else:
            self.failed.emit(req, result)

    def compute(self, req: PreviewRequest) -> PreviewPair:
        """The pair for ``req`` (in the worker thread)."""
        from anicurate.core.media.reader import open_media

        with self._lock:
            fp = fingerprint(req.spec)
            if self._engines is None or self._engines[0] != fp:
                self._engines = (fp, load_engines(req.spec))
            if self._reader is None or self._reader[0] != req.source_path:
                if self._reader is not None:
                    self._reader[1].close()
                self._reader = (req.source_path, open_media(req.source_path, max_pixels=None))
            reader = self._reader[1]
            slots = fix_plan(req.spec, req.first, req.last, req.fps, req.events)
            pair = preview_pair(reader.frame_at, req.frame, req.first, slots, self._engines[1])
            self.computed += 1
            return pair

    def shutdown(self) -> None:
        """Wait for the running request and close the reader (the window is closing)."""
        self._waiting = None
        self.pool.waitForDone()
        with self._lock:
            if self._reader is not None:
                self._reader[1].close()
                self._reader = None


def to_qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class FixPreviewPanel(QWidget):
    """A/B toggle over the frame at 1:1 (scrolls when larger than the panel)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fixPreview")
        self.pair: PreviewPair | None = None
        self.toggle = QPushButton("B: after the fix")
        self.toggle.setObjectName("fixAB")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setToolTip("Switch between the frame as it is (A) and fixed (B)")
        self.toggle.toggled.connect(self._show)
        self.status = QLabel("Select a clip with a fix (Clip \u25b8 Fix\u2026)")
        self.status.setWordWrap(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        top = QHBoxLayout()
        top.addWidget(self.toggle)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

    @property
    def showing_after(self) -> bool:
        return self.toggle.isChecked()

    def set_pair(self, pair: PreviewPair | None, message: str = "") -> None:
        self.pair = pair
        self.status.setText(message)
        self._show()

    def _show(self) -> None:
        after = self.toggle.isChecked()
        self.toggle.setText("B: after the fix" if after else "A: before the fix")
        if self.pair is None:
            self.image.clear()
            return
        rgb = self.pair.after if after else self.pair.before
        self.image.setPixmap(QPixmap.fromImage(to_qimage(rgb)))

    def shown_image(self) -> QImage | None:
        """The image on screen now (for tests and screenshots)."""
        pixmap = self.image.pixmap()
        return None if pixmap is None or pixmap.isNull() else pixmap.toImage()
