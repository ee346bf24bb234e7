"""Run a fix over a stream of frames, holding only the few source frames the plan still needs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from anicurate.core.analysis.detect import Events
from anicurate.core.fix.engines import Engines, load_engines
from anicurate.core.fix.errors import FixError
from anicurate.core.fix.plan import Slot, plan_frames
from anicurate.core.fix.spec import FixSpec


def fix_frames(
    frames: Iterable[np.ndarray],
    spec: FixSpec,
    *,
    count: int,
    fps: float = 24.0,
    events: Events | None = None,
    engines: Engines | None = None,
    plan: list[Slot] | None = None,
) -> Iterator[np.ndarray]:
    """The ``count`` source ``frames`` (RGB uint8) fixed: denoised and upscaled each once, then
    interpolated by the plan (:func:`plan_frames`, from ``events``: never across a cut, fade or
    flash). A copied output frame is the processed source frame itself.
    """
    engines = engines if engines is not None else load_engines(spec)
    if plan is None:
        plan = plan_frames(count, spec.ratio(count, fps), events, spec.smooth_holds)
    source = iter(frames)
    loaded: dict[int, np.ndarray] = {}
    next_index = 0

    def get(k: int) -> np.ndarray:
        nonlocal next_index
        while next_index <= k:
            raw = next(source, None)
            if raw is None:
                raise FixError(f"the source ended at frame {next_index} of {count}")
            loaded[next_index] = engines.image(raw)
            next_index += 1
        return loaded[k]

    for i, slot in enumerate(plan):
        if slot.b is None:
            yield get(slot.a)
        else:
            if engines.interpolator is None:
                raise FixError("the plan synthesises frames but no interpolator is loaded")
            yield engines.interpolator(get(slot.a), get(slot.b), slot.t)
        keep_from = plan[i + 1].a if i + 1 < len(plan) else next_index
        for k in [k for k in loaded if k < keep_from]:
            del loaded[k]
