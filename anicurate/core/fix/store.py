"""Per-clip fixes in the project (table ``clip_fixes``): read with validation, set and cleared
as one undoable edit, and suggested from the analysis flags.

The source files are never touched: a fix is a setting, applied when the export renders and
previewed in the player.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from anicurate.core.analysis.flags import FlagKind
from anicurate.core.analysis.store import load_results
from anicurate.core.fix.errors import FixError
from anicurate.core.fix.spec import FixSpec, Interpolation
from anicurate.core.project.catalogue import Clip, Project, Source
from anicurate.core.project.edits import EditError, edit
from anicurate.core.project.rows import Damage, DamagedRow, parse_json

log = logging.getLogger(__name__)

#: Upscale factors a fix can ask for (FixSpec's), smallest first.
FACTORS = (2, 4)
#: Which flag each part of a fix answers (for the inspector's chips).
FLAG_FIXES: dict[FlagKind, str] = {
    FlagKind.LOW_RESOLUTION: "upscale",
    FlagKind.TOO_FEW_FRAMES: "interpolate",
    FlagKind.LOW_FPS: "interpolate",
    FlagKind.NOISY: "denoise",
}


def read_fix_row(text: Any) -> FixSpec:
    """A stored fix as a FixSpec; DamagedRow when it is not a usable one."""
    data = parse_json(text, "spec")
    if not isinstance(data, dict):
        raise DamagedRow("spec is not a JSON object")
    try:
        spec = FixSpec.from_json(data)
    except FixError as e:
        raise DamagedRow(f"spec: {e}") from e
    for name in ("upscale_model", "denoise_model", "interp_model"):
        if not isinstance(getattr(spec, name), str | None):
            raise DamagedRow(f"spec: {name} is not text")
    return spec


def fix_damage(project: Project) -> list[Damage]:
    """Rows of ``clip_fixes`` that :func:`clip_fixes` quarantines."""
    out = []
    for clip_id, text in project.read("SELECT clip_id, spec FROM clip_fixes"):
        try:
            read_fix_row(text)
        except DamagedRow as e:
            out.append(Damage("clip_fixes", clip_id if type(clip_id) is int else None, str(e)))
    return out


def clip_fixes(project: Project, clip_ids: Iterable[int] | None = None) -> dict[int, FixSpec]:
    """The stored fixes by clip id (all, or of ``clip_ids``); a damaged row is skipped and
    logged (``anicurate check`` names it), never fatal."""
    wanted = None if clip_ids is None else {int(i) for i in clip_ids}
    out: dict[int, FixSpec] = {}
    for clip_id, text in project.read("SELECT clip_id, spec FROM clip_fixes"):
        if type(clip_id) is not int or (wanted is not None and clip_id not in wanted):
            continue
        try:
            out[clip_id] = read_fix_row(text)
        except DamagedRow as e:
            log.warning("%s: clip_fixes row %s: damaged row: %s", project.path, clip_id, e)
    return out


def set_fixes(project: Project, fixes: Mapping[int, FixSpec | None], label: str = "") -> int:
    """Set (or, with None or an identity fix, clear) the fixes of many clips as one undoable
    edit; returns how many clips changed."""
    known = {c.id for c, _source in project.clips_by_id(fixes)}
    missing = set(fixes) - known
    if missing:
        raise EditError(f"no clip {min(missing)}")
    current = clip_fixes(project, fixes)
    wanted = {cid: (None if s is None or s.is_identity else s) for cid, s in fixes.items()}
    changed = [cid for cid, s in wanted.items() if current.get(cid) != s]
    if not changed:
        return 0
    if not label:
        noun = "clip" if len(changed) == 1 else f"{len(changed)} clips"
        cleared = all(wanted[c] is None for c in changed)
        label = f"{'Clear fix' if cleared else 'Fix'} ({noun})"
    conn = project.connection
    with edit(project, label) as rec:
        rec.touch_clips(changed)
        for cid in changed:
            spec = wanted[cid]
            if spec is None:
                conn.execute("DELETE FROM clip_fixes WHERE clip_id = ?", (cid,))
            else:
                conn.execute(
                    "INSERT INTO clip_fixes (clip_id, spec) VALUES (?, ?) ON CONFLICT (clip_id)"
                    " DO UPDATE SET spec = excluded.spec",
                    (cid, json.dumps(spec.to_json(), sort_keys=True)),
                )
    return len(changed)


def clear_fixes(project: Project, clip_ids: Iterable[int]) -> int:
    """Remove the fixes of clips as one undoable edit; returns how many had one."""
    return set_fixes(project, dict.fromkeys(clip_ids))


def upscale_factor(need: float) -> int:
    """The smallest factor a fix offers that enlarges by ``need`` (the largest if none does)."""
    if need <= 1.0 + 1e-6:
        return 1
    return next((f for f in FACTORS if f + 1e-6 >= need), FACTORS[-1])


def _shown_size(clip: Clip, source: Source) -> tuple[int, int]:
    info = source.info
    if info is None:
        return 0, 0
    if clip.crop is not None:
        return clip.crop[2], clip.crop[3]
    return info.width, info.height


def suggest_fixes(project: Project, clip_ids: Iterable[int]) -> dict[int, FixSpec]:
    """A fix for each clip whose flags a fix answers (clips without one are left out):
    below the training size → the upscale factor that reaches it; too few frames for the
    window → interpolation to the window; low effective fps → interpolation to the project's
    fps over the drawings (smooth holds); noisy → denoise, harder the noisier."""
    from anicurate.core.analysis.store import thresholds_of

    wanted = set(clip_ids)
    settings = project.settings()
    noise_max = thresholds_of(project).noise_max
    results = load_results(project)
    out: dict[int, FixSpec] = {}
    for clip, source in project.clips_with_sources():
        result = results.get(clip.id)
        if clip.id not in wanted or result is None:
            continue
        kinds = {f.kind for f in result.flags}
        spec = FixSpec()
        if FlagKind.LOW_RESOLUTION in kinds:
            w, h = _shown_size(clip, source)
            tw, th = settings.train_width, settings.train_height
            if w and h:
                if settings.use_bucketing:
                    need = math.sqrt(tw * th / (w * h))
                else:
                    need = max(tw / w, th / h)
                spec = replace(spec, upscale=upscale_factor(need))
        if FlagKind.TOO_FEW_FRAMES in kinds:
            spec = replace(spec, interpolate=Interpolation("window", settings.sample_span))
        elif FlagKind.LOW_FPS in kinds:
            spec = replace(spec, interpolate=Interpolation("fps", settings.fps))
        if FlagKind.LOW_FPS in kinds:
            spec = replace(spec, smooth_holds=True)
        if FlagKind.NOISY in kinds:
            noise = result.metrics.noise
            level = 1 if noise <= 2 * noise_max else (2 if noise <= 3 * noise_max else 3)
            spec = replace(spec, denoise=level)
        if not spec.is_identity:
            out[clip.id] = spec
    return out


def describe_fix(spec: FixSpec | None) -> str:
    """A fix in a few words: ``upscale 2x, denoise 1, interpolate to the window (17 frames)``."""
    if spec is None or spec.is_identity:
        return "no fix"
    parts = []
    if spec.upscale > 1:
        parts.append(f"upscale {spec.upscale}x" + (f" ({spec.upscale_model})"
                                                  if spec.upscale_model else ""))  # fmt: skip
    if spec.denoise:
        parts.append(f"denoise {spec.denoise}")
    itp = spec.interpolate
    if itp is not None:
        what = {
            "factor": f"interpolate {itp.value:g}x",
            "fps": f"interpolate to {itp.value:g} fps",
            "window": f"interpolate to the window ({itp.value:g} frames)",
        }[itp.mode]
        parts.append(what + (f" ({spec.interp_model})" if spec.interp_model else ""))
    if spec.smooth_holds:
        parts.append("smooth holds")
    return ", ".join(parts)


def fixed_flags(spec: FixSpec | None) -> set[FlagKind]:
    """The flags a fix answers (its chip says "fix set")."""
    if spec is None:
        return set()
    done = {
        "upscale": spec.upscale > 1,
        "interpolate": spec.interpolate is not None,
        "denoise": spec.denoise > 0,
    }
    return {kind for kind, part in FLAG_FIXES.items() if done[part]}
