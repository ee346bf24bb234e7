"""The Tags dock and the Tag Overview on a project tagged by a tiny real ONNX tagger: models pass
the model tester, edits through the panel change exactly the catalogue rows and the caption,
frequencies count, coverage flags what is missing, a tag click filters the browser, and find
and replace renames only where asked."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, QStringListModel, Qt
from pytestqt.qtbot import QtBot

from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import set_status
from anicurate.core.tagging import store
from anicurate.core.tagging.run import tag_project
from anicurate.ui import tagging
from anicurate.ui.main_window import MainWindow
from anicurate.ui.tagging import TaggingUi
from anicurate.ui.tagging.controller import names_pattern
from anicurate.ui.tagging.models import (
    MISSING_ROLE,
    WARNING_BACKGROUND,
    ClipTagModel,
    CoverageModel,
    TagFrequencyModel,
    reordered,
)
from anicurate.ui.tagging.replace_dialog import FindReplaceDialog
from tests.helpers.ui_media import run_import

GREEN = ["hatsune miku", "green hair", "looking at viewer"]
FILES = ["a_red.mp4", "b_green.mp4", "c_yellow.mp4", "d_blue.mp4"]


@pytest.fixture
def tagged(tmp_path: Path, clips: Path, tagger: Path) -> Path:
    """A project of four solid-colour clips, tagged on the CPU, trigger tag ``anime``."""
    path = tmp_path / "tags.anicurate"
    run_import(path, [clips])
    with Project.open(path) as p:
        p.set_settings(dataclasses.replace(p.settings(), trigger_tag="anime"))
        p.set_setting(store.MODEL_KEY, str(tagger))
    job = tag_project(path, tagger, provider="cpu")
    for _ in job:
        pass
    return path


def open_with_tagging(window: MainWindow, path: Path) -> TaggingUi:
    ui = tagging.install(window, window.session, window.jobs)
    assert window.open_project(path)
    return ui


def row_of(window: MainWindow, name: str) -> int:
    return next(i for i, r in enumerate(window.session.clip_model.rows()) if r.name == name)


def clip_id(window: MainWindow, name: str) -> int:
    clip = window.session.clip_model.row_at(row_of(window, name)).clip
    assert clip is not None
    return clip.id


def stored(window: MainWindow, name: str) -> list[tuple[str, str]]:
    assert window.project is not None
    return [(t.tag, t.origin) for t in store.clip_tags(window.project, clip_id(window, name))]


def shown(ui: TaggingUi) -> list[tuple[str, str, str]]:
    model = ui.panel.model
    return [
        tuple(str(model.index(r, c).data()) for c in range(3))  # type: ignore[misc]
        for r in range(model.rowCount())
    ]


def test_models_pass_the_model_tester(qtmodeltester, window: MainWindow, tagged: Path) -> None:  # type: ignore[no-untyped-def]
    ui = open_with_tagging(window, tagged)
    window.browser.select_model_row(row_of(window, "b_green.mp4"))
    assert ui.panel.model.rowCount() == 3
    qtmodeltester.check(ui.panel.model)
    qtmodeltester.check(ui.overview.frequency_model)
    qtmodeltester.check(ui.overview.coverage_model)
    for model in (ClipTagModel(), TagFrequencyModel(), CoverageModel()):
        qtmodeltester.check(model)  # empty ones too


def test_panel_shows_scores_origin_record_and_caption(window: MainWindow, tagged: Path) -> None:
    ui = open_with_tagging(window, tagged)
    first = window.session.clip_model.row_at(0).name  # an opened project shows its first clip
    assert ui.panel.title.text() == first and not ui.panel.hint.isVisibleTo(window)
    window.browser.select_model_row(row_of(window, "b_green.mp4"))
    assert ui.panel.title.text() == "b_green.mp4"
    assert [(t, o) for t, _s, o in shown(ui)] == [(t, "auto") for t in GREEN]
    assert window.project is not None
    scores = [t.score for t in store.clip_tags(window.project, clip_id(window, "b_green.mp4"))]
    assert [s for _t, s, _o in shown(ui)] == [f"{s:.2f}" for s in scores if s is not None]
    assert len(scores) == 3
    assert ui.panel.caption_view.toPlainText() == "anime, " + ", ".join(GREEN)
    assert ui.panel.record.text().startswith(
        "Auto: tiny-v3 on CPU \u00b7 4 frames \u00b7 rating general 0."
    )
    # The tagger's vocabulary completes, after the project's own tags (most used first).
    assert ui.panel.completions.stringList() == [
        "looking at viewer", "^_^", "blue sky", "green hair", "hatsune miku", "red background",
        "split screen",
    ]  # fmt: skip
    ui.panel.completer.setCompletionPrefix("view")
    assert ui.panel.completer.currentCompletion() == "looking at viewer"


def test_add_remove_and_reorder_change_exactly_the_stored_rows(
    qtbot: QtBot, window: MainWindow, tagged: Path
) -> None:
    ui = open_with_tagging(window, tagged)
    window.show()
    window.browser.select_model_row(row_of(window, "b_green.mp4"))
    panel = ui.panel

    # add two tags by typing, Enter
    panel.add_edit.setFocus()
    qtbot.keyClicks(panel.add_edit, "smile, Open_Mouth")
    with qtbot.waitSignal(panel.edited):
        qtbot.keyClick(panel.add_edit, Qt.Key.Key_Return)
    assert panel.add_edit.text() == ""
    expected = [(t, "auto") for t in GREEN] + [("smile", "manual"), ("Open Mouth", "manual")]
    assert stored(window, "b_green.mp4") == expected
    assert [(t, o) for t, _s, o in shown(ui)] == expected
    assert shown(ui)[3][1] == "\u2014"  # no score for a typed tag
    assert panel.caption_view.toPlainText() == (
        "anime, hatsune miku, green hair, looking at viewer, smile, Open Mouth"
    )
    assert panel.selected_tags() == ["smile", "Open Mouth"]

    # remove with the Delete key
    panel.table.selectRow(1)
    with qtbot.waitSignal(panel.edited):
        qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert stored(window, "b_green.mp4") == [
        ("hatsune miku", "auto"), ("looking at viewer", "auto"), ("smile", "manual"),
        ("Open Mouth", "manual"),
    ]  # fmt: skip
    assert panel.selected_tags() == ["looking at viewer"]  # the row that took its place
    assert panel.caption_view.toPlainText() == (
        "anime, hatsune miku, looking at viewer, smile, Open Mouth"
    )

    # move up with the button: "smile" goes before "looking at viewer"
    panel.table.selectRow(2)
    with qtbot.waitSignal(panel.edited):
        qtbot.mouseClick(panel.up_button, Qt.MouseButton.LeftButton)
    assert [t for t, _ in stored(window, "b_green.mp4")] == [
        "hatsune miku", "smile", "looking at viewer", "Open Mouth",
    ]  # fmt: skip
    assert panel.selected_tags() == ["smile"]
    assert panel.up_button.isEnabled()  # row 1 can still go up

    # move down: "hatsune miku" to the second place
    panel.table.selectRow(0)
    assert not panel.up_button.isEnabled()
    with qtbot.waitSignal(panel.edited):
        qtbot.mouseClick(panel.down_button, Qt.MouseButton.LeftButton)
    assert [t for t, _ in stored(window, "b_green.mp4")] == [
        "smile", "hatsune miku", "looking at viewer", "Open Mouth",
    ]  # fmt: skip

    # drag and drop: rows 2 and 3 dropped before row 0
    model = panel.model
    mime = model.mimeData([model.index(2, 0), model.index(3, 0)])
    with qtbot.waitSignal(panel.edited):
        assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    order = ["looking at viewer", "Open Mouth", "smile", "hatsune miku"]
    assert [t for t, _ in stored(window, "b_green.mp4")] == order
    assert [t for t, _s, _o in shown(ui)] == order
    assert panel.caption_view.toPlainText() == "anime, " + ", ".join(order)
    # the other clips are untouched
    assert stored(window, "a_red.mp4") == [("red background", "auto")]


def test_a_name_only_browser_is_filtered_by_exact_names() -> None:
    names = ["a [0\u201311].mp4", "a.mp4", "b (1).mp4", "ab.mp4"]
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(QStringListModel(names))
    proxy.setFilterRegularExpression(names_pattern(["a.mp4", "b (1).mp4"]))
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["a.mp4", "b (1).mp4"]
    proxy.setFilterRegularExpression(names_pattern(["a [0\u201311].mp4"]))
    assert proxy.rowCount() == 1
    proxy.setFilterRegularExpression(names_pattern([]))
    assert proxy.rowCount() == 0


def test_reordered_moves_rows_before_the_drop_row() -> None:
    names = ["a", "b", "c", "d"]
    assert reordered(names, [0], 3) == ["b", "c", "a", "d"]
    assert reordered(names, [3], 0) == ["d", "a", "b", "c"]
    assert reordered(names, [1, 2], 4) == ["a", "d", "b", "c"]
    assert reordered(names, [2], 2) == names


def test_frequencies_count_accepted_clips_and_a_click_filters_the_browser(
    qtbot: QtBot, window: MainWindow, tagged: Path
) -> None:
    ui = open_with_tagging(window, tagged)
    window.show()
    overview = ui.overview
    assert window.project is not None
    ids = [clip_id(window, n) for n in ("a_red.mp4", "b_green.mp4", "c_yellow.mp4")]
    set_status(window.project, ids, ClipStatus.ACCEPTED)
    window.session.refresh()
    ui.overview_dock.show()
    overview.refresh()
    assert overview.frequency_model.rows() == [
        ("looking at viewer", 2), ("^_^", 1), ("green hair", 1), ("hatsune miku", 1),
        ("red background", 1),
    ]  # fmt: skip
    assert overview.frequency_model.total_clips == 3
    assert overview.summary.text() == "3 clips, 5 distinct tags"
    share = overview.frequency_model.index(0, 2).data()
    assert share == "67%"
    overview.scope_combo.setCurrentIndex(1)  # all clips: the blue one counts too
    assert ("blue sky", 1) in overview.frequency_model.rows()
    assert overview.frequency_model.total_clips == 4

    # sorted by clips, most first; clicking "green hair" filters the browser to its clip
    table = overview.frequency_table
    proxy = overview.frequency_proxy
    assert proxy.index(0, 0).data() == "looking at viewer"
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "green hair")
    rect = table.visualRect(proxy.index(row, 0))
    with qtbot.waitSignal(ui.tag_filter_requested) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["green hair"]
    browser = window.browser.proxy
    assert [browser.index(r, 0).data() for r in range(browser.rowCount())] == ["b_green.mp4"]
    assert overview.filter_label.text() == "Browser: clips tagged \u201cgreen hair\u201d"
    ui.filter_browser_by_tag("looking at viewer")
    assert sorted(browser.index(r, 0).data() for r in range(browser.rowCount())) == [
        "b_green.mp4", "c_yellow.mp4",
    ]  # fmt: skip
    ui.clear_tag_filter()
    assert browser.rowCount() == 4
    assert not overview.filter_label.isVisibleTo(window)
    # typing a name filter replaces the tag filter
    ui.filter_browser_by_tag("blue sky")
    window.filter_edit.setText("a_")
    assert ui.filter_tag is None
    assert [browser.index(r, 0).data() for r in range(browser.rowCount())] == ["a_red.mp4"]


def test_coverage_highlights_missing_terms_and_edits_the_list(
    window: MainWindow, tagged: Path
) -> None:
    ui = open_with_tagging(window, tagged)
    overview = ui.overview
    assert window.project is not None
    assert overview.coverage_model.terms() == list(store.DEFAULT_COVERAGE)
    overview.scope_combo.setCurrentIndex(1)
    overview.set_terms(["looking at viewer", "smile"])
    assert store.coverage_terms(window.project) == ["looking at viewer", "smile"]
    model = overview.coverage_model
    assert [(i.term, i.clips) for i in model.items()] == [("looking at viewer", 2), ("smile", 0)]
    assert model.missing() == ["smile"]
    assert model.index(1, 1).data() == "missing"
    assert model.index(1, 0).data(MISSING_ROLE) is True
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) == WARNING_BACKGROUND
    assert model.index(0, 0).data(MISSING_ROLE) is False
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(0, 1).data() == "2"
    assert overview.coverage_title.text() == "Coverage: 1 of 2 present, 1 missing"

    # rename in place, add from the field, remove the selection
    assert model.setData(model.index(1, 0), "green_hair")
    assert store.coverage_terms(window.project) == ["looking at viewer", "green hair"]
    assert model.missing() == []
    overview.term_edit.setText("crying, running")
    overview.term_edit.returnPressed.emit()
    assert overview.coverage_model.terms() == [
        "looking at viewer", "green hair", "crying", "running",
    ]  # fmt: skip
    assert overview.coverage_title.text() == "Coverage: 2 of 4 present, 2 missing"
    overview.coverage_table.selectRow(0)
    overview.remove_term_button.click()
    assert store.coverage_terms(window.project) == ["green hair", "crying", "running"]
    overview.reset_terms_button.click()
    assert store.coverage_terms(window.project) == list(store.DEFAULT_COVERAGE)


def test_find_and_replace_changes_only_the_selection(
    qtbot: QtBot, window: MainWindow, tagged: Path
) -> None:
    ui = open_with_tagging(window, tagged)
    assert window.project is not None
    red, green = clip_id(window, "a_red.mp4"), clip_id(window, "b_green.mp4")

    dialog = FindReplaceDialog(window.project, [red, green], ["looking at camera"])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled() and dialog.count_label.text() == "Type the tag to find."
    dialog.find_edit.setText("Looking_at_viewer")
    dialog.replace_edit.setText("looking at camera")
    assert dialog.matching() == [green]
    assert dialog.count_label.text() == (
        "\u201cLooking_at_viewer\u201d will be replaced with \u201clooking at camera\u201d"
        " on 1 clip."
    )
    assert ok.isEnabled() and ok.text() == "Replace"
    dialog.all_radio.setChecked(True)
    assert dialog.clip_ids() is None and len(dialog.matching()) == 2
    dialog.replace_edit.setText("")
    assert ok.text() == "Remove"

    window.browser.select_model_row(row_of(window, "b_green.mp4"))
    assert ui.replace("looking at viewer", "looking at camera", [red, green]) == 1
    assert stored(window, "b_green.mp4") == [
        ("hatsune miku", "auto"), ("green hair", "auto"), ("looking at camera", "manual"),
    ]  # fmt: skip
    assert stored(window, "c_yellow.mp4") == [("^_^", "auto"), ("looking at viewer", "auto")]
    assert ui.panel.caption_view.toPlainText() == (
        "anime, hatsune miku, green hair, looking at camera"
    )
    assert window.statusBar().currentMessage() == (
        "Replaced \u201clooking at viewer\u201d with \u201clooking at camera\u201d on 1 clip"
    )
    assert ui.replace("^_^", "", None) == 1  # remove everywhere
    assert stored(window, "c_yellow.mp4") == [("looking at viewer", "auto")]
