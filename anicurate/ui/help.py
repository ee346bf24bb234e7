"""The Help menu: Keyboard Shortcuts (generated from the window's actions) and About."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from anicurate import __version__
from anicurate.ui.common.actions import make_action
from anicurate.ui.shell import Shell
from anicurate.ui.shortcuts import ShortcutsDialog


class HelpMenu(QObject):
    """Fills the shell's Help menu; call once the features have added their actions."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell.widget())
        self.setObjectName("helpMenu")
        self.window = shell.widget()
        self.act_shortcuts = make_action(self.window, "&Keyboard Shortcuts", self.show_shortcuts,
            "F1", "Every action of the window and its keys")  # fmt: skip
        self.act_about = make_action(self.window, "&About anicurate", self.show_about)
        shell.menu("help").addActions([self.act_shortcuts, self.act_about])

    def show_shortcuts(self) -> ShortcutsDialog:
        """A window listing every action and its keys (not modal: keep it open while working)."""
        dialog = ShortcutsDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self.window,
            "About anicurate",
            f"<b>anicurate {__version__}</b><p>Curate anime clips, GIFs and images into a "
            "text-to-video fine-tuning dataset. Your source files are never modified.</p>",
        )


def install(shell: Shell) -> HelpMenu:
    """Add Keyboard Shortcuts and About to the Help menu."""
    return HelpMenu(shell)
