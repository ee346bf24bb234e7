"""What a fix does to a clip: a small, serialisable value stored per clip by the project."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from anicurate.core.fix.errors import FixError

InterpMode = Literal["factor", "fps", "window"]
DENOISE_LEVELS = (0, 1, 2, 3)


@dataclass(frozen=True, slots=True)
class Interpolation:
    """More frames: ``factor`` N (frame k becomes frame N*k), reach ``fps``, or reach ``window``
    frames (the training window)."""

    mode: InterpMode
    value: float

    def ratio(self, frames: int, fps: float) -> Fraction:
        """Output frames per input frame (>= 1: interpolation never drops frames)."""
        if self.mode == "factor":
            r = Fraction(int(self.value))
        elif self.mode == "fps":
            r = Fraction(self.value).limit_denominator(1001) / Fraction(fps).limit_denominator(1001)
        else:
            r = Fraction(math.ceil(self.value), max(frames, 1))
        return max(r, Fraction(1))


@dataclass(frozen=True, slots=True)
class FixSpec:
    """Upscale ``upscale`` times with ``upscale_model``, denoise at ``denoise`` (0 off, 1-3),
    interpolate, optionally dropping held drawings first (``smooth_holds``). None: the default."""

    upscale: int = 1
    upscale_model: str | None = None
    denoise: int = 0
    denoise_model: str | None = None
    interpolate: Interpolation | None = None
    interp_model: str | None = None
    smooth_holds: bool = False

    def __post_init__(self) -> None:
        if self.upscale not in (1, 2, 4):
            raise FixError(f"upscale factor {self.upscale}: 1, 2 or 4")
        if self.denoise not in DENOISE_LEVELS:
            raise FixError(f"denoise level {self.denoise}: 0 (off) to 3")
        itp = self.interpolate
        if itp is not None and (
            itp.value <= 0 or (itp.mode == "factor" and itp.value != int(itp.value))
        ):
            raise FixError(f"interpolation {itp.mode} {itp.value}: a positive whole factor or rate")

    @property
    def is_identity(self) -> bool:
        """Nothing to do: the frames come out as they went in."""
        return self.upscale == 1 and self.denoise == 0 and self.interpolate is None

    def ratio(self, frames: int, fps: float) -> Fraction:
        """Output frames per input frame."""
        return Fraction(1) if self.interpolate is None else self.interpolate.ratio(frames, fps)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the project (and the export cache fingerprint)."""
        itp = self.interpolate
        return {
            "upscale": self.upscale, "upscale_model": self.upscale_model,
            "denoise": self.denoise, "denoise_model": self.denoise_model,
            "interpolate": None if itp is None else {"mode": itp.mode, "value": itp.value},
            "interp_model": self.interp_model, "smooth_holds": self.smooth_holds,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FixSpec:
        """The inverse of :meth:`to_json`; raises FixError on a value out of range."""
        itp = data.get("interpolate")
        try:
            return cls(
                upscale=int(data.get("upscale", 1)),
                upscale_model=data.get("upscale_model"),
                denoise=int(data.get("denoise", 0)),
                denoise_model=data.get("denoise_model"),
                interpolate=None if not itp else Interpolation(itp["mode"], float(itp["value"])),
                interp_model=data.get("interp_model"),
                smooth_holds=bool(data.get("smooth_holds", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FixError(f"unreadable fix settings: {exc}") from exc
