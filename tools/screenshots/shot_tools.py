"""Helpers of the screenshot scripts: grab a settled widget to PNG, wait for a signal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

TIMEOUT_MS = 120_000


def settle(rounds: int = 6) -> None:
    """Process events a few times so layouts, thumbnails and repaints catch up."""
    app = QApplication.instance()
    for _ in range(rounds):
        if app is not None:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def grab(widget: QWidget, path: Path) -> Path:
    """Let the widget settle, then save its pixels to ``path`` (PNG); returns ``path``."""
    settle()
    if not widget.grab().save(str(path), "PNG"):
        raise RuntimeError(f"cannot write {path}")
    return path


def wait_for(
    signal: SignalInstance,
    action: Callable[[], object] | None = None,
    *,
    until: Callable[..., bool] | None = None,
    timeout_ms: int = TIMEOUT_MS,
    seen_args: list[Any] | None = None,
) -> None:
    """Run ``action`` and the event loop until ``signal`` fires (with arguments ``until``
    accepts); the firing's first argument is appended to ``seen_args``. TimeoutError if not."""
    loop = QEventLoop()
    seen = threading.Event()

    def on_signal(*args: Any) -> None:
        if until is not None and not until(*args):
            return
        if seen_args is not None and args:
            seen_args.append(args[0])
        seen.set()
        loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    signal.connect(on_signal)  # before acting: the action may fire it synchronously
    timer.start(timeout_ms)
    try:
        if action is not None:
            action()
        if not seen.is_set():
            loop.exec()
    finally:
        timer.stop()
        signal.disconnect(on_signal)
    if not seen.is_set():
        raise TimeoutError(f"no matching signal within {timeout_ms} ms")
