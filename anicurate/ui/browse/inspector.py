"""The Inspector dock: everything the catalogue knows about the selected clip, in plain words."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.fix.spec import FixSpec
from anicurate.core.fix.store import FLAG_FIXES, describe_fix, fixed_flags
from anicurate.ui.browse.clip_model import FLAG_STYLES, ClipRow
from anicurate.ui.common.formatting import (
    container_text,
    duration_text,
    fps_text,
    frame_range_text,
    resolution_text,
    size_text,
)
from anicurate.ui.common.messages import explain_source_error

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

#: The analysis fields, shown once the clip's source has been analysed.
METRIC_FIELDS = (
    "Effective fps",
    "Hold pattern",
    "Motion",
    "Sharpness",
    "Noise",
    "Training size",
)


def _field_form(names: tuple[str, ...]) -> tuple[QFormLayout, dict[str, QLabel]]:
    """A form of "name: value" rows with selectable, wrapping values, and the value labels."""
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(4)
    values: dict[str, QLabel] = {}
    for name in names:
        value = QLabel()
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        key = QLabel(name)
        key.setObjectName("fieldName")
        form.addRow(key, value)
        values[name] = value
    return form, values


class InspectorPanel(QScrollArea):
    """Shows one :class:`ClipRow`, or a hint when nothing is selected; text is selectable.

    Below the file facts: the note (edited in place, announced by :attr:`note_edited`), the
    clip's analysis metrics and each flag with its reason.
    """

    PREVIEW_SIZE = QSize(320, 180)
    note_edited = Signal(int, str)  # clip id, the new note

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.training_size = (384, 384)
        self.bucketing = False
        self._fix: tuple[int, FixSpec | None] | None = None  # (clip id, its fix), set by ui/fix
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

        self.form, self.values = _field_form(FIELDS)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("Add a note\u2026 (Enter saves)")
        self.note_edit.setClearButtonEnabled(True)
        self.note_edit.editingFinished.connect(self._on_note_finished)

        self.analysis_title = QLabel("Analysis")
        self.analysis_title.setObjectName("sectionTitle")
        self.metrics_form, self.metric_values = _field_form(METRIC_FIELDS)
        self.flags_label = QLabel()
        self.flags_label.setObjectName("flagsLabel")
        self.flags_label.setWordWrap(True)
        self.flags_label.setTextFormat(Qt.TextFormat.RichText)
        self.flags_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flags_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        layout.addWidget(self.hint)
        layout.addWidget(self.preview)
        layout.addWidget(self.title)
        layout.addWidget(self.error_box)
        layout.addWidget(self.flags_label)
        layout.addWidget(self.note_edit)
        layout.addLayout(self.form)
        layout.addWidget(self.analysis_title)
        layout.addLayout(self.metrics_form)
        layout.addStretch(1)
        self.setWidget(body)
        self._row: ClipRow | None = None
        self._note_clip: int | None = None
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
        self._show_analysis(row)
        clip = row.clip if row is not None else None
        self.note_edit.setVisible(clip is not None)
        if clip is not None and not (self.note_edit.hasFocus() and self._note_clip == clip.id):
            self.note_edit.setText(clip.note)  # never overwrite what the user is typing
        self._note_clip = clip.id if clip is not None else None
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

    def set_training_size(self, width: int, height: int, *, bucketing: bool = False) -> None:
        """What "Training size" compares against: each side, or the area when bucketing."""
        self.training_size = (width, height)
        self.bucketing = bucketing
        self.show_row(self._row, self._thumbnail)

    @property
    def fix(self) -> FixSpec | None:
        """The shown clip's fix, as the fix feature last said (None: none, or not known)."""
        clip = self._row.clip if self._row is not None else None
        if clip is None or self._fix is None or self._fix[0] != clip.id:
            return None
        return self._fix[1]

    def set_fix(self, clip_id: int, fix: FixSpec | None) -> None:
        """Say which fix clip ``clip_id`` has: its flag chips name it."""
        self._fix = (clip_id, fix)
        self._show_analysis(self._row)

    def _on_note_finished(self) -> None:
        clip = self._row.clip if self._row is not None else None
        if clip is None or clip.id != self._note_clip:
            return
        text = self.note_edit.text().strip()
        if text != clip.note:
            self.note_edited.emit(clip.id, text)

    def _show_analysis(self, row: ClipRow | None) -> None:
        """Metrics and flags of the clip; hidden when it has not been analysed."""
        result = row.result if row is not None else None
        has = result is not None
        self.analysis_title.setVisible(has)
        for i in range(self.metrics_form.rowCount()):
            self.metrics_form.setRowVisible(i, has)
        self.flags_label.setVisible(has)
        if row is None or result is None:
            if row is not None and row.clip is not None and row.error is None:
                self.flags_label.setText(
                    '<span style="color:#9c9ca5">Not analysed yet: flags appear when the '
                    "analysis has run.</span>"
                )
                self.flags_label.setVisible(True)
            return
        m = result.metrics
        moving = m.frames > 1
        values = {
            "Effective fps": (
                f"{m.effective_fps:.1f} ({m.drawings} drawings in {m.frames} frames)"
                if moving else "a still"
            ),
            "Hold pattern": f"on {m.hold_pattern}" if m.hold_pattern in (
                "ones", "twos", "threes", "fours") else m.hold_pattern,
            "Motion": f"mean {m.motion_mean:.2f}, p95 {m.motion_p95:.2f} (% of width per frame)"
            if moving else "none",
            "Sharpness": f"{m.blur:.1f} (variance of the Laplacian; higher is sharper)",
            "Noise": f"{m.noise:.2f} (grey levels)",
            "Training size": self._training_text(row),
        }  # fmt: skip
        for name, text in values.items():
            self.metric_values[name].setText(text)
        self.flags_label.setText(flags_html(result.flags, self.fix))

    def _training_text(self, row: ClipRow) -> str:
        info, clip = row.source.info, row.clip
        if info is None:
            return ""
        w, h = info.width, info.height
        what = "frame"
        if clip is not None and clip.crop is not None:
            w, h, what = clip.crop[2], clip.crop[3], "crop"
        tw, th = self.training_size
        if not (tw and th and w and h):
            return ""
        if self.bucketing:  # a bucket keeps the clip's shape: its pixel count matters
            scale = (w * h / (tw * th)) ** 0.5
            against = f"{tw}\u00d7{th} pixels (bucketed)"
        else:
            scale = min(w / tw, h / th)
            against = f"{tw}\u00d7{th}"
        verdict = "large enough" if scale >= 1 else f"needs {1 / scale:.1f}\u00d7 upscaling"
        return f"{what} {w}\u00d7{h} against {against}: {verdict}"

    def flag_texts(self) -> list[str]:
        """The shown flags as "name: reason" lines (used by tests)."""
        row = self._row
        if row is None or row.result is None:
            return []
        return [f"{FLAG_STYLES[f.kind].name}: {f.reason}" for f in row.result.flags]

    def metric_text(self, name: str) -> str | None:
        i = METRIC_FIELDS.index(name)
        return self.metric_values[name].text() if self.metrics_form.isRowVisible(i) else None

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


def flags_html(flags: list[Any], fix: FixSpec | None = None) -> str:
    """Each flag as a coloured name and its reason; a flag a fix answers says whether the clip
    has that fix set. A reassuring line when there is none."""
    if not flags:
        return '<span style="color:#6fd08c">\u2713 No flags: the analysis found nothing.</span>'
    items = []
    for f in flags:
        style = FLAG_STYLES[f.kind]
        color, name = style.color, html.escape(style.name)
        items.append(
            f'<p style="margin:0 0 4px 0"><span style="background:{color}; color:white;">'
            f"&nbsp;{name}&nbsp;</span>&nbsp; {html.escape(f.reason)}{_fix_note(f.kind, fix)}</p>"
        )
    count = f"{len(flags)} flag{'' if len(flags) == 1 else 's'}"
    return f"<p style='margin:0 0 4px 0'><b>{count}</b></p>" + "".join(items)


def _fix_note(kind: Any, fix: FixSpec | None) -> str:
    """ " - fix set: upscale 2x" for a flag the clip's fix answers, " - no fix set" for one a fix
    could answer, nothing for the others."""
    if kind not in FLAG_FIXES:
        return ""
    if kind in fixed_flags(fix):
        return (
            f' <span style="color:#6fd08c">\u2014 fix set: {html.escape(describe_fix(fix))}</span>'
        )
    return ' <span style="color:#9c9ca5">\u2014 no fix set (Clip \u25b8 Fix\u2026)</span>'
