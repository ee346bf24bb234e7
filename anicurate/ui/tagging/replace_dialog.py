"""Find and replace a tag across the selected clips (or all), with a live count of the clips it
will change; an empty replacement removes the tag."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.project import Project
from anicurate.core.tagging import store


def _completer(words: Sequence[str], parent: QWidget) -> QCompleter:
    completer = QCompleter(QStringListModel(list(words), parent), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
    return completer


class FindReplaceDialog(QDialog):
    """Find ``tag``, replace with another (or nothing), on the selection or on every clip."""

    def __init__(
        self,
        project: Project,
        selected: Sequence[int],
        words: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find and replace tags")
        self.setMinimumWidth(460)
        self.project = project
        self._selected = list(selected)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("findTagEdit")
        self.find_edit.setPlaceholderText("a tag, e.g. smile")
        present = [t for t, _ in store.tag_frequencies(project, None)]
        self.find_edit.setCompleter(_completer(present, self))
        self.replace_edit = QLineEdit()
        self.replace_edit.setObjectName("replaceTagEdit")
        self.replace_edit.setPlaceholderText("leave empty to remove the tag")
        self.replace_edit.setCompleter(_completer(words, self))
        form.addRow("Find", self.find_edit)
        form.addRow("Replace with", self.replace_edit)

        scope_box = QWidget()
        scope = QVBoxLayout(scope_box)
        scope.setContentsMargins(0, 0, 0, 0)
        n = len(self._selected)
        self.selected_radio = QRadioButton(f"The selected clip{'' if n == 1 else 's'} ({n})")
        self.all_radio = QRadioButton("All clips")
        group = QButtonGroup(self)
        group.addButton(self.selected_radio)
        group.addButton(self.all_radio)
        self.selected_radio.setEnabled(n > 0)
        (self.selected_radio if n > 0 else self.all_radio).setChecked(True)
        scope.addWidget(self.selected_radio)
        scope.addWidget(self.all_radio)
        form.addRow("In", scope_box)
        layout.addLayout(form)

        self.count_label = QLabel()
        self.count_label.setObjectName("emptyHint")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for edit in (self.find_edit, self.replace_edit):
            edit.textChanged.connect(self._update)
        self.selected_radio.toggled.connect(self._update)
        self._update()

    def clip_ids(self) -> list[int] | None:
        """The clips to change: the selection, or None for every clip."""
        return list(self._selected) if self.selected_radio.isChecked() else None

    def matching(self) -> list[int]:
        """Clips in scope carrying the tag to find."""
        tag = self.find_edit.text().strip()
        if not tag:
            return []
        ids = store.clips_with_tag(self.project, tag)
        scope = self.clip_ids()
        return ids if scope is None else [i for i in ids if i in set(scope)]

    def _update(self, *_args: object) -> None:
        tag = self.find_edit.text().strip()
        n = len(self.matching())
        new = self.replace_edit.text().strip()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Remove" if tag and not new else "Replace")
        ok.setEnabled(n > 0)
        if not tag:
            self.count_label.setText("Type the tag to find.")
        elif n == 0:
            self.count_label.setText(f"No clip here is tagged \u201c{tag}\u201d.")
        else:
            noun = "clip" if n == 1 else "clips"
            action = f"replaced with \u201c{new}\u201d" if new else "removed"
            self.count_label.setText(f"\u201c{tag}\u201d will be {action} on {n} {noun}.")
