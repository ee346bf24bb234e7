"""Which clips an export takes by default, shared by the CLI's ``--include`` and the export
dialog; a module of its own so the CLI can build its parser without loading the planner."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DEFAULT_INCLUDE", "EMPTY_HINT", "Include"]


class Include(StrEnum):
    """Which clips go out: accepted ones; those plus unreviewed ones analysis did not flag; or
    every clip that is not rejected."""

    ACCEPTED = "accepted"
    UNFLAGGED = "unflagged"
    ALL = "all"


#: What an export takes when nobody says otherwise (the CLI's --include and the dialog's choice).
DEFAULT_INCLUDE = Include.ACCEPTED
#: The hint for an export that chose no clip.
EMPTY_HINT = "accept clips, or use --include all"
