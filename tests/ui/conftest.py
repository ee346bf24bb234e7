"""Fixtures for the GUI tests: offscreen Qt, private settings, generated media and projects."""

from __future__ import annotations

import os

# Must happen before anything imports Qt: the tests never need a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow
from tests.helpers.tagger_samples import make_tiny_tagger
from tests.helpers.ui_media import MediaSet, make_colour_clips, make_media, run_import


@pytest.fixture(autouse=True, scope="session")
def _gui_thread_garbage_collection(qapp: object) -> None:
    """As the app does: cycles are collected on the GUI thread only (see anicurate.app)."""
    from anicurate.app import collect_garbage_in_gui_thread

    collect_garbage_in_gui_thread()


@pytest.fixture
def media(tmp_path: Path) -> MediaSet:
    return make_media(tmp_path / "media")


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Settings in a temporary ini file, so tests never read or touch the user's."""
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot: QtBot, settings: AppSettings) -> Iterator[MainWindow]:
    win = MainWindow(settings, interactive=False)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    yield win
    win.close()  # cancels and waits for a running import, closes the project


@pytest.fixture
def project_path(tmp_path: Path, media: MediaSet) -> Path:
    """A project with the media set imported: five clips and three failed sources."""
    path = tmp_path / "dataset.anicurate"
    run_import(path, [media.root])
    return path


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny real ONNX tagger with the WD14 layout (dynamic batch)."""
    return make_tiny_tagger(tmp_path_factory.mktemp("taggers") / "tiny-v3")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of the four solid-colour clips (see ui_media.COLOUR_CLIPS)."""
    return make_colour_clips(tmp_path_factory.mktemp("clips"))
