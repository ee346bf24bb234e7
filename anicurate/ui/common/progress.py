"""The job area of the status bar: what is running, a progress bar and a Cancel button."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from anicurate.core.jobs import Progress


class ElidedLabel(QLabel):
    """A one-line label that shortens its text in the middle instead of growing the status bar."""

    def __init__(self, text: str = "", parent: Any = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(80, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width()
        )
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), text)


class JobStatusWidget(QWidget):
    """Hidden while idle; shows ``importing 12/40: name.mp4`` with a bar and Cancel during a job."""

    cancel_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(8)
        self.label = ElidedLabel()
        self.label.setObjectName("jobLabel")
        # A fixed width keeps the bar still while file names of every length go by.
        self.label.setFixedWidth(380)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.bar = QProgressBar()
        self.bar.setObjectName("jobBar")
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("jobCancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        layout.addStretch(1)
        self.setVisible(False)

    def begin(self, text: str) -> None:
        """Show the widget for a new job; the bar is busy until the total is known."""
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.setVisible(True)

    def update_progress(self, progress: Progress, text: str) -> None:
        if not self.cancel_button.isEnabled():
            return  # keep "cancelling…" on screen until the job has stopped
        self.label.setText(text)
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
        else:
            self.bar.setRange(0, 0)

    def end(self) -> None:
        self.setVisible(False)

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling\u2026")
        self.label.setText("cancelling after the current file\u2026")
        self.cancel_requested.emit()
