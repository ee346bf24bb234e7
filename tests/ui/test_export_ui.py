"""The export UI: menu actions, the live preview's exact counts, exporting from the dialog with a
summary naming the config, cancel and rerun, and find opening a hit in the player."""

from __future__ import annotations

import os
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from anicurate.core.captions.template import CaptionTemplate
from anicurate.core.export import (
    ExportOptions,
    ExportPlan,
    Hit,
    Skipped,
    Target,
    export_project,
)
from anicurate.core.export.ownership import FolderLock
from anicurate.core.jobs import Progress
from anicurate.core.project import ClipStatus
from anicurate.core.project.edits import set_status
from anicurate.core.tagging import store
from anicurate.core.tagging.merge import ScoredTag, TagResult
from anicurate.ui import export
from anicurate.ui.export import ExportDialog, ExportUi
from anicurate.ui.export.caption_box import TEMPLATE_KEY
from anicurate.ui.export.models import ITEM_ROLE, HitModel, SkippedModel
from anicurate.ui.main_window import MainWindow
from tests.helpers.export_samples import clip_of, make_project, write_source

TAGS = {
    "a.mp4": ["1girl", "smile", "long hair"],
    "b.mp4": ["1girl", "running", "rain"],
    "c.mp4": ["1boy", "running", "long hair"],
}
TIMEOUT = 20_000


@pytest.fixture
def export_project_path(tmp_path: Path) -> Path:
    """Three accepted 12-frame clips, one accepted 3-frame clip (too short for a 4-frame
    window) and one unreviewed 12-frame clip; training size 48x32, 4 frames at 24 fps."""
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / name, 12) for name in TAGS]
    files += [write_source(media / "short.mp4", 3), write_source(media / "u.mp4", 12)]
    path = tmp_path / "p.anicurate"
    project = make_project(
        path, files, train_width=48, train_height=32, n_sample_frames=4, fps=24,
        use_bucketing=False,
    )  # fmt: skip
    accepted = [clip_of(project, n) for n in (*TAGS, "short.mp4")]
    set_status(project, accepted, ClipStatus.ACCEPTED)
    for name, tags in TAGS.items():
        for tag in tags:
            store.add_tag(project, clip_of(project, name), tag)
    project.close()
    return path


@pytest.fixture
def ui(window: MainWindow, export_project_path: Path) -> Iterator[ExportUi]:
    assert window.open_project(export_project_path)
    yield export.install(window, window.session, window.jobs)


def open_dialog(qtbot: QtBot, ui: ExportUi, out: Path, target: Target) -> ExportDialog:
    dialog = ui.show_export_dialog()
    assert dialog is not None
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT, check_params_cb=_is_plan):
        dialog.dir_edit.setText(str(out))
        dialog.set_target(target)
    return dialog


def _is_plan(value: object) -> bool:
    return isinstance(value, ExportPlan)


def run_export(qtbot: QtBot, dialog: ExportDialog, how: str = "finished") -> None:
    with qtbot.waitSignal(dialog.export_ended, timeout=TIMEOUT) as blocker:
        assert dialog.export_button.isEnabled()
        dialog.export_button.click()
    assert blocker.args == [how]


def test_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    skipped = SkippedModel()
    skipped.set_items([Skipped(3, "/m/short.mp4", 0, 2, "too short: 3 frames")])
    qtmodeltester.check(skipped)
    hits = HitModel()
    hits.set_items([
        Hit(2.5, "/out/videos/b_c2.mp4", 2, "/m/b.mp4", (0, 11), "1girl, rain", ("rain",)),
        Hit(0.7, "/out/videos/a_c1.mp4", 1, "/m/a.mp4", (4, 9), "1girl", ("1girl",)),
    ])  # fmt: skip
    qtmodeltester.check(hits)
    assert [hits.index(1, c).data() for c in range(6)] == [
        "0.70", "a_c1.mp4", "a.mp4", "4\u20139", "1girl", "1girl",
    ]  # fmt: skip
    assert skipped.index(0, 2).data() == "too short: 3 frames"


def test_actions_in_the_menus(window: MainWindow, export_project_path: Path) -> None:
    ui = export.install(window, window.session, window.jobs)
    assert export.install(window, window.session, window.jobs) is ui
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    file_menu, tools = menus["File"], menus["Tools"]
    assert isinstance(file_menu, QMenu) and isinstance(tools, QMenu)
    assert ui.act_export in file_menu.actions() and ui.act_find in tools.actions()
    assert ui.act_export.shortcut() == QKeySequence("Ctrl+E")
    names = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert names.index("Tools") == names.index("Help") - 1
    assert not ui.act_export.isEnabled() and ui.show_export_dialog() is None
    window.open_project(export_project_path)
    assert ui.act_export.isEnabled()


def test_preview_shows_exact_counts(qtbot: QtBot, ui: ExportUi, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, ui, tmp_path / "out", Target.T2V_FOLDER)
    counts = {k: label.text() for k, label in dialog.count_labels.items()}
    assert counts == {
        "chosen": "4", "clips": "3", "files": "3", "videos": "3", "stills": "0",
        "frames": "36", "to_render": "3", "up_to_date": "0", "skipped": "1", "trimmed": "0",
    }  # fmt: skip
    assert dialog.skipped_model.rowCount() == 1
    skipped = dialog.skipped_model.index(0, 0).data(ITEM_ROLE)
    assert Path(skipped.source_path).name == "short.mp4" and (skipped.first_frame,
        skipped.last_frame) == (0, 2)  # fmt: skip
    assert dialog.skipped_model.index(0, 2).data() == (
        "too short: 3 frames at 24 fps, the training window needs 4; remedy: 3 frames per "
        "sample fit it or frame interpolation (anicurate fix --interpolate window)"
    )
    assert dialog.export_button.isEnabled()
    # Every change re-plans: all clips not rejected adds the unreviewed one.
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT, check_params_cb=_is_plan):
        dialog.set_include("all")
    assert dialog.count_labels["chosen"].text() == "5"
    assert dialog.count_labels["files"].text() == "4"
    # Unusable numbers are explained and block the export.
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT) as blocker:
        dialog.width_spin.setValue(49)
    assert blocker.args == ["size 49x32 must be even (H.264 yuv420p)"]
    assert "must be even" in dialog.preview_state.text()
    assert not dialog.export_button.isEnabled()


@pytest.fixture
def tagged_ui(window: MainWindow, tmp_path: Path) -> Iterator[ExportUi]:
    """Two accepted clips tagged by a tagger: a.mp4 with a character and three general tags,
    b.mp4 with 40 general tags (over 75 CLIP tokens, so its lowest-scored tags give way)."""
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / "a.mp4", 12), write_source(media / "b.mp4", 12)]
    path = tmp_path / "tagged.anicurate"
    project = make_project(
        path, files, train_width=48, train_height=32, n_sample_frames=4, fps=24,
        use_bucketing=False, trigger_tag="anime",
    )  # fmt: skip
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    a_tags = [ScoredTag("hatsune_miku", 0.95, "character"), ScoredTag("long_hair", 0.9, "general"),
              ScoredTag("smile", 0.5, "general"), ScoredTag("blush", 0.4, "general")]  # fmt: skip
    b_tags = [ScoredTag(f"tag_number_{i}", 0.99 - i / 100, "general") for i in range(40)]
    for name, tags in (("a.mp4", a_tags), ("b.mp4", b_tags)):
        store.store_auto_tags(project, clip_of(project, name), TagResult(tuple(tags), {}),
                              fingerprint="f", model="m", provider="cpu", frames=[0])  # fmt: skip
    project.close()
    assert window.open_project(path)
    yield export.install(window, window.session, window.jobs)


def replan(qtbot: QtBot, dialog: ExportDialog, change: Any) -> ExportPlan:
    """Make ``change`` and wait for the plan of the new options."""
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT,
                          check_params_cb=_is_plan) as blocker:  # fmt: skip
        change()
    plan = blocker.args[0]
    assert isinstance(plan, ExportPlan)
    return plan


def test_caption_choices_change_the_previewed_prompt_and_are_remembered(
    qtbot: QtBot, window: MainWindow, tagged_ui: ExportUi, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, tagged_ui, tmp_path / "out", Target.T2V_FOLDER)
    box = dialog.caption_box
    a_label = "a.mp4 [0-11]"
    assert dialog.example_label.text() == (
        f"Caption of {a_label} (14/75 tokens):\nanime, hatsune_miku, long_hair, smile, blush"
    )
    # b.mp4's 40 tags do not fit 75 CLIP tokens: the preview counts the clip as trimmed.
    assert dialog.count_labels["trimmed"].text() == "1"
    assert dialog.plan is not None
    assert any("1 clip over 75 CLIP tokens" in w for w in dialog.plan.warnings)

    replan(qtbot, dialog, lambda: box.general_check.setChecked(True))
    assert dialog.example_label.text().endswith("\nanime, long_hair, smile, blush")
    assert not box.character_check.isEnabled()
    plan = replan(qtbot, dialog, lambda: box.max_spin.setValue(2))
    assert dialog.example_label.text().endswith("\nanime, long_hair, smile")
    assert plan.counts()["trimmed"] == 0 and dialog.count_labels["trimmed"].text() == "0"
    replan(qtbot, dialog, lambda: box.underscores_check.setChecked(True))
    assert dialog.example_label.text() == (
        f"Caption of {a_label} (6/75 tokens):\nanime, long hair, smile"
    )

    # Remembered in the project, and a new dialog on it starts from there.
    chosen = CaptionTemplate(general_only=True, max_tags=2, underscores_to_spaces=True)
    project = window.session.project
    assert project is not None and project.setting(TEMPLATE_KEY) == chosen.to_dict()
    dialog.hide()
    tagged_ui.export_dialog = None
    again = tagged_ui.show_export_dialog()
    assert again is not None and again is not dialog
    assert again.caption_box.template() == chosen


def test_a_bad_caption_template_is_named_and_blocks_export(
    qtbot: QtBot, tagged_ui: ExportUi, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, tagged_ui, tmp_path / "out", Target.T2V_FOLDER)
    box = dialog.caption_box
    assert dialog.export_button.isEnabled() and not box.error_label.isVisible()
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT) as blocker:
        box.pattern_edit.setText("{trigger}, {caption}")
    assert blocker.args == ["the caption template is not valid."]
    assert box.error_label.isVisible()
    assert box.error_label.text() == (
        "caption template '{trigger}, {caption}' names {caption}; "
        "use {trigger}, {sentence} and {tags}"
    )
    assert not dialog.export_button.isEnabled()
    assert dialog.start_export() is None
    assert dialog.preview_state.text() == "Cannot export: the caption template is not valid."
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT) as blocker:
        box.pattern_edit.setText("{trigger} {tags")
    assert box.error_label.text().startswith("caption template '{trigger} {tags': ")
    replan(qtbot, dialog, lambda: box.pattern_edit.setText("{tags}, {trigger}"))
    assert not box.error_label.isVisible() and dialog.export_button.isEnabled()
    assert dialog.example_label.text().endswith("\nhatsune_miku, long_hair, smile, blush, anime")


def test_export_from_the_dialog(
    qtbot: QtBot, window: MainWindow, ui: ExportUi, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    dialog = open_dialog(qtbot, ui, out, Target.T2V_JSON)
    opened: list[QUrl] = []
    dialog.open_url = opened.append
    run_export(qtbot, dialog)
    names = sorted(p.name for p in (out / "videos").iterdir())
    assert names == sorted(f"{n[0]}_c{i}.{ext}" for n, i in (
        ("a", 1), ("b", 2), ("c", 3)) for ext in ("mp4", "txt"))  # fmt: skip
    text = dialog.summary_label.text()
    assert dialog.summary_box.isVisible()
    assert "Export finished, 3 files: 3 rendered, 0 unchanged, 0 failed, 1 clips skipped" in text
    assert f"Config: {out / 'config.yaml'}" in text
    assert f"Manifest: {out / 'manifest.json'}" in text
    assert (out / "config.yaml").is_file() and (out / "manifest.json").is_file()
    dialog.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(out))]
    assert window.statusBar().currentMessage().startswith("Export finished, 3 files")
    # The preview is planned again after the export: everything is up to date now.
    qtbot.waitUntil(lambda: dialog.count_labels["up_to_date"].text() == "3", timeout=TIMEOUT)


def test_a_folder_it_may_not_write_into_is_explained(
    qtbot: QtBot, ui: ExportUi, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "config.yaml").write_text("mine\n")
    dialog = ui.show_export_dialog()
    assert dialog is not None
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT) as blocker:
        dialog.dir_edit.setText(str(out))
    assert blocker.args == [
        f"{out} holds 1 file that anicurate did not write (config.yaml): an export never "
        f"overwrites or deletes them; export into a fresh subfolder instead, e.g. "
        f"{out / 'anicurate-t2v-json'}"
    ]
    assert dialog.preview_state.text().startswith(f"Cannot export: {out} holds 1 file")
    assert not dialog.export_button.isEnabled()
    # A folder another export is writing into: the export stops with the reason.
    (out / "config.yaml").unlink()
    with qtbot.waitSignal(dialog.preview_updated, timeout=TIMEOUT, check_params_cb=_is_plan):
        dialog.schedule_preview(0)
    with FolderLock(out):
        run_export(qtbot, dialog, "failed")
    assert dialog.summary_label.text().startswith(
        f"Export stopped: another export is writing into {out} (process {os.getpid()})"
    )
    assert (out / "config.yaml").exists() is False and not (out / "videos").exists()


def test_cancel_stops_and_a_rerun_completes(qtbot: QtBot, ui: ExportUi, tmp_path: Path) -> None:
    out = tmp_path / "out"
    dialog = open_dialog(qtbot, ui, out, Target.T2V_FOLDER)
    gate, holding = threading.Event(), threading.Event()

    def paused(path: Path, options: ExportOptions, workers: int) -> Generator[Progress, None, Any]:
        job = export_project(path, options, 1)
        try:
            yield next(job)  # one file is done; hold the job until the test has cancelled
            holding.set()
            gate.wait(TIMEOUT / 1000)
            return (yield from job)
        finally:
            job.close()

    dialog.make_job = paused
    with qtbot.waitSignal(dialog.export_ended, timeout=TIMEOUT) as ended:
        dialog.export_button.click()
        qtbot.waitUntil(holding.is_set, timeout=TIMEOUT)
        assert dialog.cancel_button.isVisible()
        dialog.cancel_button.click()
        assert dialog.cancel_button.text() == "Cancelling\u2026"
        gate.set()
    assert ended.args == ["cancelled"]
    assert "Export cancelled after 2 of 3 files" in dialog.summary_label.text()
    assert not dialog.cancel_button.isVisible()
    assert not list(out.glob(".anicurate-tmp/*"))
    videos = sorted(p.name for p in (out / "videos").glob("*.mp4"))
    assert videos == ["a_c1.mp4", "b_c2.mp4"]  # the file before the pause and the one after
    assert not (out / "manifest.json").exists()

    dialog.make_job = export_project
    qtbot.waitUntil(lambda: dialog.count_labels["up_to_date"].text() == "2", timeout=TIMEOUT)
    run_export(qtbot, dialog)
    assert "3 files: 1 rendered, 2 unchanged, 0 failed" in dialog.summary_label.text()
    assert sorted(p.name for p in (out / "videos").glob("*.mp4")) == [
        "a_c1.mp4", "b_c2.mp4", "c_c3.mp4",
    ]  # fmt: skip


def test_find_opens_the_hit_in_the_player(
    qtbot: QtBot, window: MainWindow, ui: ExportUi, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_export(qtbot, open_dialog(qtbot, ui, out, Target.T2V_FOLDER))
    find = ui.show_find_dialog()
    assert find.dataset_edit.text() == str(out)  # the last export
    with qtbot.waitSignal(find.searched) as searched:
        find.prompt_edit.setText("1girl, running, rain")
        find.find_button.click()
    assert searched.args == [3]
    first = find.model.index(0, 0).data(ITEM_ROLE)
    assert Path(first.source_path).name == "b.mp4" and first.matched == ("rain", "1girl", "running")
    assert [find.model.index(0, c).data() for c in range(1, 4)] == [
        "b_c2.mp4",
        "b.mp4",
        "0\u201311",
    ]

    view = find.view
    rect = view.visualRect(find.model.index(0, 1))
    shown = qtbot.waitSignal(window.player.frame_shown, timeout=TIMEOUT)
    with shown, qtbot.waitSignal(ui.hit_opened) as opened:
        # A real double-click starts with a press: QTest's double-click alone does not.
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    row = window.browser.current_row()
    assert row is not None and row.clip is not None and Path(row.source.path).name == "b.mp4"
    assert opened.args[1] == window.session.clip_model.row_of_key(row.key)
    assert (window.player.in_frame, window.player.out_frame) == (0, 11)

    # A source that is not in the open project is loaded directly at the exported frames.
    window.close_project()
    shown = qtbot.waitSignal(window.player.frame_shown, timeout=TIMEOUT)
    with shown, qtbot.waitSignal(ui.hit_opened) as opened:
        find.search("long hair, 1boy")
        find.activate_row(0)
    hit = opened.args[0]
    assert Path(hit.source_path).name == "c.mp4" and opened.args[1] == -1
    assert (window.player.in_frame, window.player.out_frame) == (0, 11)
    assert find.search("spaceship") == [] and "No exported clip" in find.status_label.text()
    find.set_dataset(tmp_path / "nowhere")
    assert find.search("rain") == [] and "no readable anicurate manifest" in (find.error or "")
