"""The fix feature in the window: Clip ▸ Fix… on the selection, the A/B preview dock, the
timeline's synthesised-frame marks and the inspector's "fix set" chips."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from anicurate.core.analysis.detect import Events
from anicurate.core.analysis.store import load_signals
from anicurate.core.errors import AnicurateError
from anicurate.core.fix import FixSpec
from anicurate.core.fix.preview import PreviewPair, fix_plan, synthesised_positions
from anicurate.core.fix.store import clip_fixes, set_fixes, suggest_fixes
from anicurate.core.listing import ClipRow
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.messages import describe_error
from anicurate.ui.fix.dialog import FixDialog
from anicurate.ui.fix.preview import FixPreviewer, FixPreviewPanel, PreviewRequest
from anicurate.ui.jobs import JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell


class FixFeature(QObject):
    """Sets fixes on the selected clips and shows the current clip's fix."""

    def __init__(self, shell: Shell, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(shell.widget())
        self.setObjectName("fixFeature")
        self.shell, self.session, self.jobs = shell, session, jobs
        self.dialog: FixDialog | None = None
        self.row: ClipRow | None = None
        self.spec: FixSpec | None = None
        self._events: dict[int, Events | None] = {}
        self.act_fix = make_action(
            shell.widget(), "&Fix\u2026", self.open_dialog, "Ctrl+Shift+F",
            "Upscale, denoise or interpolate the selected clips when they are exported",
        )  # fmt: skip
        shell.menu("clip").addSeparator()
        shell.menu("clip").addAction(self.act_fix)
        self.panel = FixPreviewPanel()
        self.dock = shell.add_dock(
            "Fix Preview", "fixPreviewDock", self.panel, Qt.DockWidgetArea.RightDockWidgetArea,
            tabify_with=shell.inspector_dock,
        )  # fmt: skip
        shell.inspector_dock.raise_()
        self.previewer = FixPreviewer(self)
        self.previewer.ready.connect(self._on_ready)
        self.previewer.failed.connect(lambda _r, msg: self.panel.set_pair(None, msg))
        shell.current.changed.connect(self.show_clip)
        shell.player_panel.player.frame_shown.connect(self._on_frame)
        self.dock.visibilityChanged.connect(self._on_dock_shown)
        session.edited.connect(self._on_edited)
        session.reflagged.connect(self._on_edited)
        session.project_changed.connect(lambda _p: self._events.clear())
        shell.closing.connect(self.previewer.shutdown)

    # -- the dialog -------------------------------------------------------------------------

    def open_dialog(self) -> FixDialog | None:
        """Open Clip ▸ Fix… for the selection (window-modal; OK sets the fix as one edit)."""
        project = self.session.project
        ids = self.shell.browser.selected_clip_ids()
        if project is None or not ids:
            self.shell.show_message("Fix: select clips first", 4000)
            return None
        current = clip_fixes(project, ids)
        suggested = suggest_fixes(project, ids)
        first = ids[0]
        spec = current.get(first) or suggested.get(first) or FixSpec()
        dialog = FixDialog(len(ids), spec, suggested.get(first), project.settings().sample_span,
                           self.shell.widget())  # fmt: skip
        dialog.accepted.connect(lambda: self.apply(ids, None if dialog.cleared else dialog.spec()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def apply(self, ids: list[int], spec: FixSpec | None) -> int:
        """Set (None: clear) the fix of clips ``ids`` as one undoable edit."""
        project = self.session.project
        if project is None:
            return 0
        try:
            changed = set_fixes(project, dict.fromkeys(ids, spec))
        except AnicurateError as err:
            self.shell.show_message(f"Fix: {describe_error(err)}", 8000)
            return 0
        noun = "clip" if len(ids) == 1 else "clips"
        label = f"{'Clear fix' if spec is None else 'Fix'} ({len(ids)} {noun})"
        self.session.refresh()
        self.session.edited.emit(label)
        self.shell.show_message(f"{label}: {changed} changed", 3000)
        return changed

    # -- the current clip -------------------------------------------------------------------

    def _on_edited(self, *_args: object) -> None:
        self._events.clear()
        self.show_clip(self.shell.current.player_row())

    def show_clip(self, row: ClipRow | None) -> None:
        """Show ``row``'s fix: inspector chips, timeline marks, preview."""
        project = self.session.project
        self.row = row
        clip = row.clip if row is not None else None
        self.spec = None
        if project is None or row is None or clip is None or row.source.info is None:
            self.shell.player_panel.timeline.set_synthesised([])
            self.panel.set_pair(None, "Select a clip with a fix (Clip \u25b8 Fix\u2026)")
            return
        self.spec = clip_fixes(project, [clip.id]).get(clip.id)
        self.shell.inspector.set_fix(clip.id, self.spec)
        self.preview_spec(self.spec)

    def preview_spec(self, spec: FixSpec | None) -> None:
        """Mark and preview ``spec`` on the current clip without storing it (the stored fix
        comes back with the next clip change or edit)."""
        row = self.row
        if row is None or row.clip is None or row.source.info is None:
            return
        clip = row.clip
        self.spec = spec
        marks: list[float] = []
        if self.spec is not None and self.spec.interpolate is not None:
            slots = fix_plan(self.spec, clip.first_frame, clip.last_frame,
                             float(row.source.info.fps or 24), self.events(row))  # fmt: skip
            marks = synthesised_positions(slots, clip.first_frame)
        self.shell.player_panel.timeline.set_synthesised(marks)
        if self.spec is None:
            self.panel.set_pair(None, "This clip has no fix (Clip \u25b8 Fix\u2026)")
        else:
            self._request()

    def events(self, row: ClipRow) -> Events | None:
        """The stored analysis events of the row's source (cached until the next edit)."""
        project = self.session.project
        sid = row.source.id
        if sid not in self._events and project is not None:
            stored = load_signals(project, sid)
            self._events[sid] = None if stored is None else stored[1]
        return self._events.get(sid)

    def _on_dock_shown(self, shown: bool) -> None:
        if shown:
            self._request()

    def _on_frame(self, _index: int) -> None:
        if self.dock.isVisible():
            self._request()

    def _request(self) -> None:
        row, spec = self.row, self.spec
        if row is None or row.clip is None or spec is None or row.source.info is None:
            return
        clip = row.clip
        frame = self.shell.player_panel.player.position
        frame = min(max(frame, clip.first_frame), clip.last_frame)
        self.panel.status.setText(f"Fixing frame {frame}\u2026")
        self.previewer.request(PreviewRequest(
            clip.id, frame, row.source.path, clip.first_frame, clip.last_frame,
            float(row.source.info.fps or 24), spec, self.events(row),
        ))  # fmt: skip

    def _on_ready(self, req: PreviewRequest, pair: PreviewPair) -> None:
        if self.row is None or self.row.clip is None or self.row.clip.id != req.clip_id:
            return
        self.panel.set_pair(pair, f"Frame {req.frame}: A as it is, B {pair.what} (1:1)")
