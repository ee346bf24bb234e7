"""The player over its timeline, kept in sync both ways: one widget for the window's centre."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QWidget

from anicurate.core.crop import CropRect
from anicurate.ui.player.frame_server import OpenedSource
from anicurate.ui.player.player_widget import PlayerWidget
from anicurate.ui.player.timeline import Timeline, TimelineData

#: Gives the timeline data of an opened source, or None (no analysis yet).
DataLoader = Callable[[OpenedSource], TimelineData | None]


class PlayerPanel(QSplitter):
    """Player above, timeline below: seeking, the playhead and in/out follow each other."""

    data_shown = Signal(object)  # TimelineData | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("playerPanel")
        self.setChildrenCollapsible(False)
        self.player = PlayerWidget()
        self.timeline = Timeline()
        self.addWidget(self.player)
        self.addWidget(self.timeline)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        self.setSizes([560, 200])
        self._loader: DataLoader | None = None

        player, timeline = self.player, self.timeline
        timeline.key_handler = player.handle_key
        timeline.seek_requested.connect(self._seek_from_timeline)
        timeline.in_out_changed.connect(player.set_in_out)
        player.position_changed.connect(timeline.set_playhead)
        player.in_out_changed.connect(timeline.set_in_out)
        player.loaded.connect(self._on_loaded)

    def load(
        self,
        path: Path,
        first: int = 0,
        last: int | None = None,
        crop: CropRect | None = None,
        data: DataLoader | None = None,
    ) -> int:
        """Show ``path`` (in/out = ``first``..``last``); ``data`` fills the timeline once open."""
        self._loader = data
        self.timeline.clear_data(0, "Loading\u2026")
        return self.player.load(path, first, last, crop)

    def unload(self, message: str = "No clip selected") -> None:
        self._loader = None
        self.player.unload(message)
        self.timeline.clear_data(0, "")

    def set_timeline_data(self, data: TimelineData | None, frames: int | None = None) -> None:
        """Draw ``data`` (None: an empty axis of ``frames``) and use its events for Up/Down."""
        player, timeline = self.player, self.timeline
        if data is None:
            timeline.clear_data(frames if frames is not None else player.frame_count)
            player.set_events([])
            player.set_effective_fps(None)
        else:
            timeline.set_data(data)
            player.set_events(data.events)
            player.set_effective_fps(data.effective_fps)
        timeline.set_in_out(player.in_frame, player.out_frame)
        timeline.set_playhead(player.position)
        self.data_shown.emit(data)

    def shutdown(self) -> None:
        self.player.shutdown()

    def _on_loaded(self, opened: OpenedSource) -> None:
        data = self._loader(opened) if self._loader is not None else None
        self.set_timeline_data(data, len(opened.index))

    def _seek_from_timeline(self, index: int) -> None:
        self.player.pause()
        self.player.seek(index)
        self.player.setFocus(Qt.FocusReason.MouseFocusReason)
