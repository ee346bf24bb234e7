"""CLIP's BPE on the shipped vocabulary: equal to OpenCLIP's SimpleTokenizer (reference ids
derived from it, ftfy and regex included), and the 75-token budget of caption templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anicurate.core.captions.template import CaptionTemplate, TagItem, compose
from anicurate.core.captions.tokens import BUDGET, count_tokens, tokenizer

REFERENCE = json.loads((Path(__file__).parent / "data" / "clip_reference.json").read_text("utf-8"))


@pytest.mark.parametrize("case", REFERENCE, ids=lambda c: c["text"][:24])
def test_token_ids_equal_openclip(case: dict[str, object]) -> None:
    assert tokenizer().encode(str(case["text"])) == case["ids"]


def test_known_counts() -> None:
    assert count_tokens("anime, 1girl, solo, long hair, smile, open mouth") == 14
    assert count_tokens("") == 0
    assert BUDGET == 75


def test_tags_give_way_from_the_lowest_score() -> None:
    tags = [TagItem(f"tag_{i:02d}_word", 1 - i / 100, "general") for i in range(40)]
    tags.insert(3, TagItem("person_added", None, "general"))
    prompt = compose(CaptionTemplate(), "anime", "a girl walks in the rain", tags)
    assert prompt.tokens <= 75 and prompt.trimmed and not prompt.sentence_too_long
    assert prompt.text.startswith("anime, a girl walks in the rain, tag_00_word")
    assert "person_added" in prompt.tags  # a person's tag outranks every scored one
    assert prompt.dropped[0] == "tag_39_word"
    kept = [int(t[4:6]) for t in prompt.tags if t.startswith("tag_")]
    assert kept == list(range(len(kept)))  # the highest scores stay, in caption order
    assert count_tokens(prompt.text) == prompt.tokens


def test_a_sentence_over_the_budget_is_reported_never_cut() -> None:
    sentence = " ".join(["word"] * 80)
    prompt = compose(CaptionTemplate(), "anime", sentence, [TagItem("1girl", 0.9)])
    assert prompt.sentence_too_long and prompt.text == f"anime, {sentence}"
    assert prompt.dropped == ("1girl",) and prompt.tokens == 82


def test_template_options() -> None:
    tags = [TagItem("hatsune_miku", 0.95, "character"), TagItem("long_hair", 0.6, "general"),
            TagItem("smile", 0.4, "general"), TagItem("anime", 0.9, "general")]  # fmt: skip
    plain = compose(CaptionTemplate(), "anime", "", tags)
    assert plain.text == "anime, hatsune_miku, long_hair, smile"
    general = compose(
        CaptionTemplate(general_only=True, underscores_to_spaces=True), "anime", "", tags
    )
    assert general.text == "anime, long hair, smile"
    top1 = compose(CaptionTemplate(character_tags=False, max_tags=1), "", "she waves", tags)
    assert top1.text == "she waves, anime"  # no trigger here: the tag "anime" stays
    custom = compose(CaptionTemplate(pattern="{sentence}. {tags}"), "anime", "She waves", tags[:1])
    assert custom.text == "She waves. hatsune_miku"
