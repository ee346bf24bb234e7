"""The player's transport: every command with its keys, defined once as a QAction. The keys
work when the player has focus (shortcuts), or anywhere in its window once the window makes
them window-wide (:meth:`Transport.set_context`); :meth:`Transport.handle_key` runs the same
actions for keys another widget forwards (the timeline)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget


@dataclass(frozen=True, slots=True)
class Command:
    """One transport command: its name (the button's key), label, tip, keys and icon."""

    name: str
    text: str
    tip: str
    keys: tuple[str, ...]
    icon: QStyle.StandardPixmap | None = None
    checkable: bool = False

    @property
    def tooltip(self) -> str:
        return f"{self.tip} ({' or '.join(self.keys)})" if self.keys else self.tip


_pix = QStyle.StandardPixmap
#: The commands in button order; those after "zoom_fit" have keys only.
COMMANDS = (
    Command("home", "", "First frame", ("Home",), _pix.SP_MediaSkipBackward),
    Command("back10", "\u221210", "Ten frames back", ("Shift+Left",)),
    Command("back", "\u22121", "One frame back", ("Left", ",")),
    Command("play", "", "Play / pause", ("Space",), _pix.SP_MediaPlay),
    Command("fwd", "+1", "One frame forward", ("Right", ".")),
    Command("fwd10", "+10", "Ten frames forward", ("Shift+Right",)),
    Command("end", "", "Last frame", ("End",), _pix.SP_MediaSkipForward),
    Command("in", "In", "Set the in point here", ("I",)),
    Command("out", "Out", "Set the out point here", ("O",)),
    Command("crop", "Crop", "Crop mode", ("C",), checkable=True),
    Command("zoom_fit", "Fit view", "Fit the picture to the window", ("F",)),
    Command("shuttle_back", "", "Play backwards, faster each press", ("J",)),
    Command("pause", "", "Pause", ("K",)),
    Command("shuttle_fwd", "", "Play forwards, faster each press", ("L",)),
    Command("prev_event", "", "Previous cut or event", ("Up",)),
    Command("next_event", "", "Next cut or event", ("Down",)),
    Command("zoom_in", "", "Zoom in", ("+", "=")),
    Command("zoom_out", "", "Zoom out", ("-",)),
    Command("goto", "", "Go to frame\u2026", ("Ctrl+G",)),
)
BUTTONS = tuple(c.name for c in COMMANDS[: [c.name for c in COMMANDS].index("zoom_fit") + 1])


class Transport:
    """The commands as QActions on ``widget`` (shortcuts while it has focus), wired to ``slots``
    (command name -> callable)."""

    def __init__(self, widget: QWidget, slots: dict[str, Callable[[], object]]) -> None:
        self.actions: dict[str, QAction] = {}
        self._by_key: dict[str, QAction] = {}  # a key sequence in portable text: its action
        style = widget.style()
        for command in COMMANDS:
            # The text names the command (menus, the shortcuts list); buttons show icon text.
            action = QAction(command.tip, widget)
            action.setIconText(command.text or command.tip)
            action.setObjectName(f"player_{command.name}")
            if command.icon is not None:
                action.setIcon(style.standardIcon(command.icon))
            action.setToolTip(command.tooltip)
            action.setCheckable(command.checkable)
            sequences = [QKeySequence(k) for k in command.keys]
            action.setShortcuts(sequences)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            slot = slots[command.name]
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            widget.addAction(action)
            self.actions[command.name] = action
            for sequence in sequences:
                self._by_key[sequence.toString()] = action

    def set_context(self, context: Qt.ShortcutContext) -> None:
        """Where the keys work: the player's own focus, or its whole window (the shell's)."""
        for action in self.actions.values():
            action.setShortcutContext(context)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Run the command of a key forwarded from another widget; True when there is one."""
        modifiers = event.modifiers()
        if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        key = Qt.Key(event.key())
        shift = modifiers & Qt.KeyboardModifier.ShiftModifier
        action = self._by_key.get(
            QKeySequence(QKeyCombination(shift, key)).toString()
        ) or self._by_key.get(QKeySequence(key).toString())  # "+" takes Shift on many layouts
        if action is None or not action.isEnabled():
            return False
        action.trigger()
        event.accept()
        return True
