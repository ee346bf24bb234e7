"""Validation of catalogue rows as they are read: a damaged row is named, never fatal.

A project file can be edited by other tools, half-written by a dying disk or made by a buggy
version. Readers check each value's type and range with these helpers; a bad row raises
:class:`DamagedRow` inside the reader, which quarantines it (skips it and reports a
:class:`Damage`) so the rest of the project keeps working.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

#: The ``error_kind`` a quarantined source carries, beside the MediaErrorKind values.
DAMAGED_KIND = "damaged row"


class DamagedRow(ValueError):
    """One stored row cannot be used; ``str(err)`` says which value and why."""


@dataclass(frozen=True, slots=True)
class Damage:
    """A quarantined row or setting: where it is and why it cannot be read."""

    table: str
    rowid: int | None  # the row's id (None for a settings key)
    reason: str
    key: str = ""  # the settings key, for table "settings"
    path: str = ""  # the source file the row belongs to, when known

    def describe(self) -> str:
        """One line for a person: ``clips row 7: damaged row: status 'maybe' is unknown``."""
        where = f"{self.table} row {self.rowid}"
        if self.table == "settings":
            where = f"setting {self.key!r}"
        of = f" ({self.path})" if self.path else ""
        return f"{where}{of}: damaged row: {self.reason}"


def short(value: Any) -> str:
    """A stored value as it may be shown in a message (long or binary values cut short)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def need_int(value: Any, name: str, minimum: int | None = None) -> int:
    """``value`` as a stored whole number, at least ``minimum``; DamagedRow otherwise."""
    if type(value) is not int:
        raise DamagedRow(f"{name} is not a whole number ({short(value)})")
    if minimum is not None and value < minimum:
        raise DamagedRow(f"{name} is {value}, below {minimum}")
    return value


def need_real(value: Any, name: str) -> float:
    """``value`` as a finite stored number (int or float); DamagedRow otherwise."""
    if type(value) not in (int, float) or not math.isfinite(value):
        raise DamagedRow(f"{name} is not a number ({short(value)})")
    return float(value)


def need_text(value: Any, name: str, *, empty: bool = True) -> str:
    """``value`` as stored text (non-empty unless ``empty``); DamagedRow otherwise."""
    if value is None:
        raise DamagedRow(f"{name} is missing")
    if type(value) is not str:
        raise DamagedRow(f"{name} is not text ({short(value)})")
    if not empty and not value:
        raise DamagedRow(f"{name} is empty")
    return value


def optional_text(value: Any, name: str) -> str | None:
    """``value`` as stored text or NULL; DamagedRow for anything else."""
    return None if value is None else need_text(value, name)


def parse_json(value: Any, name: str) -> Any:
    """The JSON document stored in a text column; DamagedRow when it is not JSON.

    NaN and infinities (which Python's json reads but no other reader does) count as damage.
    """
    if type(value) is not str:
        raise DamagedRow(f"{name} is not JSON text ({short(value)})")
    try:
        return _DECODER.decode(value)
    except (ValueError, RecursionError) as e:
        raise DamagedRow(f"{name} is not JSON") from e


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: One decoder for every stored document: json.loads with an option builds a new one per call,
#: a fifth of the cost of reading a catalogue's small documents.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)
