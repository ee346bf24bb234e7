"""Tools > Run on Cluster…: the address is kept in the app settings, and the analysis job then
runs on that cluster (here: without Ray installed, it fails saying what to install)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from anicurate.core.distributed import ClusterError
from anicurate.ui.browse.imports import analysis_job
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow


def test_the_address_is_remembered_and_shown(window: MainWindow, tmp_path: Path) -> None:
    action = window.findChild(QAction, "actionRunOnCluster")
    assert action is not None and action in window.menu("tools").actions()
    assert window.settings.cluster_address() == ""
    window.cluster_setting.set_address("  10.0.0.5:6379 ")
    assert action.text() == "Run on &Cluster (10.0.0.5:6379)\u2026"
    again = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.cluster_address() == "10.0.0.5:6379"
    window.cluster_setting.set_address("")
    assert action.text() == "Run on &Cluster\u2026"


def test_analysis_runs_here_without_an_address_and_on_the_cluster_with_one(
    project_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = analysis_job(project_path, "")
    steps = list(job)
    assert steps[0].total == steps[-1].done > 0
    monkeypatch.setitem(sys.modules, "ray", None)  # as without anicurate[ray]
    job = analysis_job(project_path, "auto")
    assert next(job).item == "connecting to the Ray cluster at auto"
    with pytest.raises(ClusterError, match=r"pip install 'anicurate\[ray\]'"):
        next(job)
