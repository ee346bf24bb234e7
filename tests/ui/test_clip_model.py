"""ClipListModel: rows from the catalogue, Qt model contract, and differential refreshes."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from anicurate.core.media.formats import MediaKind
from anicurate.core.media.info import MediaInfo
from anicurate.core.project import Clip, ClipStatus, Project, Source
from anicurate.ui.browse.clip_model import (
    BADGE_ROLE,
    ERROR_ROLE,
    META_ROLE,
    STATUS_ROLE,
    THUMBNAIL_ROLE,
    ClipListModel,
    ClipRow,
    Column,
)
from tests.helpers.ui_media import MediaSet

NAMES = [
    "clip_00.mp4", "clip_01.mp4", "clip_02.mp4", "still.png", "wave.gif",  # clips, by path
    "empty.webm", "not_media.mp4", "truncated.mp4",                         # failed, by path
]  # fmt: skip


def test_model_passes_the_qt_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, project_path: Path
) -> None:
    model = ClipListModel()
    with Project.open(project_path) as project:
        model.set_project(project)
        qtmodeltester.check(model)
        model.set_project(None)


def test_rows_text_and_roles(qtbot: QtBot, project_path: Path, media: MediaSet) -> None:
    model = ClipListModel()
    with Project.open(project_path) as project:
        model.set_project(project)
        assert model.rowCount() == 8
        assert model.columnCount() == len(Column)
        names = [model.index(r, Column.NAME).data() for r in range(model.rowCount())]
        assert names == NAMES
        assert (model.clip_count, model.error_count) == (5, 3)

        def cell(row: int, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> object:
            return model.index(row, column).data(role)

        assert [cell(0, c) for c in Column] == [
            "clip_00.mp4", "video", "64\u00d748", "24", "12", "0:00.5",
            "", "", "",  # effective fps, motion and flags: not analysed
            "unreviewed", "",
        ]  # fmt: skip
        assert cell(3, Column.KIND) == "still"
        assert cell(4, Column.KIND) == "gif"
        assert cell(4, Column.NAME, BADGE_ROLE) == "GIF"
        assert cell(0, Column.NAME, BADGE_ROLE) is None
        assert cell(0, Column.NAME, META_ROLE) == "64\u00d748 \u00b7 0:00.5"
        assert cell(3, Column.NAME, META_ROLE) == "64\u00d748"

        stored = {s.path: s for s in project.sources()}
        for row in (5, 6, 7):
            source = stored[str(media.root.resolve() / NAMES[row])]
            assert cell(row, Column.NAME, STATUS_ROLE) == "error"
            assert cell(row, Column.NAME, ERROR_ROLE) == source.error
            assert cell(row, Column.ERROR) == source.error
            assert cell(row, Column.RESOLUTION) == ""
            assert cell(row, Column.NAME, THUMBNAIL_ROLE) is None
            assert source.error in cell(row, Column.NAME, Qt.ItemDataRole.ToolTipRole)

        tooltip = cell(0, Column.FPS, Qt.ItemDataRole.ToolTipRole)
        assert "64\u00d748 \u00b7 24 fps" in tooltip
        assert "frames 0\u201311 (12 frames)" in tooltip

        first = model.row_at(0)
        pixmap = cell(0, Column.NAME, THUMBNAIL_ROLE)
        jpeg = project.thumbnail(first.source.id)
        assert jpeg is not None
        assert pixmap.size() == QImage.fromData(jpeg).size()
        again = cell(0, Column.NAME, THUMBNAIL_ROLE)
        assert again.cacheKey() == pixmap.cacheKey()  # decoded once, then cached
        model.set_project(None)


# -- differential refresh on hand-made rows ---------------------------------------------------


def _row(i: int, status: ClipStatus = ClipStatus.UNREVIEWED, path: str | None = None) -> ClipRow:
    path = path or f"/m/{i:02d}.mp4"
    info = MediaInfo(
        path=path, kind=MediaKind.VIDEO, container="mp4", codec="h264", width=64, height=48,
        rotation=0, sample_aspect=Fraction(1), frame_count=10, fps=Fraction(24),
        duration=10 / 24, vfr=False, has_audio=False,
    )  # fmt: skip
    source = Source(i, path, 100, 0.0, f"h{i}", info, None, None, 0.0)
    return ClipRow(source, Clip(i, i, 0, 9, None, status, ""))


def test_apply_rows_inserts_removes_reorders_and_keeps_persistent_indexes(qtbot: QtBot) -> None:
    model = ClipListModel()
    a, b, c, d = _row(1), _row(2), _row(3), _row(4)
    events: list[tuple[str, int, int]] = []
    model.rowsInserted.connect(lambda _p, s, e: events.append(("insert", s, e)))
    model.rowsRemoved.connect(lambda _p, s, e: events.append(("remove", s, e)))
    model.dataChanged.connect(lambda tl, br, _r: events.append(("change", tl.row(), br.row())))
    model.layoutChanged.connect(lambda *_: events.append(("layout", -1, -1)))
    model.modelReset.connect(lambda: events.append(("reset", -1, -1)))

    model.apply_rows([a, b, c, d])
    assert events == [("insert", 0, 3)]
    tracked = QPersistentModelIndex(model.index(2, Column.STATUS))  # c

    events.clear()
    c_accepted = _row(3, ClipStatus.ACCEPTED)
    x, e = _row(5), _row(6)
    model.apply_rows([b, x, c_accepted, e])
    assert model.rows() == [b, x, c_accepted, e]
    assert events == [
        ("remove", 3, 3), ("remove", 0, 0), ("insert", 1, 1), ("insert", 3, 3), ("change", 2, 2),
    ]  # fmt: skip
    assert tracked.row() == 2
    assert tracked.data() == "accepted"

    events.clear()
    b_moved = _row(2, path="/z/moved.mp4")  # relinked: sorts last now
    model.apply_rows([x, c_accepted, e, b_moved])
    assert model.rows() == [x, c_accepted, e, b_moved]
    assert events == [("layout", -1, -1), ("change", 3, 3)]
    assert tracked.row() == 1

    events.clear()
    model.apply_rows([x, c_accepted, e, b_moved])
    assert events == []
    model.apply_rows([])
    assert model.rowCount(QModelIndex()) == 0
