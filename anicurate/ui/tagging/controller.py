"""Tagging in the window: the Tags and Tag Overview docks, the Tags menu, batch tagging as a
job of the :class:`JobQueue` (its provider badge in the status bar), find and replace, and
filtering the clip browser by a tag. It uses the session, the job queue and the shell only.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRegularExpression, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog

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
from anicurate.ui.jobs import TAGGING, JobQueue, JobWorker
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell
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
from anicurate.ui.tagging.captions import CaptionsUi
from anicurate.ui.tagging.overview import TagOverviewPanel
from anicurate.ui.tagging.replace_dialog import FindReplaceDialog
from anicurate.ui.tagging.tag_panel import TagPanel

LIVE_REFRESH_MS = 400  # shortest pause between re-reads of the views while a job stores tags


def names_pattern(names: list[str]) -> QRegularExpression:
    """A filter matching exactly these names (none: nothing), for a name-filtering proxy."""
    if not names:
        return QRegularExpression("(?!)")
    escaped = "|".join(QRegularExpression.escape(n) for n in names)
    return QRegularExpression(f"^(?:{escaped})$")


class TaggingUi(QObject):
    """Everything tagging adds to the window; made by :func:`anicurate.ui.tagging.install`."""

    tag_filter_requested = Signal(str)  # a tag whose clips the browser should show
    tagging_started = Signal(object)  # JobWorker
    tagging_ended = Signal(str)  # "finished" | "failed" | "cancelled"
    provider_loaded = Signal(object)  # LoadedTagger

    def __init__(self, shell: Shell, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(shell.widget())
        self.setObjectName("taggingUi")
        self.shell, self.session, self.jobs = shell, session, jobs
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
        # Tabbed with the inspector, not stacked under it: each gets the whole column height
        # (flags with their reasons, or a long tag list), one click apart.
        area = Qt.DockWidgetArea
        self.tags_dock = shell.add_dock(
            "Tags", "tagsDock", self.panel, area.RightDockWidgetArea,
            tabify_with=shell.inspector_dock,
        )  # fmt: skip
        self.overview_dock = shell.add_dock(
            "Tag Overview", "tagOverviewDock", self.overview, area.BottomDockWidgetArea,
            tabify_with=shell.problems_dock,
        )  # fmt: skip

        # -- status bar: the provider that really runs the job (its progress: the job area)
        self.badge = ProviderBadge()
        shell.add_status_widget(self.badge)

        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_REFRESH_MS)
        self._live_timer.timeout.connect(self._refresh_during_job)

        self._build_actions()
        self._connect()
        self.captions = CaptionsUi(shell, session, jobs)  # File ▸ Import Captions, Describe
        self._on_project_changed(session.path)

    # -- building ----------------------------------------------------------------------------

    @property
    def job(self) -> JobWorker | None:
        """The running tagging job, if any."""
        return self.jobs.current(TAGGING.name)

    def _build_actions(self) -> None:
        window = self.shell.widget()
        self.act_tag = make_action(window,
            "&Tag Clips\u2026", self.tag_clips_dialog, "Ctrl+T",
            "Tag the selected clips (or all) with a WD14 tagger",
        )  # fmt: skip
        self.act_cancel = make_action(
            window,
            "&Cancel Tagging",
            self.cancel,
            None,
            "Stop tagging; clips already tagged keep tags",
        )
        self.act_replace = make_action(window,
            "&Find and Replace Tags\u2026", self.find_replace_dialog, "Ctrl+H",
            "Rename or remove a tag on the selected clips or on all",
        )  # fmt: skip
        self.act_clear_filter = make_action(
            window,
            "Show &All Clips",
            self.clear_tag_filter,
            None,
            "Stop filtering the browser by a tag",
        )
        self.menu = self.shell.menu("tags")
        self.menu.addActions([self.act_tag, self.act_cancel])
        self.menu.addSeparator()
        self.menu.addAction(self.act_replace)
        self.menu.addSeparator()
        self.menu.addActions(
            [self.tags_dock.toggleViewAction(), self.overview_dock.toggleViewAction()]
        )
        self.menu.addAction(self.act_clear_filter)
        self.shell.menu("view").addActions(
            [self.tags_dock.toggleViewAction(), self.overview_dock.toggleViewAction()]
        )
        self.shell.add_toolbar_actions([self.act_tag])

    def _connect(self) -> None:
        shell, session = self.shell, self.session
        session.project_changed.connect(self._on_project_changed)
        shell.browser.current_changed.connect(self._on_current_changed)
        shell.browser.grid.selectionModel().selectionChanged.connect(self._update_actions)
        session.clips_changed.connect(self._on_window_refreshed)
        shell.filter_edit.textChanged.connect(self._on_name_filter_typed)
        self.jobs.started.connect(self._on_job_started)
        self.jobs.changed.connect(self._update_actions)
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
        return self.session.settings.store

    # -- following the window ----------------------------------------------------------------

    def _on_project_changed(self, _path: Any) -> None:
        project = self.session.project
        self.filter_tag = None
        self.panel.set_project(project)
        self.overview.set_project(project)
        self.update_completions()
        self._on_current_changed(self.shell.browser.current_row())
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
        if self.overview.project is not self.session.project:
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
        self.session.refresh()
        self.overview.refresh()

    def update_completions(self) -> None:
        """Re-read the words the tag field completes (project tags, then the tagger's)."""
        project = self.session.project
        found = choices.taggers(self.qsettings) if project is not None else []
        model = choices.preferred_model(project, self.qsettings, found)
        try:
            words = choices.completion_words(project, model)
        except AnicurateError:
            words = []
        self.panel.set_completions(words)

    def selected_clip_ids(self) -> list[int]:
        return [r.clip.id for r in self.shell.browser.selected_rows() if r.clip is not None]

    def _update_actions(self, *_args: object) -> None:
        has_project = self.session.project is not None
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
        self.session.report_error(title, message)

    # -- batch tagging -----------------------------------------------------------------------

    def tag_clips_dialog(self) -> None:
        """Ask what to tag and with which tagger, then start the job."""
        project = self.session.project
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
            parent=self.shell.widget(),
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        if request is not None:
            self.start(request)

    def start(self, request: TagRequest, *, batch: int = DEFAULT_BATCH) -> JobWorker | None:
        """Tag ``request.clip_ids`` (None: all not rejected) in the background."""
        project = self.session.project
        if project is None:
            return None
        choices.remember_model(project, self.qsettings, request.model)
        self.qsettings.setValue(choices.PROVIDER_KEY, request.provider)
        self._last_progress = None
        project_path = project.path
        cluster = self.session.settings.cluster_address()
        worker = self.jobs.submit(
            replace(TAGGING, min_interval_s=self.progress_interval_s),
            lambda: tagging_job(
                project_path,
                request.model,
                request.provider,
                clip_ids=request.clip_ids,
                force=request.force,
                batch=batch,
                announce=self.announcer.announce,
                cluster=cluster,
            ),
            text=f"tagging: {LOADING}\u2026",
            describe=lambda p: None if p.item == LOADING else progress_text("tagging", p),
            on_progress=self._on_progress,
            on_finished=self._on_finished,
            on_failed=self._on_failed,
            on_cancelled=self._on_cancelled,
        )
        return worker

    def _on_job_started(self, worker: JobWorker) -> None:
        if worker.name == TAGGING.name:
            self.badge.show_loading()
            self.tagging_started.emit(worker)

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
        self.jobs.cancel(TAGGING.name)

    def _on_loaded(self, tagger: LoadedTagger) -> None:
        self.badge.show_provider(tagger.label, tagger.fallback)
        if tagger.fallback:
            self.shell.show_message(f"Tagging on {tagger.label}: {tagger.fallback}", 10_000)
        self.provider_loaded.emit(tagger)

    def _on_progress(self, progress: Progress) -> None:
        self._last_progress = progress
        if progress.done and not self._live_timer.isActive():
            self._live_timer.start()

    def _refresh_during_job(self) -> None:
        self.panel.reload()
        if self.overview_dock.isVisible():
            self.overview.refresh()

    def _on_finished(self, summary: Any) -> None:
        self._end_job()
        self.last_summary = summary
        label = PROVIDER_LABELS.get(summary.provider, summary.provider)
        self.badge.show_provider(label, summary.fallback)
        self.shell.show_message(tagging_summary_text(summary))
        if summary.failed:
            lines = [f"{name}: {message}" for name, message in summary.failed[:10]]
            more = len(summary.failed) - len(lines)
            self._report(
                "Some clips were not tagged",
                "\n".join(lines) + (f"\n\u2026and {more} more" if more > 0 else ""),
            )
        self.tagging_ended.emit("finished")

    def _on_failed(self, message: str) -> None:
        self._end_job()
        if self.badge.text().startswith("provider: loading"):
            self.badge.setVisible(False)
        self._report("Tagging stopped", f"{message}\nClips tagged before this keep their tags.")
        self.tagging_ended.emit("failed")

    def _on_cancelled(self) -> None:
        last = self._last_progress
        self._end_job()
        done = f" after {last.done} of {last.total} clips" if last and last.total else ""
        self.shell.show_message(f"Tagging cancelled{done}; clips already tagged keep their tags.")
        self.tagging_ended.emit("cancelled")

    def _end_job(self) -> None:
        self._live_timer.stop()
        self._update_actions()
        self.session.refresh()
        self.panel.reload()
        self.overview.refresh()
        self.update_completions()

    # -- find and replace --------------------------------------------------------------------

    def find_replace_dialog(self) -> None:
        project = self.session.project
        if project is None:
            return
        words = list(self.panel.completions.stringList())
        dialog = FindReplaceDialog(project, self.selected_clip_ids(), words, self.shell.widget())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.replace(dialog.find_edit.text(), dialog.replace_edit.text(), dialog.clip_ids())

    def replace(self, old: str, new: str, clip_ids: list[int] | None) -> int:
        """Rename ``old`` to ``new`` (empty: remove it) on ``clip_ids`` (None: all clips)."""
        project = self.session.project
        if project is None or not old.strip():
            return 0
        try:
            changed = store.replace_tag(project, old.strip(), new, clip_ids)
        except (AnicurateError, ValueError) as err:
            self._report("Cannot replace tags", describe_error(err))
            return 0
        self.shell.show_message(replace_summary_text(old.strip(), new, changed), 8000)
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
        if self.session.project is None:
            return
        self.filter_tag = tag
        self._set_filter_text(tag if self._filter_matches_tags() else "")
        self._apply_tag_filter(tag)
        self.overview.set_filter_tag(tag)
        self._update_actions()

    def _filter_matches_tags(self) -> bool:
        return hasattr(self.shell.browser.proxy, "set_text_filter")

    def _set_filter_text(self, text: str) -> None:
        edit = self.shell.filter_edit
        if edit.text() != text:
            self._own_filter_edit = True
            try:
                edit.setText(text)
            finally:
                self._own_filter_edit = False

    def _apply_tag_filter(self, tag: str) -> None:
        project = self.session.project
        if project is None:
            return
        ids = set(store.clips_with_tag(project, tag))
        rows = self.session.clip_model.rows()
        names = sorted({r.name for r in rows if r.clip is not None and r.clip.id in ids})
        if not self._filter_matches_tags():
            # The browser filters by name: match exactly the names of the clips with the tag.
            self.shell.browser.proxy.setFilterRegularExpression(names_pattern(names))
        noun = "clip" if len(names) == 1 else "clips"
        self.shell.show_message(f"Showing the {len(names)} {noun} tagged \u201c{tag}\u201d", 5000)

    def clear_tag_filter(self) -> None:
        if self.filter_tag is None:
            return
        self.filter_tag = None
        if self._filter_matches_tags():
            self._set_filter_text("")
        else:
            self.shell.browser.set_filter(self.shell.filter_edit.text())
        self.overview.set_filter_tag(None)
        self._update_actions()

    def _on_name_filter_typed(self, _text: str) -> None:
        # The person typed a filter of their own: it replaces the tag filter.
        if self.filter_tag is not None and not self._own_filter_edit:
            self.filter_tag = None
            self.overview.set_filter_tag(None)
            self._update_actions()
