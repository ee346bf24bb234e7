"""Tools > Run on Cluster…: the Ray address that analysis and tagging then run on (empty: here).

The address lives in the app settings (``AppSettings.cluster_address``); the analysis and
tagging jobs read it when they start.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit

from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

PROMPT = (
    "Ray cluster address for analysis and tagging (host:port, ray://host:port or auto).\n"
    "Every worker must read the sources at the same path. Empty: run on this machine."
)


class ClusterSettingUi(QObject):
    """Owns the Run on Cluster action and its one-line dialog."""

    def __init__(self, shell: Shell, session: ProjectSession) -> None:
        super().__init__(shell.widget())
        self.setObjectName("clusterSettingUi")
        self.shell, self.session = shell, session
        self.action = QAction("Run on &Cluster\u2026", shell.widget())
        self.action.setObjectName("actionRunOnCluster")
        self.action.setStatusTip("Analyse and tag on a Ray cluster (needs anicurate[ray])")
        self.action.triggered.connect(lambda _checked=False: self.ask())
        shell.menu("tools").addAction(self.action)
        self._update()

    def ask(self) -> None:
        settings = self.session.settings
        text, ok = QInputDialog.getText(
            self.shell.widget(), "Run on Cluster", PROMPT, QLineEdit.EchoMode.Normal,
            settings.cluster_address(),
        )  # fmt: skip
        if ok:
            self.set_address(text)

    def set_address(self, address: str) -> None:
        self.session.settings.set_cluster_address(address.strip())
        self._update()

    def _update(self) -> None:
        address = self.session.settings.cluster_address()
        self.action.setText(f"Run on &Cluster ({address})\u2026" if address else
                            "Run on &Cluster\u2026")  # fmt: skip


def install(shell: Shell, session: ProjectSession) -> ClusterSettingUi:
    """Add Tools > Run on Cluster… to the window."""
    return ClusterSettingUi(shell, session)
