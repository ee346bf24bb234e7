"""The Tags dock: the current clip's tags with scores and origin, editing, its sentence caption
and its caption as exported.

Every edit goes through the core store (and so the undo journal) and the panel then re-reads
the catalogue, so what it shows is always what is stored, and the caption preview is exactly
what export writes with the default template (``clip_prompt``), with its CLIP token count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.captions.sentences import clip_sentence, manual_sentence, set_sentence
from anicurate.core.errors import AnicurateError
from anicurate.core.project import Project
from anicurate.core.tagging import store
from anicurate.core.tagging.caption import clip_prompt
from anicurate.core.tagging.model import PROVIDER_LABELS
from anicurate.ui.common.messages import describe_error
from anicurate.ui.common.progress import ElidedLabel
from anicurate.ui.tagging.models import TAG_ROLE, ClipTagModel, TagColumn, reordered


class TagTable(QTableView):
    """The tag list; Delete or Backspace asks to remove the selected tags."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class TagPanel(QWidget):
    """Shows one clip's tags; ``edited`` fires after each change the panel made."""

    edited = Signal()
    error_reported = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.clip_id: int | None = None
        self.model = ClipTagModel(self)
        # Queued: a drop must finish before the model it came from is reset.
        self.model.order_requested.connect(self.set_order, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        self.title = ElidedLabel()
        self.title.setObjectName("tagPanelTitle")
        self.title.setStyleSheet("font-weight: bold;")
        self.record = QLabel()
        self.record.setObjectName("fieldName")
        self.record.setWordWrap(True)
        self.hint = QLabel("Select a clip to see and edit its tags.")
        self.hint.setObjectName("emptyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)

        self.table = TagTable()
        self.table.setObjectName("tagTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(TagColumn.TAG, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TagColumn.SCORE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TagColumn.ORIGIN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.delete_pressed.connect(self.remove_selected)

        # Up, down and remove beside the list: the list keeps the height of the dock.
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        self.up_button = self._tool("\u25b2", "Move the tag up (earlier in the caption)")
        self.down_button = self._tool("\u25bc", "Move the tag down (later in the caption)")
        self.remove_button = self._tool(
            "\u2715", "Remove the selected tags (Delete); re-tagging will not add them back"
        )
        self.remove_button.setObjectName("removeTagButton")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(+1))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addSpacing(8)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        list_row = QHBoxLayout()
        list_row.setSpacing(4)
        list_row.addWidget(self.table, 1)
        list_row.addLayout(buttons)

        add_row = QHBoxLayout()
        add_row.setSpacing(4)
        self.add_edit = QLineEdit()
        self.add_edit.setObjectName("addTagEdit")
        self.add_edit.setPlaceholderText("Add tags (comma separated)\u2026")
        self.add_edit.setClearButtonEnabled(True)
        self.completions = QStringListModel(self)
        self.completer = QCompleter(self.completions, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        self.completer.setMaxVisibleItems(12)
        self.add_edit.setCompleter(self.completer)
        self.add_edit.returnPressed.connect(self.add_from_field)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_from_field)
        add_row.addWidget(self.add_edit, 1)
        add_row.addWidget(self.add_button)

        sentence_label = QLabel("Sentence (free text; Enter saves, Ctrl+Z undoes)")
        sentence_label.setObjectName("fieldName")
        self.sentence_edit = QLineEdit()
        self.sentence_edit.setObjectName("sentenceEdit")
        self.sentence_edit.setClearButtonEnabled(True)
        self.sentence_edit.editingFinished.connect(self.save_sentence)

        caption_row = QHBoxLayout()
        caption_label = QLabel("Caption, as it will be exported")
        caption_label.setObjectName("fieldName")
        self.token_label = QLabel()
        self.token_label.setObjectName("tokenLabel")
        self.token_label.setToolTip(
            "CLIP tokens of the caption (the text encoder reads 75); over that, the "
            "lowest-scored tags are left out"
        )
        caption_row.addWidget(caption_label, 1)
        caption_row.addWidget(self.token_label)
        self.caption_view = QPlainTextEdit()
        self.caption_view.setObjectName("captionPreview")
        self.caption_view.setReadOnly(True)
        self.caption_view.setMaximumHeight(64)
        self.caption_view.setPlaceholderText("(no caption: the clip has no tags or sentence)")

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        body.addWidget(self.title)
        body.addWidget(self.record)
        body.addLayout(list_row, 1)
        body.addLayout(add_row)
        body.addWidget(sentence_label)
        body.addWidget(self.sentence_edit)
        body.addLayout(caption_row)
        body.addWidget(self.caption_view)
        layout.addWidget(self.hint)
        layout.addWidget(self.body, 1)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.selectionModel().currentChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.set_clip(None)

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(False)
        button.setFixedSize(26, 24)
        return button

    # -- showing -----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.set_clip(None)

    def set_clip(self, clip_id: int | None, title: str = "") -> None:
        """Show ``clip_id``'s tags (None: the hint); re-reads even when it is the same clip."""
        if clip_id != self.clip_id:
            if self.sentence_edit.isModified():
                self.save_sentence()  # typed for the clip being left
            self.sentence_edit.setModified(False)
        self.clip_id = clip_id if self.project is not None else None
        self.title.setText(title)
        shown = self.clip_id is not None
        self.hint.setVisible(not shown)
        self.body.setVisible(shown)
        self.reload()

    def set_completions(self, words: Sequence[str]) -> None:
        self.completions.setStringList(list(words))

    def reload(self, select: Sequence[str] = ()) -> None:
        """Re-read the clip's tags, record and caption; ``select``: tags to select afterwards."""
        project, clip_id = self.project, self.clip_id
        if project is None or clip_id is None:
            self.model.set_tags([])
            self.caption_view.setPlainText("")
            self.sentence_edit.setText("")
            self.token_label.setText("")
            self.record.setText("")
            return
        keep = list(select) or self.selected_tags()
        try:
            tags = store.clip_tags(project, clip_id)
            prompt = clip_prompt(project, clip_id)
            typed, in_use = manual_sentence(project, clip_id), clip_sentence(project, clip_id)
            record = store.tagging_record(project, clip_id)
        except AnicurateError as err:
            self.error_reported.emit(describe_error(err))
            return
        if self.model.set_tags(tags) or select:
            self._select(keep)
        if prompt.text != self.caption_view.toPlainText():
            self.caption_view.setPlainText(prompt.text)
        self._show_sentence(typed, in_use)
        self.token_label.setText(prompt.label)
        over = prompt.trimmed or prompt.sentence_too_long
        self.token_label.setProperty("over", over)
        self.token_label.setStyleSheet("color: #d9534f; font-weight: bold;" if over else "")
        if prompt.sentence_too_long:
            self.token_label.setToolTip("The trigger and sentence alone are over the budget: "
                                        "the trainer will cut the caption")  # fmt: skip
        elif prompt.dropped:
            self.token_label.setToolTip("Left out to fit: " + ", ".join(prompt.dropped))
        else:
            self.token_label.setToolTip("CLIP tokens of the caption (the text encoder reads 75)")
        if record is None:
            self.record.setText("Not auto-tagged yet.")
        else:
            where = PROVIDER_LABELS.get(record.provider, record.provider)
            n = len(record.frames)
            text = f"Auto: {record.model} on {where} \u00b7 {n} frame{'' if n == 1 else 's'}"
            if record.rating:
                rating, score = max(record.rating.items(), key=lambda kv: kv[1])
                text += f" \u00b7 rating {rating} {score:.2f}"
            self.record.setText(text)
        self.record.setToolTip(self.record.text())
        self._update_buttons()

    def _show_sentence(self, typed: str, in_use: str) -> None:
        """A person's sentence in the field; an imported or machine one as its placeholder."""
        if not self.sentence_edit.hasFocus() or not self.sentence_edit.isModified():
            self.sentence_edit.setText(typed)
            self.sentence_edit.setModified(False)
        self.sentence_edit.setPlaceholderText(
            f"(from a caption file or model) {in_use}" if in_use and not typed
            else "Describe the clip in a sentence\u2026"
        )  # fmt: skip

    def save_sentence(self) -> bool:
        """Store the field's text as the clip's sentence (one undoable edit) if it changed."""
        project, clip_id = self.project, self.clip_id
        if project is None or clip_id is None:
            return False
        text = " ".join(self.sentence_edit.text().split())
        self.sentence_edit.setModified(False)
        try:
            if text == manual_sentence(project, clip_id):
                return False
            set_sentence(project, clip_id, text)
        except AnicurateError as err:
            self.error_reported.emit(describe_error(err))
            return False
        self._after_edit(self.selected_tags())
        return True

    def selected_tags(self) -> list[str]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        names = self.model.names()
        return [names[r] for r in rows if r < len(names)]

    def _select(self, tags: Sequence[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flag = selection.SelectionFlag
        first = True
        for tag in tags:
            row = self.model.row_of(tag)
            if row is None:
                continue
            index = self.model.index(row, 0)
            if first:
                selection.setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
                first = False
            else:
                selection.select(index, flag.Select | flag.Rows)

    def _update_buttons(self, *_args: object) -> None:
        editable = self.project is not None and self.clip_id is not None
        selected = self.selected_tags()
        current = self.table.currentIndex()
        row = current.row() if current.isValid() and selected else -1
        self.remove_button.setEnabled(editable and bool(selected))
        self.up_button.setEnabled(editable and row > 0)
        self.down_button.setEnabled(editable and 0 <= row < self.model.rowCount() - 1)
        self.add_edit.setEnabled(editable)
        self.add_button.setEnabled(editable)
        self.sentence_edit.setEnabled(editable)

    # -- editing -----------------------------------------------------------------------------

    def add_tags(self, text: str) -> list[str]:
        """Add the comma-separated tags in ``text`` (each one undoable); returns those stored."""
        project, clip_id = self.project, self.clip_id
        if project is None or clip_id is None:
            return []
        added: list[str] = []
        try:
            for part in text.split(","):
                if part.strip():
                    added.append(store.add_tag(project, clip_id, part))
        except (AnicurateError, ValueError) as err:
            self.error_reported.emit(describe_error(err))
        self._after_edit(added)
        return added

    def add_from_field(self) -> None:
        text = self.add_edit.text()
        if text.strip() and self.add_tags(text):
            self.add_edit.clear()

    def remove_selected(self) -> None:
        self.remove_tags(self.selected_tags())

    def remove_tags(self, tags: Sequence[str]) -> None:
        project, clip_id = self.project, self.clip_id
        if project is None or clip_id is None or not tags:
            return
        row = min((self.model.row_of(t) or 0) for t in tags)
        try:
            for tag in tags:
                store.remove_tag(project, clip_id, tag)
        except AnicurateError as err:
            self.error_reported.emit(describe_error(err))
        names = [n for n in self.model.names() if n not in set(tags)]
        # Keep the keyboard flow: the row that took the removed one's place is selected.
        self._after_edit(names[min(row, len(names) - 1) :][:1] if names else [])

    def move_current(self, step: int) -> None:
        current = self.table.currentIndex()
        if not current.isValid():
            return
        row = current.row()
        names = self.model.names()
        target = row + step
        if not 0 <= target < len(names):
            return
        self.set_order(reordered(names, [row], target if step < 0 else target + 1))

    def set_order(self, order: list[str]) -> None:
        """Store ``order`` as the clip's tag order (the caption follows)."""
        project, clip_id = self.project, self.clip_id
        if project is None or clip_id is None or order == self.model.names():
            return
        keep = self.selected_tags()
        try:
            store.set_tag_order(project, clip_id, order)
        except AnicurateError as err:
            self.error_reported.emit(describe_error(err))
        self._after_edit(keep)

    def _after_edit(self, select: Sequence[str]) -> None:
        self.reload(select)
        self.edited.emit()


def tag_at(panel: TagPanel, row: int) -> str:
    """The tag shown in ``row`` (tests and scripts)."""
    return str(panel.model.index(row, TagColumn.TAG).data(TAG_ROLE))
