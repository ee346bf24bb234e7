"""The clip list as the browser shows it: one row per clip (with its source, stored analysis and
tags) and one per source that failed to import, read with a fixed number of queries.

This read model joins the catalogue, the analysis results and the tags, so it sits above
``core.project`` and ``core.analysis`` (analysis already imports the project; a module inside
``core.project`` that read analysis results would turn that into a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anicurate.core.analysis.flags import Flag
from anicurate.core.analysis.store import ClipResult, load_results
from anicurate.core.project.catalogue import Clip, Project, Source
from anicurate.core.project.rows import Damage

#: The status of a row whose source failed (there is no clip to accept or reject).
ERROR_STATUS = "error"


@dataclass(frozen=True, slots=True)
class ClipRow:
    """One browser item: a clip with its source, or a source that failed (then ``clip`` is None)."""

    source: Source
    clip: Clip | None
    result: ClipResult | None = None  # stored metrics and flags (None: not analysed yet)
    tags: str = ""  # the clip's tags, space-separated, for the text filter
    sentences: str = ""  # the clip's sentence captions, one a line, for the text filter

    @property
    def flags(self) -> list[Flag]:
        """The clip's stored flags (none before analysis)."""
        return list(self.result.flags) if self.result is not None else []

    @property
    def key(self) -> tuple[str, int]:
        """Identity across refreshes: the clip id, or the source id for a failed source."""
        return ("clip", self.clip.id) if self.clip is not None else ("source", self.source.id)

    @property
    def name(self) -> str:
        """The file name, plus the frame range when the clip is only part of its source."""
        if self.clip is None:
            return Path(self.source.path).name
        return self.clip.label(self.source)

    @property
    def error(self) -> str | None:
        """The stored one-line error (its message, else its kind), or None for a usable source."""
        kind, message = self.source.error_kind, self.source.error
        if kind is None and message is None:
            return None
        return (message or "").strip() or (kind or "") or "error"

    @property
    def status(self) -> str:
        """The clip's review status, or ERROR_STATUS for a failed source."""
        if self.error is not None or self.clip is None:
            return ERROR_STATUS
        return str(self.clip.status.value)

    @property
    def frame_count(self) -> int | None:
        """Frames in the clip (the source's count for a failed row that has one)."""
        if self.clip is not None:
            return self.clip.last_frame - self.clip.first_frame + 1
        return self.source.info.frame_count if self.source.info else None

    @property
    def duration(self) -> float | None:
        """Seconds covered by the clip (the source's duration scaled by the frame share)."""
        info = self.source.info
        n = self.frame_count
        if info is None or n is None or info.frame_count <= 0:
            return None
        return info.duration * n / info.frame_count


@dataclass(frozen=True, slots=True)
class Listing:
    """What the browser shows: its rows, and for the Problems list the failed and damaged
    sources (``project.errors()``) and the other damaged rows (``project.damage()``)."""

    rows: list[ClipRow]
    errors: list[Source]
    damage: list[Damage]


def read_listing(project: Project) -> Listing:
    """The browser's rows and problems from one scan of the catalogue (see ``Project.scan``)
    and a query each for results, tags and sentences."""
    with project.snapshot():  # rows, results and tags as of one moment (an import may run)
        scan = project.scan()
        results = load_results(project)
        tags = clip_tag_text(project)
        sentences = clip_sentence_text(project)
    rows = [
        ClipRow(source, clip, results.get(clip.id), tags.get(clip.id, ""),
                sentences.get(clip.id, ""))
        for clip, source in scan.clips
    ]
    with_clip = {row.source.id for row in rows}
    failed = sorted(scan.errors, key=lambda s: s.path)  # a damaged row's path is a stand-in
    rows.extend(ClipRow(s, None) for s in failed if s.id not in with_clip)
    return Listing(rows, scan.errors, scan.damage)


def list_clips(project: Project) -> list[ClipRow]:
    """Clips in the catalogue's order, then failed sources without a clip, by path."""
    return read_listing(project).rows


def clip_tag_text(project: Project) -> dict[int, str]:
    """Every clip's tags as one space-separated string (one query for the whole project)."""
    rows = project.connection.execute(
        "SELECT clip_id, group_concat(tag, ' ') FROM tags GROUP BY clip_id"
    )
    return {int(cid): str(text) for cid, text in rows}


def clip_sentence_text(project: Project) -> dict[int, str]:
    """Every clip's sentences (a person's, imported, machine), one a line, in one query."""
    rows = project.connection.execute(
        "SELECT clip_id, group_concat(text, char(10)) FROM sentences"
        " WHERE typeof(text) = 'text' GROUP BY clip_id"
    )
    return {int(cid): str(text) for cid, text in rows if type(cid) is int}
