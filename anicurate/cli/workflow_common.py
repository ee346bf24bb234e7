"""What the headless edit commands share: opening the project, the clips a ``--where`` picks,
naming clips in output, and redoing derived data (flags, captions) after an edit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from anicurate.cli.common import plural

if TYPE_CHECKING:  # the parser is built without loading the core
    from anicurate.core.project import Project
    from anicurate.core.select import Selection

#: Clips named one per line after an edit; more are summed up.
LISTED = 20


@contextmanager
def opened(path: str) -> Iterator[Project]:
    """The project at ``path`` (main() has already refused a missing one)."""
    from anicurate.core.project import Project

    with Project.open(Path(path)) as project:
        yield project


def chosen(project: Project, selection: Selection | None) -> list[tuple[int, str]]:
    """(clip id, label) of the clips the selection picks, in catalogue order."""
    from anicurate.core.select import select_clips

    return [(c.id, c.label(s)) for c, s in select_clips(project, selection)]


def list_labels(labels: Sequence[str], indent: str = "  ") -> None:
    """Print the clips an edit changed, one a line, at most LISTED."""
    for label in labels[:LISTED]:
        print(f"{indent}{label}")
    if len(labels) > LISTED:
        print(f"{indent}... and {plural(len(labels) - LISTED, 'more clip')}")


def refresh_derived(project: Project) -> None:
    """Flags and captions follow the clips' frames, crops and the trigger tag."""
    from anicurate.core.analysis import reflag
    from anicurate.core.tagging.store import refresh_captions

    reflag(project)
    refresh_captions(project)
