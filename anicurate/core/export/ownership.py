"""Which files in an export folder an export owns, and the lock that keeps two exports apart.

An export writes only into a folder that is missing, empty, or that an export of the same
project made. Its record is the state file (``.anicurate-export.json``): every file it wrote,
with the blake2b hash of the bytes it wrote. A file is the export's to replace or delete only
while it still has those bytes; anything else in the folder is *foreign*:

- a file the record does not name refuses the whole export, before anything is written;
- a recorded file the user edited or replaced since is left as it is and reported (*kept*);
- the project's own sources inside the folder refuse the export.

Tolerated, never read, replaced or deleted: hidden desktop litter (``.DS_Store``, ``Thumbs.db``,
``desktop.ini``, ``._*`` AppleDouble files and the like), empty folders, and folders named
``cache`` or ``precomputed`` (trainers such as musubi-tuner and diffusion-pipe cache latents
there). ``.anicurate-tmp`` is anicurate's own scratch folder, emptied by every run.

Before a file appears under its final name its hash is appended to a journal beside the record,
so a kill between the rename and the next save of the record never turns the export's own file
into a foreign one.

The lock is an OS lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) on
``.anicurate-export.lock``: the OS drops it when the process ends, even by kill -9, so no stale
lock ever needs detecting or breaking; the pid written into the file only names the holder in
the message a second export gets.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from anicurate.core.export.files import (
    STATE_FILE,
    TMP_DIR,
    ExportError,
    file_digest,
    guarding,
    inside,
    write_text_atomic,
)

LOCK_FILE = ".anicurate-export.lock"
#: Hashes of files about to be renamed into place, until the record is next saved.
JOURNAL_FILE = ".anicurate-export.journal"
RECORD_VERSION = 2
#: anicurate's own bookkeeping at the export's root: never foreign, never in the record.
BOOKKEEPING = frozenset({STATE_FILE, LOCK_FILE, JOURNAL_FILE})
#: Files operating systems and file managers drop into folders.
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini", ".directory"})
JUNK_DIRS = frozenset(
    {".Trashes", ".Spotlight-V100", ".fseventsd", ".TemporaryItems", "$RECYCLE.BIN",
     "System Volume Information"}
)  # fmt: skip
#: Folders trainers fill themselves (latent caches); an export never looks inside.
TRAINER_DIRS = frozenset({"cache", "precomputed"})
#: Files a version-1 record did not list but anicurate wrote (adopted once, see Ownership.load).
LEGACY_NAMES = ("manifest.json", "config.yaml", "train.json", "dataset.toml", "training.json")
_SHOWN = 3


def is_junk(name: str) -> bool:
    """Hidden desktop litter a user never means as part of a dataset."""
    return name in JUNK_FILES or name.startswith("._")


def describe_os_error(err: OSError) -> str:
    """One line: the system's words, the errno name and the file, e.g. ``No space left on
    device (ENOSPC): /out/videos/a.mp4``."""
    code = errno.errorcode.get(err.errno or 0, "")
    what = err.strerror or str(err) or type(err).__name__
    where = f": {err.filename}" if err.filename else ""
    return f"{what}{f' ({code})' if code else ''}{where}"


@contextlib.contextmanager
def io_errors(root: Path) -> Iterator[None]:
    """Turn an OSError (full disk, no permission, read-only file system) into an ExportError."""
    try:
        yield
    except OSError as err:
        raise ExportError(
            f"export into {root} stopped: {describe_os_error(err)}; finished files are kept "
            "and exporting again resumes"
        ) from err


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:_SHOWN])
    return shown + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")


def fresh_subfolder(root: Path, target: str) -> Path:
    """A folder name inside ``root`` that does not exist yet, to suggest to the user."""
    base = root / f"anicurate-{target}"
    candidate, n = base, 2
    while candidate.exists():
        candidate, n = Path(f"{base}-{n}"), n + 1
    return candidate


class FolderLock:
    """An exclusive, non-blocking OS lock on the export folder's lock file (see module doc)."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError as err:
            holder = _read_pid(fd)
            os.close(fd)
            if err.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
                raise
            who = f" (process {holder})" if holder else ""
            raise ExportError(
                f"another export is writing into {self.path.parent}{who}: wait for it to end, "
                "or export into another folder"
            ) from err
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_pid(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        return str(int(os.read(fd, 32).decode().strip()))
    return ""


class Ownership:
    """The files an export folder's record says anicurate wrote, and the checks built on it.

    Thread-safe: render workers rename clips into place while the main thread writes captions.
    """

    def __init__(self, root: Path, project: str | None, owned: dict[str, str]) -> None:
        self.root = root.resolve()
        self.project = project  # the project whose export this is (None: none yet, or v1)
        self.owned = owned  # relative path -> hash of the bytes anicurate wrote there
        self.accepted: dict[str, set[str]] = {rel: {h} for rel, h in owned.items()}
        self.pending: dict[str, set[str]] = {}
        self.kept: list[str] = []  # recorded files changed since: left as they are
        self._lock = threading.RLock()

    @classmethod
    def load(cls, root: Path) -> Ownership:
        """The record of ``root`` (empty when there is none or it cannot be read), plus the
        hashes a killed export journaled; a version-1 record's files are adopted as they are."""
        root = root.resolve()
        try:
            data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict):
            data = {}
        project = data.get("project") if isinstance(data.get("project"), str) else None
        owned_data = data.get("owned")
        owned: dict[str, str] = {}
        if isinstance(owned_data, dict):
            owned = {str(k): str(v) for k, v in owned_data.items()}
        elif data.get("version") == 1 and isinstance(data.get("files"), dict):
            owned = _adopt_v1(root, data["files"])
        owner = cls(root, project, owned)
        with contextlib.suppress(OSError):
            for line in (root / JOURNAL_FILE).read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(ValueError, TypeError):
                    rel, digest = json.loads(line)
                    owner.accepted.setdefault(str(rel), set()).add(str(digest))
        return owner

    # -- what is in the folder --------------------------------------------------------------

    def foreign(self) -> list[str]:
        """Paths (relative, ``/``-separated) in the folder that no export recorded."""
        if not self.root.is_dir():
            return []
        found: list[str] = []

        def fail(err: OSError) -> None:
            raise err

        for dirpath, dirnames, filenames in os.walk(self.root, onerror=fail):
            here = Path(dirpath)
            rel_dir = here.relative_to(self.root)
            keep = []
            for name in dirnames:
                rel = (rel_dir / name).as_posix()
                if rel == TMP_DIR or name in JUNK_DIRS or name in TRAINER_DIRS:
                    continue
                if (here / name).is_symlink():
                    found.append(rel)  # never followed: it could lead anywhere
                else:
                    keep.append(name)
            dirnames[:] = keep
            for name in filenames:
                rel = (rel_dir / name).as_posix()
                if rel in BOOKKEEPING or is_junk(name) or rel in self.accepted:
                    continue
                found.append(rel)
        return sorted(found)

    def check(self, project_path: str, sources: Iterable[str], target: str) -> None:
        """ExportError unless this project may export into the folder (see module doc)."""
        if not self.root.is_dir():
            return
        suggestion = fresh_subfolder(self.root, target)
        inside_sources = sorted(
            Path(os.path.realpath(s)).relative_to(self.root).as_posix()
            for s in set(sources)
            if Path(os.path.realpath(s)).is_relative_to(self.root)
        )
        if inside_sources:
            raise ExportError(
                f"{self.root} holds {_count(inside_sources, 'source')} of this project "
                f"({_names(inside_sources)}): an export never writes where its sources are; "
                f"export into a fresh subfolder instead, e.g. {suggestion}"
            )
        foreign = self.foreign()
        if foreign:
            raise ExportError(
                f"{self.root} holds {_count(foreign, 'file')} that anicurate did not write "
                f"({_names(foreign)}): an export never overwrites or deletes them; export into "
                f"a fresh subfolder instead, e.g. {suggestion}"
            )
        other = self.project
        if (
            other is not None
            and os.path.realpath(other) != os.path.realpath(project_path)
            and any(os.path.lexists(self.root / rel) for rel in self.owned)
        ):
            raise ExportError(
                f"{self.root} holds an export of another project ({other}); export this "
                f"one into a fresh subfolder instead, e.g. {suggestion}"
            )

    # -- the Guard protocol (files.py) --------------------------------------------------------

    def admit(self, relative: str, final: Path, *, report: bool = True) -> bool:
        """True when ``final`` is absent or still holds bytes this export wrote there."""
        if relative in BOOKKEEPING or not os.path.lexists(final):
            return True
        with self._lock:
            accepted = self.accepted.get(relative)
        ours = (
            accepted is not None
            and not final.is_symlink()
            and final.is_file()
            and file_digest(final) in accepted
        )
        if not ours and report:
            with self._lock:
                if relative not in self.kept:
                    self.kept.append(relative)
        return ours

    def intend(self, relative: str, digest: str) -> None:
        """Journal ``digest`` before the file appears under its final name."""
        if relative in BOOKKEEPING:
            return
        with self._lock:
            self.pending.setdefault(relative, set()).add(digest)
            self.accepted.setdefault(relative, set()).add(digest)
            with open(self.root / JOURNAL_FILE, "a", encoding="utf-8") as f:
                f.write(json.dumps([relative, digest]) + "\n")

    def wrote(self, relative: str, digest: str) -> None:
        """Record that ``relative`` now holds the bytes of ``digest``."""
        if relative in BOOKKEEPING:
            return
        with self._lock:
            self.owned[relative] = digest
            pending = self.pending.get(relative, set())
            pending.discard(digest)
            if not pending:
                self.pending.pop(relative, None)
            self.accepted[relative] = {digest, *pending}

    # -- removing and saving ----------------------------------------------------------------

    def remove(self, relative: str) -> None:
        """Delete a file an earlier run wrote, unless it changed since (then it is kept)."""
        try:
            final = inside(self.root, relative)
        except ExportError:
            return
        if not os.path.lexists(final):
            with self._lock:
                self.owned.pop(relative, None)
                self.accepted.pop(relative, None)
        elif self.admit(relative, final):
            final.unlink()
            with self._lock:
                self.owned.pop(relative, None)
                self.accepted.pop(relative, None)
        # A changed file stays in the record, so it never counts as foreign: it is only kept.

    def save(self, files: dict[str, dict[str, Any]]) -> None:
        """Write the record (the rendered files' fingerprints and every owned file's hash)."""
        with self._lock:
            data = {
                "version": RECORD_VERSION,
                "project": self.project,
                "files": files,
                "owned": dict(sorted(self.owned.items())),
            }
            # No indent: only then does json use its C encoder (~5x faster on 10,000 files).
            text = json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"
            write_text_atomic(self.root, STATE_FILE, text)
            journal = self.root / JOURNAL_FILE
            if self.pending:  # renames in flight in other threads stay journaled
                lines = [json.dumps([r, d]) for r, ds in self.pending.items() for d in sorted(ds)]
                journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
            else:
                journal.unlink(missing_ok=True)


def _count(paths: list[str], noun: str) -> str:
    return f"{len(paths)} {noun}" if len(paths) == 1 else f"{len(paths)} {noun}s"


def _adopt_v1(root: Path, files: dict[str, Any]) -> dict[str, str]:
    """A version-1 record listed only media: adopt them by their recorded hash, and the
    captions beside them and the index and config files at the root as they are now."""
    owned: dict[str, str] = {}
    candidates = list(LEGACY_NAMES)
    for media, entry in files.items():
        if isinstance(entry, dict) and entry.get("hash"):
            owned[str(media)] = str(entry["hash"])
        candidates.append(Path(str(media)).with_suffix(".txt").as_posix())
    for rel in candidates:
        path = root / rel
        if rel not in owned and path.is_file() and not path.is_symlink():
            owned[rel] = file_digest(path)
    return owned


def check_out_dir(root: Path, project_path: str, sources: Iterable[str], target: str) -> None:
    """Refuse, before planning further, an export folder this project may not write into."""
    with io_errors(root):
        Ownership.load(root).check(project_path, sources, target)


@contextlib.contextmanager
def open_export(
    root: Path, project_path: str, sources: Iterable[str], target: str
) -> Iterator[Ownership]:
    """Make the folder, lock it, check it and guard every write into it while the block runs.

    OSErrors inside (a full disk, no permission, a read-only file system) become ExportErrors.
    """
    with io_errors(root):
        root.mkdir(parents=True, exist_ok=True)
        with FolderLock(root):
            owner = Ownership.load(root)
            owner.check(project_path, sources, target)
            owner.project = project_path
            with guarding(root, owner):
                yield owner
