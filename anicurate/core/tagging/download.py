"""Fetch a SmilingWolf tagger into the Hugging Face cache, when huggingface_hub is installed.

huggingface_hub stays optional: without it, or offline, the error says what to do instead.
"""

from __future__ import annotations

from pathlib import Path

from anicurate.core.tagging.discovery import MODEL_FILE, TAGS_FILE
from anicurate.core.tagging.errors import TaggerUnavailable

# Known repositories (models/README.md): dataset v3 take any batch; v2 exports take one image.
KNOWN_TAGGERS: tuple[str, ...] = (
    "SmilingWolf/wd-swinv2-tagger-v3",
    "SmilingWolf/wd-convnext-tagger-v3",
    "SmilingWolf/wd-vit-tagger-v3",
    "SmilingWolf/wd-vit-large-tagger-v3",
    "SmilingWolf/wd-eva02-large-tagger-v3",
    "SmilingWolf/wd-v1-4-moat-tagger-v2",
    "SmilingWolf/wd-v1-4-swinv2-tagger-v2",
    "SmilingWolf/wd-v1-4-convnext-tagger-v2",
    "SmilingWolf/wd-v1-4-convnextv2-tagger-v2",
    "SmilingWolf/wd-v1-4-vit-tagger-v2",
)

_OFFLINE_ERRORS = {
    "LocalEntryNotFoundError", "OfflineModeIsEnabled", "ConnectionError", "ConnectTimeout",
    "ReadTimeout", "Timeout", "ConnectError", "MaxRetryError", "NameResolutionError",
}  # fmt: skip


def download_tagger(repo: str, cache_dir: Path | None = None) -> Path:
    """Download ``model.onnx`` and ``selected_tags.csv`` of ``repo``; returns the snapshot folder.

    Raises TaggerUnavailable when huggingface_hub is missing, the hub cannot be reached, or the
    repository does not exist.
    """
    try:
        import huggingface_hub
    except ImportError as e:
        raise TaggerUnavailable(
            "downloading a tagger needs huggingface_hub (pip install huggingface_hub); or put"
            f" {MODEL_FILE} and {TAGS_FILE} from https://huggingface.co/{repo} in a models"
            " folder (see models/README.md)"
        ) from e
    try:
        paths = [
            huggingface_hub.hf_hub_download(
                repo, name, cache_dir=str(cache_dir) if cache_dir else None
            )
            for name in (TAGS_FILE, MODEL_FILE)
        ]
    except Exception as e:  # huggingface_hub and requests/httpx raise many types
        names = {type(x).__name__ for x in _chain(e)}
        if names & _OFFLINE_ERRORS:
            raise TaggerUnavailable(
                f"cannot reach huggingface.co to download {repo} (offline?); download"
                f" {MODEL_FILE} and {TAGS_FILE} elsewhere and put them in a models folder"
            ) from e
        if names & {"RepositoryNotFoundError", "EntryNotFoundError", "RevisionNotFoundError"}:
            raise TaggerUnavailable(f"{repo} has no {MODEL_FILE}/{TAGS_FILE} on the hub") from e
        raise TaggerUnavailable(f"downloading {repo} failed: {e}") from e
    return Path(paths[0]).parent


def _chain(e: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = e
    while cur is not None and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out
