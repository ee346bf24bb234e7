"""Fixes in the window: Clip ▸ Fix… sets the suggested fix on the selection (one undo step),
the preview shows a different image for A and B, the timeline marks the synthesised frames and
the inspector's chip says the fix is set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from anicurate.core.analysis import analyze_project
from anicurate.core.analysis.store import load_signals
from anicurate.core.fix import FixSpec, Interpolation
from anicurate.core.fix.plan import barriers
from anicurate.core.fix.store import clip_fixes
from anicurate.core.project import Project
from anicurate.core.project.settings import ProjectSettings
from anicurate.ui.main_window import MainWindow
from tests.helpers.export_samples import write_source
from tests.helpers.jobs import finish as run
from tests.helpers.ui_media import run_import


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A project with one 192x128 clip of 24 frames, flagged below its 384x256 training size."""
    media = tmp_path / "media"
    media.mkdir()
    write_source(media / "small.mp4", 24)
    path = tmp_path / "fix.anicurate"
    with Project.open(path, create=True) as project:
        base = project.settings().to_dict()
        project.set_settings(ProjectSettings(**{**base, "train_width": 384, "train_height": 256,
                                                "use_bucketing": False}))  # fmt: skip
    run_import(path, [media])
    run(analyze_project(path))
    return path


def test_fix_dialog_preview_timeline_and_chips(
    qtbot: QtBot, window: MainWindow, small: Path
) -> None:
    assert window.open_project(small)
    window.show()
    feature = window.fix
    window.browser.move_current(0)
    row = window.current.player_row()
    assert row is not None and row.clip is not None
    cid = row.clip.id
    chips = window.inspector.flags_label.text()
    assert "no fix set" in chips

    dialog = feature.open_dialog()
    assert dialog is not None
    assert dialog.spec() == FixSpec(upscale=2)  # the suggestion, pre-filled
    dialog.upscale_model.setCurrentText("bicubic")
    dialog.interpolate.setCurrentText("2x frames")
    dialog.interp_model.setCurrentText("blend")
    with (
        qtbot.waitSignal(feature.previewer.ready, timeout=20_000) as ready,
        qtbot.waitSignal(window.session.edited),
    ):
        dialog.accept()
    want = FixSpec(upscale=2, upscale_model="bicubic", interpolate=Interpolation("factor", 2),
                   interp_model="blend")  # fmt: skip
    with Project.open(small) as project:
        assert clip_fixes(project) == {cid: want}

    # The chip names the fix; the timeline marks a frame between each pair of frames, except
    # where the stored analysis found a cut, fade or flash between them, and after the last.
    assert "fix set: upscale 2x (bicubic)" in window.inspector.flags_label.text()
    with Project.open(small) as project:
        stored = load_signals(project, row.source.id)
    assert stored is not None
    barrier = barriers(24, stored[1])
    marks = window.player_panel.timeline.synthesised
    assert marks == [k + 0.5 for k in range(23) if not barrier[k]] and len(marks) >= 12

    # A and B differ: B is the synthesised frame, twice the size.
    _req, pair = ready.args
    panel = feature.panel
    b = panel.shown_image()
    assert b is not None and (b.width(), b.height()) == (384, 256)
    panel.toggle.setChecked(False)
    a = panel.shown_image()
    assert a is not None and (a.width(), a.height()) == (192, 128)
    assert not np.array_equal(pair.before, pair.after[::2, ::2])

    # Undo brings the clip back to no fix.
    window.review.act_undo.trigger()
    with Project.open(small) as project:
        assert clip_fixes(project) == {}
