"""The main window as a shell: the central browser and player, docks, the named menus and the
toolbar that feature packages fill, the status bar, drag and drop, and the saved layout.

The open project lives in a :class:`ProjectSession`, jobs run in a :class:`JobQueue`; features
get both with the window as a :class:`~anicurate.ui.shell.Shell` in ``install(shell, session,
jobs)``, and talk to those, never to each other.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
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
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

from anicurate.core.project import Project
from anicurate.ui import cluster_setting, export, fix, project_copy, review, samples, tagging
from anicurate.ui import help as help_menu
from anicurate.ui.browse.clip_browser import BrowserMode, ClipBrowser
from anicurate.ui.browse.current import CurrentClip
from anicurate.ui.browse.filter_bar import FilterBar, counts_text
from anicurate.ui.browse.imports import (
    ImportController,
    ask_new_project_path,
    import_files_dialog,
    import_folder_dialog,
)
from anicurate.ui.browse.inspector import InspectorPanel
from anicurate.ui.browse.problems import ProblemsPanel
from anicurate.ui.browse.thumbnails import ClipThumbnails
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.layouts import scrolling, stacked
from anicurate.ui.common.recent_menu import RecentMenu
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.common.theme_menu import ThemeMenu
from anicurate.ui.jobs import JobQueue
from anicurate.ui.player.panel import PlayerPanel
from anicurate.ui.project_settings import ProjectSettingsUi
from anicurate.ui.session import PROJECT_FILTER, PROJECT_SUFFIX, ProjectSession
from anicurate.ui.shell import MenuName

BROWSER_WIDTH = 448  # two thumbnail columns
BOTTOM_DOCK_HEIGHT = 120  # Problems: its title, the table's header and three rows
MENUS: tuple[tuple[MenuName, str], ...] = (
    ("file", "&File"), ("edit", "&Edit"), ("clip", "&Clip"), ("view", "&View"),
    ("tags", "&Tags"), ("tools", "&Tools"), ("help", "&Help"),
)  # fmt: skip


class MainWindow(QMainWindow):
    """Clip browser left and the player over its timeline in the centre (one splitter), the
    Inspector on the right, Problems below, jobs in the status bar.

    For tests and scripts, ``interactive=False`` shows no modal dialogs: errors go to the status
    bar and the session's ``error_reported``; a drop without a project asks
    ``imports.ask_new_project_path`` (a callable you may replace), which returns None.
    """

    closing = Signal()  # the window closes: features save and stop before the project closes

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
        self.session = ProjectSession(self.settings, interactive=interactive, parent=self)
        self.jobs = JobQueue(pool, self)
        self.imports = ImportController(self.session, self.jobs)
        self.thumbnails = ClipThumbnails(self.session, self.jobs)
        if interactive:
            self.imports.ask_new_project_path = functools.partial(ask_new_project_path, self)

        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.browser = ClipBrowser(self.session.clip_model)
        self.player_panel = PlayerPanel()
        self.player = self.player_panel.player
        self.timeline = self.player_panel.timeline
        # The player's keys work wherever the focus is (text fields keep theirs).
        self.player.transport.set_context(Qt.ShortcutContext.WindowShortcut)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("centralSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(6)  # room for the whole grip: a 4 px one shows half a tab
        self.filter_bar = FilterBar(self.browser)
        self.splitter.addWidget(stacked(self.filter_bar.header, self.browser))
        self.splitter.addWidget(self.player_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([BROWSER_WIDTH, 700])
        self.setCentralWidget(self.splitter)
        self.inspector = InspectorPanel()
        self.problems_panel = ProblemsPanel(self.session.problem_model)
        self.current = CurrentClip(self.session, self.browser, self.inspector, self.player_panel)
        area = Qt.DockWidgetArea
        self.inspector_dock = self.add_dock(
            "Inspector", "inspectorDock", self.inspector, area.RightDockWidgetArea
        )
        self.problems_dock = self.add_dock(
            "Problems", "problemsDock", self.problems_panel, area.BottomDockWidgetArea
        )

        # The one job area is the status bar's first widget.
        self.statusBar().addWidget(self.jobs.status, 1)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.statusBar().addPermanentWidget(self.counts_label)

        self._menus = {name: self.menuBar().addMenu(title) for name, title in MENUS}
        self._build_actions()
        self._build_toolbar()
        self._connect()

        self.resize(1320, 820)
        # Features add their docks, menus and jobs; before the layout is restored, so their
        # docks come back where the user left them.
        self.review = review.install(self, self.session, self.jobs)
        self.project_settings = ProjectSettingsUi(self, self.session)
        self.tagging = tagging.install(self, self.session, self.jobs)
        self.export_ui = export.install(self, self.session, self.jobs)
        self.fix = fix.install(self, self.session, self.jobs)
        self.project_copy = project_copy.install(self, self.session)
        self.cluster_setting = cluster_setting.install(self, self.session)
        self.samples = samples.install(self, self.session, self.jobs)
        self._finish_menus()
        self.resizeDocks([self.inspector_dock], [340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [BOTTOM_DOCK_HEIGHT], Qt.Orientation.Vertical)
        # A first run shows Inspector and Problems in front of their tabbed neighbours.
        self.inspector_dock.raise_()
        QTimer.singleShot(0, self.problems_dock.raise_)
        self._restore_layout()
        self._update_title()
        self.update_actions()
        self._update_counts()

    # -- the Shell protocol ------------------------------------------------------------------

    def widget(self) -> QWidget:
        return self

    def add_dock(
        self,
        title: str,
        name: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        *,
        tabify_with: QDockWidget | None = None,
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() needs a unique object name per dock
        if area == Qt.DockWidgetArea.BottomDockWidgetArea:
            widget = scrolling(widget)  # a tall panel must not make the bottom docks tall
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        if tabify_with is not None:
            self.tabifyDockWidget(tabify_with, dock)
        return dock

    def menu(self, name: MenuName) -> QMenu:
        return self._menus[name]

    def add_toolbar_actions(self, actions: Sequence[QAction]) -> None:
        self.toolbar.insertSeparator(self._toolbar_end)
        self.toolbar.insertActions(self._toolbar_end, list(actions))

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    # -- building ----------------------------------------------------------------------------

    def _build_actions(self) -> None:
        sk = QKeySequence.StandardKey
        self.act_new = make_action(self, "&New Project\u2026", self.new_project_dialog,
                                   QKeySequence(sk.New), "Create a new project file")  # fmt: skip
        self.act_open = make_action(self, "&Open Project\u2026", self.open_project_dialog,
            QKeySequence(sk.Open), "Open an .anicurate project")  # fmt: skip
        self.act_import_files = make_action(self, "Import &Files\u2026",
            functools.partial(import_files_dialog, self, self.imports),
            "Ctrl+I", "Add video, GIF and image files to the project")  # fmt: skip
        self.act_import_folder = make_action(self, "Import F&older\u2026",
            functools.partial(import_folder_dialog, self, self.imports), "Ctrl+Shift+I",
            "Add every media file in a folder and its subfolders")  # fmt: skip
        self.act_close = make_action(self, "&Close Project", self.close_project, None)
        self.act_quit = make_action(self, "&Quit", self.close, QKeySequence(sk.Quit))
        self.act_grid = make_action(self, "&Thumbnails",
            lambda: self.set_browser_mode(BrowserMode.GRID), "Ctrl+1",
            "Show clips as a grid of thumbnails")  # fmt: skip
        self.act_table = make_action(self, "&Details",
            lambda: self.set_browser_mode(BrowserMode.TABLE), "Ctrl+2",
            "Show clips as a table of metadata")  # fmt: skip
        group = QActionGroup(self)
        for action in (self.act_grid, self.act_table):
            action.setCheckable(True)
            group.addAction(action)
        self.act_grid.setChecked(True)
        self.act_analyze = make_action(self, "&Analyse Project", self.imports.start_analysis,
            "Ctrl+Shift+A",
            "Find cuts, fades, motion and quality problems in files not analysed yet",
        )  # fmt: skip
        self.theme_menu = ThemeMenu(self.settings, self)
        self.theme_actions = self.theme_menu.theme_actions
        file_menu = self.menu("file")
        file_menu.addActions([self.act_new, self.act_open])
        self.recent_menu = RecentMenu(self.settings, self.open_project, self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.act_import_files, self.act_import_folder])
        file_menu.addSeparator()
        view_menu = self.menu("view")
        view_menu.addActions([self.act_grid, self.act_table])
        view_menu.addSeparator()
        view_menu.addActions(
            [self.inspector_dock.toggleViewAction(), self.problems_dock.toggleViewAction()]
        )

    def _finish_menus(self) -> None:
        """The shell's items that close each menu, after what the features added."""
        self.menu("file").addActions([self.act_close, self.act_quit])
        self.menu("clip").addSeparator()
        self.menu("clip").addAction(self.act_analyze)
        view_menu = self.menu("view")
        view_menu.addSeparator()
        view_menu.addMenu(self.theme_menu)
        self.menu("clip").addAction(self.player.transport.actions["goto"])
        self.help = help_menu.install(self)

    def _build_toolbar(self) -> None:
        self.toolbar = toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(16, 16))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.act_open, self.act_import_folder, self.act_import_files])
        toolbar.addSeparator()
        toolbar.addActions([self.act_grid, self.act_table])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._toolbar_end = toolbar.addWidget(spacer)  # features' actions go before it
        self.filter_edit = self.filter_bar.filter_edit
        self.status_combo = self.filter_bar.status_combo
        self.flag_combo = self.filter_bar.flag_combo
        self.sort_combo = self.filter_bar.sort_combo
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _connect(self) -> None:
        session, jobs = self.session, self.jobs
        session.project_changed.connect(self._on_project_changed)
        session.clips_changed.connect(self._update_counts)
        session.error_reported.connect(self._show_error)
        session.message.connect(self.show_message)
        session.closing_project.connect(jobs.stop)
        jobs.message.connect(self.show_message)
        # An import's job area replaces a passing message ("Opened …") in the status bar.
        self.imports.import_started.connect(lambda _worker: self.statusBar().clearMessage())
        jobs.changed.connect(self.update_actions)
        self.imports.failures_found.connect(self._show_problems)
        self.imports.analysed.connect(self.current.reload_timeline)
        self.browser.grid.selectionModel().selectionChanged.connect(self.update_actions)
        self.browser.new_project_requested.connect(self.new_project_dialog)
        self.browser.open_project_requested.connect(self.open_project_dialog)
        self.browser.import_files_requested.connect(self.act_import_files.trigger)
        self.browser.import_folder_requested.connect(self.act_import_folder.trigger)
        self.problems_panel.source_activated.connect(self.current.select_source)
        self.current.changed.connect(self.update_actions)

    # -- projects ----------------------------------------------------------------------------

    @property
    def project(self) -> Project | None:
        """The open core project (the session's), for scripts and tests."""
        return self.session.project

    def open_project(self, path: Path, *, create: bool = False) -> bool:
        """Open (with ``create``: make) the project at ``path``; False after a reported error."""
        return self.session.open(path, create=create)

    def close_project(self) -> None:
        """Stop any job and show no project."""
        self.session.close()

    def _on_project_changed(self, path: Path | None) -> None:
        has_project = path is not None
        self.browser.set_has_project(has_project)
        self.problems_panel.set_has_project(has_project)
        if has_project:
            self.current.restore()
            self.imports.reflag_if_outdated()
        self._update_title()
        self.update_actions()
        self._update_counts()

    def handle_drop(self, mime: QMimeData) -> bool:
        """Import the local files and folders in ``mime``; one .anicurate file is opened instead."""
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if not paths:
            return False
        if len(paths) == 1 and paths[0].suffix == PROJECT_SUFFIX and paths[0].is_file():
            return self.open_project(paths[0])
        self.imports.import_paths(paths)
        return True

    # -- dialogs -----------------------------------------------------------------------------

    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New project", str(self.settings.last_dir() / f"dataset{PROJECT_SUFFIX}"),
            PROJECT_FILTER,
        )  # fmt: skip
        if path:
            self.open_project(Path(path), create=True)

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", str(self.settings.last_dir()), PROJECT_FILTER
        )
        if path:
            self.open_project(Path(path))

    def _show_error(self, title: str, message: str) -> None:
        """A reported error: always the status bar, a dialog when interactive."""
        self.statusBar().showMessage(f"{title}: {message.splitlines()[0]}", 10_000)
        if self.interactive:
            QMessageBox.warning(self, title, message)

    def _show_problems(self) -> None:
        self.problems_dock.show()
        self.problems_dock.raise_()

    # -- view state --------------------------------------------------------------------------

    def set_browser_mode(self, mode: BrowserMode) -> None:
        self.browser.set_mode(mode)
        (self.act_grid if mode is BrowserMode.GRID else self.act_table).setChecked(True)

    def set_theme(self, name: str) -> None:
        """Switch between the dark and light looks; remembered for the next start."""
        self.theme_menu.set_theme(name)

    def _update_title(self) -> None:
        path = self.session.path
        self.setWindowTitle("anicurate" if path is None else f"{path.stem} \u2014 anicurate")
        if path is not None:
            self.setWindowFilePath(str(path))

    def update_actions(self, *_args: object) -> None:
        """Enable the shell's actions that apply to the project and jobs now."""
        has_project = self.session.project is not None
        self.act_close.setEnabled(has_project)
        self.filter_bar.setEnabled(has_project)
        busy = self.jobs.is_busy("import") or self.jobs.is_busy("analysis")
        self.act_analyze.setEnabled(has_project and not busy)

    def _update_counts(self) -> None:
        session = self.session
        has_project = session.project is not None
        problems = session.problem_model.rowCount()
        self.counts_label.setText(counts_text(session.clip_model, problems) if has_project else "")

    def _restore_layout(self) -> None:
        value = self.settings.bytes_value
        if (geometry := value("window/geometry")) is not None:
            self.restoreGeometry(geometry)
        if (state := value("window/state")) is not None:
            self.restoreState(state)
        if (splitter := value("window/splitter")) is not None:
            self.splitter.restoreState(splitter)
        if (panel := value("window/player_splitter")) is not None:
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
        self.closing.emit()
        self.jobs.shutdown()
        self.save_layout()
        self.session.close()
        self.player_panel.shutdown()
        event.accept()
