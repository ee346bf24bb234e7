"""The review actions: status of the selection, clip navigation,
split/merge, undo/redo with history labels, the player's trim and crop (saved once a drag
rests) and the timeline's cut threshold (re-flags once it rests).

It works on the session's project and the shell's browser, player and inspector; edits are
announced by the session's ``edited`` and ``reflagged``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog

from anicurate.core.analysis import reflag, set_thresholds
from anicurate.core.analysis import thresholds_of as core_thresholds_of
from anicurate.core.crop import CropRect
from anicurate.core.errors import AnicurateError
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import history, merge, set_crop, set_note, set_status, split, trim
from anicurate.core.project.edits import redo as core_redo
from anicurate.core.project.edits import undo as core_undo
from anicurate.ui.browse.clip_model import ClipRow
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.messages import describe_error
from anicurate.ui.jobs import JobQueue
from anicurate.ui.review.batch import BatchEdits
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

EDIT_DELAY_MS = 400  # a drag of the in/out region or the crop is saved once it rests this long
THRESHOLD_DELAY_MS = 250  # the threshold line re-flags once it rests this long
# Edits after which flags must be recomputed (they change a clip's frames or picture size).
REFLAG_LABELS = ("Trim", "Split", "Merge", "Crop", "Clear crop")


class ReviewActions(QObject):
    """The review actions and edits, placed in the shell's Edit and Clip menus and toolbar."""

    def __init__(self, shell: Shell, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(shell.widget())
        self.setObjectName("reviewActions")
        self.shell, self.session, self.jobs = shell, session, jobs
        self.player = shell.player_panel.player
        self.cut_drop = session.settings.int_value("review/cut_drop", 0)
        # Edits from the player, saved once a drag rests: (clip id, first, last) and crop.
        self._pending_trim: tuple[int, int, int] | None = None
        self._pending_crop: tuple[int, CropRect | None] | None = None
        self._threshold_value: float | None = None
        self.batch = BatchEdits(self)
        self._build_actions()

        self.edit_timer = QTimer(self)
        self.edit_timer.setSingleShot(True)
        self.edit_timer.setInterval(EDIT_DELAY_MS)
        self.edit_timer.timeout.connect(self.flush_player_edits)
        self.threshold_timer = QTimer(self)
        self.threshold_timer.setSingleShot(True)
        self.threshold_timer.setInterval(THRESHOLD_DELAY_MS)
        self.threshold_timer.timeout.connect(self._apply_threshold)

        shell.inspector.note_edited.connect(self.set_note)
        self.player.in_out_changed.connect(self._on_player_in_out)
        self.player.crop_changed.connect(self._on_player_crop)
        shell.player_panel.timeline.threshold_changed.connect(self._on_threshold_dragged)
        shell.current.leaving.connect(self.flush_player_edits)
        shell.current.changed.connect(self.update_actions)
        shell.browser.grid.selectionModel().selectionChanged.connect(self.update_actions)
        session.closing_project.connect(self._on_closing_project)
        session.project_changed.connect(self.update_actions)
        session.clips_changed.connect(self.update_actions)
        shell.closing.connect(self.flush_player_edits)
        self._place_actions()
        self.update_actions()

    def _place_actions(self) -> None:
        shell = self.shell
        shell.menu("edit").addActions([self.act_undo, self.act_redo])
        clip_menu = shell.menu("clip")
        clip_menu.addActions([self.act_accept, self.act_reject, self.act_unreview])
        clip_menu.addSeparator()
        clip_menu.addActions([self.act_next, self.act_prev])
        clip_menu.addSeparator()
        clip_menu.addActions(
            [self.act_split_here, self.act_split_cuts, self.act_cut_drop, self.act_merge]
        )
        clip_menu.addAction(self.act_centre_crop)
        shell.add_toolbar_actions([self.act_accept, self.act_reject])
        shell.add_toolbar_actions([self.act_split_cuts, self.act_merge])

    def _build_actions(self) -> None:
        window, sk = self.shell.widget(), QKeySequence.StandardKey
        browser = self.shell.browser
        # Review: single keys as in video editors; text fields keep their keys (Qt gives a
        # focused line edit the key first, as a shortcut override).
        self.act_accept = make_action(
            window, "&Accept", lambda: self.set_status(ClipStatus.ACCEPTED), "A",
            "Accept the selected clips (A)",
        )  # fmt: skip
        self.act_reject = make_action(
            window, "&Reject", lambda: self.set_status(ClipStatus.REJECTED), "R",
            "Reject the selected clips (R)",
        )  # fmt: skip
        self.act_unreview = make_action(
            window, "Mark &Unreviewed", lambda: self.set_status(ClipStatus.UNREVIEWED), "U",
            "Put the selected clips back to unreviewed (U)",
        )  # fmt: skip
        self.act_next = make_action(
            window, "&Next Clip", lambda: browser.move_current(1), "N",
            "Go to the next clip (N)",
        )  # fmt: skip
        self.act_prev = make_action(
            window, "&Previous Clip", lambda: browser.move_current(-1), "P",
            "Go to the previous clip (P)",
        )  # fmt: skip
        self.act_split_here = make_action(
            window, "&Split at Playhead", self.split_at_playhead, "S",
            "Split the clip before the frame on screen (S)",
        )  # fmt: skip
        self.act_split_cuts = make_action(
            window, "Split at &Cuts", self.split_at_cuts, "Ctrl+Shift+S",
            "One clip per shot, at the cuts the analysis found (every selected clip)",
        )  # fmt: skip
        self.act_cut_drop = make_action(
            window, "Frames Dropped at Cuts…", self.ask_cut_drop, None,
            "How many frames split at cuts leaves out on each side of a cut",
        )  # fmt: skip
        self.act_split_cuts.setIconText("Split at Cuts")
        self.act_merge = make_action(
            window, "&Merge with Next Clip", self.merge_with_next, "Ctrl+M",
            "Join the clip with the next clip of the same file",
        )  # fmt: skip
        self.act_merge.setIconText("Merge")
        self.act_centre_crop = make_action(
            window, "C&entre Crop", self.centre_crop, None,
            "The largest centred crop of the training ratio, for every selected clip",
        )  # fmt: skip
        self.act_undo = make_action(window, "&Undo", self.undo, QKeySequence(sk.Undo))
        self.act_redo = make_action(window, "&Redo", self.redo, None)
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])

    def update_actions(self, *_args: object) -> None:
        """Enable what applies to the selection and name the edits undo and redo would undo."""
        project = self.session.project
        has_project = project is not None
        has_clip = has_project and self.current_clip() is not None
        has_selection = has_project and bool(self.shell.browser.selected_clip_ids())
        for action in (self.act_accept, self.act_reject, self.act_unreview, self.act_centre_crop):
            action.setEnabled(has_selection)
        for action in (self.act_split_here, self.act_merge):
            action.setEnabled(has_clip)
        self.act_split_cuts.setEnabled(has_clip or has_selection)
        self.act_next.setEnabled(has_project)
        self.act_prev.setEnabled(has_project)
        undo_label, redo_label = history(project) if project is not None else (None, None)
        self.act_undo.setEnabled(undo_label is not None)
        self.act_redo.setEnabled(redo_label is not None)
        self.act_undo.setText(f"&Undo {undo_label}" if undo_label else "&Undo")
        self.act_redo.setText(f"&Redo {redo_label}" if redo_label else "&Redo")

    def _on_closing_project(self) -> None:
        """Save the player's pending edit, forget a threshold drag that has not rested yet."""
        self.flush_player_edits()
        self.threshold_timer.stop()

    # -- review edits ------------------------------------------------------------------------

    def apply_edit(self, label: str, action: Callable[[Project], object]) -> bool:
        """Run one catalogue edit; then re-flag when it changed frames or sizes, re-read, tell.

        A refused edit (e.g. a split outside the clip) goes to the status bar, not a dialog.
        """
        project = self.session.project
        if project is None:
            return False
        try:
            action(project)
            if label.startswith(REFLAG_LABELS):
                reflag(project)
        except AnicurateError as err:
            self.shell.show_message(f"{label}: {describe_error(err)}", 8000)
            return False
        self.session.refresh()
        self.update_actions()
        self.session.edited.emit(label)
        return True

    def set_status(self, status: ClipStatus) -> int:
        """Accept, reject or reset the selected clips (the current one without a selection)."""
        self.flush_player_edits()
        ids = self.shell.browser.selected_clip_ids()
        if not ids or self.session.project is None:
            return 0
        changed = 0

        def apply(project: Project) -> None:
            nonlocal changed
            changed = set_status(project, ids, status)

        verb = {ClipStatus.ACCEPTED: "Accepted", ClipStatus.REJECTED: "Rejected"}.get(
            status, "Reset"
        )
        if self.apply_edit(f"{verb} clips", apply):
            noun = "clip" if len(ids) == 1 else "clips"
            self.shell.show_message(f"{verb} {len(ids)} {noun}", 3000)
        return changed

    def set_note(self, clip_id: int, note: str) -> None:
        self.apply_edit("Edit note", lambda p: set_note(p, clip_id, note))

    def current_clip(self) -> ClipRow | None:
        """The browser's current row when it is a playable clip."""
        row = self.shell.browser.current_row()
        return row if row is not None and row.clip is not None and row.error is None else None

    def split_at_playhead(self) -> bool:
        """Split the current clip before the frame the player shows (S)."""
        self.flush_player_edits()
        row = self.current_clip()
        if row is None or row.clip is None or self.player.source is None:
            return False
        at = self.player.position
        return self.apply_edit("Split", lambda p: split(p, row.clip.id, [at]))  # type: ignore[union-attr]

    def split_at_cuts(self) -> bool:
        """One clip per shot: split the selected clips (or the current one) at the cuts, fades
        and flashes the analysis found in them, as one step undone in one step."""
        self.flush_player_edits()
        selected = self.shell.browser.selected_clip_ids()
        if not selected:
            row = self.current_clip()
            if row is None or row.clip is None:
                return False
            selected = [row.clip.id]
        return self.batch.split_at_cuts(selected)

    def centre_crop(self) -> bool:
        """Centre-crop every selected clip to the training ratio (one undoable step)."""
        return self.batch.centre_crop(self.shell.browser.selected_clip_ids())

    def ask_cut_drop(self) -> None:
        value, ok = QInputDialog.getInt(
            self.shell.widget(),
            "Frames dropped at cuts",
            "Frames to leave out on each side of a cut when splitting at cuts:",
            self.cut_drop,
            0,
            48,
        )
        if ok:
            self.set_cut_drop(value)

    def set_cut_drop(self, frames: int) -> None:
        self.cut_drop = max(0, int(frames))
        self.session.settings.set_value("review/cut_drop", self.cut_drop)

    def merge_with_next(self) -> bool:
        """Join the current clip with the next clip of the same source."""
        self.flush_player_edits()
        row = self.current_clip()
        if row is None or row.clip is None:
            return False
        clip = row.clip
        later = [
            r.clip
            for r in self.session.clip_model.rows()
            if r.clip is not None
            and r.clip.source_id == clip.source_id
            and r.clip.first_frame > clip.last_frame
        ]
        if not later:
            self.shell.show_message("Merge: no later clip of this file to merge with.", 6000)
            return False
        nxt = min(later, key=lambda c: c.first_frame)
        return self.apply_edit("Merge", lambda p: merge(p, [clip.id, nxt.id]))

    def undo(self) -> str | None:
        return self._undo_redo(core_undo, "Undid")

    def redo(self) -> str | None:
        return self._undo_redo(core_redo, "Redid")

    def _undo_redo(self, step: Callable[[Project], str | None], verb: str) -> str | None:
        self.flush_player_edits()
        if self.session.project is None:
            return None
        label: str | None = None

        def apply(project: Project) -> None:
            nonlocal label
            label = step(project)
            if label is not None and label.startswith(REFLAG_LABELS):
                reflag(project)

        if not self.apply_edit(verb, apply) or label is None:
            return None
        self.shell.show_message(f"{verb}: {label}", 4000)
        return label

    # -- edits from the player (debounced) ---------------------------------------------------

    def _on_player_in_out(self, first: int, last: int) -> None:
        row = self.shell.current.player_row()
        if row is None or row.clip is None or self.player.source is None:
            return
        clip = row.clip
        if (first, last) == (clip.first_frame, clip.last_frame):
            self._pending_trim = None
            return
        self._pending_trim = (clip.id, first, last)
        self.edit_timer.start()

    def _on_player_crop(self, rect: CropRect | None) -> None:
        row = self.shell.current.player_row()
        if row is None or row.clip is None:
            return
        clip = row.clip
        rules = self.player.overlay.geometry_rules
        if rect is None and rules is not None:  # the Pad button: stored as the pad canvas
            rect = rules.pad_rect()
        new = (rect.x, rect.y, rect.w, rect.h) if rect is not None else None
        if new == clip.crop:
            self._pending_crop = None
            return
        self._pending_crop = (clip.id, rect)
        self.edit_timer.start()

    def discard_player_edits(self) -> None:
        """Forget a pending trim or crop from the player (nothing is saved)."""
        self.edit_timer.stop()
        self._pending_trim = self._pending_crop = None

    def flush_player_edits(self) -> None:
        """Save a pending trim or crop from the player now (also when the clip changes)."""
        self.edit_timer.stop()
        trim_edit, crop_edit = self._pending_trim, self._pending_crop
        self._pending_trim = self._pending_crop = None
        if trim_edit is not None:
            clip_id, first, last = trim_edit
            self.apply_edit("Trim", lambda p: trim(p, clip_id, first, last))
        if crop_edit is not None:
            clip_id, rect = crop_edit
            crop = (rect.x, rect.y, rect.w, rect.h) if rect is not None else None
            self.apply_edit("Crop" if crop else "Clear crop", lambda p: set_crop(p, clip_id, crop))

    # -- the timeline's threshold line (debounced) -------------------------------------------

    def _on_threshold_dragged(self, value: float) -> None:
        if self.session.project is None or self.shell.player_panel.timeline.data is None:
            return
        self._threshold_value = value
        self.threshold_timer.start()

    def _apply_threshold(self) -> None:
        """Store the cut threshold the timeline's line shows, then re-detect cuts and re-flag
        from the stored signals (nothing decodes)."""
        project = self.session.project
        value, self._threshold_value = self._threshold_value, None
        if value is None or project is None:
            return
        thresholds = core_thresholds_of(project)
        value = round(max(value, 0.1), 2)
        if value == thresholds.cut_min_content:
            return
        try:
            set_thresholds(project, replace(thresholds, cut_min_content=value))
        except AnicurateError as err:
            self.session.report_error("Cannot save the threshold", describe_error(err))
            return
        self.session.refresh()
        self.shell.show_message(f"Cut threshold {value:.2f}: cuts and flags updated", 3000)
        self.session.reflagged.emit()  # the timeline's cut markers follow the threshold
