"""Caption templates: how the trigger, a sentence and tags become one prompt, within the CLIP
token budget (tags give way from the lowest score up; the trigger and the sentence never do)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from anicurate.core.captions.tokens import BUDGET, count_tokens
from anicurate.core.errors import AnicurateError

DEFAULT_PATTERN = "{trigger}, {sentence}, {tags}"
FIELDS = ("trigger", "sentence", "tags")
SEPARATOR = ", "


class TemplateError(AnicurateError):
    """A caption template that names an unknown field or is not a valid pattern."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptionTemplate:
    """What an export writes as each clip's caption; saved with the export's options."""

    pattern: str = DEFAULT_PATTERN
    general_only: bool = False  # only WD14 "general" tags, as WaifuTaggerForVideo writes
    character_tags: bool = True  # character tags (unused when general_only)
    max_tags: int | None = None  # keep the highest-scored this many
    underscores_to_spaces: bool = False
    token_budget: int | None = BUDGET  # None: no trimming

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptionTemplate:
        """A template from saved options; unknown keys are ignored, bad ones raise."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        template = cls(**known)
        check_pattern(template.pattern)
        return template


@dataclass(frozen=True, slots=True)
class TagItem:
    """A tag as the template sees it: its name, score (None: a person's) and category."""

    name: str
    score: float | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """A composed caption and what the budget did to it."""

    text: str
    tokens: int
    tags: tuple[str, ...]  # the tags written, in caption order
    dropped: tuple[str, ...] = ()  # tags left out to fit the budget, lowest score first
    sentence_too_long: bool = False  # trigger + sentence alone are over the budget
    budget: int | None = BUDGET

    @property
    def trimmed(self) -> bool:
        return bool(self.dropped)

    @property
    def label(self) -> str:
        """``42/75 tokens`` for the caption preview."""
        return f"{self.tokens}/{self.budget} tokens" if self.budget else f"{self.tokens} tokens"


def check_pattern(pattern: str) -> None:
    """Raise TemplateError unless ``pattern`` only names {trigger}, {sentence} and {tags}."""
    # Unknown names first: format() would only say KeyError('caption').
    names = {m.group(1) for m in re.finditer(r"(?<!\{)\{([^{}]*)\}", pattern)}
    unknown = names - set(FIELDS)
    if unknown:
        raise TemplateError(
            f"caption template {pattern!r} names "
            f"{', '.join('{' + n + '}' for n in sorted(unknown))}; "
            f"use {{trigger}}, {{sentence}} and {{tags}}"
        )
    try:
        pattern.format(trigger="", sentence="", tags="")
    except (ValueError, IndexError, KeyError) as err:
        raise TemplateError(f"caption template {pattern!r}: {err}") from err


def _norm(tag: str) -> str:
    return " ".join(tag.replace("_", " ").lower().split())


def select_tags(template: CaptionTemplate, tags: Sequence[TagItem], trigger: str = ""
                ) -> list[TagItem]:  # fmt: skip
    """The tags the template writes, in caption order: by category, without the trigger or
    repeats, at most ``max_tags`` of the highest scores."""
    seen = {_norm(trigger)} if trigger.strip() else set()
    out: list[TagItem] = []
    for tag in tags:
        key = _norm(tag.name)
        if not key or key in seen:
            continue
        if template.general_only and tag.category not in (None, "general"):
            continue
        if not template.character_tags and tag.category == "character":
            continue
        seen.add(key)
        out.append(tag)
    if template.max_tags is not None and len(out) > template.max_tags:
        keep = {id(t) for t in sorted(out, key=_keep_order)[: max(0, template.max_tags)]}
        out = [t for t in out if id(t) in keep]
    return out


def _keep_order(tag: TagItem) -> float:
    """Higher first; a person's tag (no score) counts as sure."""
    return -(2.0 if tag.score is None else tag.score)


def _fill(template: CaptionTemplate, trigger: str, sentence: str, tags: Sequence[str]) -> str:
    """The pattern with empty fields and their separators removed: ``anime, 1girl`` when there
    is no sentence, never ``anime, , 1girl``."""
    values = {"trigger": trigger.strip(), "sentence": sentence.strip(),
              "tags": SEPARATOR.join(tags)}  # fmt: skip
    text = template.pattern.format(**values)
    text = re.sub(r"\s*,(\s*,)+", ",", text)  # separators left by empty fields
    text = re.sub(r"^[\s,]+|[\s,]+$", "", text)
    return " ".join(text.split())


def compose(
    template: CaptionTemplate,
    trigger: str,
    sentence: str,
    tags: Sequence[TagItem],
    count: Callable[[str], int] = count_tokens,
) -> Prompt:
    """The caption for one clip under ``template`` and its token budget."""
    chosen = select_tags(template, tags, trigger)

    def name(t: TagItem) -> str:
        return t.name.replace("_", " ") if template.underscores_to_spaces else t.name

    names = [name(t) for t in chosen]
    text = _fill(template, trigger, sentence, names)
    tokens = count(text)
    budget = template.token_budget
    if budget is None or tokens <= budget:
        return Prompt(text, tokens, tuple(names), budget=budget)
    bare = _fill(template, trigger, sentence, [])
    if count(bare) > budget:
        return Prompt(bare, count(bare), (), tuple(names), sentence_too_long=True, budget=budget)
    # Drop from the lowest score up; keep the caption order of those that stay.
    drop_order = sorted(range(len(chosen)), key=lambda i: (-_keep_order(chosen[i]), -i))
    kept = set(range(len(chosen)))
    dropped: list[str] = []
    for i in drop_order:
        kept.discard(i)
        dropped.append(names[i])
        text = _fill(template, trigger, sentence, [names[k] for k in sorted(kept)])
        tokens = count(text)
        if tokens <= budget:
            break
    return Prompt(text, tokens, tuple(names[k] for k in sorted(kept)), tuple(dropped),
                  budget=budget)  # fmt: skip


@dataclass(slots=True)
class BudgetReport:
    """What the budget did over an export: clips trimmed, clips whose sentence is too long."""

    trimmed: set[int] = field(default_factory=set)
    too_long: set[int] = field(default_factory=set)

    def add(self, clip_id: int, prompt: Prompt) -> None:
        if prompt.trimmed:
            self.trimmed.add(clip_id)
        if prompt.sentence_too_long:
            self.too_long.add(clip_id)

    def warnings(self, budget: int | None = BUDGET) -> list[str]:
        """Lines for the export preview."""
        lines = []
        if self.trimmed:
            n = len(self.trimmed)
            lines.append(f"{n} clip{'s' if n != 1 else ''} over {budget} CLIP tokens: "
                         "lowest-scored tags left out")  # fmt: skip
        if self.too_long:
            ids = ", ".join(str(i) for i in sorted(self.too_long)[:10])
            lines.append(f"{len(self.too_long)} clip(s) whose trigger and sentence alone are over "
                         f"{budget} CLIP tokens (the trainer cuts them): clip {ids}")  # fmt: skip
        return lines
