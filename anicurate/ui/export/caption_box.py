"""The export dialog's caption template fields (the same choices as ``anicurate export``'s
--caption-template, --general-only, --no-character-tags, --max-tags and
--underscores-to-spaces), checked as they are typed, and remembered per project."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from anicurate.core.captions.template import (
    DEFAULT_PATTERN,
    CaptionTemplate,
    TemplateError,
    check_pattern,
)
from anicurate.core.errors import AnicurateError
from anicurate.core.project import Project

log = logging.getLogger(__name__)

#: The project setting the dialog's last caption template is kept under.
TEMPLATE_KEY = "export.caption_template"
MAX_TAGS = 1000  # as the CLI's --max-tags


def load_template(project: Project) -> CaptionTemplate:
    """The project's remembered caption template; the default when none or a damaged one."""
    stored = project.setting(TEMPLATE_KEY)
    if not isinstance(stored, dict):
        return CaptionTemplate()
    try:
        return CaptionTemplate.from_dict(stored)
    except (TypeError, ValueError, TemplateError) as err:
        log.warning("%s: setting %r is damaged (%s); using the default", project.path,
                    TEMPLATE_KEY, err)  # fmt: skip
        return CaptionTemplate()


def save_template(project: Project, template: CaptionTemplate) -> None:
    """Remember ``template`` in the project; a project that cannot be written is only logged
    (the choice is a convenience, the export itself does not depend on it)."""
    try:
        project.set_setting(TEMPLATE_KEY, template.to_dict())
    except AnicurateError as err:
        log.warning("%s: caption template not remembered: %s", project.path, err)


class CaptionTemplateBox(QGroupBox):
    """Pattern, tag choices and the tag limit; a bad pattern is named under its field.

    ``changed`` fires on every edit; :meth:`template` gives the CaptionTemplate or raises the
    TemplateError the field shows.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Captions", parent)
        self.setObjectName("exportCaptions")
        form = self.form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.pattern_edit = QLineEdit(DEFAULT_PATTERN)
        self.pattern_edit.setObjectName("exportCaptionTemplate")
        self.pattern_edit.setPlaceholderText(DEFAULT_PATTERN)
        self.pattern_edit.setToolTip(
            "How each caption is built from {trigger}, {sentence} and {tags}; empty fields "
            "and their commas are left out"
        )
        form.addRow("Template", self.pattern_edit)
        self.error_label = QLabel()
        self.error_label.setObjectName("exportCaptionTemplateError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #d0453c;")
        self.error_label.setVisible(False)
        form.addRow("", self.error_label)

        self.general_check = QCheckBox("General tags only (as WaifuTaggerForVideo)")
        self.general_check.setObjectName("exportGeneralOnly")
        form.addRow("Tags", self.general_check)
        self.character_check = QCheckBox("Character tags")
        self.character_check.setObjectName("exportCharacterTags")
        self.character_check.setChecked(True)
        form.addRow("", self.character_check)
        self.underscores_check = QCheckBox("Underscores to spaces (long_hair \u2192 long hair)")
        self.underscores_check.setObjectName("exportUnderscores")
        form.addRow("", self.underscores_check)
        self.max_spin = QSpinBox()
        self.max_spin.setObjectName("exportMaxTags")
        self.max_spin.setRange(0, MAX_TAGS)
        self.max_spin.setSpecialValueText("no limit")  # shown at 0
        self.max_spin.setKeyboardTracking(False)
        self.max_spin.setToolTip(
            "Keep at most this many tags, the highest scored; tags also give way, lowest score "
            "first, to fit 75 CLIP tokens"
        )
        form.addRow("Most tags", self.max_spin)

        self.pattern_edit.textChanged.connect(self._on_pattern)
        self.general_check.toggled.connect(self._on_general)
        for check in (self.character_check, self.underscores_check):
            check.toggled.connect(self.changed)
        self.max_spin.valueChanged.connect(self.changed)

    def template(self) -> CaptionTemplate:
        """The fields as a template; TemplateError when the pattern cannot be used."""
        pattern = self.pattern_edit.text()
        check_pattern(pattern)
        return CaptionTemplate(
            pattern=pattern,
            general_only=self.general_check.isChecked(),
            character_tags=self.character_check.isChecked(),
            max_tags=self.max_spin.value() or None,
            underscores_to_spaces=self.underscores_check.isChecked(),
        )

    def error(self) -> str | None:
        """Why the pattern cannot be used, or None."""
        try:
            check_pattern(self.pattern_edit.text())
        except TemplateError as err:
            return str(err)
        return None

    def set_template(self, template: CaptionTemplate) -> None:
        """Show ``template`` (one ``changed`` afterwards, not one per field)."""
        self.blockSignals(True)
        try:
            self.pattern_edit.setText(template.pattern)
            self.general_check.setChecked(template.general_only)
            self.character_check.setChecked(template.character_tags)
            self.underscores_check.setChecked(template.underscores_to_spaces)
            self.max_spin.setValue(min(MAX_TAGS, template.max_tags or 0))
        finally:
            self.blockSignals(False)
        self._show_error()
        self.character_check.setEnabled(not template.general_only)
        self.changed.emit()

    def _on_pattern(self) -> None:
        self._show_error()
        self.changed.emit()

    def _on_general(self, checked: bool) -> None:
        self.character_check.setEnabled(not checked)  # general only leaves characters out
        self.changed.emit()

    def _show_error(self) -> None:
        message = self.error()
        self.error_label.setText(message or "")
        self.error_label.setVisible(message is not None)
