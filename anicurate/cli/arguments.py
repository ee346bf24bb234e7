"""Typed argparse validators shared by the subcommands: a number out of range is a usage error
(exit 2, with the bounds named) before any work starts, never a traceback or a silent default.

``type=int_in(1, 240)`` accepts integers 1..240; ``type=float_in(0.0, 1.0)`` accepts finite
floats 0..1 (``nan`` and ``inf`` are refused unless ``finite=False``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse ``type`` for an integer from ``lo`` to ``hi`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {lo} to {hi}, not {text!r}"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo} to {hi}, not {value}")
        return value

    parse.__name__ = f"int_in({lo}, {hi})"
    return parse


def count_or_auto(hi: int) -> Callable[[str], int]:
    """An argparse ``type`` for ``auto`` (0: the command chooses) or a count from 1 to ``hi``."""
    count = int_in(1, hi)

    def parse(text: str) -> int:
        if text.strip().lower() == "auto":
            return 0
        try:
            return count(text)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"must be auto or a whole number from 1 to {hi}, not {text!r}"
            ) from None

    parse.__name__ = f"count_or_auto({hi})"
    return parse


def float_in(lo: float, hi: float, *, finite: bool = True) -> Callable[[str], float]:
    """An argparse ``type`` for a number from ``lo`` to ``hi`` inclusive; NaN is always
    refused, infinities too unless ``finite`` is False (and the bounds allow them)."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be a number from {lo:g} to {hi:g}, not {text!r}"
            ) from None
        if math.isnan(value) or (finite and math.isinf(value)):
            raise argparse.ArgumentTypeError(f"must be a finite number, not {text.strip()}")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo:g} to {hi:g}, not {value:g}")
        return value

    parse.__name__ = f"float_in({lo:g}, {hi:g})"
    return parse


def where(text: str) -> object:
    """An argparse ``type`` for ``--where EXPR``: a parsed selection, or a usage error naming
    what is wrong with the expression."""
    from anicurate.core.select import SelectionError, parse_selection

    try:
        return parse_selection(text)
    except SelectionError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


WHERE_HELP = (
    "which clips: unflagged, flagged, all, flag:NAME, status:NAME, tag:NAME, combined with "
    "not, and, or, parentheses (default: every clip)"
)
