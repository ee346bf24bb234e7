"""A clip's caption from its tags: the trigger tag first, then the tags in their order."""

from __future__ import annotations

from collections.abc import Iterable

from anicurate.core.tagging.vocabulary import normalise

SEPARATOR = ", "


def build_caption(tags: Iterable[str], trigger: str = "", *, escape_parens: bool = False) -> str:
    """``anime, 1girl, smile``: trigger first, each tag once (compared as normalised), in order.

    ``escape_parens`` writes ``(`` as ``\\(`` as the Space does for Stable Diffusion prompts,
    where parentheses mean emphasis; trainers that read captions as plain text do not need it.
    """
    out: list[str] = []
    seen: set[str] = set()
    for tag in [trigger, *tags]:
        tag = tag.strip()
        key = normalise(tag)
        if not tag or key in seen:
            continue
        seen.add(key)
        if escape_parens:
            tag = tag.replace("(", "\\(").replace(")", "\\)")
        out.append(tag)
    return SEPARATOR.join(out)
