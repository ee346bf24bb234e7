"""What probing a media file tells: the facts the catalogue stores and the UI and CLI show."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from anicurate.core.media.formats import MediaKind


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """Probe result of one source. Width and height are as displayed (rotation applied)."""

    path: str
    kind: MediaKind
    container: str  # demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "gif", "webp"
    codec: str  # decoder name, e.g. "h264", "gif"
    width: int
    height: int
    rotation: int  # degrees clockwise the reader turns decoded frames to make them upright
    sample_aspect: Fraction
    frame_count: int
    fps: Fraction  # frames / duration for VFR, the stream's rate otherwise
    duration: float  # seconds, from the first frame's start to the last frame's end
    vfr: bool  # frame durations are not all equal
    has_audio: bool
    truncated: bool = False  # the file ends early; ``frame_count`` counts the frames that decode

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (fractions as "num/den" strings) for the catalogue and `info --json`."""
        d = asdict(self)
        d["kind"] = self.kind.value
        d["sample_aspect"] = f"{self.sample_aspect.numerator}/{self.sample_aspect.denominator}"
        d["fps"] = f"{self.fps.numerator}/{self.fps.denominator}"
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MediaInfo:
        return cls(
            path=str(d["path"]),
            kind=MediaKind(d["kind"]),
            container=str(d["container"]),
            codec=str(d["codec"]),
            width=int(d["width"]),
            height=int(d["height"]),
            rotation=int(d["rotation"]),
            sample_aspect=_fraction(d["sample_aspect"]),
            frame_count=int(d["frame_count"]),
            fps=_fraction(d["fps"]),
            duration=float(d["duration"]),
            vfr=bool(d["vfr"]),
            has_audio=bool(d["has_audio"]),
            truncated=bool(d.get("truncated", False)),
        )


def _fraction(value: Any) -> Fraction:
    """A stored fraction: "num/den" as to_dict writes it is read without Fraction's string
    parser (a regular expression, most of reading a catalogue's sources); anything else as
    Fraction reads it."""
    if type(value) is str:
        num, slash, den = value.partition("/")
        if slash and num.isdigit() and den.isdigit():
            return Fraction(int(num), int(den))
    return Fraction(value)
