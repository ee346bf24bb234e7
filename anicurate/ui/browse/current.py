"""The clip in front of the person: the browser's current row shown in the inspector and the
player (whole source, in/out at the clip's range, the stored analysis on the timeline).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from anicurate.core.analysis import thresholds_of
from anicurate.core.crop import CropRect
from anicurate.ui.browse.clip_browser import ClipBrowser
from anicurate.ui.browse.clip_model import ClipRow
from anicurate.ui.browse.inspector import InspectorPanel
from anicurate.ui.player.analysis_data import stored_timeline_data
from anicurate.ui.player.frame_server import OpenedSource
from anicurate.ui.player.panel import PlayerPanel
from anicurate.ui.player.timeline import TimelineData
from anicurate.ui.session import ProjectSession


class CurrentClip(QObject):
    """Follows the browser's current clip into the inspector and the player."""

    leaving = Signal()  # the current clip is about to change: save what the player changed
    changed = Signal(object)  # ClipRow | None, once inspector and player show it

    def __init__(
        self,
        session: ProjectSession,
        browser: ClipBrowser,
        inspector: InspectorPanel,
        player_panel: PlayerPanel,
    ) -> None:
        super().__init__(session)
        self.session, self.browser = session, browser
        self.inspector, self.player_panel = inspector, player_panel
        # Reads the stored analysis of a source for the timeline; tests and scripts may replace it.
        self.timeline_data_for: Callable[[ClipRow, OpenedSource], TimelineData | None] = (
            self._stored_timeline_data
        )
        self._player_key: tuple[object, ...] | None = None
        browser.current_changed.connect(self._on_current_changed)
        session.closing_project.connect(self._forget)
        session.reflagged.connect(self.reload_timeline)

    def _on_current_changed(self, _row: ClipRow | None) -> None:
        self.leaving.emit()
        row = self.browser.current_row()  # fresh: saving may have re-read the rows
        project = self.session.project
        if project is not None and row is not None and row.clip is not None:
            self.session.settings.set_last_clip(project.path, row.clip.id)
        self.inspector.show_row(
            row, self.session.clip_model.thumbnail(row) if row is not None else None
        )
        self._show_in_player(row)
        self.changed.emit(row)

    def _show_in_player(self, row: ClipRow | None) -> None:
        """Load the clip in the player; the same clip changed by an edit or an undo keeps the
        player's position: only its in/out and crop follow the catalogue."""
        clip = row.clip if row is not None else None
        if row is None or clip is None or row.error is not None:
            if self._player_key is not None or row is not None:
                self._player_key = None
                message = "No clip selected" if row is None else "This file cannot be played"
                self.player_panel.unload(message)
            return
        crop = CropRect(*clip.crop) if clip.crop is not None else None
        key = (row.key, row.source.path, clip.first_frame, clip.last_frame, clip.crop)
        if key == self._player_key:
            return  # a refresh re-announced the clip on screen: keep position and state
        same_clip = self._player_key is not None and self._player_key[:2] == key[:2]
        self._player_key = key
        player = self.player_panel.player
        if same_clip and player.source is not None:
            if (player.in_frame, player.out_frame) != (clip.first_frame, clip.last_frame):
                player.set_in_out(clip.first_frame, clip.last_frame)
            player.set_crop(crop)
            return
        self.player_panel.load(
            Path(row.source.path),
            clip.first_frame,
            clip.last_frame,
            crop,
            data=functools.partial(self.timeline_data_for, row),
        )

    def _forget(self) -> None:
        self._player_key = None
        self.player_panel.unload()

    def reload_timeline(self) -> None:
        """Re-read the shown source's analysis into the timeline (after an analysis ran)."""
        row = self.browser.current_row()
        opened = self.player_panel.player.source
        if row is None or row.clip is None or opened is None or self._player_key is None:
            return
        self.player_panel.set_timeline_data(self.timeline_data_for(row, opened), len(opened.index))

    def player_row(self) -> ClipRow | None:
        """The row of the clip the player shows, as the catalogue has it now."""
        key = self._player_key
        if key is None:
            return None
        model = self.session.clip_model
        index = model.row_of_key(key[0])  # type: ignore[arg-type]
        return model.row_at(index) if index is not None else None

    def restore(self) -> None:
        """Show the clip that was current when the project was last open, else the first one:
        a project opens with something in the player, not an empty one."""
        project = self.session.project
        if project is None:
            return
        last = self.session.settings.last_clip(project.path)
        if last is None or not self.browser.select_clip(last):
            self.browser.move_current(0)

    def select_source(self, source_id: int) -> None:
        """Make the first clip of ``source_id`` current (from the Problems list)."""
        row = self.session.clip_model.row_of_source(source_id)
        if row is not None:
            self.browser.select_model_row(row)

    def _stored_timeline_data(self, row: ClipRow, _opened: OpenedSource) -> TimelineData | None:
        project = self.session.project
        if project is None:
            return None
        data = stored_timeline_data(project, row.source.id)
        if data is not None:
            # The timeline's draggable line is the project's cut threshold on the difference.
            data.threshold = thresholds_of(project).cut_min_content
            data.threshold_on_motion = False
        return data
