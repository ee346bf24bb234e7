"""Export in the main window: File > Export… (Ctrl+E) opens the export dialog on the open project,
Tools > Find training clips… ranks an export's clips by a prompt and opens a hit in the player.

Only the window's public members are used (``project``, ``clip_model``, ``browser``,
``player_panel``, ``pool``, ``act_close``, ``menuBar()``, ``statusBar()``, ``project_changed``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from anicurate.core.export import ExportResult, Hit
from anicurate.ui.common.messages import export_summary_text
from anicurate.ui.export.export_dialog import ExportDialog
from anicurate.ui.export.find_dialog import FindDialog

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


def _menu(window: MainWindow, title: str, before: str | None = None) -> QMenu:
    """The menu bar's menu called ``title`` (ampersands ignored), made before ``before``."""
    bar = window.menuBar()
    anchor = None
    for action in bar.actions():
        menu = action.menu()
        name = action.text().replace("&", "")
        if isinstance(menu, QMenu) and name == title.replace("&", ""):
            return menu
        if before is not None and name == before:
            anchor = action
    menu = QMenu(title, window)
    if anchor is not None:
        bar.insertMenu(anchor, menu)
    else:
        bar.addMenu(menu)
    return menu


class ExportUi(QObject):
    """The export and find dialogs and their actions on a :class:`MainWindow`."""

    hit_opened = Signal(object, int)  # Hit, the clip-model row selected (-1: loaded directly)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("exportUi")
        self.window = window
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

        file_menu = _menu(window, "&File")
        close = getattr(window, "act_close", None)
        if isinstance(close, QAction) and close in file_menu.actions():
            file_menu.insertAction(close, self.act_export)
            file_menu.insertSeparator(close)
        else:
            file_menu.addAction(self.act_export)
        _menu(window, "&Tools", before="Help").addAction(self.act_find)

        window.project_changed.connect(self._on_project_changed)
        window.installEventFilter(self)
        self._on_project_changed(window.project.path if window.project is not None else None)

    # -- export ------------------------------------------------------------------------------

    def show_export_dialog(self) -> ExportDialog | None:
        """Open (or raise) the export dialog on the window's project; None without one."""
        project = self.window.project
        if project is None:
            self.window.statusBar().showMessage("Open a project to export it.", 5000)
            return None
        dialog = self.export_dialog
        if dialog is None or dialog.project_path != project.path:
            if dialog is not None and not dialog.running:
                dialog.deleteLater()
            dialog = ExportDialog(
                project.path,
                project.settings(),
                pool=self.window.pool,
                out_dir=self.last_export_dir,
                parent=self.window,
            )
            dialog.export_ended.connect(self._on_export_ended)
            self.export_dialog = dialog
        else:
            dialog.schedule_preview(0)  # the catalogue may have changed since it was last shown
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_export_ended(self, how: str) -> None:
        dialog = self.sender()
        if not isinstance(dialog, ExportDialog):
            return
        result: ExportResult | None = dialog.last_result if how == "finished" else None
        if result is not None:
            self.last_export_dir = result.plan.out_dir
            self.window.statusBar().showMessage(export_summary_text(result), 15_000)
            if self.find_dialog is not None and not self.find_dialog.dataset_edit.text():
                self.find_dialog.set_dataset(result.plan.out_dir)
        elif how == "cancelled":
            self.window.statusBar().showMessage("Export cancelled.", 8000)
        else:
            self.window.statusBar().showMessage("Export stopped with an error.", 8000)

    # -- find --------------------------------------------------------------------------------

    def show_find_dialog(self, dataset: Path | None = None) -> FindDialog:
        """Open (or raise) the find dialog, on ``dataset`` or the last export's folder."""
        if self.find_dialog is None:
            self.find_dialog = FindDialog(dataset or self.last_export_dir, self.window)
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
        w = self.window
        first, last = hit.frame_range
        row = self._row_for(hit)
        if row is not None:
            clip = w.clip_model.row_at(row).clip
            w.browser.select_model_row(row)
            same = clip is not None and (clip.first_frame, clip.last_frame) == (first, last)
            if not same:
                w.player_panel.load(Path(hit.source_path), first, last)
        else:
            # Forget the selected clip, so selecting it again later reloads it in the player.
            w.browser.grid.selectionModel().clearCurrentIndex()
            w.player_panel.load(Path(hit.source_path), first, last)
        w.statusBar().showMessage(
            f"{Path(hit.source_path).name}, frames {first}\u2013{last} "
            f"(exported as {Path(hit.path).name})",
            8000,
        )
        self.hit_opened.emit(hit, -1 if row is None else row)
        return -1 if row is None else row

    def _row_for(self, hit: Hit) -> int | None:
        if self.window.project is None:
            return None
        rows = [
            (i, r)
            for i, r in enumerate(self.window.clip_model.rows())
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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """Cancel a running export and wait for it (the window is closing)."""
        if self.export_dialog is not None:
            self.export_dialog.shutdown()
