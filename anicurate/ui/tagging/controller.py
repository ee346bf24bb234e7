"""Tagging in the main window: the Tags and Tag Overview docks, the Tags menu, batch tagging
as a job with its own progress, Cancel and provider badge in the status bar, find and replace,
and filtering the clip browser by a tag.

It only uses the window's public members (``project``, ``browser``, ``clip_model``, ``pool``,
``settings``, ``statusBar()``, ``report_error``, ``refresh`` and its signals), so the window
needs no code of its own for tagging beyond calling :func:`install_tagging`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QRegularExpression, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDockWidget, QMenu, QToolBar, QWidgetAction

from anicurate.core.errors import AnicurateError
from anicurate.core.jobs import Progress
from anicurate.core.project import ClipStatus
from anicurate.core.tagging import store
from anicurate.core.tagging.model import PROVIDER_LABELS, ProviderChoice
from anicurate.core.tagging.run import DEFAULT_BATCH
from anicurate.ui.browse.clip_model import ClipRow
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.messages import (
    describe_error,
    progress_text,
    replace_summary_text,
    tagging_summary_text,
)
from anicurate.ui.common.progress import JobStatusWidget
from anicurate.ui.tagging import choices
from anicurate.ui.tagging.batch import (
    LOADING,
    LoadedTagger,
    ProviderBadge,
    TagClipsDialog,
    TaggerAnnouncer,
    TagRequest,
    tagging_job,
)
from anicurate.ui.tagging.overview import TagOverviewPanel
from anicurate.ui.tagging.replace_dialog import FindReplaceDialog
from anicurate.ui.tagging.tag_panel import TagPanel
from anicurate.ui.workers import JobWorker

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

LIVE_REFRESH_MS = 400  # shortest pause between re-reads of the views while a job stores tags


def names_pattern(names: list[str]) -> QRegularExpression:
    """A filter matching exactly these names (none: nothing), for a name-filtering proxy."""
    if not names:
        return QRegularExpression("(?!)")
    escaped = "|".join(QRegularExpression.escape(n) for n in names)
    return QRegularExpression(f"^(?:{escaped})$")


class TaggingUi(QObject):
    """Everything tagging adds to a :class:`MainWindow`; made by :func:`install_tagging`."""

    tag_filter_requested = Signal(str)  # a tag whose clips the browser should show
    tagging_started = Signal(object)  # JobWorker
    tagging_ended = Signal(str)  # "finished" | "failed" | "cancelled"
    provider_loaded = Signal(object)  # LoadedTagger

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("taggingUi")
        self.window = window
        self.job: JobWorker | None = None
        self.filter_tag: str | None = None
        self._own_filter_edit = False
        self.last_summary: Any = None
        self.progress_interval_s = 0.1  # at most this often a progress signal (0: every clip)
        self._last_progress: Progress | None = None
        self.announcer = TaggerAnnouncer(self)
        self.announcer.loaded.connect(self._on_loaded)

        # -- docks
        self.panel = TagPanel()
        self.overview = TagOverviewPanel()
        self.tags_dock = self._dock("Tags", "tagsDock", self.panel)
        self.overview_dock = self._dock("Tag Overview", "tagOverviewDock", self.overview)
        # Tabbed with the inspector, not stacked under it: each gets the whole column height
        # (flags with their reasons, or a long tag list), one click apart.
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.tags_dock)
        window.tabifyDockWidget(window.inspector_dock, self.tags_dock)
        window.inspector_dock.raise_()
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.overview_dock)
        window.tabifyDockWidget(window.problems_dock, self.overview_dock)
        window.problems_dock.raise_()

        # -- status bar: the tagging job's progress and the provider that really runs it
        self.job_status = JobStatusWidget()
        self.job_status.setObjectName("taggingJobStatus")
        self.badge = ProviderBadge()
        window.statusBar().addWidget(self.job_status, 1)
        window.statusBar().addPermanentWidget(self.badge)
        self.job_status.cancel_requested.connect(self.cancel)

        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_REFRESH_MS)
        self._live_timer.timeout.connect(self._refresh_during_job)

        self._build_actions()
        self._connect()
        self._on_project_changed(window.project.path if window.project is not None else None)
        window.installEventFilter(self)

    # -- building ----------------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: Any) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_actions(self) -> None:
        window = self.window
        self.act_tag = make_action(self.window,
            "&Tag Clips\u2026", self.tag_clips_dialog, "Ctrl+T",
            "Tag the selected clips (or all) with a WD14 tagger",
        )  # fmt: skip
        self.act_cancel = make_action(
            self.window,
            "&Cancel Tagging",
            self.cancel,
            None,
            "Stop tagging; clips already tagged keep tags",
        )
        self.act_replace = make_action(self.window,
            "&Find and Replace Tags\u2026", self.find_replace_dialog, "Ctrl+H",
            "Rename or remove a tag on the selected clips or on all",
        )  # fmt: skip
        self.act_clear_filter = make_action(
            self.window,
            "Show &All Clips",
            self.clear_tag_filter,
            None,
            "Stop filtering the browser by a tag",
        )
        self.menu = QMenu("&Tags", window)
        self.menu.addActions([self.act_tag, self.act_cancel])
        self.menu.addSeparator()
        self.menu.addAction(self.act_replace)
        self.menu.addSeparator()
        self.menu.addActions(
            [self.tags_dock.toggleViewAction(), self.overview_dock.toggleViewAction()]
        )
        self.menu.addAction(self.act_clear_filter)
        bar = window.menuBar()
        help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_action is not None:
            bar.insertMenu(help_action, self.menu)
        else:
            bar.addMenu(self.menu)
        for action in bar.actions():
            if action.text().replace("&", "") == "View" and action.menu() is not None:
                view_menu = action.menu()
                assert isinstance(view_menu, QMenu)
                view_menu.addActions(
                    [self.tags_dock.toggleViewAction(), self.overview_dock.toggleViewAction()]
                )
        toolbar = window.findChild(QToolBar, "mainToolBar")
        if isinstance(toolbar, QToolBar):
            # Before the spacer that pushes the filter field right.
            widget_actions = [a for a in toolbar.actions() if isinstance(a, QWidgetAction)]
            before = widget_actions[0] if widget_actions else None
            if before is not None:
                toolbar.insertSeparator(before)
                toolbar.insertAction(before, self.act_tag)
            else:
                toolbar.addSeparator()
                toolbar.addAction(self.act_tag)

    def _connect(self) -> None:
        window = self.window
        window.project_changed.connect(self._on_project_changed)
        window.browser.current_changed.connect(self._on_current_changed)
        window.browser.grid.selectionModel().selectionChanged.connect(self._update_actions)
        window.refreshed.connect(self._on_window_refreshed)
        window.filter_edit.textChanged.connect(self._on_name_filter_typed)
        self.panel.edited.connect(self._on_tags_edited)
        self.panel.error_reported.connect(functools.partial(self._report, "Cannot edit tags"))
        self.overview.error_reported.connect(functools.partial(self._report, "Cannot read tags"))
        self.overview.tag_clicked.connect(self.tag_filter_requested.emit)
        self.overview.clear_filter_requested.connect(self.clear_tag_filter)
        self.tag_filter_requested.connect(self.filter_browser_by_tag)
        self.overview_dock.visibilityChanged.connect(
            lambda visible: self.overview.refresh() if visible else None
        )

    @property
    def qsettings(self) -> QSettings:
        return self.window.settings.store

    # -- following the window ----------------------------------------------------------------

    def _on_project_changed(self, _path: Any) -> None:
        if self.job is not None:
            self.cancel()
        project = self.window.project
        self.filter_tag = None
        self.panel.set_project(project)
        self.overview.set_project(project)
        self.update_completions()
        self._on_current_changed(self.window.browser.current_row())
        self._update_actions()

    def _on_current_changed(self, row: ClipRow | None) -> None:
        clip = row.clip if row is not None else None
        if clip is None:
            self.panel.set_clip(None)
        elif clip.id == self.panel.clip_id:
            self.panel.reload()  # re-announced (a refresh): keep the tag selection
        else:
            self.panel.set_clip(clip.id, row.name if row is not None else "")

    def _on_window_refreshed(self) -> None:
        if self.overview.project is not self.window.project:
            # The window swapped projects and refreshed before announcing it: follow it now,
            # never reading through the closed one.
            self._on_project_changed(None)
            return
        self.panel.reload()
        if self.overview_dock.isVisible():
            self.overview.refresh()
        if self.filter_tag is not None:
            self._apply_tag_filter(self.filter_tag)
        self._update_actions()

    def _on_tags_edited(self) -> None:
        # The browser shows (and filters by) tags too: re-read it, which refreshes the views.
        self.window.refresh()
        self.overview.refresh()

    def update_completions(self) -> None:
        """Re-read the words the tag field completes (project tags, then the tagger's)."""
        project = self.window.project
        found = choices.taggers(self.qsettings) if project is not None else []
        model = choices.preferred_model(project, self.qsettings, found)
        try:
            words = choices.completion_words(project, model)
        except AnicurateError:
            words = []
        self.panel.set_completions(words)

    def selected_clip_ids(self) -> list[int]:
        return [r.clip.id for r in self.window.browser.selected_rows() if r.clip is not None]

    def _update_actions(self, *_args: object) -> None:
        has_project = self.window.project is not None
        running = self.job is not None
        n = len(self.selected_clip_ids())
        self.act_tag.setEnabled(has_project and not running)
        self.act_tag.setText(
            f"&Tag {n} Selected Clip{'' if n == 1 else 's'}\u2026" if n > 1 else "&Tag Clips\u2026"
        )
        self.act_cancel.setEnabled(running)
        self.act_replace.setEnabled(has_project)
        self.act_clear_filter.setEnabled(self.filter_tag is not None)

    def _report(self, title: str, message: str) -> None:
        self.window.report_error(title, message)

    # -- batch tagging -----------------------------------------------------------------------

    def tag_clips_dialog(self) -> None:
        """Ask what to tag and with which tagger, then start the job."""
        project = self.window.project
        if project is None or self.job is not None:
            return
        found = choices.taggers(self.qsettings)
        total = sum(1 for c in project.clips() if c.status != ClipStatus.REJECTED)
        dialog = TagClipsDialog(
            selected=self.selected_clip_ids(),
            total=total,
            found=found,
            model=choices.preferred_model(project, self.qsettings, found),
            provider=choices.saved_provider(self.qsettings),
            settings=self.qsettings,
            parent=self.window,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        if request is not None:
            self.start(request)

    def start(self, request: TagRequest, *, batch: int = DEFAULT_BATCH) -> JobWorker | None:
        """Tag ``request.clip_ids`` (None: all not rejected) in the background."""
        project = self.window.project
        if project is None or self.job is not None:
            return None
        choices.remember_model(project, self.qsettings, request.model)
        self.qsettings.setValue(choices.PROVIDER_KEY, request.provider)
        job = tagging_job(
            project.path,
            request.model,
            request.provider,
            clip_ids=request.clip_ids,
            force=request.force,
            batch=batch,
            announce=self.announcer.announce,
        )
        worker = JobWorker(job, name="tagging", min_interval_s=self.progress_interval_s)
        signals = worker.signals
        signals.progress.connect(functools.partial(self._on_progress, worker))
        signals.finished.connect(functools.partial(self._on_finished, worker))
        signals.failed.connect(functools.partial(self._on_failed, worker))
        signals.cancelled.connect(functools.partial(self._on_cancelled, worker))
        self.job = worker
        self._last_progress = None
        self.job_status.begin(f"tagging: {LOADING}\u2026")
        self.badge.show_loading()
        self._update_actions()
        self.tagging_started.emit(worker)
        worker.start(self.window.pool)
        return worker

    def tag(
        self,
        clip_ids: list[int] | None,
        model: Path,
        provider: ProviderChoice = "auto",
        *,
        force: bool = False,
        batch: int = DEFAULT_BATCH,
    ) -> JobWorker | None:
        """Start tagging without the dialog (scripts and tests)."""
        return self.start(TagRequest(clip_ids, Path(model), provider, force), batch=batch)

    def cancel(self) -> None:
        """Stop after the clip being stored; every clip already tagged keeps its tags."""
        if self.job is not None:
            self.job.cancel()

    def stop_and_wait(self, timeout_ms: int = 30_000) -> None:
        """Cancel the job and wait for its thread (the window is closing)."""
        job = self.job
        if job is None:
            return
        job.cancel()
        self.window.pool.waitForDone(timeout_ms)
        self.job = None
        self.job_status.end()

    def _on_loaded(self, tagger: LoadedTagger) -> None:
        self.badge.show_provider(tagger.label, tagger.fallback)
        if tagger.fallback:
            self.window.statusBar().showMessage(
                f"Tagging on {tagger.label}: {tagger.fallback}", 10_000
            )
        self.provider_loaded.emit(tagger)

    def _on_progress(self, worker: JobWorker, progress: Progress) -> None:
        if worker is not self.job:
            return
        self._last_progress = progress
        if progress.item == LOADING:
            return
        self.job_status.update_progress(progress, progress_text("tagging", progress))
        if progress.done and not self._live_timer.isActive():
            self._live_timer.start()

    def _refresh_during_job(self) -> None:
        self.panel.reload()
        if self.overview_dock.isVisible():
            self.overview.refresh()

    def _on_finished(self, worker: JobWorker, summary: Any) -> None:
        if worker is not self.job:
            return
        self._end_job()
        self.last_summary = summary
        label = PROVIDER_LABELS.get(summary.provider, summary.provider)
        self.badge.show_provider(label, summary.fallback)
        self.window.statusBar().showMessage(tagging_summary_text(summary))
        if summary.failed:
            lines = [f"{name}: {message}" for name, message in summary.failed[:10]]
            more = len(summary.failed) - len(lines)
            self._report(
                "Some clips were not tagged",
                "\n".join(lines) + (f"\n\u2026and {more} more" if more > 0 else ""),
            )
        self.tagging_ended.emit("finished")

    def _on_failed(self, worker: JobWorker, message: str) -> None:
        if worker is not self.job:
            return
        self._end_job()
        if self.badge.text().startswith("provider: loading"):
            self.badge.setVisible(False)
        self._report("Tagging stopped", f"{message}\nClips tagged before this keep their tags.")
        self.tagging_ended.emit("failed")

    def _on_cancelled(self, worker: JobWorker) -> None:
        if worker is not self.job:
            return
        last = self._last_progress
        self._end_job()
        done = f" after {last.done} of {last.total} clips" if last and last.total else ""
        self.window.statusBar().showMessage(
            f"Tagging cancelled{done}; clips already tagged keep their tags."
        )
        self.tagging_ended.emit("cancelled")

    def _end_job(self) -> None:
        self.job = None
        self._live_timer.stop()
        self.job_status.end()
        self._update_actions()
        self.window.refresh()
        self.panel.reload()
        self.overview.refresh()
        self.update_completions()

    # -- find and replace --------------------------------------------------------------------

    def find_replace_dialog(self) -> None:
        project = self.window.project
        if project is None:
            return
        words = list(self.panel.completions.stringList())
        dialog = FindReplaceDialog(project, self.selected_clip_ids(), words, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.replace(dialog.find_edit.text(), dialog.replace_edit.text(), dialog.clip_ids())

    def replace(self, old: str, new: str, clip_ids: list[int] | None) -> int:
        """Rename ``old`` to ``new`` (empty: remove it) on ``clip_ids`` (None: all clips)."""
        project = self.window.project
        if project is None or not old.strip():
            return 0
        try:
            changed = store.replace_tag(project, old.strip(), new, clip_ids)
        except (AnicurateError, ValueError) as err:
            self._report("Cannot replace tags", describe_error(err))
            return 0
        self.window.statusBar().showMessage(replace_summary_text(old.strip(), new, changed), 8000)
        self.panel.reload()
        self._on_tags_edited()
        self.update_completions()
        return changed

    # -- filtering the browser by tag --------------------------------------------------------

    def filter_browser_by_tag(self, tag: str) -> None:
        """Show only the clips carrying ``tag`` in the browser (any status).

        A browser whose text filter matches tags gets the tag in the window's filter field, so
        the person sees and clears it there; a name-only browser gets the names of the clips
        carrying the tag.
        """
        if self.window.project is None:
            return
        self.filter_tag = tag
        self._set_filter_text(tag if self._filter_matches_tags() else "")
        self._apply_tag_filter(tag)
        self.overview.set_filter_tag(tag)
        self._update_actions()

    def _filter_matches_tags(self) -> bool:
        return hasattr(self.window.browser.proxy, "set_text_filter")

    def _set_filter_text(self, text: str) -> None:
        edit = self.window.filter_edit
        if edit.text() != text:
            self._own_filter_edit = True
            try:
                edit.setText(text)
            finally:
                self._own_filter_edit = False

    def _apply_tag_filter(self, tag: str) -> None:
        project = self.window.project
        if project is None:
            return
        ids = set(store.clips_with_tag(project, tag))
        rows = self.window.clip_model.rows()
        names = sorted({r.name for r in rows if r.clip is not None and r.clip.id in ids})
        if not self._filter_matches_tags():
            # The browser filters by name: match exactly the names of the clips with the tag.
            self.window.browser.proxy.setFilterRegularExpression(names_pattern(names))
        noun = "clip" if len(names) == 1 else "clips"
        self.window.statusBar().showMessage(
            f"Showing the {len(names)} {noun} tagged \u201c{tag}\u201d", 5000
        )

    def clear_tag_filter(self) -> None:
        if self.filter_tag is None:
            return
        self.filter_tag = None
        if self._filter_matches_tags():
            self._set_filter_text("")
        else:
            self.window.browser.set_filter(self.window.filter_edit.text())
        self.overview.set_filter_tag(None)
        self._update_actions()

    def _on_name_filter_typed(self, _text: str) -> None:
        # The person typed a filter of their own: it replaces the tag filter.
        if self.filter_tag is not None and not self._own_filter_edit:
            self.filter_tag = None
            self.overview.set_filter_tag(None)
            self._update_actions()

    # -- window events -----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop_and_wait()
        return False
