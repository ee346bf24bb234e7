"""Import sentence captions from caption files into a project's clips.

A caption names a media file; it goes to the project's source with that path, else the one
with that file name (or stem, for ``.txt`` sidecars), else the one whose content hash equals
the named file's. A caption with a ``frame_index`` goes to the clip holding that frame; one
without goes to every clip of the source. What did not match is reported, never guessed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from anicurate.core.captions.readers import CaptionRecord, caption_files, read_caption_file
from anicurate.core.captions.sentences import CaptionError, store_sentences
from anicurate.core.project.catalogue import Project, Source
from anicurate.core.project.hashing import hash_file


@dataclass(slots=True)
class ImportReport:
    """What an import did: captions read and stored, and those that found no clip."""

    files: int = 0
    captions: int = 0
    clips: int = 0  # clips whose imported sentences changed
    by_match: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (media named, why)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (caption file, message)

    def summary_lines(self) -> list[str]:
        ways = ", ".join(f"{n} by {k}" for k, n in sorted(self.by_match.items())) or "none"
        return [
            f"{self.captions} captions in {self.files} files; {self.clips} clips captioned "
            f"(matched {ways}); {len(self.unmatched)} unmatched, {len(self.errors)} unreadable"
        ]


def _key(path: str) -> str:
    return os.path.normcase(os.path.normpath(path))


class _Matcher:
    """Finds a project source for the media a caption names."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.sources = [s for s in project.sources()]
        self.by_path = {_key(s.path): s for s in self.sources}
        self.by_name: dict[str, list[Source]] = defaultdict(list)
        self.by_stem: dict[str, list[Source]] = defaultdict(list)
        for s in self.sources:
            self.by_name[Path(s.path).name.lower()].append(s)
            self.by_stem[_key(str(Path(s.path).with_suffix("")))].append(s)
            self.by_stem[Path(s.path).stem.lower()].append(s)

    def match(self, record: CaptionRecord) -> tuple[Source | None, str]:
        """(source, how) or (None, why not)."""
        named = record.file
        base = Path(record.origin).parent if record.origin else Path.cwd()
        candidates = [Path(named)] if os.path.isabs(named) else [base / named, Path(named)]
        if record.origin.lower().endswith(".txt"):  # a sidecar names its media by stem
            found = self.by_stem.get(_key(str(Path(record.origin).with_suffix("")))) or []
            if len(found) == 1:
                return found[0], "path"
            found = self.by_stem.get(Path(named).name.lower()) or []
            if len(found) == 1:
                return found[0], "file name"
            return None, "no source with this stem" if not found else "several sources share it"
        for c in candidates:
            src = self.by_path.get(_key(str(c.resolve()) if c.exists() else str(c)))
            if src is not None:
                return src, "path"
        found = self.by_name.get(Path(named.replace("\\", "/")).name.lower()) or []
        if len(found) == 1:
            return found[0], "file name"
        for c in candidates:
            if c.is_file():
                try:
                    same = self.project.sources_with_hash(hash_file(c))
                except OSError:
                    continue
                if same:
                    return same[0], "content hash"
        return None, "several sources have this name" if found else "no source matches"


def import_captions(project: Project, path: Path) -> ImportReport:
    """Read every caption file at ``path`` (a file or a folder) into imported sentences; one
    undoable edit. Unreadable files and unmatched captions are reported, the rest imported."""
    report = ImportReport()
    records: list[CaptionRecord] = []
    for file in caption_files(Path(path)):
        try:
            found = read_caption_file(file)
        except CaptionError as err:
            report.errors.append((str(file), str(err)))
            continue
        report.files += 1
        records.extend(found)
    report.captions = len(records)
    matcher = _Matcher(project)
    clips = {s.id: project.clips(s.id) for s in matcher.sources}
    entries: list[tuple[int, int | None, str]] = []
    for record in records:
        source, how = matcher.match(record)
        if source is None:
            report.unmatched.append((record.file, how))
            continue
        targets: list[tuple[int, int | None]]
        if record.frame is None:
            targets = [(c.id, None) for c in clips[source.id]]
        else:
            targets = [(c.id, record.frame) for c in clips[source.id]
                       if c.first_frame <= record.frame <= c.last_frame]  # fmt: skip
        if not targets:
            where = "" if record.frame is None else f" at frame {record.frame}"
            report.unmatched.append((record.file, f"no clip of {source.path}{where}"))
            continue
        report.by_match[how] += 1
        entries.extend((cid, frame, record.text) for cid, frame in targets)
    detail = str(path)
    report.clips = store_sentences(project, entries, "imported", detail, "Import captions")
    return report
