"""argparse ``type=`` validators for numeric options: a bad value is a usage error (exit 2).

argparse turns the ``ArgumentTypeError`` raised here into ``usage: ... error: argument --x:
...`` and exit status 2, so no subcommand ever sees a value outside its range.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """A parser of whole numbers from ``lo`` to ``hi`` inclusive (``--frames 0`` is refused)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is out of range: give {lo} to {hi}")
        return value

    parse.__name__ = f"integer {lo}..{hi}"  # argparse names the type in some messages
    return parse


def float_in(lo: float, hi: float, *, finite: bool = True) -> Callable[[str], float]:
    """A parser of numbers from ``lo`` to ``hi`` inclusive; NaN and infinities are refused
    unless ``finite`` is False (then only NaN is, as it is never inside a range)."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if math.isnan(value) or (finite and math.isinf(value)):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is out of range: give {lo:g} to {hi:g}")
        return value

    parse.__name__ = f"number {lo:g}..{hi:g}"
    return parse
