"""What an export will write, decided before a frame is decoded: the clips, their frames, sizes,
captions and file names, and a preview of counts and warnings for the user to confirm.

Output frames are sampled at a constant rate from the source's frame index times: output frame
*k* shows the source frame on screen at ``start + k / fps`` (so VFR videos and GIFs come out
right). Clips too short for the trainer's window are listed as skipped with their remedy, never
padded. Nothing is letterboxed unless a clip's crop says Pad: uncropped clips are centre-cropped
to the training ratio, or kept whole where the trainer buckets by aspect.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from anicurate.core.captions.template import CaptionTemplate
from anicurate.core.crop import CropGeometry, crop_is_pad
from anicurate.core.errors import AnicurateError
from anicurate.core.export.files import STATE_FILE, ExportError, inside, safe_stem
from anicurate.core.export.fixed import ItemFix, prepare
from anicurate.core.export.include import DEFAULT_INCLUDE, EMPTY_HINT, Include
from anicurate.core.export.ownership import check_out_dir
from anicurate.core.export.prompts import PromptMaker
from anicurate.core.export.targets import TARGETS, Target, target_spec
from anicurate.core.fix.spec import FixSpec
from anicurate.core.media.formats import MediaKind
from anicurate.core.media.reader import open_media
from anicurate.core.project.catalogue import Clip, ClipStatus, Project, Source
from anicurate.core.project.settings import ProjectSettings

#: Bump when rendering changes what a file holds, so every output is rendered again.
RENDER_VERSION = 2  # 2: pixels from FFmpeg's scaler in one filter graph (was OpenCV)




@dataclass(frozen=True, slots=True, kw_only=True)
class ExportOptions:
    """What the user chose; None values come from the project's training settings."""

    target: Target
    out_dir: Path
    include: Include = DEFAULT_INCLUDE
    clip_ids: frozenset[int] | None = None  # only these clips (a --where selection), if given
    width: int | None = None
    height: int | None = None
    fps: int | None = None
    n_sample_frames: int | None = None
    frame_step: int | None = None
    use_bucketing: bool | None = None
    fallback_prompt: str = ""
    windows_per_clip: int = 3  # t2v-json: training windows (frame_index entries) per clip at most
    name: str = "anicurate"
    # trigger, sentence and tags, within the CLIP token budget
    caption_template: CaptionTemplate = field(default_factory=CaptionTemplate)


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """The resolved numbers an export runs with (recorded in the manifest)."""

    target: str
    include: str
    preset: str
    width: int
    height: int
    fps: int
    n_sample_frames: int
    frame_step: int
    keep_aspect: bool  # bucketing trainers: keep the crop's aspect instead of the training size
    min_frames: int  # output frames a clip needs for one full training window
    window_frames: int  # frames one sample holds (4k+1 for the newer trainers)
    fallback_prompt: str
    trigger_tag: str
    name: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One output file: which source frames it shows, where, at what size, with which caption."""

    clip_id: int
    part: int | None  # chunk number when a clip is split into several files
    kind: str  # "video" or "still"
    media: str  # path relative to the export folder
    caption_file: str
    source_id: int
    source_path: str
    source_hash: str
    first_frame: int
    last_frame: int
    crop: tuple[int, int, int, int] | None
    region: tuple[int, int, int, int]  # the source rectangle used: the crop or the whole frame
    pad: tuple[int, int, int, int] | None  # canvas w, h and the region's x, y on it
    width: int
    height: int
    fps: int
    frames: tuple[int, ...]  # the source frame shown by each output frame
    caption: str
    tags: tuple[str, ...]
    windows: tuple[int, ...]  # t2v-json frame_index values inside this file
    fingerprint: str
    up_to_date: bool
    warnings: tuple[str, ...] = ()
    window_captions: tuple[str, ...] = ()  # t2v-json: one per window when sentences differ
    fix: ItemFix | None = None  # the clip's fix: ``frames`` then index its fixed frames

    @property
    def label(self) -> str:
        """How a person recognises the clip: its source and frame range."""
        return f"{self.source_path} [{self.first_frame}-{self.last_frame}]"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A clip that was chosen but will not be exported, and why."""

    clip_id: int
    source_path: str
    first_frame: int
    last_frame: int
    reason: str


@dataclass(slots=True)
class ExportPlan:
    """Everything render() needs, as plain values, and what the preview shows."""

    settings: ExportSettings
    target: Target
    out_dir: Path
    project_path: str
    items: list[PlanItem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chosen: int = 0  # clips the include rule picked
    trimmed: int = 0  # clips whose tags were cut to fit the CLIP token budget

    @property
    def to_render(self) -> int:
        return sum(1 for i in self.items if not i.up_to_date)

    @property
    def up_to_date(self) -> int:
        return sum(1 for i in self.items if i.up_to_date)

    def counts(self) -> dict[str, int]:
        """Numbers for the preview."""
        return {
            "chosen": self.chosen,
            "clips": len({i.clip_id for i in self.items}),
            "files": len(self.items),
            "videos": sum(1 for i in self.items if i.kind == "video"),
            "stills": sum(1 for i in self.items if i.kind == "still"),
            "to_render": self.to_render,
            "up_to_date": self.up_to_date,
            "skipped": len(self.skipped),
            "frames": sum(len(i.frames) for i in self.items),
            "trimmed": self.trimmed,
            "fixed": len({i.clip_id for i in self.items if i.fix is not None}),
        }

    @property
    def fix_seconds(self) -> float:
        """Expected extra time of the fixes still to compute (a CPU estimate; cached fixed
        clips and up-to-date files cost nothing)."""
        from anicurate.core.export.fixed import cached_path

        todo = {i.fix.key: i.fix for i in self.items if i.fix is not None and not i.up_to_date}
        return sum(f.cost_s for f in todo.values() if not cached_path(f).is_file())

    def summary_lines(self) -> list[str]:
        """A short preview a person reads before rendering."""
        c = self.counts()
        s = self.settings
        lines = [
            f"{s.target} into {self.out_dir}",
            f"{_n(c['chosen'], 'clip')} chosen ({s.include}); {_n(c['files'], 'file')} "
            f"({_n(c['videos'], 'video')}, {_n(c['stills'], 'still')}), {c['frames']} frames; "
            f"{c['to_render']} to render, {c['up_to_date']} up to date",
            f"size {s.width}x{s.height}{' (aspect kept)' if s.keep_aspect else ''}, {s.fps} fps, "
            f"window {s.window_frames} frames (needs {s.min_frames})"
            + (f", parts of {part_span(s)} frames" if TARGETS[self.target].layout.chunk else ""),
        ]
        reasons = Counter(_reason_kind(k.reason) for k in self.skipped)
        lines += [f"skipped {n}: {reason}" for reason, n in sorted(reasons.items())]
        lines += self.warnings
        return lines


def _reason_kind(reason: str) -> str:
    return reason.split(":", 1)[0]


def resolve_settings(options: ExportOptions, project: ProjectSettings) -> ExportSettings:
    """Fill the options' gaps from the project's settings and derive the window rules."""
    width = options.width or project.train_width
    height = options.height or project.train_height
    fps = options.fps or project.fps
    n = options.n_sample_frames or project.n_sample_frames
    step = options.frame_step or project.frame_step
    for name, value in (("width", width), ("height", height), ("fps", fps),
                        ("n_sample_frames", n), ("frame_step", step)):  # fmt: skip
        if value < 1:
            raise ExportError(f"{name} must be positive, not {value}")
    if width % 2 or height % 2:
        raise ExportError(f"size {width}x{height} must be even (H.264 yuv420p)")
    bucketing = project.use_bucketing if options.use_bucketing is None else options.use_bucketing
    spec = target_spec(options.target)
    keep_aspect = bucketing and not spec.fixed_size
    window, min_frames = spec.window(n, step)
    return ExportSettings(
        target=spec.name,
        include=Include(options.include).value,
        preset=project.preset,
        width=width,
        height=height,
        fps=fps,
        n_sample_frames=n,
        frame_step=step,
        keep_aspect=keep_aspect,
        min_frames=min_frames,
        window_frames=window,
        fallback_prompt=one_line(options.fallback_prompt),
        trigger_tag=project.trigger_tag,
        name=options.name,
    )


def one_line(text: str) -> str:
    """A caption as trainers read it: one line, no surrounding blanks."""
    return re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", text).strip()


def output_frames(times: np.ndarray, durations: np.ndarray, first: int, last: int,
                  fps: int) -> list[int]:  # fmt: skip
    """For each output frame at ``fps``, the source frame on screen then (frames first..last)."""
    start = float(times[first])
    end = float(times[last] + durations[last])
    count = max(1, math.floor((end - start) * fps + 1e-6))
    wanted = start + np.arange(count, dtype=np.float64) / fps + 1e-6
    picked = np.searchsorted(times, wanted, side="right") - 1
    return [int(i) for i in np.clip(picked, first, last)]


def _source_times(source: Source) -> tuple[np.ndarray, np.ndarray]:
    """Frame start times and durations: exact from the stored rate for constant-rate sources,
    from the frame index (opening the file) for VFR ones."""
    info = source.info
    assert info is not None
    if not info.vfr and info.fps > 0:
        step = 1.0 / float(info.fps)
        n = info.frame_count
        return np.arange(n, dtype=np.float64) * step, np.full(n, step)
    with open_media(source.path, cache_bytes=0, max_pixels=None) as reader:
        return reader.index.times.copy(), reader.index.durations.copy()


def _geometry(
    clip: Clip, source: Source, s: ExportSettings, keep_aspect: bool
) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int] | None, int, int, list[str]]:
    """Region, pad, output width and height, and size warnings of one clip.

    A crop that says Pad letterboxes the whole frame; any other crop is used as drawn; no crop
    is the whole frame when ``keep_aspect`` (the trainer buckets it) and else the largest
    centred crop of the training ratio. The warning names real enlargement only.
    """
    info = source.info
    assert info is not None
    fw, fh = info.width, info.height
    warnings: list[str] = []
    pad = None
    geo = CropGeometry(fw, fh, s.width, s.height)
    if crop_is_pad(clip.crop, fw, fh):
        region = (0, 0, fw, fh)
        p = geo.pad()
        if (p.canvas_w, p.canvas_h) != (fw, fh):
            pad = (p.canvas_w, p.canvas_h, p.x, p.y)
    elif clip.crop is not None:
        x, y, w, h = clip.crop
        x, y = max(0, min(x, fw - 1)), max(0, min(y, fh - 1))
        region = (x, y, max(1, min(w, fw - x)), max(1, min(h, fh - y)))
    elif keep_aspect or abs(fw / fh - s.width / s.height) <= 1e-3:
        region = (0, 0, fw, fh)
    else:
        region = geo.fit().as_tuple()
    cw, ch = (pad[0], pad[1]) if pad is not None else (region[2], region[3])
    if keep_aspect:
        # Bucketing trainers take any aspect at about the training area.
        scale = math.sqrt(s.width * s.height / (cw * ch))
        out_w = max(2, round(cw * scale / 2) * 2)
        out_h = max(2, round(ch * scale / 2) * 2)
    else:
        out_w, out_h = s.width, s.height
        scale = max(out_w / cw, out_h / ch)
    if scale > 1.005:
        warnings.append(
            f"below the training size: {cw}x{ch} enlarged {scale:.2f}x to {out_w}x{out_h}"
        )
    return region, pad, out_w, out_h, warnings


def too_short_reason(frames: int, s: ExportSettings, spec_strided: bool) -> str:
    """Why a clip is too short for the window, and what would let it in."""
    reason = (
        f"too short: {frames} frames at {s.fps} fps, the training window needs {s.min_frames}"
    )
    remedies: list[str] = []
    if spec_strided and s.n_sample_frames > 1:
        step = (frames - 1) // (s.n_sample_frames - 1)
        if step >= 1:
            remedies.append(f"a frame step of {step} fits it")
    elif frames >= 1:
        remedies.append(f"{frames} frames per sample fit it")
    remedies.append("frame interpolation (anicurate fix --interpolate window)")
    return f"{reason}; remedy: {' or '.join(remedies)}"


def _windows(count: int, s: ExportSettings, at_most: int) -> tuple[int, ...]:
    """t2v-json frame indices spread over the clip, each with a full window after it."""
    if s.target != Target.T2V_JSON.value:
        return ()
    span = s.min_frames
    m = max(1, min(at_most, count // span))
    if m == 1:
        return (0,)
    return tuple(dict.fromkeys(round(k * (count - span) / (m - 1)) for k in range(m)))


def fingerprint(item: dict[str, Any]) -> str:
    """A digest of everything that decides an output file's bytes."""
    text = json.dumps(item, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def load_state(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The fingerprints of files earlier runs finished, by relative path."""
    try:
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): dict(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _chosen(project: Project, include: Include) -> tuple[list[tuple[Clip, Source]], list[str]]:
    pairs = [(c, s) for c, s in project.clips_with_sources() if c.status != ClipStatus.REJECTED]
    warnings: list[str] = []
    if include is Include.ACCEPTED:
        return [(c, s) for c, s in pairs if c.status == ClipStatus.ACCEPTED], warnings
    if include is Include.ALL:
        return pairs, warnings
    from anicurate.core.analysis.store import load_results

    results = load_results(project)
    unanalysed = [c for c, _ in pairs if c.status != ClipStatus.ACCEPTED and c.id not in results]
    if unanalysed:
        warnings.append(f"{len(unanalysed)} unreviewed clips are not analysed and were left out")
    out = [
        (c, s)
        for c, s in pairs
        if c.status == ClipStatus.ACCEPTED or (c.id in results and not results[c.id].flags)
    ]
    return out, warnings


def _caption_and_tags(prompts: PromptMaker, clip_id: int) -> tuple[str, tuple[str, ...]]:
    text, tags = prompts.clip(clip_id)
    return one_line(text), tags


def _is_still(source: Source) -> bool:
    info = source.info
    return info is not None and (info.kind is MediaKind.STILL or info.frame_count == 1)


def plan_export(project: Project | str | os.PathLike[str], options: ExportOptions) -> ExportPlan:
    """Decide every output file of an export (reads the project; opens VFR sources' indexes).

    Raises ExportError for unusable settings or an export folder it may not write into (one
    holding the project's sources or files anicurate did not write: see ownership.py).
    """
    if not isinstance(project, Project):
        with Project.open(project) as opened:
            return plan_export(opened, options)
    s = resolve_settings(options, project.settings())
    target = Target(options.target)
    layout = TARGETS[target].layout
    out_dir = Path(options.out_dir).expanduser().resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a folder")
    check_out_dir(out_dir, str(project.path), [src.path for src in project.sources()], target)
    plan = ExportPlan(s, target, out_dir, str(project.path))
    chosen, plan.warnings = _chosen(project, Include(options.include))
    if options.clip_ids is not None:
        chosen = [(c, src) for c, src in chosen if c.id in options.clip_ids]
    plan.chosen = len(chosen)
    strided = target_spec(target).uses_frame_step
    cuts = _stored_cuts(project) if layout.chunk else {}
    state = load_state(out_dir)
    sources = {str(Path(src.path).resolve()) for _, src in chosen}
    times: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    stems: set[str] = set()
    no_caption = 0
    prompts = PromptMaker(project, options.caption_template)
    fixes = _stored_fixes(project)
    for clip, source in chosen:

        def skip(reason: str, clip: Clip = clip, source: Source = source) -> None:
            plan.skipped.append(
                Skipped(clip.id, source.path, clip.first_frame, clip.last_frame, reason)
            )

        info = source.info
        if info is None:
            skip(f"source failed to import: {source.error or source.error_kind}")
            continue
        try:
            stat = os.stat(source.path)
        except OSError as err:
            skip(f"source missing: {err.strerror or err}")
            continue
        if clip.last_frame >= info.frame_count:
            skip(f"frame range beyond the source's {info.frame_count} frames")
            continue
        still = _is_still(source) or target is Target.T2V_IMAGE
        folder = layout.image_dir if still else layout.video_dir
        if folder is None:
            skip("a still: this target takes videos only")
            continue
        if info.frame_count == 1:
            frames = [0]
        else:
            if source.id not in times:
                try:
                    times[source.id] = _source_times(source)
                except Exception as err:
                    skip(f"source cannot be read: {err}")
                    continue
            t, d = times[source.id]
            frames = output_frames(t, d, clip.first_frame, clip.last_frame, s.fps)
        item_fix: ItemFix | None = None
        source_of = _identity
        fix_spec = fixes.get(clip.id)
        if fix_spec is not None and not still and info.frame_count > 1:
            try:
                item_fix, frames = _prepare_fix(project, fix_spec, clip, source, times, s)
            except AnicurateError as err:
                skip(f"fix cannot run: {err}")
                continue
            source_of = _source_of(item_fix)
            clip, source = _enlarged(clip, source, fix_spec.upscale)
        if still:
            frames = [frames[len(frames) // 2]]
        elif len(frames) < s.min_frames:
            skip(too_short_reason(len(frames), s, strided))
            continue
        # Stills go out at the training size whatever the videos do: Text-To-Video-Finetuning's
        # image dataset gets sizes wrong when it buckets, and a still then needs no bucket.
        region, pad, out_w, out_h, size_warnings = _geometry(
            clip, source, s, s.keep_aspect and not still
        )
        text, tags = _caption_and_tags(prompts, clip.id)
        if not text:
            text = s.fallback_prompt
        if not text:
            no_caption += 1
        parts: list[tuple[int | None, list[int]]] = [(None, frames)]
        if layout.chunk and not still:
            clip_cuts = cuts.get(clip.id, ())
            if item_fix is not None:
                clip_cuts = _fixed_cuts(item_fix, clip_cuts)
            parts = list(enumerate(chunk_parts(frames, clip_cuts, s)))
            if not parts:
                skip(
                    f"too short: no shot of its {len(frames)} frames at {s.fps} fps holds a "
                    f"{part_span(s)}-frame part; remedy: a smaller frame step or fewer frames, "
                    "or frame interpolation (anicurate fix --interpolate window)"
                )
                continue
        base = f"{safe_stem(Path(source.path).stem)}_c{clip.id}"
        for part, part_frames in parts:
            stem = base if part is None else f"{base}_p{part}"
            while stem.lower() in stems:  # never two files of one name (case-insensitive FS)
                stem += "_"
            stems.add(stem.lower())
            media = f"{folder}/{stem}{'.png' if still else '.mp4'}"
            final = inside(out_dir, media)
            if str(final) in sources:
                raise ExportError(f"{final}: the export would overwrite a source")
            kind = "still" if still else "video"
            fp = fingerprint({
                "v": RENDER_VERSION, "kind": kind, "hash": source.hash, "size": stat.st_size,
                "mtime": stat.st_mtime_ns, "frames": part_frames, "region": region, "pad": pad,
                "out": [out_w, out_h], "fps": s.fps,
                **({"fix": item_fix.key} if item_fix is not None else {}),
            })  # fmt: skip
            previous = state.get(media, {})
            up_to_date = (
                previous.get("fingerprint") == fp
                and final.is_file()
                and final.stat().st_size == previous.get("size")
            )
            windows = () if still else _windows(len(part_frames), s, options.windows_per_clip)
            plan.items.append(PlanItem(
                clip_id=clip.id, part=part, kind=kind, media=media,
                caption_file=f"{folder}/{stem}.txt", source_id=source.id,
                source_path=source.path, source_hash=source.hash,
                first_frame=source_of(part_frames[0]) if part is not None else clip.first_frame,
                last_frame=source_of(part_frames[-1]) if part is not None else clip.last_frame,
                crop=clip.crop,
                region=region, pad=pad, width=out_w, height=out_h, fps=s.fps,
                frames=tuple(part_frames), caption=text, tags=tags,
                windows=windows, fingerprint=fp, up_to_date=up_to_date,
                warnings=tuple(size_warnings),
                window_captions=prompts.windows(
                    clip.id, [source_of(part_frames[w]) for w in windows]
                ),
                fix=item_fix,
            ))  # fmt: skip
    enlarged = len({i.clip_id for i in plan.items if i.warnings})
    if enlarged:
        verb = "is" if enlarged == 1 else "are"
        plan.warnings.append(
            f"{_n(enlarged, 'clip')} {verb} below the training size and will be enlarged"
        )
    if no_caption:
        verb = "has" if no_caption == 1 else "have"
        plan.warnings.append(
            f"{_n(no_caption, 'clip')} {verb} no caption (no tags, no fallback prompt)"
        )
    fixed = len({i.clip_id for i in plan.items if i.fix is not None})
    if fixed:  # a note more than a warning, but the dialog and the CLI both show these lines
        plan.warnings.append(
            f"fixes: {_n(fixed, 'clip')} upscaled, denoised or interpolated at export; about "
            f"{_duration(plan.fix_seconds)} extra (a CPU estimate; cached fixes are reused)"
        )
    plan.trimmed = len(prompts.report.trimmed)
    plan.warnings.extend(prompts.warnings())
    if not plan.items:
        plan.warnings.append(
            f"nothing to export: {EMPTY_HINT}" if not chosen else "nothing to export"
        )
    return plan


def part_span(s: ExportSettings) -> int:
    """Output frames one chunked part covers: the time a strided sample of ``n_sample_frames``
    every ``frame_step`` frames spans, at least the window (the trainer squeezes a part into its
    bucket's frame count, so a part is one training sample's worth of time)."""
    return max(s.window_frames, (s.n_sample_frames - 1) * s.frame_step + 1)


def chunk_parts(frames: list[int], cuts: Sequence[int], s: ExportSettings) -> list[list[int]]:
    """Cut a clip's output frames into parts of :func:`part_span` frames that never cross a cut
    (``cuts``: source frames that start a shot); a shot's remainder shorter than a part is left
    out."""
    span = part_span(s)
    shots: list[list[int]] = [[]]
    cut_set = set(cuts)
    previous: int | None = None
    for f in frames:
        if previous is not None and any(previous < c <= f for c in cut_set):
            shots.append([])
        shots[-1].append(f)
        previous = f
    parts: list[list[int]] = []
    for shot in shots:
        parts += [shot[k * span : (k + 1) * span] for k in range(len(shot) // span)]
    return parts


def _stored_cuts(project: Project) -> dict[int, list[int]]:
    """Cuts, fades and flashes the analysis found, by clip id (for chunking)."""
    from anicurate.core.analysis.store import load_results

    out: dict[int, list[int]] = {}
    for cid, r in load_results(project).items():
        m = r.metrics
        edges = list(m.cuts)
        for span in [*m.transitions, *m.flashes]:  # a fade or flash: both its ends break
            edges += [int(span[0]), int(span[-1]) + 1]
        out[cid] = sorted(edges)
    return out


def _stored_fixes(project: Project) -> dict[int, FixSpec]:
    from anicurate.core.fix.store import clip_fixes

    return clip_fixes(project)


def _identity(frame: int) -> int:
    return frame


def _source_of(fix: ItemFix) -> Any:
    """Maps an index into the fixed clip to the source frame it shows (or starts from)."""
    return lambda j: fix.first + fix.slots[j].a


def _fixed_cuts(fix: ItemFix, cuts: Sequence[int]) -> list[int]:
    """Source cut frames as indices into the fixed clip: the first fixed frame at or after."""
    starts = [fix.first + s.a for s in fix.slots]
    return sorted({j for c in cuts if (j := bisect_left(starts, c)) < len(starts)})


def _prepare_fix(
    project: Project, spec: FixSpec, clip: Clip, source: Source,
    times: dict[int, tuple[np.ndarray, np.ndarray]], s: ExportSettings,
) -> tuple[ItemFix, list[int]]:  # fmt: skip
    """The fix of one clip at this export, with the stored analysis events (so nothing is
    synthesised across a cut, fade or flash)."""
    from anicurate.core.analysis.store import load_signals

    info = source.info
    assert info is not None
    stored = load_signals(project, source.id)
    t, d = times[source.id]
    return prepare(
        spec, source_path=source.path, source_hash=source.hash, first=clip.first_frame,
        last=clip.last_frame, size=(info.width, info.height), times=t, durations=d,
        events=None if stored is None else stored[1], fps=s.fps, min_frames=s.min_frames,
    )  # fmt: skip


def _enlarged(clip: Clip, source: Source, factor: int) -> tuple[Clip, Source]:
    """The clip and source as the upscaled frames show them (crop and size times ``factor``)."""
    if factor == 1 or source.info is None:
        return clip, source
    crop = None
    if clip.crop is not None:
        x, y, w, h = clip.crop
        crop = (x * factor, y * factor, w * factor, h * factor)
    info = replace(source.info, width=source.info.width * factor,
                   height=source.info.height * factor)  # fmt: skip
    return replace(clip, crop=crop), replace(source, info=info)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def _n(count: int, noun: str) -> str:
    """``1 clip``, ``2 clips``: counts read as a person writes them."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
