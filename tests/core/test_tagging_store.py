"""Tags in the catalogue: migration v3, a person's edits win over re-tagging, ordering, find and
replace across clips, captions with the trigger first, frequencies and coverage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from anicurate.core.project import SCHEMA_VERSION, ClipStatus, Project
from anicurate.core.project.schema import MIGRATIONS, migrate
from anicurate.core.tagging import store
from anicurate.core.tagging.merge import ScoredTag, TagResult


def result(*tags: tuple[str, float], character: tuple[str, ...] = ()) -> TagResult:
    return TagResult(
        tuple(ScoredTag(n, s, "character" if n in character else "general") for n, s in tags),
        {"general": 0.9, "sensitive": 0.1},
    )


def make_project(path: Path, clips: int, trigger: str = "anime") -> Project:
    project = Project.open(path, create=True)
    project.set_settings(
        type(project.settings())(**{**project.settings().to_dict(), "trigger_tag": trigger})
    )
    with project.transaction() as conn:
        for i in range(clips):
            conn.execute(
                "INSERT INTO sources (id, path, size, mtime, hash, added_at)"
                " VALUES (?, ?, 1, 0, ?, 0)",
                (i + 1, f"/media/{i}.mp4", f"h{i}"),
            )
            conn.execute(
                "INSERT INTO clips (id, source_id, first_frame, last_frame, created_at,"
                " updated_at) VALUES (?, ?, 0, 9, 0, 0)",
                (i + 1, i + 1),
            )
    return project


def auto(project: Project, clip_id: int, res: TagResult, fp: str = "fp") -> None:
    store.store_auto_tags(
        project, clip_id, res, fingerprint=fp, model="tiny", provider="CPU", frames=[1, 5]
    )


def rows(project: Project, clip_id: int) -> list[tuple[str, float | None, str]]:
    return [(t.tag, t.score, t.origin) for t in store.clip_tags(project, clip_id)]


def test_migration_3_keeps_version_2_tags_and_adds_the_tagging_tables(tmp_path: Path) -> None:
    path = tmp_path / "v2.anicurate"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:2])
    conn.executescript(
        "INSERT INTO sources (id, path, size, mtime, hash, added_at) VALUES (1, '/a.mp4', 1, 0,"
        " 'h', 0);"
        " INSERT INTO clips (id, source_id, first_frame, last_frame, created_at, updated_at)"
        " VALUES (1, 1, 0, 9, 0, 0);"
        " INSERT INTO tags (clip_id, tag, score, origin) VALUES (1, 'smile', 0.9, 'auto'),"
        " (1, 'waving', NULL, 'manual');"
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION >= 3
        assert [(t.tag, t.score, t.origin, t.category, t.position)
                for t in store.clip_tags(project, 1)] == [
            ("smile", 0.9, "auto", None, 0), ("waving", None, "manual", None, 0)
        ]  # fmt: skip
        assert store.stored_fingerprints(project) == {}
        assert store.tagging_record(project, 1) is None
        store.remove_tag(project, 1, "smile")  # the new tables work
        assert rows(project, 1) == [("waving", None, "manual")]


def test_auto_tags_stored_with_scores_category_rating_and_caption(tmp_path: Path) -> None:
    with make_project(tmp_path / "p.anicurate", 1) as project:
        auto(project, 1, result(("hatsune miku", 0.95), ("1girl", 0.9), ("smile", 0.5),
                                character=("hatsune miku",)))  # fmt: skip
        tags = store.clip_tags(project, 1)
        assert [(t.tag, t.score, t.origin, t.category, t.position) for t in tags] == [
            ("hatsune miku", 0.95, "auto", "character", 0),
            ("1girl", 0.9, "auto", "general", 1),
            ("smile", 0.5, "auto", "general", 2),
        ]
        assert store.caption(project, 1) == "anime, hatsune miku, 1girl, smile"
        record = store.tagging_record(project, 1)
        assert record is not None
        assert (record.model, record.provider, record.frames) == ("tiny", "CPU", [1, 5])
        assert record.rating == {"general": 0.9, "sensitive": 0.1}
        assert store.stored_fingerprints(project) == {1: "fp"}


def test_manual_edits_survive_re_tagging(tmp_path: Path) -> None:
    with make_project(tmp_path / "p.anicurate", 1) as project:
        auto(project, 1, result(("1girl", 0.9), ("smile", 0.8), ("outdoors", 0.4)))
        assert store.add_tag(project, 1, "waving_hand") == "waving hand"
        assert store.remove_tag(project, 1, "Smile")  # any spelling
        assert not store.remove_tag(project, 1, "never there")
        store.add_tag(project, 1, "outdoors")  # confirming an auto tag makes it the person's
        assert rows(project, 1) == [
            ("1girl", 0.9, "auto"),
            ("outdoors", 0.4, "manual"),
            ("waving hand", None, "manual"),
        ]
        # The tagger now sees smile again, no longer outdoors, and blush: smile stays removed,
        # the person's tags stay, their tags lead (no manual order yet).
        auto(project, 1, result(("smile", 0.95), ("1girl", 0.85), ("blush", 0.6)), fp="fp2")
        assert rows(project, 1) == [
            ("outdoors", 0.4, "manual"), ("waving hand", None, "manual"),
            ("1girl", 0.85, "auto"), ("blush", 0.6, "auto"),
        ]  # fmt: skip
        assert store.caption(project, 1) == "anime, outdoors, waving hand, 1girl, blush"
        # Adding a removed tag back by hand lifts the removal.
        store.add_tag(project, 1, "smile", position=0)
        auto(project, 1, result(("smile", 0.95), ("1girl", 0.85)), fp="fp3")
        assert [t for t, _, _ in rows(project, 1)] == ["smile", "outdoors", "waving hand", "1girl"]


def test_a_persons_order_is_kept_and_new_tags_are_appended(tmp_path: Path) -> None:
    with make_project(tmp_path / "p.anicurate", 1) as project:
        auto(project, 1, result(("1girl", 0.9), ("smile", 0.8), ("outdoors", 0.7)))
        store.set_tag_order(project, 1, ["outdoors", "smile"])
        assert [t for t, _, _ in rows(project, 1)] == ["outdoors", "smile", "1girl"]
        assert store.caption(project, 1) == "anime, outdoors, smile, 1girl"
        auto(project, 1, result(("1girl", 0.9), ("night", 0.75), ("outdoors", 0.72)), fp="x")
        assert rows(project, 1) == [
            ("outdoors", 0.72, "auto"),
            ("1girl", 0.9, "auto"),
            ("night", 0.75, "auto"),
        ]


def test_find_and_replace_across_clips(tmp_path: Path) -> None:
    with make_project(tmp_path / "p.anicurate", 3) as project:
        auto(project, 1, result(("1girl", 0.9), ("smile", 0.8)))
        auto(project, 2, result(("smile", 0.7), ("grin", 0.6)))
        auto(project, 3, result(("smile", 0.7)))
        assert store.replace_tag(project, "smile", "grin", clip_ids=[1, 2]) == 2
        assert rows(project, 1) == [("1girl", 0.9, "auto"), ("grin", None, "manual")]
        assert rows(project, 2) == [("grin", 0.6, "manual")]  # already there: merged
        assert rows(project, 3) == [("smile", 0.7, "auto")]  # not selected
        auto(project, 1, result(("1girl", 0.9), ("smile", 0.8)), fp="again")
        assert rows(project, 1) == [("grin", None, "manual"), ("1girl", 0.9, "auto")]
        assert store.replace_tag(project, "1girl", "") == 1  # empty: remove everywhere
        assert rows(project, 1) == [("grin", None, "manual")]
        assert store.caption(project, 1) == "anime, grin"


def test_frequencies_and_coverage_count_accepted_clips(tmp_path: Path) -> None:
    with make_project(tmp_path / "p.anicurate", 4) as project:
        auto(project, 1, result(("smile", 0.9), ("walking", 0.8)))
        auto(project, 2, result(("smile", 0.9), ("crying", 0.8)))
        auto(project, 3, result(("smile", 0.9), ("running", 0.8)))
        auto(project, 4, result(("angry", 0.9)))
        with project.transaction() as conn:
            conn.execute("UPDATE clips SET status = 'accepted' WHERE id IN (1, 2, 3)")
            conn.execute("UPDATE clips SET status = 'rejected' WHERE id = 3")
        assert store.tag_frequencies(project) == [("smile", 2), ("crying", 1), ("walking", 1)]
        assert store.tag_frequencies(project, None)[:2] == [("smile", 3), ("angry", 1)]
        assert store.clip_count(project) == 2  # the population the frequencies count in
        assert store.clip_count(project, None) == 4
        assert store.clip_count(project, [ClipStatus.REJECTED, ClipStatus.UNREVIEWED]) == 2
        assert store.clips_with_tag(project, "Smile") == [1, 2, 3]
        assert store.clips_with_tag(project, "smile", [ClipStatus.ACCEPTED]) == [1, 2]
        items = {c.term: c.clips for c in store.coverage(project)}
        assert list(items)[:3] == ["smile", "laughing", "crying"]
        assert (items["smile"], items["crying"], items["walking"]) == (2, 1, 1)
        assert (items["running"], items["angry"], items["waving"]) == (0, 0, 0)
        store.set_coverage_terms(project, ["smile", "looking_back", "", "smile"])
        assert store.coverage_terms(project) == ["smile", "looking back"]
        assert [(c.term, c.clips) for c in store.coverage(project)] == [
            ("smile", 2), ("looking back", 0)
        ]  # fmt: skip


def test_options_are_stored_in_the_project(tmp_path: Path) -> None:
    from anicurate.core.tagging.options import TaggingOptions

    with make_project(tmp_path / "p.anicurate", 0) as project:
        assert store.load_options(project) == TaggingOptions()
        opts = TaggingOptions(merge="max", general_threshold=0.5, blacklist=("simple background",))
        store.save_options(project, opts)
        assert store.load_options(project) == opts
        with pytest.raises(ValueError, match="between 0 and 1"):
            TaggingOptions(general_threshold=1.5)


def test_changing_the_trigger_rebuilds_captions(tmp_path: Path) -> None:
    with make_project(tmp_path / "p.anicurate", 1, trigger="") as project:
        auto(project, 1, result(("1girl", 0.9)))
        assert store.caption(project, 1) == "1girl"
        project.set_settings(
            type(project.settings())(**{**project.settings().to_dict(), "trigger_tag": "anime"})
        )
        store.refresh_captions(project)
        assert store.caption(project, 1) == "anime, 1girl"


def test_tag_edits_undo_and_redo_with_caption(tmp_path: Path) -> None:
    from anicurate.core.project.edits import history, redo, undo

    project = make_project(tmp_path / "p.anicurate", 2)
    a, b = (c.id for c in project.clips())
    auto(project, a, result(("smile", 0.9), ("outdoors", 0.6)))
    auto(project, b, result(("smile", 0.8)))
    start = (rows(project, a), rows(project, b), store.caption(project, a))

    store.add_tag(project, a, "waving", position=0)
    store.set_tag_order(project, a, ["outdoors", "waving"])
    store.remove_tag(project, a, "outdoors")
    assert store.replace_tag(project, "smile", "grin") == 2
    edited = (rows(project, a), rows(project, b), store.caption(project, a))
    assert history(project) == ("Replace tag smile with grin", None)

    assert [undo(project) for _ in range(4)] == [
        "Replace tag smile with grin", "Remove tag outdoors", "Reorder tags", "Add tag waving"
    ]  # fmt: skip
    assert (rows(project, a), rows(project, b), store.caption(project, a)) == start
    for _ in range(4):
        redo(project)
    assert (rows(project, a), rows(project, b), store.caption(project, a)) == edited
