"""Batch tagging from the window with a tiny real ONNX tagger: exact tags stored, the provider
that ran shown (loudly when CUDA was wanted and did not load), cancel stops after the clip in
hand, a broken model folder gives the words of messages.py, and the Tag Clips dialog."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anicurate.core.jobs import Progress
from anicurate.core.project import Project
from anicurate.core.tagging import store
from anicurate.core.tagging.discovery import TaggerLocation
from anicurate.core.tagging.errors import TaggerFileMissing, TaggerModelBroken
from anicurate.core.tagging.model import CUDA, load_tagger
from anicurate.ui import tagging
from anicurate.ui.common.messages import (
    TAGGER_FOLDER_HINT,
    describe_error,
    provider_text,
    tagging_summary_text,
)
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow
from anicurate.ui.tagging import TaggingUi
from anicurate.ui.tagging.batch import ProviderBadge, TagClipsDialog
from anicurate.ui.tagging.choices import PROVIDER_KEY
from tests.helpers.tagger_samples import make_tiny_tagger, write_tags_csv
from tests.helpers.ui_media import run_import

EXPECTED = {
    "a_red.mp4": ["red background"],
    "b_green.mp4": ["hatsune miku", "green hair", "looking at viewer"],
    "c_yellow.mp4": ["^_^", "looking at viewer"],
    "d_blue.mp4": ["blue sky"],
}
JOB_TIMEOUT_MS = 30_000


@pytest.fixture
def project(tmp_path: Path, clips: Path) -> Path:
    path = tmp_path / "batch.anicurate"
    run_import(path, [clips])
    with Project.open(path) as p:
        p.set_settings(dataclasses.replace(p.settings(), trigger_tag="anime"))
    return path


@pytest.fixture
def ui(window: MainWindow, project: Path) -> TaggingUi:
    installed = tagging.install(window, window.session, window.jobs)
    assert (
        tagging.install(window, window.session, window.jobs) is installed
    )  # installing twice changes nothing
    assert window.open_project(project)
    return installed


def tags_by_file(window: MainWindow) -> dict[str, list[str]]:
    assert window.project is not None
    return {
        row.name: [t.tag for t in store.clip_tags(window.project, row.clip.id)]
        for row in window.session.clip_model.rows()
        if row.clip is not None
    }


def test_tagging_all_clips_stores_exact_tags_and_shows_cpu(
    qtbot: QtBot, window: MainWindow, ui: TaggingUi, tagger: Path, settings: AppSettings
) -> None:
    window.browser.select_model_row(1)  # b_green.mp4: the panel fills in when tags land
    assert ui.panel.model.rowCount() == 0
    with qtbot.waitSignal(ui.tagging_ended, timeout=JOB_TIMEOUT_MS) as ended:
        worker = ui.tag(None, tagger, "cpu")
        assert worker is not None
        assert window.jobs.status.isVisibleTo(window)
        assert not ui.act_tag.isEnabled() and ui.act_cancel.isEnabled()
        assert ui.tag(None, tagger, "cpu") is None  # one tagging job at a time
    assert ended.args == ["finished"]
    assert tags_by_file(window) == EXPECTED
    assert ui.badge.text() == "provider: CPU"
    assert ui.badge.fallback is None and ui.badge.isVisibleTo(window)
    summary = ui.last_summary
    assert (summary.tagged, summary.unchanged, summary.failed) == (4, 0, [])
    assert window.statusBar().currentMessage() == tagging_summary_text(summary)
    message = window.statusBar().currentMessage()
    assert message.startswith("Tagged 4 clips with tiny-v3: 0 unchanged, 0 failed; 16 frames at")
    assert not window.jobs.status.isVisibleTo(window) and ui.act_tag.isEnabled()
    assert [ui.panel.model.index(r, 0).data() for r in range(3)] == EXPECTED["b_green.mp4"]
    caption = ui.panel.caption_view.toPlainText()
    assert caption == "anime, hatsune miku, green hair, looking at viewer"
    # the choice is remembered: the tagger in the project (as the CLI does), provider here
    assert window.project is not None
    assert window.project.setting(store.MODEL_KEY) == str(tagger)
    assert settings.store.value(PROVIDER_KEY) == "cpu"
    # the vocabulary of the tagger now completes in the tag field
    assert "split screen" in ui.panel.completions.stringList()

    # tagging the selection again: nothing changed, nothing re-run
    window.browser.select_model_row(0)
    assert ui.selected_clip_ids() == [window.session.clip_model.row_at(0).clip.id]  # type: ignore[union-attr]
    with qtbot.waitSignal(ui.tagging_ended, timeout=JOB_TIMEOUT_MS):
        ui.tag(ui.selected_clip_ids(), tagger, "cpu")
    assert (ui.last_summary.tagged, ui.last_summary.unchanged) == (0, 1)


def test_cancel_stops_after_the_clip_in_hand(
    qtbot: QtBot, window: MainWindow, ui: TaggingUi, tagger: Path
) -> None:
    gate, reached = threading.Event(), threading.Event()
    first: list[Progress] = []

    def hold(progress: Progress) -> None:
        # Runs in the worker thread as the first clip is reported (it is stored by then), and
        # holds the worker there until Cancel was pressed, before it looks for a cancel.
        if progress.done >= 1 and not first:
            first.append(progress)
            reached.set()
            gate.wait(JOB_TIMEOUT_MS / 1000)

    def on_started(worker: Any) -> None:
        worker.signals.progress.connect(hold, Qt.ConnectionType.DirectConnection)

    ui.tagging_started.connect(on_started)
    ui.progress_interval_s = 0.0
    try:
        assert ui.tag(None, tagger, "cpu") is not None
        qtbot.waitUntil(reached.is_set, timeout=JOB_TIMEOUT_MS)
        # Clips are decoded in parallel: whichever was stored first is the one kept.
        done = first[0].item.removesuffix(" [0-3]")
        assert done in EXPECTED
        label = f"tagging 1/4: {done} [0-3]"
        qtbot.waitUntil(lambda: window.jobs.status.label.text() == label, timeout=JOB_TIMEOUT_MS)
        with qtbot.waitSignal(ui.tagging_ended, timeout=JOB_TIMEOUT_MS) as ended:
            window.jobs.status.cancel_button.click()
            assert window.jobs.status.cancel_button.text() == "Cancelling\u2026"
            gate.set()
    finally:
        gate.set()
    assert ended.args == ["cancelled"]
    assert tags_by_file(window) == {n: EXPECTED[n] if n == done else [] for n in EXPECTED}
    assert window.statusBar().currentMessage() == (
        "Tagging cancelled after 1 of 4 clips; clips already tagged keep their tags."
    )
    assert ui.job is None and not window.jobs.status.isVisibleTo(window)


def test_a_broken_model_folder_is_explained_not_a_traceback(
    qtbot: QtBot, window: MainWindow, ui: TaggingUi, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-tagger"
    broken.mkdir()
    (broken / "model.onnx").write_bytes(b"this is not an onnx graph")
    write_tags_csv(broken / "selected_tags.csv")
    with pytest.raises(TaggerModelBroken) as raised:
        load_tagger(broken, "cpu")
    with qtbot.waitSignal(window.session.error_reported, timeout=JOB_TIMEOUT_MS) as reported:
        ui.tag(None, broken, "cpu")
    message = reported.args[1]
    assert message == (f"{describe_error(raised.value)}\nClips tagged before this keep their tags.")
    assert message.startswith(
        f"The tagger in {broken} cannot be used: model.onnx: not a loadable ONNX model"
    )
    assert TAGGER_FOLDER_HINT in message and "Traceback" not in message
    assert window.statusBar().currentMessage().startswith("Tagging stopped: The tagger in")
    assert ui.job is None and not ui.badge.isVisibleTo(window)
    assert all(tags == [] for tags in tags_by_file(window).values())


def test_missing_file_wording() -> None:
    folder = Path("/models/wd-vit-tagger-v3")
    err = TaggerFileMissing(folder / "selected_tags.csv", "missing: a tagger needs ...")
    assert describe_error(err) == (
        f"The tagger in {folder} cannot be used: selected_tags.csv is missing.\n"
        + TAGGER_FOLDER_HINT
    )


def test_provider_badge_is_loud_when_cuda_did_not_run(qtbot: QtBot) -> None:
    badge = ProviderBadge()
    qtbot.addWidget(badge)
    badge.show_provider("CPU", None)
    assert badge.text() == "provider: CPU" and badge.fallback is None
    assert "#5a3d0c" not in badge.styleSheet()
    why = "CUDA did not load (missing libcublas.so.12); running on CPU"
    badge.show_provider("CPU", why)
    assert badge.text() == "provider: CPU \u2014 CUDA did not load"  # details: the tooltip
    assert badge.text() == provider_text("CPU", why)
    assert "#5a3d0c" in badge.styleSheet()  # the warning colour
    assert why in badge.toolTip()


def test_asking_for_cuda_shows_what_really_ran(
    qtbot: QtBot, window: MainWindow, ui: TaggingUi, tagger: Path
) -> None:
    # Both waits are armed before the job starts: a fast job may end before the first returns.
    with (
        qtbot.waitSignal(ui.tagging_ended, timeout=JOB_TIMEOUT_MS),
        qtbot.waitSignal(ui.provider_loaded, timeout=JOB_TIMEOUT_MS) as loaded,
    ):
        ui.tag(None, tagger, "cuda")
    info = loaded.args[0]
    if info.provider == CUDA:
        assert ui.badge.text() == "provider: CUDA (GPU)" and ui.badge.fallback is None
    else:
        assert info.fallback and ui.badge.fallback == info.fallback
        assert ui.badge.text() == provider_text("CPU", info.fallback)
        assert ui.badge.text().startswith("provider: CPU \u2014 ")
    assert tags_by_file(window) == EXPECTED


def test_tag_clips_dialog_choices(
    qtbot: QtBot, tmp_path: Path, tagger: Path, settings: AppSettings
) -> None:
    other = make_tiny_tagger(tmp_path / "other")
    not_a_tagger = tmp_path / "empty-folder"
    not_a_tagger.mkdir()
    found = [TaggerLocation("tiny-v3", tagger, "models folder")]
    dialog = TagClipsDialog(
        selected=[3, 5], total=4, found=found, model=None, provider="cpu", settings=settings.store
    )
    qtbot.addWidget(dialog)
    assert dialog.selected_radio.text() == "The selected clips (2)"
    assert dialog.selected_radio.isChecked()
    assert dialog.provider() == "cpu"
    request = dialog.request()
    assert request is not None
    assert (request.clip_ids, request.model, request.provider, request.force) == (
        [3, 5], tagger, "cpu", False,
    )  # fmt: skip
    assert [dialog.model_combo.itemText(i) for i in range(dialog.model_combo.count())] == [
        "tiny-v3  (models folder)", "Choose folder\u2026",
    ]  # fmt: skip

    # "Choose folder…": a real tagger is added and remembered; a folder without one is refused
    dialog.ask_folder = lambda: other
    dialog.model_combo.setCurrentIndex(1)
    dialog.model_combo.activated.emit(1)
    assert dialog.model() == other and dialog.model_combo.currentText() == "other  (chosen)"
    assert settings.store.value("tagging/folders") == [str(other)]
    dialog.ask_folder = lambda: not_a_tagger
    dialog.model_combo.activated.emit(dialog.model_combo.count() - 1)
    ok = dialog.buttons.buttons()[0]
    assert dialog.problem.text() == (
        f"{not_a_tagger} has no model.onnx or selected_tags.csv. {TAGGER_FOLDER_HINT}"
    )
    assert not ok.isEnabled() and dialog.request() is None
    dialog.ask_folder = lambda: None  # cancelled: the previous choice stays
    dialog.model_combo.activated.emit(dialog.model_combo.count() - 1)
    assert dialog.model() == not_a_tagger

    dialog.all_radio.setChecked(True)
    dialog.force_check.setChecked(True)
    dialog.select_model(tagger)
    assert dialog.request() == dataclasses.replace(request, clip_ids=None, force=True)

    empty = TagClipsDialog(
        selected=[], total=0, found=[], model=None, provider="auto", settings=settings.store
    )
    qtbot.addWidget(empty)
    assert not empty.selected_radio.isEnabled() and empty.all_radio.isChecked()
    assert empty.problem.text().startswith("No tagger found.")
    assert not empty.buttons.buttons()[0].isEnabled()
