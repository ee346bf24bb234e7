"""Samples a trainer generated, kept in the project to compare runs and trace prompts back.

Text-To-Video-Finetuning writes ``samples/{step}_dataset-{name}_{prompt}.mp4``; other folders
bring a prompt list (``prompts.txt``, one prompt a line, in the videos' name order) or a
``.txt`` beside each video. A sample's verdict (good / bad and a note) is stored with it. Trace
ranks the project's clips by how well their export captions match a sample's prompt, with the
same ranking ``anicurate find`` uses. The A/B prompt set is each prompt with and without the
trigger, as a text file and as trainer configs that sample it (``validation_data.prompt``).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from anicurate.core.errors import AnicurateError
from anicurate.core.export.find import score_captions
from anicurate.core.media.formats import ANIMATION_EXTENSIONS, VIDEO_EXTENSIONS
from anicurate.core.project.catalogue import ClipStatus, Project
from anicurate.core.project.rows import Damage, DamagedRow, need_int, need_text
from anicurate.core.tagging.caption import clip_prompt

VERDICTS = ("", "good", "bad")
PROMPT_LIST_NAMES = ("prompts.txt", "prompt.txt", "prompts.lst")
#: Dataset names the trainer writes; ``single_video`` holds an underscore, so it is tried first.
DATASET_NAMES = ("single_video", "folder", "image", "json", "video_json")
_TRAINER_NAME = re.compile(r"^(\d+)_dataset-(.*)$", re.DOTALL)
_LEADING_STEP = re.compile(r"^(\d+)(?:[_\-\s]|$)")
SAMPLE_EXTENSIONS = VIDEO_EXTENSIONS | ANIMATION_EXTENSIONS


class SampleError(AnicurateError):
    """A sample folder, verdict or prompt set that cannot be used."""


@dataclass(frozen=True, slots=True)
class ParsedName:
    """What a sample's file name says: the training step and the prompt (None: not said)."""

    step: int | None
    prompt: str | None
    dataset: str = ""


def parse_sample_name(name: str) -> ParsedName:
    """``2500_dataset-json_a girl walks.mp4`` -> step 2500, prompt ``a girl walks``.

    Names of other shapes give the leading number as the step, when there is one, and no prompt.
    """
    stem = name
    for ext in SAMPLE_EXTENSIONS:
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    match = _TRAINER_NAME.match(stem)
    if match:
        step, rest = int(match.group(1)), match.group(2)
        for known in DATASET_NAMES:
            if rest.startswith(known + "_"):
                return ParsedName(step, rest[len(known) + 1 :].strip() or None, known)
        dataset, sep, prompt = rest.partition("_")
        if sep:
            return ParsedName(step, prompt.strip() or None, dataset)
        return ParsedName(step, None, rest)
    lead = _LEADING_STEP.match(stem)
    return ParsedName(int(lead.group(1)) if lead else None, None)


@dataclass(frozen=True, slots=True)
class Sample:
    """A stored sample: which run and step made it, its prompt and file, and the verdict."""

    id: int
    run: str
    step: int | None
    prompt: str
    path: str
    verdict: str = ""
    note: str = ""


@dataclass(slots=True)
class SampleImport:
    """What an import did: samples added or updated, and videos it could not give a prompt."""

    added: int = 0
    no_prompt: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [f"{self.added} sample{'s' if self.added != 1 else ''} imported"]
        if self.no_prompt:
            names = ", ".join(self.no_prompt[:5])
            lines.append(f"{len(self.no_prompt)} without a prompt (no trainer name, no prompt "
                         f"list line, no .txt beside it): {names}")  # fmt: skip
        return lines


def _prompt_list(folder: Path, prompt_file: Path | None) -> list[str] | None:
    candidates = [prompt_file] if prompt_file else [folder / n for n in PROMPT_LIST_NAMES]
    for path in candidates:
        if path is not None and path.is_file():
            try:
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError as err:
                raise SampleError(f"prompt list {path} cannot be read: {err}") from err
            return [line.strip() for line in text.splitlines() if line.strip()]
    if prompt_file is not None:
        raise SampleError(f"prompt list {prompt_file} does not exist")
    return None


def scan_samples(folder: Path, prompt_file: Path | None = None
                 ) -> tuple[list[tuple[int | None, str, Path]], list[str]]:  # fmt: skip
    """(step, prompt, video) for each sample video directly in ``folder`` (or its ``samples``
    subfolder), and the names of videos without a prompt."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SampleError(f"{folder} is not a folder")
    if (folder / "samples").is_dir() and not any(
        p.suffix.lower() in SAMPLE_EXTENSIONS for p in folder.iterdir()
    ):
        folder = folder / "samples"  # the trainer's run folder: its samples are one level down
    videos = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SAMPLE_EXTENSIONS),
        key=lambda p: p.name,
    )
    listed = _prompt_list(folder, prompt_file)
    found: list[tuple[int | None, str, Path]] = []
    missing: list[str] = []
    for k, video in enumerate(videos):
        parsed = parse_sample_name(video.name)
        prompt = parsed.prompt
        sidecar = video.with_suffix(".txt")
        if prompt is None and sidecar.is_file():
            prompt = sidecar.read_text(encoding="utf-8-sig", errors="replace").strip() or None
        if prompt is None and listed is not None and k < len(listed):
            prompt = listed[k]
        if prompt is None:
            missing.append(video.name)
            continue
        found.append((parsed.step, " ".join(prompt.split()), video))
    return found, missing


def import_samples(project: Project, folder: str | os.PathLike[str], run: str,
                   prompt_file: str | os.PathLike[str] | None = None) -> SampleImport:  # fmt: skip
    """Store the samples of ``folder`` under the run label ``run`` (a re-import of the same file
    keeps its verdict and takes the new step and prompt)."""
    run = " ".join(run.split())
    if not run:
        raise SampleError("a run needs a label (e.g. base, fine-tuned)")
    found, missing = scan_samples(Path(folder), Path(prompt_file) if prompt_file else None)
    now = time.time()
    with project.transaction() as conn:
        for step, prompt, video in found:
            conn.execute(
                "INSERT INTO samples (run, step, prompt, path, added_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (run, path) DO UPDATE SET step = excluded.step,"
                " prompt = excluded.prompt",
                (run, step, prompt, str(video.resolve()), now),
            )
    return SampleImport(len(found), missing)


#: The query :func:`read_sample_row` reads the rows of.
SAMPLE_SQL = "SELECT id, run, step, prompt, path, verdict, note FROM samples"


def read_sample_row(row: Sequence[object]) -> Sample:
    """One stored sample (``SAMPLE_SQL``'s columns); DamagedRow when a value cannot be used.

    :func:`samples` leaves such rows out; ``anicurate check`` names them with this same check."""
    sid, run, step, prompt, path, verdict, note = row
    if verdict not in VERDICTS:
        raise DamagedRow(f"verdict {verdict!r} is unknown")
    return Sample(
        need_int(sid, "id"), need_text(run, "run", empty=False),
        None if step is None else need_int(step, "step", 0),
        need_text(prompt, "prompt", empty=False), need_text(path, "path", empty=False),
        str(verdict), need_text(note, "note"),
    )  # fmt: skip


def samples(project: Project, damage: list[Damage] | None = None) -> list[Sample]:
    """Every readable sample by run, step and prompt; damaged rows are left out (and named in
    ``damage`` when given)."""
    out: list[Sample] = []
    for row in project.read(f"{SAMPLE_SQL} ORDER BY id"):
        try:
            out.append(read_sample_row(row))
        except DamagedRow as err:
            if damage is not None:
                damage.append(Damage("samples", row[0] if type(row[0]) is int else None, str(err)))
    return sorted(out, key=lambda s: (s.run, -1 if s.step is None else s.step, s.prompt, s.id))


def set_verdict(project: Project, sample_id: int, verdict: str, note: str | None = None) -> None:
    """Store a sample's verdict ('' clears it) and, when given, its note."""
    if verdict not in VERDICTS:
        raise SampleError(f"verdict {verdict!r}: use good, bad or nothing")
    with project.transaction() as conn:
        if note is None:
            cur = conn.execute("UPDATE samples SET verdict = ? WHERE id = ?", (verdict, sample_id))
        else:
            cur = conn.execute("UPDATE samples SET verdict = ?, note = ? WHERE id = ?",
                               (verdict, " ".join(note.split()), sample_id))  # fmt: skip
        if cur.rowcount == 0:
            raise SampleError(f"no sample {sample_id}")


def remove_run(project: Project, run: str) -> int:
    """Forget a run's samples (the files stay); returns how many."""
    with project.transaction() as conn:
        return int(conn.execute("DELETE FROM samples WHERE run = ?", (run,)).rowcount)


# -- the grid ------------------------------------------------------------------------------


def strip_trigger(prompt: str, trigger: str) -> str:
    """The prompt without a leading trigger (``anime, a girl`` -> ``a girl``)."""
    t = trigger.strip()
    if not t:
        return prompt.strip()
    m = re.match(rf"^\s*{re.escape(t)}\s*(?:,\s*|\s+|$)", prompt, re.IGNORECASE)
    return prompt[m.end():].strip() if m else prompt.strip()


def with_trigger(prompt: str, trigger: str) -> str:
    """The prompt with the trigger in front, once."""
    base = strip_trigger(prompt, trigger)
    return f"{trigger.strip()}, {base}" if trigger.strip() and base else base or trigger.strip()


def prompt_rows(prompts: Sequence[str], trigger: str) -> list[str]:
    """The grid's rows: each prompt once, the with- and without-trigger versions of a prompt
    next to each other (with first), pairs in the order their first version came."""
    groups: dict[str, list[str]] = {}
    for p in prompts:
        group = groups.setdefault(strip_trigger(p, trigger).casefold(), [])
        if p not in group:
            group.append(p)
    rows: list[str] = []
    for group in groups.values():
        rows.extend(sorted(group, key=lambda p: (strip_trigger(p, trigger) == p.strip(), p)))
    return rows


@dataclass(frozen=True, slots=True)
class Column:
    """A grid column: one run, or one step of a run."""

    run: str
    step: int | None  # None: the run's latest step for each prompt

    @property
    def title(self) -> str:
        return self.run if self.step is None else f"{self.run} \u00b7 step {self.step}"


def grid_columns(found: Sequence[Sample], by_step: bool) -> list[Column]:
    """Columns in run order: one per run, or (``by_step``) one per run and step."""
    if not by_step:
        return [Column(r, None) for r in dict.fromkeys(s.run for s in found)]
    return [Column(r, st) for r, st in dict.fromkeys((s.run, s.step) for s in found)]


def cell(found: Sequence[Sample], prompt: str, column: Column) -> Sample | None:
    """The sample for ``prompt`` in ``column`` (the latest step when the column is a run)."""
    hits = [s for s in found if s.prompt == prompt and s.run == column.run
            and (column.step is None or s.step == column.step)]  # fmt: skip
    return max(hits, key=lambda s: (-1 if s.step is None else s.step, s.id)) if hits else None


# -- trace ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TraceHit:
    """A training clip behind a prompt: its caption as exported and how well it matches."""

    clip_id: int
    score: float
    caption: str
    label: str
    matched: tuple[str, ...]


def trace(project: Project, prompt: str, top: int = 10) -> list[TraceHit]:
    """The project's clips (not rejected) whose export captions best match ``prompt``, best
    first, ranked as ``anicurate find`` ranks an export (trigger left out: every clip has it)."""
    trigger = project.settings().trigger_tag
    query = strip_trigger(prompt, trigger)
    clips = [(c, s) for c, s in project.clips_with_sources() if c.status != ClipStatus.REJECTED]
    captions = [strip_trigger(clip_prompt(project, c.id, trigger=trigger).text, trigger)
                for c, _ in clips]  # fmt: skip
    scored = score_captions(captions, query)
    hits = [TraceHit(c.id, score, cap, c.label(s), matched)
            for (c, s), cap, (score, matched) in zip(clips, captions, scored, strict=True)
            if score > 0]  # fmt: skip
    hits.sort(key=lambda h: (-h.score, h.clip_id))
    return hits[:top]


# -- A/B prompt set ------------------------------------------------------------------------


def ab_prompts(prompts: Sequence[str], trigger: str) -> list[str]:
    """Each prompt with and without the trigger, with first; each once."""
    out: list[str] = []
    for p in prompts:
        for version in (with_trigger(p, trigger), strip_trigger(p, trigger)):
            if version and version not in out:
                out.append(version)
    return out


_VALIDATION_PROMPT = re.compile(r"^(validation_data:[ \t]*\n(?:[ \t]*#.*\n)*)([ \t]+)prompt:.*$",
                                re.MULTILINE)  # fmt: skip


def config_with_prompt(config_text: str, prompt: str) -> str:
    """A trainer config with ``validation_data.prompt`` set to ``prompt`` (the trainer samples
    one prompt per run); SampleError when the config has no such key."""
    new, n = _VALIDATION_PROMPT.subn(
        lambda m: f"{m.group(1)}{m.group(2)}prompt: {json.dumps(prompt, ensure_ascii=False)}",
        config_text, count=1,
    )  # fmt: skip
    if n == 0:
        raise SampleError("the config has no validation_data: prompt: to fill")
    return new


def write_ab_set(out_dir: str | os.PathLike[str], prompts: Sequence[str], trigger: str,
                 config: str | os.PathLike[str] | None = None) -> list[Path]:  # fmt: skip
    """Write ``ab_prompts.txt`` (one prompt a line, pairs together) and, from a trainer
    ``config``, one ``config_ab_NN.yaml`` per prompt with it as ``validation_data.prompt``."""
    items = ab_prompts(prompts, trigger)
    if not items:
        raise SampleError("no prompts to write")
    out = Path(out_dir)
    template = None
    if config is not None:
        try:
            template = Path(config).read_text(encoding="utf-8")
        except OSError as err:
            raise SampleError(f"config {config} cannot be read: {err}") from err
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "ab_prompts.txt"]
        written[0].write_text("".join(p + "\n" for p in items), encoding="utf-8")
        if template is not None:
            for k, prompt in enumerate(items, 1):
                path = out / f"config_ab_{k:02d}.yaml"
                path.write_text(config_with_prompt(template, prompt), encoding="utf-8")
                written.append(path)
    except OSError as err:
        raise SampleError(f"cannot write the prompt set in {out}: {err}") from err
    return written


__all__ = [
    "Column", "ParsedName", "Sample", "SampleError", "SampleImport", "TraceHit", "ab_prompts",
    "cell", "config_with_prompt", "grid_columns", "import_samples", "parse_sample_name",
    "prompt_rows", "remove_run", "samples", "scan_samples", "set_verdict", "strip_trigger",
    "trace", "with_trigger", "write_ab_set",
]
