"""The player's keys are the window's: they work after clicking a thumbnail (the grid has the
focus), not while a text field has it; Help ▸ Keyboard Shortcuts lists every action from the
actions themselves; Ctrl+G goes to a frame."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anicurate.ui.browse.clip_model import ROW_ROLE
from anicurate.ui.main_window import MainWindow
from anicurate.ui.shortcuts import ShortcutRow, shortcut_rows


def open_on_first_video(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    """Open ``path``, click the first clip's thumbnail and wait until its frame is on screen."""
    assert window.open_project(path)
    with qtbot.waitActive(window):  # window shortcuts need the active window
        window.show()
        window.activateWindow()
    grid = window.browser.grid
    index = window.browser.proxy.index(0, 0)
    assert index.data().startswith("clip_00")
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=grid.visualRect(index).center())  # fmt: skip
    player = window.player
    qtbot.waitUntil(
        lambda: (
            player.source is not None
            and player.source.path.name == "clip_00.mp4"
            and player.shown_index == 0
        ),
        timeout=20_000,
    )
    assert grid.hasFocus() and window.browser.current_row() == index.data(ROW_ROLE)
    assert window.player.frame_count == 12


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key, frame: int) -> None:
    """Press ``key`` in the grid and wait until the player shows ``frame``."""
    player = window.player
    qtbot.keyClick(window.browser.grid, key)
    qtbot.waitUntil(lambda: player.shown_index == frame, timeout=10_000)


def test_player_keys_work_after_clicking_a_thumbnail(
    qtbot: QtBot, window: MainWindow, project_path: Path
) -> None:
    open_on_first_video(qtbot, window, project_path)
    player, browser = window.player, window.browser
    first_clip = browser.current_row()
    press(qtbot, window, Qt.Key.Key_Right, 1)  # a frame, not the next clip
    press(qtbot, window, Qt.Key.Key_Period, 2)
    press(qtbot, window, Qt.Key.Key_Comma, 1)
    press(qtbot, window, Qt.Key.Key_End, 11)
    press(qtbot, window, Qt.Key.Key_Left, 10)
    assert browser.current_row() == first_clip
    qtbot.keyClick(browser.grid, Qt.Key.Key_O)
    assert (player.in_frame, player.out_frame) == (0, 10)
    press(qtbot, window, Qt.Key.Key_Home, 0)
    press(qtbot, window, Qt.Key.Key_Right, 1)
    qtbot.keyClick(browser.grid, Qt.Key.Key_I)
    assert (player.in_frame, player.out_frame) == (1, 10)
    with qtbot.waitSignal(player.playing_changed) as started:
        qtbot.keyClick(browser.grid, Qt.Key.Key_Space)
    assert started.args == [True]
    with qtbot.waitSignal(player.playing_changed) as stopped:
        qtbot.keyClick(browser.grid, Qt.Key.Key_Space)
    assert stopped.args == [False]
    qtbot.keyClick(browser.grid, Qt.Key.Key_L)
    qtbot.keyClick(browser.grid, Qt.Key.Key_L)
    assert player.speed == 2.0
    qtbot.keyClick(browser.grid, Qt.Key.Key_J)
    assert player.speed == 1.0
    qtbot.keyClick(browser.grid, Qt.Key.Key_K)
    assert not player.playing
    assert browser.grid.hasFocus()
    qtbot.keyClick(browser.grid, Qt.Key.Key_N)  # N, not an arrow, is the next clip
    assert browser.current_row() != first_clip


def test_text_fields_keep_their_keys(qtbot: QtBot, window: MainWindow, project_path: Path) -> None:
    open_on_first_video(qtbot, window, project_path)
    player = window.player
    press(qtbot, window, Qt.Key.Key_Right, 1)
    window.filter_edit.setFocus()
    qtbot.keyClicks(window.filter_edit, "cl ip")  # Space, J/K/L, I/O would all be the player's
    for key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End):
        qtbot.keyClick(window.filter_edit, key)
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Period)
    assert window.filter_edit.text() == "cl ip."
    assert (player.position, player.playing, player.in_frame) == (1, False, 0)


def test_ctrl_g_goes_to_a_frame(qtbot: QtBot, window: MainWindow, project_path: Path) -> None:
    open_on_first_video(qtbot, window, project_path)
    asked: list[tuple[int, int]] = []

    def ask(_parent: object, current: int, last: int) -> int:
        asked.append((current, last))
        return 7

    window.player.ask_frame = ask
    qtbot.keyClick(window.browser.grid, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.player.shown_index == 7, timeout=10_000)
    assert asked == [(0, 11)]


def test_the_shortcuts_dialog_lists_every_action_with_keys(
    qtbot: QtBot, window: MainWindow
) -> None:
    rows = shortcut_rows(window)
    assert ShortcutRow("Player", "One frame forward", "Right, .") in rows
    assert ShortcutRow("Player", "Play / pause", "Space") in rows
    assert ShortcutRow("Clip", "Accept", "A") in rows
    assert ShortcutRow("Clip", "Go to frame", "Ctrl+G") in rows
    assert ShortcutRow("Help", "Keyboard Shortcuts", "F1") in rows
    named = {row.name for row in rows}
    assert {"Next Clip", "Previous Clip", "Undo", "Set the in point here"} <= named
    # Generated from the actions: a new one shows up without editing a list.
    window.menu("tools").addAction("Brand &New").setShortcut("Ctrl+Alt+B")
    assert ShortcutRow("Tools", "Brand New", "Ctrl+Alt+B") in shortcut_rows(window)
    dialog = window.help.show_shortcuts()
    qtbot.waitExposed(dialog)
    tree = dialog.tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups[:3] == ["File", "Edit", "Clip"] and "Player" in groups
    items = sum(tree.topLevelItem(i).childCount() for i in range(tree.topLevelItemCount()))
    assert items == len(dialog.rows) == len(rows) + 1
