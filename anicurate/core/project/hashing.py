"""Content hashes of source files: they recognise a moved file and a copy of an imported one."""

from __future__ import annotations

import hashlib
from pathlib import Path

HASH_CHUNK = 1 << 20  # 1 MiB: big enough for throughput, small enough for a multi-GB video


def hash_file(path: Path, chunk_size: int = HASH_CHUNK) -> str:
    """blake2b-256 of the file's bytes as hex, read in chunks into one reused buffer.

    Opens the file read-only; raises OSError (FileNotFoundError, PermissionError ...) as is.
    """
    digest = hashlib.blake2b(digest_size=32)
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()
