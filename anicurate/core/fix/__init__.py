"""Fixes: upscaling, denoising and frame interpolation of clips, run by real models offline.

Entry points: :class:`FixSpec` (what to do), :func:`list_models` (what is installed),
:func:`load_engines` (models loaded on a provider) and :func:`fix_frames` (the frames, fixed,
never interpolated across a cut, fade or flash).
"""

from anicurate.core.fix.engines import Engines, load_engines
from anicurate.core.fix.errors import FixError, ModelBroken, ModelMissing, UnknownModel
from anicurate.core.fix.models import ModelInfo, find_model, list_models
from anicurate.core.fix.pipeline import fix_frames
from anicurate.core.fix.plan import Slot, plan_frames
from anicurate.core.fix.spec import FixSpec, Interpolation

__all__ = [
    "Engines",
    "FixError",
    "FixSpec",
    "Interpolation",
    "ModelBroken",
    "ModelInfo",
    "ModelMissing",
    "Slot",
    "UnknownModel",
    "find_model",
    "fix_frames",
    "list_models",
    "load_engines",
    "plan_frames",
]
