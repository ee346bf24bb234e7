"""Sentence captions in the window: the caption field saves on Enter and the window's Undo takes
it back, the browser filter finds a clip by a word of its sentence, the token label counts CLIP
tokens (red when over), and File ▸ Import Captions reads a caption file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from anicurate.core.captions.sentences import clip_sentence, manual_sentence
from anicurate.core.tagging import store
from anicurate.ui.main_window import MainWindow
from tests.helpers.ui_media import run_import


@pytest.fixture
def opened(window: MainWindow, tmp_path: Path, clips: Path) -> MainWindow:
    path = tmp_path / "caps.anicurate"
    run_import(path, [clips])
    assert window.open_project(path)
    window.browser.move_current(0)
    return window


def test_caption_field_saves_and_undoes(qtbot: QtBot, opened: MainWindow) -> None:
    panel, project = opened.tagging.panel, opened.project
    assert project is not None and panel.clip_id is not None
    clip = panel.clip_id
    panel.sentence_edit.setFocus()
    qtbot.keyClicks(panel.sentence_edit, "a  girl waves   at the harbour")
    with qtbot.waitSignal(panel.edited):
        qtbot.keyClick(panel.sentence_edit, Qt.Key.Key_Return)
    assert manual_sentence(project, clip) == "a girl waves at the harbour"
    assert panel.caption_view.toPlainText() == "a girl waves at the harbour"
    assert panel.token_label.text() == "6/75 tokens" and not panel.token_label.property("over")
    assert opened.review.act_undo.isEnabled()
    opened.review.act_undo.trigger()
    assert manual_sentence(project, clip) == ""
    assert panel.sentence_edit.text() == "" and panel.caption_view.toPlainText() == ""


def test_filter_finds_a_clip_by_a_word_of_its_sentence(qtbot: QtBot, opened: MainWindow) -> None:
    panel = opened.tagging.panel
    clip = panel.clip_id
    panel.sentence_edit.setText("a lighthouse at dusk")
    panel.sentence_edit.setModified(True)
    with qtbot.waitSignal(panel.edited):
        panel.save_sentence()
    opened.filter_edit.setText("lighthouse")
    proxy = opened.browser.proxy
    assert proxy.rowCount() == 1
    row = proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert row.clip.id == clip
    opened.filter_edit.setText("submarine")
    assert proxy.rowCount() == 0


def test_token_label_red_when_over(opened: MainWindow) -> None:
    panel, project = opened.tagging.panel, opened.project
    assert project is not None and panel.clip_id is not None
    for k in range(40):
        store.add_tag(project, panel.clip_id, f"long_tag_name_{k}_with_words")
    panel.reload()
    assert panel.token_label.property("over") is True
    used, budget = panel.token_label.text().split()[0].split("/")
    assert int(used) <= 75 and budget == "75"
    assert "Left out to fit" in panel.token_label.toolTip()


def test_import_captions_from_a_file(monkeypatch: pytest.MonkeyPatch, opened: MainWindow,
                                     clips: Path, tmp_path: Path) -> None:  # fmt: skip
    project = opened.project
    assert project is not None
    first = sorted(clips.iterdir())[0]
    jsonl = tmp_path / "caps.jsonl"
    jsonl.write_text(json.dumps({"file": first.name, "caption": "a red screen glows"}) + "\n"
                     + json.dumps({"file": "nowhere.mp4", "caption": "lost"}) + "\n")  # fmt: skip
    shown: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(jsonl), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    opened.tagging.captions.act_import.trigger()
    clip = next(c.id for c, s in project.clips_with_sources() if Path(s.path).name == first.name)
    assert clip_sentence(project, clip) == "a red screen glows"
    assert len(shown) == 1 and "1 clips captioned" in shown[0] and "nowhere.mp4" in shown[0]
    assert "a red screen glows" in opened.session.clip_model.rows()[0].sentences or any(
        "a red screen glows" in r.sentences for r in opened.session.clip_model.rows())
