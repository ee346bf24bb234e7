"""Keyboard review: accept/reject/unreviewed on the current clip or a selection, next/previous,
notes, and undo/redo (also after reopening the project in a new window)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from anicurate.core.project import Project
from anicurate.ui.browse.filter_model import ANY_FLAG, ReviewFilterModel
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow

CLIPS = ["clip_00.mp4", "clip_01.mp4", "clip_02.mp4", "still.png", "wave.gif"]


def statuses(path: Path) -> dict[str, str]:
    """Clip status by file name, read from the catalogue (not from the window)."""
    with Project.open(path) as project:
        return {Path(s.path).name: c.status.value for c, s in project.clips_with_sources()}


def notes(path: Path) -> dict[str, str]:
    with Project.open(path) as project:
        return {Path(s.path).name: c.note for c, s in project.clips_with_sources()}


def show(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    assert window.open_project(path)
    with qtbot.waitActive(window):  # window shortcuts need the active window
        window.show()
        window.activateWindow()
    window.browser.select_model_row(0)
    window.browser.grid.setFocus()


def key(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Press a key (sequence) in the browser, as a reviewer does."""
    qtbot.keyClick(window.browser.grid, text)


def test_the_proxy_model_passes_the_qt_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow, project_path: Path
) -> None:
    window.open_project(project_path)
    proxy = window.browser.proxy
    assert isinstance(proxy, ReviewFilterModel)
    qtmodeltester.check(proxy)
    proxy.set_status_filter("unreviewed")
    proxy.set_text_filter("clip")
    qtmodeltester.check(proxy)
    proxy.set_flag_filter(ANY_FLAG)
    qtmodeltester.check(proxy)
    proxy.clear_filters()


def test_accept_then_next_moves_on(qtbot: QtBot, window: MainWindow, project_path: Path) -> None:
    show(qtbot, window, project_path)
    with qtbot.waitSignal(window.session.edited):
        key(qtbot, window, "a")
    assert statuses(project_path) == {
        "clip_00.mp4": "accepted", "clip_01.mp4": "unreviewed", "clip_02.mp4": "unreviewed",
        "still.png": "unreviewed", "wave.gif": "unreviewed",
    }  # fmt: skip
    key(qtbot, window, "n")
    current = window.browser.current_row()
    assert current is not None and current.name == "clip_01.mp4"
    assert window.inspector.row is not None and window.inspector.row.name == "clip_01.mp4"
    with qtbot.waitSignal(window.session.edited):
        key(qtbot, window, "r")
    key(qtbot, window, "p")
    current = window.browser.current_row()
    assert current is not None and current.name == "clip_00.mp4"
    with qtbot.waitSignal(window.session.edited):
        key(qtbot, window, "u")
    assert statuses(project_path)["clip_00.mp4"] == "unreviewed"
    assert statuses(project_path)["clip_01.mp4"] == "rejected"
    assert window.counts_label.text().startswith("5 clips   0 accepted   1 rejected   4 to review")


def test_reject_on_a_selection_rejects_all_of_it(
    qtbot: QtBot, window: MainWindow, project_path: Path
) -> None:
    show(qtbot, window, project_path)
    selection = window.browser.grid.selectionModel()
    proxy = window.browser.proxy
    flag = QItemSelectionModel.SelectionFlag
    for row in (1, 3, 4):
        selection.select(proxy.index(row, 0), flag.Select | flag.Rows)
    selection.select(proxy.index(0, 0), flag.Deselect | flag.Rows)
    with qtbot.waitSignal(window.session.edited):
        key(qtbot, window, "r")
    assert statuses(project_path) == {
        "clip_00.mp4": "unreviewed", "clip_01.mp4": "rejected", "clip_02.mp4": "unreviewed",
        "still.png": "rejected", "wave.gif": "rejected",
    }  # fmt: skip
    status_column = [window.session.clip_model.row_at(r).status for r in range(5)]
    assert status_column == ["unreviewed", "rejected", "unreviewed", "rejected", "rejected"]


def test_keys_typed_in_text_fields_stay_there(
    qtbot: QtBot, window: MainWindow, project_path: Path
) -> None:
    show(qtbot, window, project_path)
    window.filter_edit.setFocus()
    qtbot.keyClicks(window.filter_edit, "ran")  # r, a, n: reject, accept, next if stolen
    assert window.filter_edit.text() == "ran"
    window.filter_edit.clear()
    window.browser.select_model_row(0)
    note = window.inspector.note_edit
    note.setFocus()
    qtbot.keyClicks(note, "pan")
    with qtbot.waitSignal(window.session.edited):
        qtbot.keyClick(note, Qt.Key.Key_Return)
    assert set(statuses(project_path).values()) == {"unreviewed"}
    assert notes(project_path)["clip_00.mp4"] == "pan"


def test_undo_and_redo_restore_state_also_after_reopening(
    qtbot: QtBot, window: MainWindow, project_path: Path, settings: AppSettings
) -> None:
    show(qtbot, window, project_path)
    with qtbot.waitSignal(window.session.edited):
        key(qtbot, window, "a")
    window.browser.select_model_row(2)
    with qtbot.waitSignal(window.session.edited):
        key(qtbot, window, "r")
    assert window.review.act_undo.text() == "&Undo Reject clip"
    with qtbot.waitSignal(window.session.edited):
        qtbot.keyClick(window.browser.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert statuses(project_path)["clip_02.mp4"] == "unreviewed"
    assert statuses(project_path)["clip_00.mp4"] == "accepted"
    assert window.review.act_redo.text() == "&Redo Reject clip"
    assert window.session.clip_model.row_at(2).status == "unreviewed"
    with qtbot.waitSignal(window.session.edited):
        qtbot.keyClick(
            window.browser.grid,
            Qt.Key.Key_Z,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert statuses(project_path)["clip_02.mp4"] == "rejected"
    assert window.session.clip_model.row_at(2).status == "rejected"
    window.close()

    # A new window on the same file: the journal is in the project, so undo still works.
    second = MainWindow(settings, interactive=False)
    qtbot.addWidget(second)
    try:
        show(qtbot, second, project_path)
        assert second.review.act_undo.text() == "&Undo Reject clip"
        with qtbot.waitSignal(second.session.edited):
            qtbot.keyClick(second.browser.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        with qtbot.waitSignal(second.session.edited):
            qtbot.keyClick(second.browser.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert set(statuses(project_path).values()) == {"unreviewed"}
        assert not second.review.act_undo.isEnabled()
        with qtbot.waitSignal(second.session.edited):
            qtbot.keyClick(second.browser.grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
        assert statuses(project_path)["clip_00.mp4"] == "accepted"
    finally:
        second.close()
