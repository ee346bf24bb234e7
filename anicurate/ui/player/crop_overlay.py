"""The crop rectangle over the picture: drag to move, handles to resize, ratio locked by the core.

All geometry is :mod:`anicurate.core.crop`; this widget only maps between widget and source
pixels, paints, and turns mouse drags into ``moved``/``resized`` calls on the rectangle the drag
started from.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from anicurate.core.crop import CropGeometry, CropOutput, CropRect, Handle

HANDLE_PX = 9  # drawn handle size; the grab radius is a little larger
GRAB_PX = 10
OK_COLOR = QColor("#f2f2f2")
WARN_COLOR = QColor("#ff9f43")
SHADE = QColor(0, 0, 0, 150)


class CropOverlay(QWidget):
    """Covers the picture; active only in crop mode (otherwise clicks pass through).

    ``image_rect`` is a callable giving where the picture is drawn, in this widget's pixels.
    """

    crop_changed = Signal(object)  # CropRect | None (None: padding instead of a crop)

    def __init__(self, image_rect: Callable[[], QRectF], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cropOverlay")
        self._image_rect = image_rect
        self.geometry_rules: CropGeometry | None = None
        self.rect_px: CropRect | None = None
        self.pad = False
        self._drag: tuple[Handle | None, QPointF, CropRect] | None = None
        self.setMouseTracking(True)
        self.set_active(False)

    # -- state -------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return not self.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_active(self, active: bool) -> None:
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not active)
        self.setVisible(active)
        self.update()

    def set_geometry_rules(self, rules: CropGeometry | None, rect: CropRect | None = None) -> None:
        """Frame and training sizes; ``rect`` (or the fit preset) becomes the crop."""
        self.geometry_rules = rules
        if rules is None:
            self.rect_px = None
        else:
            self.rect_px = rules.clamp(rect) if rect is not None else rules.fit()
        self.update()

    def set_crop(self, rect: CropRect) -> None:
        """Make ``rect`` (made valid by the rules) the crop and announce it."""
        if self.geometry_rules is None:
            return
        self._set(self.geometry_rules.clamp(rect))

    def fit(self) -> None:
        """The largest crop of the ratio, centred."""
        if self.geometry_rules is not None:
            self.pad = False
            self._set(self.geometry_rules.fit())

    def centre(self) -> None:
        """The current crop's size, centred in the frame."""
        if self.geometry_rules is not None and self.rect_px is not None:
            self.pad = False
            self._set(self.geometry_rules.centred(self.rect_px))

    def set_pad(self, pad: bool) -> None:
        """Pad the whole frame to the ratio instead of cropping."""
        self.pad = pad
        self.update()
        self.crop_changed.emit(None if pad else self.rect_px)

    def output(self) -> CropOutput | None:
        if self.geometry_rules is None:
            return None
        return self.geometry_rules.output(None if self.pad else self.rect_px)

    def label_text(self) -> str:
        """The crop's size and what it becomes, e.g. ``1080×1080 → 384×384``."""
        out = self.output()
        if out is None or self.geometry_rules is None:
            return ""
        if self.pad:
            pad = self.geometry_rules.pad()
            text = f"pad to {pad.canvas_w}\u00d7{pad.canvas_h} \u2192 {out.width}\u00d7{out.height}"
        elif self.rect_px is not None:
            r = self.rect_px
            text = f"{r.w}\u00d7{r.h} \u2192 {out.width}\u00d7{out.height}"
        else:
            return ""
        if out.below_training:
            text += f"  \u26a0 below training size ({out.scale:.2f}\u00d7 up)"
        return text

    # -- drags (source pixels) ---------------------------------------------------------------

    def drag(self, handle: Handle | None, dx: float, dy: float) -> CropRect | None:
        """Apply a whole drag by (dx, dy) source pixels: a handle resizes, None moves."""
        rules, start = self.geometry_rules, self.rect_px
        if rules is None or start is None:
            return None
        rect = (
            rules.moved(start, dx, dy) if handle is None else rules.resized(start, handle, dx, dy)
        )
        self._set(rect)
        return rect

    def _set(self, rect: CropRect) -> None:
        changed = rect != self.rect_px
        self.rect_px = rect
        self.update()
        if changed and not self.pad:
            self.crop_changed.emit(rect)

    # -- mapping -----------------------------------------------------------------------------

    def _scale(self) -> float:
        rules = self.geometry_rules
        area = self._image_rect()
        return area.width() / rules.frame_w if rules is not None and rules.frame_w else 1.0

    def widget_rect(self) -> QRectF:
        """The crop in this widget's pixels."""
        if self.rect_px is None:
            return QRectF()
        area, s = self._image_rect(), self._scale()
        r = self.rect_px
        return QRectF(area.left() + r.x * s, area.top() + r.y * s, r.w * s, r.h * s)

    def handle_points(self) -> dict[Handle, QPointF]:
        """Where each handle sits, in widget pixels."""
        r = self.widget_rect()
        cx, cy = r.center().x(), r.center().y()
        return {
            Handle.NW: r.topLeft(),
            Handle.N: QPointF(cx, r.top()),
            Handle.NE: r.topRight(),
            Handle.E: QPointF(r.right(), cy),
            Handle.SE: r.bottomRight(),
            Handle.S: QPointF(cx, r.bottom()),
            Handle.SW: r.bottomLeft(),
            Handle.W: QPointF(r.left(), cy),
        }

    def hit(self, pos: QPointF) -> tuple[bool, Handle | None]:
        """(True, handle) on a handle, (True, None) inside the crop, (False, None) elsewhere."""
        for handle, point in self.handle_points().items():
            if abs(point.x() - pos.x()) <= GRAB_PX and abs(point.y() - pos.y()) <= GRAB_PX:
                return True, handle
        return self.widget_rect().contains(pos), None

    # -- events ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.rect_px is None or self.pad:
            event.ignore()
            return
        inside, handle = self.hit(event.position())
        if not inside:
            event.ignore()
            return
        self._drag = (handle, event.position(), self.rect_px)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            self._update_cursor(event.position())
            return
        handle, origin, start = self._drag
        s = self._scale() or 1.0
        delta = (event.position() - origin) / s
        rules = self.geometry_rules
        if rules is None:
            return
        if handle is None:
            rect = rules.moved(start, delta.x(), delta.y())
        else:
            rect = rules.resized(start, handle, delta.x(), delta.y())
        self._set(rect)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self.mouseMoveEvent(event)
            self._drag = None
            event.accept()
        else:
            event.ignore()

    def _update_cursor(self, pos: QPointF) -> None:
        inside, handle = self.hit(pos)
        shapes = Qt.CursorShape
        cursor = (
            {
                Handle.N: shapes.SizeVerCursor,
                Handle.S: shapes.SizeVerCursor,
                Handle.E: shapes.SizeHorCursor,
                Handle.W: shapes.SizeHorCursor,
                Handle.NW: shapes.SizeFDiagCursor,
                Handle.SE: shapes.SizeFDiagCursor,
                Handle.NE: shapes.SizeBDiagCursor,
                Handle.SW: shapes.SizeBDiagCursor,
            }.get(handle)
            if handle is not None
            else (shapes.SizeAllCursor if inside else None)
        )
        if cursor is None:
            self.unsetCursor()
        else:
            self.setCursor(cursor)

    def paintEvent(self, _event: object) -> None:
        if self.geometry_rules is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self._image_rect()
        out = self.output()
        color = WARN_COLOR if out is not None and out.below_training else OK_COLOR
        if self.pad:
            canvas = self._pad_rect()
            painter.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(canvas)
            box = canvas
        else:
            crop = self.widget_rect()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SHADE)
            for part in _outside(area, crop):
                painter.drawRect(part)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(color, 2))
            painter.drawRect(crop)
            thirds = QPen(QColor(255, 255, 255, 70), 1)
            painter.setPen(thirds)
            for k in (1, 2):
                x = crop.left() + crop.width() * k / 3
                y = crop.top() + crop.height() * k / 3
                painter.drawLine(QPointF(x, crop.top()), QPointF(x, crop.bottom()))
                painter.drawLine(QPointF(crop.left(), y), QPointF(crop.right(), y))
            painter.setPen(QPen(QColor("#101014"), 1))
            painter.setBrush(QBrush(color))
            for point in self.handle_points().values():
                painter.drawRect(
                    QRectF(
                        point.x() - HANDLE_PX / 2, point.y() - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX
                    )
                )
            box = crop
        self._paint_label(painter, box, color)
        painter.end()

    def _pad_rect(self) -> QRectF:
        rules = self.geometry_rules
        area = self._image_rect()
        if rules is None:
            return area
        pad, s = rules.pad(), self._scale()
        return QRectF(area.left() - pad.x * s, area.top() - pad.y * s, pad.canvas_w * s,
                      pad.canvas_h * s)  # fmt: skip

    def _paint_label(self, painter: QPainter, box: QRectF, color: QColor) -> None:
        text = self.label_text()
        if not text:
            return
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        width = metrics.horizontalAdvance(text) + 14
        height = metrics.height() + 8
        x = max(4.0, min(box.left() + 6, self.width() - width - 4))
        y = max(4.0, min(box.top() + 6, self.height() - height - 4))
        label = QRectF(x, y, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 190))
        painter.drawRoundedRect(label, 4, 4)
        painter.setPen(color)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)


def _outside(area: QRectF, crop: QRectF) -> list[QRectF]:
    """The parts of ``area`` around ``crop`` (top, bottom, left, right bands)."""
    top = QRectF(area.left(), area.top(), area.width(), max(0.0, crop.top() - area.top()))
    bottom = QRectF(
        area.left(), crop.bottom(), area.width(), max(0.0, area.bottom() - crop.bottom())
    )
    left = QRectF(area.left(), crop.top(), max(0.0, crop.left() - area.left()), crop.height())
    right = QRectF(crop.right(), crop.top(), max(0.0, area.right() - crop.right()), crop.height())
    return [top, bottom, left, right]
