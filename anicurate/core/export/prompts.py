"""The captions an export writes: each clip's trigger, sentence and tags through the export's
caption template within the CLIP token budget, and what the budget did, for the preview."""

from __future__ import annotations

from collections.abc import Sequence

from anicurate.core.captions.sentences import clip_sentences
from anicurate.core.captions.template import BudgetReport, CaptionTemplate
from anicurate.core.project.catalogue import Project
from anicurate.core.tagging.caption import clip_prompt


class PromptMaker:
    """Composes the captions of one export and counts the clips the budget trimmed."""

    def __init__(self, project: Project, template: CaptionTemplate) -> None:
        self.project = project
        self.template = template
        self.trigger = project.settings().trigger_tag
        self.report = BudgetReport()

    def clip(self, clip_id: int) -> tuple[str, tuple[str, ...]]:
        """The clip's caption and the tags it holds."""
        prompt = clip_prompt(self.project, clip_id, self.template, trigger=self.trigger)
        self.report.add(clip_id, prompt)
        return prompt.text, prompt.tags

    def windows(self, clip_id: int, starts: Sequence[int]) -> tuple[str, ...]:
        """Per-window captions for t2v-json when the clip has sentences per start frame
        (Video-BLIP2-Preprocessor's frame_index prompts); () when one caption serves all."""
        if len([s for s in clip_sentences(self.project, clip_id) if s.frame is not None]) < 2:
            return ()
        out = []
        for frame in starts:
            prompt = clip_prompt(self.project, clip_id, self.template, frame=frame,
                                 trigger=self.trigger)  # fmt: skip
            self.report.add(clip_id, prompt)
            out.append(prompt.text)
        return tuple(out)

    def warnings(self) -> list[str]:
        return self.report.warnings(self.template.token_budget)
