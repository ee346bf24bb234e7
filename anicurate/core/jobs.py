"""Progress reports that long-running core generators yield to the CLI, the tests and the UI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a job: ``done`` of ``total`` items, the item just handled and its error if any.

    ``total`` is 0 while the job does not know it yet (e.g. still walking folders).
    """

    done: int
    total: int
    item: str = ""
    error: str | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0
