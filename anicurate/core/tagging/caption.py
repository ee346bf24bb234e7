"""A clip's caption: from its tags alone (the trigger tag first, then the tags in their order),
or, for export, the trigger, sentence and tags through a caption template (core/captions)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from anicurate.core.captions.sentences import clip_sentence
from anicurate.core.captions.template import CaptionTemplate, Prompt, TagItem, compose
from anicurate.core.project.catalogue import Project
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


def clip_tag_items(project: Project, clip_id: int) -> list[TagItem]:
    """A clip's readable tags in caption order, with score and category, for a template."""
    rows = project.read(
        "SELECT tag, score, category FROM tags WHERE clip_id = ? ORDER BY position, id", (clip_id,)
    )
    return [
        TagItem(t, float(s) if isinstance(s, int | float) and math.isfinite(s) else None,
                c if isinstance(c, str) else None)
        for t, s, c in rows
        if isinstance(t, str) and t.strip()
    ]  # fmt: skip


def clip_prompt(
    project: Project,
    clip_id: int,
    template: CaptionTemplate | None = None,
    *,
    frame: int | None = None,
    trigger: str | None = None,
) -> Prompt:
    """The caption an export writes for a clip (at a source ``frame`` for per-frame sentences):
    trigger, sentence and tags through ``template`` within its CLIP token budget."""
    template = template or CaptionTemplate()
    if trigger is None:
        trigger = project.settings().trigger_tag
    sentence = clip_sentence(project, clip_id, frame)
    return compose(template, trigger, sentence, clip_tag_items(project, clip_id))


def clip_prompts(
    project: Project,
    clip_id: int,
    frames: Sequence[int],
    template: CaptionTemplate | None = None,
    *,
    trigger: str | None = None,
) -> list[Prompt]:
    """One caption per start frame (t2v-json windows): each uses the sentence in force there."""
    if trigger is None:
        trigger = project.settings().trigger_tag
    return [clip_prompt(project, clip_id, template, frame=f, trigger=trigger) for f in frames]
