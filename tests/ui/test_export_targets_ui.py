"""The export dialog lists the targets from core/export/targets.py: labels, tooltips, the hint
under the combo and frame_step enabled only for the target that reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anicurate.core.export import TARGETS, ExportPlan, Target
from anicurate.core.project import Project
from anicurate.ui.export import ExportDialog
from anicurate.ui.jobs import JobQueue


def _is_plan(value: object) -> bool:
    return isinstance(value, ExportPlan)


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> Iterator[ExportDialog]:
    path = tmp_path / "empty.anicurate"
    with Project.open(path, create=True) as project:
        settings = project.settings()
    jobs = JobQueue()
    dlg = ExportDialog(path, settings, jobs=jobs, out_dir=tmp_path / "out")
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.preview_updated, timeout=20_000, check_params_cb=_is_plan):
        pass  # the first preview, planned as the dialog opens
    yield dlg
    dlg.close()
    jobs.shutdown()


def test_dialog_lists_every_target_with_its_label(dialog: ExportDialog) -> None:
    combo = dialog.target_combo
    items = [
        (combo.itemData(i), combo.itemText(i), combo.itemData(i, Qt.ItemDataRole.ToolTipRole))
        for i in range(combo.count())
    ]
    assert items == [(spec.target, spec.label, spec.summary) for spec in TARGETS.values()]
    assert items[0][1] == "Text-To-Video-Finetuning: JSON" and items[-1][1] == "musubi-tuner"


def test_hint_and_frame_step_follow_the_target(qtbot: QtBot, dialog: ExportDialog) -> None:
    with qtbot.waitSignal(dialog.preview_updated, timeout=20_000, check_params_cb=_is_plan):
        for target in [*reversed(Target), Target.MUSUBI]:
            dialog.set_target(target)
            assert dialog.target_hint.text() == TARGETS[target].summary
            assert dialog.step_spin.isEnabled() == (target is Target.T2V_JSON)
    assert dialog.plan is not None and dialog.plan.target is Target.MUSUBI
