"""The main window: open or create a project, browse its clips, import files dropped on it.

It wires widgets to the core and holds the window's own :class:`Project` (GUI thread only).
Imports run as core generators in a :class:`JobWorker`; their progress arrives by signal and
the clip list is re-read from the catalogue, at most a few times a second, as files land.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

from anicurate import __version__
from anicurate.core.analysis import FLAG_KINDS, analyze_project, set_thresholds
from anicurate.core.analysis import thresholds_of as core_thresholds_of
from anicurate.core.crop import CropRect
from anicurate.core.errors import AnicurateError
from anicurate.core.media.formats import MEDIA_EXTENSIONS
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project import import_paths as core_import_paths
from anicurate.ui.browse.clip_browser import BrowserMode, ClipBrowser
from anicurate.ui.browse.clip_model import FLAG_NAMES, ClipListModel, ClipRow
from anicurate.ui.browse.filter_model import ANY_FLAG, NO_FLAGS, SORTS
from anicurate.ui.browse.inspector import InspectorPanel
from anicurate.ui.browse.problems import ProblemListModel, ProblemsPanel, problems_from
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.messages import describe_error
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.common.theme import THEMES, apply_theme, current_theme
from anicurate.ui.export import install_export
from anicurate.ui.jobs_controller import JobsController
from anicurate.ui.player.analysis_data import stored_timeline_data
from anicurate.ui.player.frame_server import OpenedSource
from anicurate.ui.player.panel import PlayerPanel
from anicurate.ui.player.timeline import TimelineData
from anicurate.ui.review import install_review
from anicurate.ui.settings_dialog import SettingsDialog
from anicurate.ui.tagging import install_tagging
from anicurate.ui.workers import Job, JobWorker

log = logging.getLogger(__name__)

PROJECT_SUFFIX = ".anicurate"
PROJECT_FILTER = "anicurate projects (*.anicurate)"
REFRESH_INTERVAL_MS = 300  # shortest pause between re-reads of the clip list during an import
BROWSER_WIDTH = 448  # two thumbnail columns
STATUS_FILTERS = (
    ("All statuses", None),
    ("Unreviewed", "unreviewed"),
    ("Accepted", "accepted"),
    ("Rejected", "rejected"),
    ("Problems", "error"),
)


def analysis_workers() -> int:
    """Decoding processes for a background analysis: leave a core for the window."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def suggest_project_path(paths: Sequence[Path]) -> Path:
    """Where to offer a new project for dropped files: next to the first folder, named after it."""
    first = paths[0]
    folder = first if first.is_dir() else first.parent
    return folder.parent / f"{folder.name or 'clips'}{PROJECT_SUFFIX}"


class MainWindow(QMainWindow):
    """Clip browser left and the player over its timeline in the centre (one splitter), the
    Inspector on the right, Problems below, jobs in the status bar.

    For tests and scripts, ``interactive=False`` shows no modal dialogs: errors go to the status
    bar and :attr:`error_reported`, and a drop without a project asks
    :attr:`ask_new_project_path` (a callable you may replace), which then returns None.
    """

    project_changed = Signal(object)  # Path | None
    import_started = Signal(object)  # JobWorker
    import_ended = Signal(str)  # "finished" | "failed" | "cancelled"
    refreshed = Signal()  # the models were re-read from the catalogue
    error_reported = Signal(str)
    analysis_started = Signal(object)  # JobWorker
    analysis_ended = Signal(str)  # "finished" | "failed" | "cancelled"
    edited = Signal(str)  # an edit (or undo/redo) was saved; its label
    reflagged = Signal()  # flags were recomputed from stored signals (thresholds, settings)

    def __init__(
        self,
        settings: AppSettings | None = None,
        *,
        interactive: bool = True,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.interactive = interactive
        self.pool = pool or QThreadPool(self)
        self.project: Project | None = None
        self.ask_new_project_path: Callable[[Sequence[Path]], Path | None] = (
            self._ask_new_project_path
        )
        # The core job an import runs; tests and the screenshot script wrap it (e.g. to pause).
        self.make_import_job: Callable[[Path, Sequence[Path]], Job] = core_import_paths
        self.make_analysis_job: Callable[[Path], Job] = lambda path: analyze_project(
            path, workers=analysis_workers()
        )

        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.clip_model = ClipListModel(self)
        self.problem_model = ProblemListModel(self)
        self.browser = ClipBrowser(self.clip_model)
        self.player_panel = PlayerPanel()
        self.player = self.player_panel.player
        self.timeline = self.player_panel.timeline
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("centralSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(self.player_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([BROWSER_WIDTH, 700])
        self.setCentralWidget(self.splitter)
        # Reads the stored analysis of a source for the timeline; tests and scripts may replace it.
        self.timeline_data_for: Callable[[ClipRow, OpenedSource], TimelineData | None] = (
            self._stored_timeline_data
        )
        self._player_key: tuple[object, ...] | None = None
        self.inspector = InspectorPanel()
        self.problems_panel = ProblemsPanel(self.problem_model)
        self.inspector_dock = self._add_dock(
            "Inspector", "inspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.problems_dock = self._add_dock(
            "Problems", "problemsDock", self.problems_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )

        # Imports and the analysis after them; the job area is the status bar's first widget.
        self.jobs = JobsController(self)
        self.job_status = self.jobs.job_status
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.statusBar().addPermanentWidget(self.counts_label)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self._refresh_timer.timeout.connect(self.refresh)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        app = QApplication.instance()
        theme = str(self.settings.store.value("view/theme", "dark"))
        if isinstance(app, QApplication) and current_theme(app) != theme:
            apply_theme(app, theme)

        self.browser.current_changed.connect(self._on_current_changed)
        self.browser.filters_cleared.connect(self._reset_filter_widgets)
        self.browser.grid.selectionModel().selectionChanged.connect(self.update_actions)
        self.browser.new_project_requested.connect(self.new_project_dialog)
        self.browser.open_project_requested.connect(self.open_project_dialog)
        self.browser.import_files_requested.connect(self.import_files_dialog)
        self.browser.import_folder_requested.connect(self.import_folder_dialog)
        self.problems_panel.source_activated.connect(self._select_source)

        self.resize(1320, 820)
        # Feature packages add their docks, menus and jobs through the window's public members;
        # before the layout is restored, so their docks come back where the user left them.
        self.tagging = install_tagging(self)
        self.export_ui = install_export(self)
        self.resizeDocks([self.inspector_dock], [340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [150], Qt.Orientation.Vertical)
        # A first run shows Problems in front of its tabbed neighbours (raised once shown).
        QTimer.singleShot(0, self.problems_dock.raise_)
        self._restore_layout()
        self._update_title()
        self.update_actions()
        self._update_counts()

    # -- building ----------------------------------------------------------------------------

    def _add_dock(
        self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() needs a unique object name per dock
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        sk = QKeySequence.StandardKey
        self.act_new = make_action(
            self,
            "&New Project\u2026",
            self.new_project_dialog,
            QKeySequence(sk.New),
            "Create a new project file",
        )
        self.act_open = make_action(
            self,
            "&Open Project\u2026",
            self.open_project_dialog,
            QKeySequence(sk.Open),
            "Open an .anicurate project",
        )
        self.act_import_files = make_action(
            self,
            "Import &Files\u2026",
            self.import_files_dialog,
            "Ctrl+I",
            "Add video, GIF and image files to the project",
        )
        self.act_import_folder = make_action(
            self,
            "Import F&older\u2026",
            self.import_folder_dialog,
            "Ctrl+Shift+I",
            "Add every media file in a folder and its subfolders",
        )
        self.act_close = make_action(self, "&Close Project", self.close_project, None)
        self.act_quit = make_action(self, "&Quit", self.close, QKeySequence(sk.Quit))
        self.act_grid = make_action(
            self,
            "&Thumbnails",
            lambda: self.set_browser_mode(BrowserMode.GRID),
            "Ctrl+1",
            "Show clips as a grid of thumbnails",
        )
        self.act_table = make_action(
            self,
            "&Details",
            lambda: self.set_browser_mode(BrowserMode.TABLE),
            "Ctrl+2",
            "Show clips as a table of metadata",
        )
        group = QActionGroup(self)
        for action in (self.act_grid, self.act_table):
            action.setCheckable(True)
            group.addAction(action)
        self.act_grid.setChecked(True)

        # Review (accept/reject, navigation, split/merge, undo/redo) comes from its package;
        # created here so the actions keep their place among the window's own.
        self.review = install_review(self)
        review = self.review
        self.act_accept, self.act_reject = review.act_accept, review.act_reject
        self.act_unreview = review.act_unreview
        self.act_next, self.act_prev = review.act_next, review.act_prev
        self.act_split_here, self.act_split_cuts = review.act_split_here, review.act_split_cuts
        self.act_cut_drop, self.act_merge = review.act_cut_drop, review.act_merge
        self.act_undo, self.act_redo = review.act_undo, review.act_redo
        self.act_analyze = make_action(self,
            "&Analyse Project", self.start_analysis, "Ctrl+Shift+A",
            "Find cuts, fades, motion and quality problems in files not analysed yet",
        )  # fmt: skip
        self.act_settings = make_action(self,
            "Project &Settings…", self.settings_dialog, "Ctrl+,",
            "Training size, frames, fps and analysis thresholds",
        )  # fmt: skip
        self.theme_actions: dict[str, QAction] = {}
        theme_group = QActionGroup(self)
        for name in THEMES:
            action = make_action(
                self, f"&{name.capitalize()}", functools.partial(self.set_theme, name), None
            )
            action.setCheckable(True)
            theme_group.addAction(action)
            self.theme_actions[name] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_new, self.act_open])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.act_import_files, self.act_import_folder])
        file_menu.addSeparator()
        file_menu.addActions([self.act_close, self.act_quit])
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.act_undo, self.act_redo])
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_settings)
        clip_menu = bar.addMenu("&Clip")
        clip_menu.addActions([self.act_accept, self.act_reject, self.act_unreview])
        clip_menu.addSeparator()
        clip_menu.addActions([self.act_next, self.act_prev])
        clip_menu.addSeparator()
        clip_menu.addActions(
            [self.act_split_here, self.act_split_cuts, self.act_cut_drop, self.act_merge]
        )
        clip_menu.addSeparator()
        clip_menu.addAction(self.act_analyze)
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.act_grid, self.act_table])
        view_menu.addSeparator()
        view_menu.addActions(
            [self.inspector_dock.toggleViewAction(), self.problems_dock.toggleViewAction()]
        )
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("&Theme")
        theme_menu.addActions(list(self.theme_actions.values()))
        current = self.settings.store.value("view/theme", "dark")
        self.theme_actions.get(str(current), self.theme_actions["dark"]).setChecked(True)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(make_action(self, "&About anicurate", self._show_about))

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(16, 16))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.act_open, self.act_import_folder, self.act_import_files])
        toolbar.addSeparator()
        toolbar.addActions([self.act_grid, self.act_table])
        toolbar.addSeparator()
        toolbar.addActions([self.act_accept, self.act_reject])
        toolbar.addSeparator()
        toolbar.addActions([self.act_split_cuts, self.act_merge])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.setToolTip("Show clips with this status")
        for label, value in STATUS_FILTERS:
            self.status_combo.addItem(label, value)
        self.status_combo.currentIndexChanged.connect(self._on_status_filter)
        self.flag_combo = QComboBox()
        self.flag_combo.setObjectName("flagFilter")
        self.flag_combo.setToolTip("Show clips with this flag")
        self.flag_combo.addItem("All flags", None)
        self.flag_combo.addItem("Any flag", ANY_FLAG)
        self.flag_combo.addItem("No flags", NO_FLAGS)
        for kind in FLAG_KINDS:
            self.flag_combo.addItem(FLAG_NAMES.get(kind, kind).capitalize(), kind)
        self.flag_combo.currentIndexChanged.connect(self._on_flag_filter)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        self.sort_combo.setToolTip("Order of the clips")
        self.sort_combo.addItems(list(SORTS))
        self.sort_combo.currentTextChanged.connect(self.browser.set_sort)
        for combo in (self.status_combo, self.flag_combo, self.sort_combo):
            combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
            toolbar.addWidget(combo)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("Filter by name or tag")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFixedWidth(180)
        self.filter_edit.textChanged.connect(self.browser.set_filter)
        toolbar.addWidget(self.filter_edit)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    # -- projects ----------------------------------------------------------------------------

    def open_project(self, path: Path, *, create: bool = False) -> bool:
        """Open (with ``create``: make) the project at ``path``; False after a reported error."""
        path = Path(path)
        if create and path.suffix != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        if not create and not path.is_file():
            self.report_error("Cannot open project", f"There is no project file at {path}.")
            self.settings.remove_recent(path)
            return False
        try:
            project = Project.open(path, create=create)
        except (AnicurateError, OSError) as err:
            self.report_error("Cannot open project", describe_error(err))
            return False
        self.jobs.stop()  # only once the new project is open: a failed open changes nothing
        self._close_project_quietly()
        self.project = project
        self.jobs.last_failed = []
        self.clip_model.set_project(project)
        self.browser.set_has_project(True)
        self._apply_training_size()
        self.problems_panel.set_has_project(True)
        self.settings.add_recent(project.path)
        self.settings.set_last_dir(project.path.parent)
        self.refresh()
        self._restore_current_clip()
        self._update_title()
        self.update_actions()
        self.statusBar().showMessage(f"Opened {project.path}", 5000)
        self.project_changed.emit(project.path)
        return True

    def close_project(self) -> None:
        """Stop any import and show no project."""
        self.jobs.stop()
        self._close_project_quietly()
        self._update_title()
        self.update_actions()
        self._update_counts()
        self.project_changed.emit(None)

    def _close_project_quietly(self) -> None:
        if self.project is None:
            return
        self.flush_player_edits()
        self.review.stop()
        self.jobs.analysis_wanted = False
        self.clip_model.set_project(None)
        self.problem_model.set_problems([])
        self._player_key = None
        self.player_panel.unload()
        self.browser.set_has_project(False)
        self.problems_panel.set_has_project(False)
        try:
            self.project.close()
        except AnicurateError as err:  # nothing unsaved: every edit is its own transaction
            log.warning("closing project: %s", err)
        self.project = None

    def refresh(self) -> None:
        """Re-read clips and problems from the catalogue (cheap: only differences reach views)."""
        self._refresh_timer.stop()
        if self.project is None:
            return
        started = time.perf_counter()
        try:
            errors = self.project.errors()
            self.clip_model.refresh(errors)
            self.problem_model.set_problems(problems_from(errors, self.jobs.last_failed))
        except AnicurateError as err:
            self.report_error("Cannot read the project", describe_error(err))
            return
        self._update_counts()
        # Re-read at most ~1/5 of the time during an import: big catalogues refresh less often.
        cost_ms = int((time.perf_counter() - started) * 1000)
        self._refresh_timer.setInterval(max(REFRESH_INTERVAL_MS, 5 * cost_ms))
        self.refreshed.emit()

    def schedule_refresh(self) -> None:
        """Re-read the catalogue soon (during an import), unless a re-read is already due."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    # -- importing ---------------------------------------------------------------------------

    @property
    def job(self) -> JobWorker | None:
        """The running import or analysis, if any."""
        return self.jobs.job

    def import_paths(self, paths: Sequence[Path]) -> JobWorker | None:
        """Import files and folders in the background; returns the started worker.

        Without a project, one is created where :attr:`ask_new_project_path` says (None aborts).
        While another import runs the paths are queued and None is returned.
        """
        return self.jobs.import_paths(paths)

    def cancel_import(self) -> None:
        """Stop the running import (or analysis) after its current file; what was done stays."""
        self.jobs.cancel()

    cancel_job = cancel_import

    def start_analysis(self) -> JobWorker | None:
        """Analyse the project's files that have no current analysis, in the background.

        While another job runs the analysis is queued and None is returned.
        """
        return self.jobs.start_analysis()

    def handle_drop(self, mime: QMimeData) -> bool:
        """Import the local files and folders in ``mime``; one .anicurate file is opened instead."""
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if not paths:
            return False
        if len(paths) == 1 and paths[0].suffix == PROJECT_SUFFIX and paths[0].is_file():
            return self.open_project(paths[0])
        self.import_paths(paths)
        return True

    # -- dialogs -----------------------------------------------------------------------------

    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "New project",
            str(self.settings.last_dir() / f"dataset{PROJECT_SUFFIX}"),
            PROJECT_FILTER,
        )
        if path:
            self.open_project(Path(path), create=True)

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", str(self.settings.last_dir()), PROJECT_FILTER
        )
        if path:
            self.open_project(Path(path))

    def import_files_dialog(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(MEDIA_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import files",
            str(self.settings.last_dir()),
            f"Media files ({patterns});;All files (*)",
        )
        if files:
            self.settings.set_last_dir(Path(files[0]).parent)
            self.import_paths([Path(f) for f in files])

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import folder (with subfolders)", str(self.settings.last_dir())
        )
        if folder:
            self.settings.set_last_dir(Path(folder))
            self.import_paths([Path(folder)])

    def _ask_new_project_path(self, paths: Sequence[Path]) -> Path | None:
        if not self.interactive:
            return None
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Create a project for the dropped files",
            str(suggest_project_path(paths)),
            PROJECT_FILTER,
        )
        return Path(path) if path else None

    def report_error(self, title: str, message: str) -> None:
        """Tell the user; a dialog when interactive, always the status bar and the signal."""
        log.warning("%s: %s", title, message)
        self.statusBar().showMessage(f"{title}: {message.splitlines()[0]}", 10_000)
        self.error_reported.emit(message)
        if self.interactive:
            QMessageBox.warning(self, title, message)

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            "About anicurate",
            f"<b>anicurate {__version__}</b><p>Curate anime clips, GIFs and images into a "
            "text-to-video fine-tuning dataset. Your source files are never modified.</p>",
        )

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_projects()
        for i, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{i % 10}  {path.name}  \u2014  {path.parent}")
            action.setEnabled(path.is_file())
            action.triggered.connect(functools.partial(self._open_recent, path))
        if not recent:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List").triggered.connect(self._clear_recent)

    def _open_recent(self, path: Path, _checked: bool = False) -> None:
        self.open_project(path)

    def _clear_recent(self) -> None:
        for path in self.settings.recent_projects():
            self.settings.remove_recent(path)

    # -- view state --------------------------------------------------------------------------

    def set_browser_mode(self, mode: BrowserMode) -> None:
        self.browser.set_mode(mode)
        (self.act_grid if mode is BrowserMode.GRID else self.act_table).setChecked(True)

    def _on_current_changed(self, _row: ClipRow | None) -> None:
        """Save what the player changed on the clip being left, then show the new current one."""
        self.flush_player_edits()
        row = self.browser.current_row()  # fresh: saving may have re-read the rows
        if self.project is not None and row is not None and row.clip is not None:
            self.settings.set_last_clip(self.project.path, row.clip.id)
        self._show_in_inspector(row)
        self._show_in_player(row)
        self.update_actions()

    def _show_in_inspector(self, row: ClipRow | None) -> None:
        self.inspector.show_row(row, self.clip_model.thumbnail(row) if row is not None else None)

    def _show_in_player(self, row: ClipRow | None) -> None:
        """Load the current clip in the player (whole source; in/out at the clip's range).

        The same clip changed by an edit or an undo keeps the player's position: only its in/out
        and crop follow the catalogue.
        """
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
        player = self.player
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

    def reload_timeline(self) -> None:
        """Re-read the shown source's analysis into the timeline (after an analysis ran)."""
        row = self.browser.current_row()
        opened = self.player.source
        if row is None or row.clip is None or opened is None or self._player_key is None:
            return
        self.player_panel.set_timeline_data(self.timeline_data_for(row, opened), len(opened.index))

    # -- review (delegates to the review package) -------------------------------------------

    @property
    def cut_drop(self) -> int:
        """Frames split at cuts leaves out on each side of a cut."""
        return self.review.cut_drop

    def set_status(self, status: ClipStatus) -> int:
        """Accept, reject or reset the selected clips (the current one without a selection)."""
        return self.review.set_status(status)

    def set_note(self, clip_id: int, note: str) -> None:
        self.review.set_note(clip_id, note)

    def split_at_playhead(self) -> bool:
        """Split the current clip before the frame the player shows (S)."""
        return self.review.split_at_playhead()

    def split_at_cuts(self) -> bool:
        """One clip per shot: split the current clip at the cuts the analysis found in it."""
        return self.review.split_at_cuts()

    def ask_cut_drop(self) -> None:
        self.review.ask_cut_drop()

    def set_cut_drop(self, frames: int) -> None:
        self.review.set_cut_drop(frames)

    def merge_with_next(self) -> bool:
        """Join the current clip with the next clip of the same source."""
        return self.review.merge_with_next()

    def undo(self) -> str | None:
        return self.review.undo()

    def redo(self) -> str | None:
        return self.review.redo()

    def discard_player_edits(self) -> None:
        """Forget a pending trim or crop from the player (nothing is saved)."""
        self.review.discard_player_edits()

    def flush_player_edits(self) -> None:
        """Save a pending trim or crop from the player now (also when the clip changes)."""
        self.review.flush_player_edits()

    def player_row(self) -> ClipRow | None:
        """The row of the clip the player shows, as the catalogue has it now."""
        key = self._player_key
        if key is None:
            return None
        index = self.clip_model.row_of_key(key[0])  # type: ignore[arg-type]
        return self.clip_model.row_at(index) if index is not None else None

    # -- settings ----------------------------------------------------------------------------

    def settings_dialog(self) -> SettingsDialog | None:
        """Edit the project's training settings and thresholds (modal when interactive)."""
        if self.project is None:
            return None
        dialog = SettingsDialog(
            self.project.settings(), core_thresholds_of(self.project), parent=self
        )
        dialog.accepted.connect(functools.partial(self.apply_settings_dialog, dialog))
        if self.interactive:
            dialog.exec()
        return dialog

    def apply_settings_dialog(self, dialog: SettingsDialog) -> None:
        """Save the dialog's values to the project and re-flag every clip from stored signals."""
        if self.project is None:
            return
        try:
            self.project.set_settings(dialog.project_settings())
            set_thresholds(self.project, dialog.thresholds())
        except (AnicurateError, ValueError) as err:
            self.report_error("Cannot save the settings", str(err))
            return
        self._apply_training_size()
        self.refresh()
        self.reload_timeline()
        self.statusBar().showMessage("Settings saved; flags updated.", 4000)
        self.reflagged.emit()

    def _apply_training_size(self) -> None:
        if self.project is None:
            return
        settings = self.project.settings()
        self.player.set_training_size(settings.train_width, settings.train_height)
        self.inspector.set_training_size(
            settings.train_width, settings.train_height, bucketing=settings.use_bucketing
        )

    def set_theme(self, name: str) -> None:
        """Switch between the dark and light looks; remembered for the next start."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        self.settings.set_value("view/theme", name)
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)

    # -- filters -----------------------------------------------------------------------------

    def _on_status_filter(self, _index: int) -> None:
        self.browser.proxy.set_status_filter(self.status_combo.currentData())

    def _on_flag_filter(self, _index: int) -> None:
        self.browser.proxy.set_flag_filter(self.flag_combo.currentData())

    def _reset_filter_widgets(self) -> None:
        for widget in (self.status_combo, self.flag_combo, self.filter_edit):
            widget.blockSignals(True)
        self.status_combo.setCurrentIndex(0)
        self.flag_combo.setCurrentIndex(0)
        self.filter_edit.clear()
        for widget in (self.status_combo, self.flag_combo, self.filter_edit):
            widget.blockSignals(False)

    def _stored_timeline_data(self, row: ClipRow, _opened: OpenedSource) -> TimelineData | None:
        if self.project is None:
            return None
        data = stored_timeline_data(self.project, row.source.id)
        return self._with_cut_threshold(data)

    def _with_cut_threshold(self, data: TimelineData | None) -> TimelineData | None:
        """The timeline's draggable line is the project's cut threshold on the difference."""
        if data is None or self.project is None:
            return data
        data.threshold = core_thresholds_of(self.project).cut_min_content
        data.threshold_on_motion = False
        return data

    def _restore_current_clip(self) -> None:
        """Show the clip that was current when the project was last open, else the first one:
        a project opens with something in the player, not an empty one."""
        assert self.project is not None
        last = self.settings.last_clip(self.project.path)
        if last is None or not self.browser.select_clip(last):
            self.browser.move_current(0)

    def _select_source(self, source_id: int) -> None:
        row = self.clip_model.row_of_source(source_id)
        if row is not None:
            self.browser.select_model_row(row)

    def _update_title(self) -> None:
        if self.project is None:
            self.setWindowTitle("anicurate")
        else:
            self.setWindowTitle(f"{self.project.path.stem} \u2014 anicurate")
            self.setWindowFilePath(str(self.project.path))

    def update_actions(self, *_args: object) -> None:
        """Enable the actions that apply to the project, selection and jobs now."""
        has_project = self.project is not None
        self.act_close.setEnabled(has_project)
        for widget in (self.filter_edit, self.status_combo, self.flag_combo, self.sort_combo):
            widget.setEnabled(has_project)
        self.review.update_actions(has_project)
        self.act_settings.setEnabled(has_project)
        self.act_analyze.setEnabled(has_project and self.job is None)

    def _update_counts(self) -> None:
        if self.project is None:
            self.counts_label.setText("")
            return
        statuses: dict[str, int] = {}
        for row in self.clip_model.rows():
            if row.clip is not None:
                status = str(row.clip.status.value)
                statuses[status] = statuses.get(status, 0) + 1
        clips = self.clip_model.clip_count
        parts = [f"{clips:,} clip{'' if clips == 1 else 's'}"]
        parts += [f"{statuses.get(s, 0):,} {s}" for s in ("accepted", "rejected")]
        parts.append(f"{statuses.get('unreviewed', 0):,} to review")
        problems = self.problem_model.rowCount()
        if problems:
            parts.append(f"{problems:,} problem{'' if problems == 1 else 's'}")
        self.counts_label.setText("   ".join(parts))

    def _restore_layout(self) -> None:
        geometry = self.settings.bytes_value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.bytes_value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.bytes_value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        panel = self.settings.bytes_value("window/player_splitter")
        if panel is not None:
            self.player_panel.restoreState(panel)
        mode = self.settings.int_value("browser/mode", BrowserMode.GRID)
        self.set_browser_mode(BrowserMode.TABLE if mode == BrowserMode.TABLE else BrowserMode.GRID)

    def save_layout(self) -> None:
        self.settings.set_value("window/geometry", self.saveGeometry())
        self.settings.set_value("window/state", self.saveState())
        self.settings.set_value("window/splitter", self.splitter.saveState())
        self.settings.set_value("window/player_splitter", self.player_panel.saveState())
        self.settings.set_value("browser/mode", int(self.browser.mode))
        self.settings.sync()

    # -- events ------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.handle_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_player_edits()
        self.jobs.stop()
        self.save_layout()
        self._close_project_quietly()
        self.player_panel.shutdown()
        event.accept()
