"""The Inspector dock: everything the catalogue knows about the selected clip, in plain words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from anicurate.ui.clip_model import ClipRow
from anicurate.ui.formatting import (
    container_text,
    duration_text,
    fps_text,
    frame_range_text,
    resolution_text,
    size_text,
)
from anicurate.ui.messages import explain_source_error

# The fields in display order; rows that do not apply to a source are hidden, not left blank.
FIELDS = (
    "Status",
    "Path",
    "Container",
    "Codec",
    "Size",
    "Rotation",
    "Frame rate",
    "Frames",
    "Duration",
    "Clip range",
    "Audio",
    "File size",
)


class InspectorPanel(QScrollArea):
    """Shows one :class:`ClipRow`, or a hint when nothing is selected; text is selectable."""

    PREVIEW_SIZE = QSize(320, 180)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("inspectorBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)

        self.hint = QLabel("Select a clip to see its details.")
        self.hint.setObjectName("emptyHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.preview = QLabel()
        self.preview.setObjectName("inspectorPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(120)
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        self.title = QLabel()
        self.title.setObjectName("inspectorTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.error_box = QLabel()
        self.error_box.setObjectName("errorBox")
        self.error_box.setWordWrap(True)
        self.error_box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setHorizontalSpacing(10)
        self.form.setVerticalSpacing(4)
        self.values: dict[str, QLabel] = {}
        for name in FIELDS:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            key = QLabel(name)
            key.setObjectName("fieldName")
            self.form.addRow(key, value)
            self.values[name] = value

        layout.addWidget(self.hint)
        layout.addWidget(self.preview)
        layout.addWidget(self.title)
        layout.addWidget(self.error_box)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.setWidget(body)
        self._row: ClipRow | None = None
        self._thumbnail: QPixmap | None = None
        self.show_row(None)

    @property
    def row(self) -> ClipRow | None:
        return self._row

    def show_row(self, row: ClipRow | None, thumbnail: QPixmap | None = None) -> None:
        """Fill the panel from ``row``; None shows the "select a clip" hint."""
        self._row = row
        has_row = row is not None
        self.hint.setVisible(not has_row)
        self.title.setVisible(has_row)
        for i in range(self.form.rowCount()):
            self.form.setRowVisible(i, False)
        if row is None:
            self.preview.setVisible(False)
            self.error_box.setVisible(False)
            return

        self.preview.setVisible(True)
        self._thumbnail = thumbnail if thumbnail is not None and not thumbnail.isNull() else None
        self._update_preview()

        self.title.setText(row.name)
        source, info, clip = row.source, row.source.info, row.clip
        if row.error is not None:
            self.error_box.setText(explain_source_error(source.error_kind, source.error))
            self.error_box.setVisible(True)
        else:
            self.error_box.setVisible(False)

        self._set("Status", row.status)
        self._set("Path", source.path)
        self._set("File size", size_text(source.size) if source.size >= 0 else None)
        if info is None:
            return
        self._set("Container", container_text(info))
        self._set("Codec", info.codec)
        size = resolution_text(info.width, info.height)
        if info.sample_aspect not in (0, 1):
            sar = info.sample_aspect
            size += f" (pixel aspect {sar.numerator}:{sar.denominator})"
        self._set("Size", size)
        self._set("Rotation", f"{info.rotation}\u00b0 (applied)" if info.rotation else "none")
        rate = f"{fps_text(info.fps)} fps"
        rate += " (variable: frame times differ)" if info.vfr else " (constant)"
        self._set("Frame rate", rate)
        frames = str(info.frame_count)
        if info.truncated:
            frames += " (the file ends early: only these frames could be read)"
        self._set("Frames", frames)
        self._set("Duration", f"{duration_text(info.duration)} ({info.duration:.3f} s)")
        if clip is not None:
            self._set("Clip range", frame_range_text(clip.first_frame, clip.last_frame))
        self._set("Audio", "yes (ignored)" if info.has_audio else "no")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_preview()

    def _update_preview(self) -> None:
        """Fit the thumbnail to the dock's width (at most PREVIEW_SIZE), never upscaled twice."""
        if self._thumbnail is None:
            self.preview.clear()
            self.preview.setText("no picture")
            self.preview.setFixedHeight(120)
            return
        width = max(64, min(self.PREVIEW_SIZE.width(), self.viewport().width() - 24))
        box = QSize(width, self.PREVIEW_SIZE.height())
        scaled = self._thumbnail.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.preview.setPixmap(scaled)
        self.preview.setFixedHeight(scaled.height())

    def field_text(self, name: str) -> str | None:
        """The shown value of a field, or None when the row is hidden (used by tests)."""
        i = FIELDS.index(name)
        return self.values[name].text() if self.form.isRowVisible(i) else None

    def _set(self, name: str, text: str | None) -> None:
        if text is None:
            return
        self.values[name].setText(text)
        self.form.setRowVisible(FIELDS.index(name), True)
