"""The player's playback clock as plain code (no Qt): which frame is due at a moment while
playing at a speed (backwards too), looping the in/out range, how many frames became due (to
count dropped ones) and when to look again. The player widget drives it from a timer.
"""

from __future__ import annotations

from dataclasses import dataclass

from anicurate.core.media.index import FrameIndex

SHUTTLE_SPEEDS = (1.0, 2.0, 4.0, 8.0)
MAX_WAIT_MS = 250  # look again at least this often (a seek or a new range takes effect soon)
BACKWARD_EPSILON = 1e-6  # playing backwards starts just before a frame's end, inside it


def time_text(seconds: float) -> str:
    """``00:05.34``: minutes and seconds with hundredths, as editors show a frame's time."""
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    if rest >= 59.995:
        minutes, rest = minutes + 1, 0.0
    return f"{int(minutes):02d}:{rest:05.2f}"


def shuttle_speed(speed: float, direction: int) -> float:
    """J/L pressed while playing at ``speed``: the next speed (0: pause).

    The same way speeds up (1, 2, 4, 8x); the other way slows down first, as editors'
    shuttles do, and then starts that way at 1x.
    """
    if direction == 0:
        return 0.0
    if speed == 0 or (speed > 0) != (direction > 0):
        return speed / 2 if speed != 0 and abs(speed) > 1 else float(direction)
    k = SHUTTLE_SPEEDS.index(abs(speed)) if abs(speed) in SHUTTLE_SPEEDS else 0
    return direction * SHUTTLE_SPEEDS[min(k + 1, len(SHUTTLE_SPEEDS) - 1)]


@dataclass
class PlayStats:
    """Frames the clock made due and frames actually shown since playback started."""

    due: int = 0
    shown: int = 0

    @property
    def dropped(self) -> int:
        return max(0, self.due - self.shown)


@dataclass(frozen=True, slots=True)
class Tick:
    """What one look at the clock says: the frame due, frames newly due, when to look again."""

    frame: int
    newly_due: int  # 0 when ``frame`` was already due at the last look
    wait_ms: int


class PlaybackClock:
    """Media time = origin + speed x (now - start), in the frame timing of one source.

    ``now`` is any monotonic time in seconds (the widget passes its elapsed timer; tests pass
    numbers), so the schedule is exact and testable without a display.
    """

    def __init__(self, index: FrameIndex) -> None:
        self.index = index
        self.speed = 0.0
        self._origin = 0.0  # media time at ``_started``
        self._started = 0.0
        self._last_due: int | None = None

    def frame_time(self, frame: int, speed: float) -> float:
        """Media time to start at: a frame's start (just before its end when backwards)."""
        start = float(self.index.times[frame])
        if speed > 0:
            return start
        return start + float(self.index.durations[frame]) - BACKWARD_EPSILON

    def start(self, frame: int, speed: float, now: float) -> None:
        """Play from ``frame`` at ``speed`` (negative: backwards); ``frame`` counts as due."""
        self.speed = float(speed)
        self._origin, self._started = self.frame_time(frame, speed), now
        self._last_due = frame

    def media_time(self, now: float) -> float:
        return self._origin + self.speed * (now - self._started)

    def tick(self, now: float, first: int, last: int) -> Tick:
        """The frame due at ``now`` within ``first``..``last`` (looping), and the next look."""
        times, durations = self.index.times, self.index.durations
        t = self.media_time(now)
        start_t = float(times[first])
        end_t = float(times[last] + durations[last])
        span = max(end_t - start_t, 1e-6)
        if self.speed > 0 and t >= end_t:
            t = start_t + (t - end_t) % span
            self._origin, self._started, self._last_due = t, now, None
        elif self.speed < 0 and t < start_t:
            t = end_t - (start_t - t) % span - BACKWARD_EPSILON
            self._origin, self._started, self._last_due = t, now, None
        frame = min(max(self.index.frame_at_time(t), first), last)
        newly_due = 0
        if frame != self._last_due:
            newly_due = abs(frame - self._last_due) if self._last_due is not None else 1
            self._last_due = frame
        # Sleep until the next frame is due (its start forwards, this one's start backwards).
        boundary = float(times[frame] + durations[frame]) if self.speed > 0 else float(times[frame])
        wait_s = abs(boundary - t) / abs(self.speed) if self.speed else MAX_WAIT_MS / 1000
        return Tick(frame, newly_due, max(1, min(int(wait_s * 1000) + 1, MAX_WAIT_MS)))
