"""The player: exact frames, newest-request-wins serving, timeline sync, keys, crop and playback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anicurate.core.crop import CropRect, Handle
from anicurate.core.media import open_media, write_animation, write_video
from anicurate.ui.player.frame_server import FrameServer
from anicurate.ui.player.panel import PlayerPanel
from anicurate.ui.player.timeline import Timeline, TimelineData
from tests.helpers.ui_media import frames

N_FRAMES = 60
TIMEOUT = 10_000


def to_array(image: QImage) -> np.ndarray:
    """An RGB888 QImage as H x W x 3 uint8 (rows without Qt's line padding)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    raw = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return raw.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 frames, a keyframe every 12 and B-frames, so steps back cross GOPs."""
    folder = tmp_path_factory.mktemp("player")
    return write_video(folder / "steps.mp4", frames(N_FRAMES, 96, 64, seed=5), fps=24, gop=12)


@pytest.fixture
def panel(qtbot: QtBot) -> Iterator[PlayerPanel]:
    widget = PlayerPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    yield widget
    widget.shutdown()


def load(qtbot: QtBot, panel: PlayerPanel, path: Path, *args: int) -> None:
    with qtbot.waitSignal(panel.player.frame_shown, timeout=TIMEOUT):
        panel.load(path, *args)


def expect_frame(qtbot: QtBot, panel: PlayerPanel, index: int, action: object) -> None:
    """Run ``action`` and wait until frame ``index`` is on screen."""
    with qtbot.waitSignal(
        panel.player.frame_shown, timeout=TIMEOUT, check_params_cb=lambda i: i == index
    ):
        action()  # type: ignore[operator]


def test_stepping_shows_the_exact_frame(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    player = panel.player
    assert player.frame_count == N_FRAMES and player.shown_index == 0
    key = Qt.Key
    shift = Qt.KeyboardModifier.ShiftModifier
    steps = [
        (key.Key_Right, None, 1),
        (key.Key_Period, None, 2),
        (key.Key_Right, shift, 12),
        (key.Key_Left, None, 11),  # back across a keyframe
        (key.Key_Comma, None, 10),
        (key.Key_Left, shift, 0),
        (key.Key_End, None, N_FRAMES - 1),
        (key.Key_Left, None, N_FRAMES - 2),
        (key.Key_Home, None, 0),
    ]
    with open_media(clip) as reference:
        for k, modifier, index in steps:
            mod = modifier or Qt.KeyboardModifier.NoModifier
            expect_frame(qtbot, panel, index, lambda k=k, mod=mod: qtbot.keyClick(player, k, mod))
            assert player.shown_index == index
            assert player.shown_image is not None
            np.testing.assert_array_equal(to_array(player.shown_image), reference.frame_at(index))
            assert player.info_label.text().startswith(f"frame {index} / {N_FRAMES}   ")


def test_the_label_names_time_and_rate(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    expect_frame(qtbot, panel, 36, lambda: panel.player.seek(36))
    assert panel.player.info_label.text() == "frame 36 / 60   00:01.50   24 fps"
    panel.set_timeline_data(TimelineData(frames=N_FRAMES, effective_fps=11.94))
    assert panel.player.info_label.text() == "frame 36 / 60   00:01.50   24 fps (eff. 11.9)"


def test_newest_request_wins(qtbot: QtBot, clip: Path) -> None:
    server = FrameServer(prefetch=0)
    delivered: list[int] = []
    server.frame_ready.connect(lambda _g, i, _img: delivered.append(i))
    try:
        with qtbot.waitSignal(server.frame_ready, timeout=TIMEOUT):
            server.open(clip)
            server.request(0)
        decoded = server.decoded_count
        requests = [59, 3, 47, 20, 51, 8, 33, 40]
        with (
            qtbot.waitSignal(
                server.frame_ready, timeout=TIMEOUT, check_params_cb=lambda _g, i, _img: i == 40
            ),
            server.batch(),  # the thread sees them all at once, as a burst of key repeats
        ):
            for i in requests:
                server.request(i)
        assert delivered == [0, 40]
        assert server.served == 2
        # Only frame 40's GOP (36..47) was decoded, not the GOPs of the frames skipped.
        assert server.decoded_count - decoded <= 12
    finally:
        server.stop()


def test_a_burst_of_requests_ends_on_the_last(qtbot: QtBot, clip: Path) -> None:
    server = FrameServer()
    delivered: list[int] = []
    server.frame_ready.connect(lambda _g, i, _img: delivered.append(i))
    try:
        server.open(clip)
        with qtbot.waitSignal(
            server.frame_ready, timeout=TIMEOUT, check_params_cb=lambda _g, i, _img: i == 17
        ):
            for i in [*range(N_FRAMES - 1, 20, -1), 17]:
                server.request(i)
        # Frames arrive in the order served: the newest request's frame comes last.
        assert delivered[-1] == 17
        assert len(delivered) < 40
    finally:
        server.stop()


def test_a_new_source_drops_frames_of_the_old(qtbot: QtBot, tmp_path: Path, clip: Path) -> None:
    other = write_video(tmp_path / "other.mp4", frames(10, 96, 64, seed=9), fps=24)
    server = FrameServer()
    seen: list[tuple[int, int]] = []
    server.frame_ready.connect(lambda g, i, _img: seen.append((g, i)))
    try:
        first = server.open(clip)
        server.request(30)
        second = server.open(other)
        with qtbot.waitSignal(server.frame_ready, timeout=TIMEOUT):
            server.request(4)
        assert seen[-1] == (second, 4)
        assert all(g == first for g, _ in seen[:-1])
    finally:
        server.stop()


def click_timeline_at(qtbot: QtBot, panel: PlayerPanel, x: float) -> None:
    timeline = panel.timeline
    y = timeline.vb.viewRange()[1]
    scene = timeline.vb.mapViewToScene(QPointF(x, (y[0] + y[1]) / 2))
    pos = timeline.mapFromScene(scene)
    qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))


def test_a_click_on_the_timeline_seeks(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    data = TimelineData(
        frames=N_FRAMES,
        difference=np.linspace(0, 1, N_FRAMES),
        motion=np.ones(N_FRAMES),
        cuts=[30],
        held=np.arange(N_FRAMES) % 2 == 1,
    )
    panel.set_timeline_data(data)
    expect_frame(qtbot, panel, 42, lambda: click_timeline_at(qtbot, panel, 42.2))
    assert panel.timeline.playhead_frame == 42
    assert panel.player.position == 42


def test_playhead_and_player_stay_in_sync(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    player, timeline = panel.player, panel.timeline
    expect_frame(qtbot, panel, 25, lambda: player.seek(25))
    assert timeline.playhead_frame == 25
    expect_frame(qtbot, panel, 26, lambda: qtbot.keyClick(player, Qt.Key.Key_Right))
    assert timeline.playhead_frame == 26

    def drag_playhead() -> None:  # what a drag of the cursor line does
        timeline.playhead.setValue(8.3)
        timeline.playhead.sigDragged.emit(timeline.playhead)

    expect_frame(qtbot, panel, 8, drag_playhead)
    assert player.position == 8
    # Keys pressed on the timeline drive the player.
    expect_frame(qtbot, panel, 9, lambda: qtbot.keyClick(timeline, Qt.Key.Key_Period))
    assert timeline.playhead_frame == 9


def test_in_out_keys_and_region(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip, 5, 50)
    player, timeline = panel.player, panel.timeline
    assert (player.in_frame, player.out_frame) == (5, 50)
    assert timeline.in_out == (5, 50)
    expect_frame(qtbot, panel, 12, lambda: player.seek(12))
    with qtbot.waitSignal(player.in_out_changed) as changed:
        qtbot.keyClick(player, Qt.Key.Key_I)
    assert changed.args == [12, 50] and timeline.in_out == (12, 50)
    expect_frame(qtbot, panel, 40, lambda: player.seek(40))
    qtbot.keyClick(player, Qt.Key.Key_O)
    assert (player.in_frame, player.out_frame) == (12, 40) and timeline.in_out == (12, 40)
    # An out point before the in point moves the in point to the start.
    expect_frame(qtbot, panel, 3, lambda: player.seek(3))
    qtbot.keyClick(player, Qt.Key.Key_O)
    assert (player.in_frame, player.out_frame) == (0, 3)
    # Dragging the region sets both, snapped to whole frames.
    timeline.region.setRegion((9.7, 20.2))
    timeline.region.sigRegionChangeFinished.emit(timeline.region)
    assert (player.in_frame, player.out_frame) == (10, 20)
    assert timeline.region.getRegion() == (9.5, 20.5)


def test_up_down_jump_between_events(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    panel.set_timeline_data(
        TimelineData(frames=N_FRAMES, cuts=[30], transitions=[(10, 14)], flashes=[(45, 45)])
    )
    player = panel.player
    assert player.events == [10, 30, 45]
    for key, index in [(Qt.Key.Key_Down, 10), (Qt.Key.Key_Down, 30), (Qt.Key.Key_Down, 45),
                       (Qt.Key.Key_Up, 30)]:  # fmt: skip
        expect_frame(qtbot, panel, index, lambda key=key: qtbot.keyClick(player, key))
    qtbot.keyClick(player, Qt.Key.Key_Up)
    qtbot.keyClick(player, Qt.Key.Key_Up)
    assert player.position == 10


def test_shuttle_keys(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    player = panel.player
    expect_frame(qtbot, panel, 20, lambda: player.seek(20))
    qtbot.keyClick(player, Qt.Key.Key_L)
    assert player.speed == 1.0
    qtbot.keyClick(player, Qt.Key.Key_L)
    assert player.speed == 2.0
    qtbot.keyClick(player, Qt.Key.Key_J)  # the other way slows down first
    assert player.speed == 1.0
    qtbot.keyClick(player, Qt.Key.Key_J)
    assert player.speed == -1.0
    with qtbot.waitSignal(player.playing_changed) as stopped:
        qtbot.keyClick(player, Qt.Key.Key_K)
    assert stopped.args == [False] and not player.playing


def test_playback_loops_the_in_out_range(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip, 40, 47)
    player = panel.player
    shown: list[int] = []
    player.frame_shown.connect(shown.append)
    expect_frame(qtbot, panel, 44, lambda: player.seek(44))
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.playing
    # Plays on to the out point, then starts over at the in point (at 24 fps: ~0.3 s).
    qtbot.waitUntil(lambda: 47 in shown and 40 in shown[shown.index(47) :], timeout=TIMEOUT)
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert not player.playing
    assert all(40 <= i <= 47 for i in shown)
    assert player.stats.due >= player.stats.shown > 0


def test_variable_delays_are_honoured(qtbot: QtBot, panel: PlayerPanel, tmp_path: Path) -> None:
    gif = write_animation(tmp_path / "uneven.gif", frames(4, 64, 48, seed=2), [400, 40, 40, 40])
    load(qtbot, panel, gif)
    player = panel.player
    assert list(player.source.index.durations) == pytest.approx([0.4, 0.04, 0.04, 0.04])
    clock = QElapsedTimer()
    reached: list[int] = []
    player.position_changed.connect(lambda i: reached.append(clock.elapsed()) if i == 1 else None)
    clock.start()
    player.play()
    qtbot.waitUntil(lambda: bool(reached), timeout=TIMEOUT)
    # Frame 0 shows for its own 400 ms before frame 1, not the 40 ms of the others.
    assert reached[0] >= 380
    assert player.stats.due == 2
    player.pause()


def test_crop_mode_keeps_ratio_and_bounds_under_drags(
    qtbot: QtBot, panel: PlayerPanel, clip: Path
) -> None:
    load(qtbot, panel, clip)
    player = panel.player
    player.set_training_size(512, 288)  # 16:9 on a 96x64 (3:2) frame
    qtbot.keyClick(player, Qt.Key.Key_C)
    assert player.crop_mode
    overlay = player.overlay
    assert overlay.rect_px == CropRect(0, 6, 96, 54)
    assert overlay.output() is not None and overlay.output().below_training  # type: ignore[union-attr]
    assert "below training size" in overlay.label_text()

    def mouse(kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(kind, pos, overlay.mapToGlobal(pos), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(overlay, event)

    def drag(start: QPointF, end: QPointF) -> None:
        left = Qt.MouseButton.LeftButton
        mouse(QEvent.Type.MouseButtonPress, start, left)
        mouse(QEvent.Type.MouseMove, (start + end) / 2, left)
        mouse(QEvent.Type.MouseMove, end, left)
        mouse(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)

    rng = np.random.default_rng(4)
    changes: list[object] = []
    overlay.crop_changed.connect(changes.append)
    for _ in range(60):
        handles = overlay.handle_points()
        if rng.random() < 0.5:
            start = handles[list(Handle)[int(rng.integers(len(Handle)))]]
        else:
            start = overlay.widget_rect().center()
        end = start + QPointF(*rng.uniform(-400, 400, 2))
        drag(start, end)
        rect = overlay.rect_px
        assert rect is not None
        assert rect.x >= 0 and rect.y >= 0 and rect.right <= 96 and rect.bottom <= 64
        assert rect.w % 2 == 0 and rect.h % 2 == 0 and rect.x % 2 == 0 and rect.y % 2 == 0
        assert abs(rect.h - rect.w * 288 / 512) <= 1
    assert changes  # the drags did change the crop, and said so
    # A corner drag towards the centre shrinks the crop around the opposite corner.
    overlay.fit()
    before = overlay.rect_px
    assert before is not None
    drag(overlay.handle_points()[Handle.NW], overlay.widget_rect().center())
    after = overlay.rect_px
    assert after is not None and after.w < before.w
    assert (after.right, after.bottom) == (before.right, before.bottom)


def test_pad_option_and_presets(qtbot: QtBot, panel: PlayerPanel, clip: Path) -> None:
    load(qtbot, panel, clip)
    player = panel.player
    player.set_training_size(64, 64)
    player.set_crop_mode(True)
    overlay = player.overlay
    overlay.set_crop(CropRect(0, 0, 20, 20))
    assert overlay.rect_px == CropRect(0, 0, 20, 20)
    player.buttons["crop_centre"].click()
    assert overlay.rect_px == CropRect(38, 22, 20, 20)
    player.buttons["crop_fit"].click()
    assert overlay.rect_px == CropRect(16, 0, 64, 64)
    assert not overlay.output().below_training  # type: ignore[union-attr]
    with qtbot.waitSignal(player.crop_changed) as changed:
        player.buttons["crop_pad"].click()
    assert changed.args == [None]
    assert overlay.label_text() == "pad to 96\u00d796 \u2192 64\u00d764"


def test_the_timeline_keeps_both_axes_inside_a_narrow_player(qtbot: QtBot) -> None:
    # The legend line above the plot once sat in the view's column alone, so its width set the
    # view's least width: at 600 px the right axis and its "motion" label fell off the widget.
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.resize(600, 200)
    timeline.show()
    qtbot.waitExposed(timeline)
    right = timeline.plot_item.getAxis("right")
    qtbot.waitUntil(lambda: right.geometry().right() <= timeline.viewport().width())
    assert timeline.plot_item.getAxis("left").geometry().left() >= 0
