"""Export in the window: File > Export… (Ctrl+E) opens the export dialog on the open project
(with the caption template last used in it, kept in the project),
Tools > Find training clips… ranks an export's clips by a prompt and opens a hit in the player.
It uses the session, the job queue and the shell only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from anicurate.core.captions.template import CaptionTemplate
from anicurate.core.export import ExportResult, Hit
from anicurate.ui.common.messages import export_summary_text
from anicurate.ui.export.caption_box import load_template, save_template
from anicurate.ui.export.export_dialog import ExportDialog
from anicurate.ui.export.find_dialog import FindDialog
from anicurate.ui.jobs import JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


class ExportUi(QObject):
    """The export and find dialogs and their actions in the shell's File and Tools menus."""

    hit_opened = Signal(object, int)  # Hit, the clip-model row selected (-1: loaded directly)

    def __init__(self, shell: Shell, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(shell.widget())
        self.setObjectName("exportUi")
        self.shell, self.session, self.jobs = shell, session, jobs
        window = shell.widget()
        self.export_dialog: ExportDialog | None = None
        self.find_dialog: FindDialog | None = None
        self.last_export_dir: Path | None = None

        self.act_export = QAction("&Export\u2026", window)
        self.act_export.setObjectName("actionExport")
        self.act_export.setShortcut(QKeySequence("Ctrl+E"))
        tip = "Render the chosen clips, captions and a trainer config into a folder"
        self.act_export.setStatusTip(tip)
        self.act_export.setToolTip(tip)
        self.act_export.triggered.connect(lambda _checked=False: self.show_export_dialog())
        self.act_find = QAction("&Find Training Clips\u2026", window)
        self.act_find.setObjectName("actionFindTrainingClips")
        tip = "From a prompt (e.g. of a bad sample) to the exported clips behind it"
        self.act_find.setStatusTip(tip)
        self.act_find.setToolTip(tip)
        self.act_find.triggered.connect(lambda _checked=False: self.show_find_dialog())

        shell.menu("file").addAction(self.act_export)
        shell.menu("file").addSeparator()
        shell.menu("tools").addAction(self.act_find)
        session.project_changed.connect(self._on_project_changed)
        shell.closing.connect(self.shutdown)
        self._on_project_changed(session.path)

    # -- export ------------------------------------------------------------------------------

    def show_export_dialog(self) -> ExportDialog | None:
        """Open (or raise) the export dialog on the window's project; None without one."""
        project = self.session.project
        if project is None:
            self.shell.show_message("Open a project to export it.", 5000)
            return None
        dialog = self.export_dialog
        if dialog is None or dialog.project_path != project.path:
            if dialog is not None and not dialog.running:
                dialog.deleteLater()
            dialog = ExportDialog(
                project.path,
                project.settings(),
                jobs=self.jobs,
                out_dir=self.last_export_dir,
                caption_template=load_template(project),
                parent=self.shell.widget(),
            )
            dialog.export_ended.connect(self._on_export_ended)
            dialog.caption_template_changed.connect(self._remember_template)
            self.export_dialog = dialog
        else:
            dialog.schedule_preview(0)  # the catalogue may have changed since it was last shown
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _remember_template(self, template: CaptionTemplate) -> None:
        """Keep the dialog's caption template in its project, for the next export."""
        dialog, project = self.sender(), self.session.project
        if not isinstance(dialog, ExportDialog) or project is None:
            return
        if _same_file(project.path, dialog.project_path):
            save_template(project, template)

    def _on_export_ended(self, how: str) -> None:
        dialog = self.sender()
        if not isinstance(dialog, ExportDialog):
            return
        result: ExportResult | None = dialog.last_result if how == "finished" else None
        if result is not None:
            self.last_export_dir = result.plan.out_dir
            self.shell.show_message(export_summary_text(result), 15_000)
            if self.find_dialog is not None and not self.find_dialog.dataset_edit.text():
                self.find_dialog.set_dataset(result.plan.out_dir)
        elif how == "cancelled":
            self.shell.show_message("Export cancelled.", 8000)
        else:
            self.shell.show_message("Export stopped with an error.", 8000)

    # -- find --------------------------------------------------------------------------------

    def show_find_dialog(self, dataset: Path | None = None) -> FindDialog:
        """Open (or raise) the find dialog, on ``dataset`` or the last export's folder."""
        if self.find_dialog is None:
            self.find_dialog = FindDialog(dataset or self.last_export_dir, self.shell.widget())
            self.find_dialog.hit_activated.connect(self.open_hit)
        elif dataset is not None:
            self.find_dialog.set_dataset(dataset)
        self.find_dialog.show()
        self.find_dialog.raise_()
        self.find_dialog.activateWindow()
        return self.find_dialog

    def open_hit(self, hit: Hit) -> int:
        """Show ``hit``'s source at its frames in the player; returns the clip row it selected.

        A source in the open project selects its clip in the browser (the export's clip id
        first, else the clip with the same frames); when the clip's frames have changed since the
        export, the player then shows the exported frames. Otherwise the file is loaded as is.
        """
        shell = self.shell
        first, last = hit.frame_range
        row = self._row_for(hit)
        if row is not None:
            clip = self.session.clip_model.row_at(row).clip
            shell.browser.select_model_row(row)
            same = clip is not None and (clip.first_frame, clip.last_frame) == (first, last)
            if not same:
                shell.player_panel.load(Path(hit.source_path), first, last)
        else:
            # Forget the selected clip, so selecting it again later reloads it in the player.
            shell.browser.grid.selectionModel().clearCurrentIndex()
            shell.player_panel.load(Path(hit.source_path), first, last)
        shell.show_message(
            f"{Path(hit.source_path).name}, frames {first}\u2013{last} "
            f"(exported as {Path(hit.path).name})",
            8000,
        )
        self.hit_opened.emit(hit, -1 if row is None else row)
        return -1 if row is None else row

    def _row_for(self, hit: Hit) -> int | None:
        if self.session.project is None:
            return None
        rows = [
            (i, r)
            for i, r in enumerate(self.session.clip_model.rows())
            if r.clip is not None and _same_file(r.source.path, hit.source_path)
        ]
        for i, r in rows:
            c = r.clip
            if (
                c is not None
                and c.id == hit.clip_id
                and (c.first_frame, c.last_frame) == (hit.frame_range)
            ):
                return i
        for i, r in rows:
            if r.clip is not None and (r.clip.first_frame, r.clip.last_frame) == hit.frame_range:
                return i
        return rows[0][0] if rows else None

    # -- window ------------------------------------------------------------------------------

    def _on_project_changed(self, path: object) -> None:
        self.act_export.setEnabled(path is not None)
        dialog = self.export_dialog
        if dialog is not None and not dialog.running and dialog.project_path != path:
            dialog.hide()

    def shutdown(self) -> None:
        """Cancel a running export and wait for it (the window is closing)."""
        if self.export_dialog is not None:
            self.export_dialog.shutdown()
