"""Clip selections written as text, for batch edits and exports from a terminal.

``unflagged``, ``flagged``, ``all``, ``flag:NAME``, ``status:NAME``, ``tag:NAME``, combined with
``not``, ``and``, ``or`` and parentheses (``not`` binds tightest, then ``and``, then ``or``).
``tag:"long hair"`` quotes a tag with a blank; tags match case-insensitively with ``_`` and a
blank alike. ``unflagged`` and ``flag:NAME`` need analysis: an unanalysed clip is neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from anicurate.core.analysis.flags import FlagKind
from anicurate.core.analysis.store import load_results
from anicurate.core.errors import AnicurateError
from anicurate.core.project.catalogue import Clip, ClipStatus, Project, Source

KEYWORDS = ("unflagged", "flagged", "all")
PREFIXES = ("flag", "status", "tag")
_TOKEN = re.compile(r'\s*(\(|\)|[A-Za-z_]+:"[^"]*"|[^\s()]+)')
_QUOTED = re.compile(r'[A-Za-z_]+:"[^"]*"')


class SelectionError(AnicurateError):
    """A selection expression that does not parse; the message says where and what is allowed."""


@dataclass(frozen=True, slots=True)
class ClipFacts:
    """What an expression can ask about a clip."""

    status: ClipStatus
    flags: frozenset[str] | None  # flag kinds; None when the clip is not analysed
    tags: frozenset[str]  # normalised (see ``norm_tag``)


Predicate = Callable[[ClipFacts], bool]


@dataclass(frozen=True, slots=True)
class Selection:
    """A parsed expression: its text (for messages) and the test it stands for."""

    text: str
    test: Predicate

    def __call__(self, facts: ClipFacts) -> bool:
        return self.test(facts)


def norm_tag(tag: str) -> str:
    """``Long_Hair`` and ``long hair`` are one tag."""
    return " ".join(tag.replace("_", " ").lower().split())


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # the pattern matches any non-blank text
            raise SelectionError(f"cannot read {text[pos:]!r}")
        token = m.group(1)
        if '"' in token and not _QUOTED.fullmatch(token):
            raise SelectionError(f"unclosed or stray quote in {token!r}; quote as tag:\"a b\"")
        out.append(token)
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over the tokens: or_expr := and_expr (or and_expr)*, and so on."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise SelectionError(f"{self.text!r} ends too early: a term is missing")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        test = self.or_expr()
        if self.peek() is not None:
            raise SelectionError(
                f"unexpected {self.peek()!r} in {self.text!r} (join terms with and/or)"
            )
        return test

    def or_expr(self) -> Predicate:
        terms = [self.and_expr()]
        while (self.peek() or "").lower() == "or":
            self.pos += 1
            terms.append(self.and_expr())
        return terms[0] if len(terms) == 1 else (lambda f: any(t(f) for t in terms))

    def and_expr(self) -> Predicate:
        terms = [self.not_expr()]
        while (self.peek() or "").lower() == "and":
            self.pos += 1
            terms.append(self.not_expr())
        return terms[0] if len(terms) == 1 else (lambda f: all(t(f) for t in terms))

    def not_expr(self) -> Predicate:
        token = self.take()
        if token.lower() == "not":
            inner = self.not_expr()
            return lambda f: not inner(f)
        if token == "(":
            inner = self.or_expr()
            if self.take() != ")":
                raise SelectionError(f"missing ')' in {self.text!r}")
            return inner
        return _atom(token, self.text)


def _atom(token: str, text: str) -> Predicate:
    word = token.lower()
    if word == "unflagged":
        return lambda f: f.flags is not None and not f.flags
    if word == "flagged":
        return lambda f: bool(f.flags)
    if word == "all":
        return lambda f: True
    prefix, sep, name = token.partition(":")
    prefix = prefix.lower()
    name = name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name
    if not sep or prefix not in PREFIXES:
        raise SelectionError(
            f"unknown term {token!r} in {text!r}; use {', '.join(KEYWORDS)}, "
            + ", ".join(f"{p}:NAME" for p in PREFIXES)
            + ", not, and, or"
        )
    if not name.strip():
        raise SelectionError(f"{prefix}: needs a name in {text!r}")
    if prefix == "flag":
        kinds = {k.value for k in FlagKind}
        kind = name.lower().replace("-", "_")
        if kind not in kinds:
            raise SelectionError(f"unknown flag {name!r}; flags are {', '.join(sorted(kinds))}")
        return lambda f: f.flags is not None and kind in f.flags
    if prefix == "status":
        try:
            status = ClipStatus(name.lower())
        except ValueError:
            names = ", ".join(s.value for s in ClipStatus)
            raise SelectionError(f"unknown status {name!r}; statuses are {names}") from None
        return lambda f: f.status is status
    tag = norm_tag(name)
    return lambda f: tag in f.tags


def parse_selection(text: str) -> Selection:
    """Parse an expression; raises SelectionError naming what is wrong."""
    if not text.strip():
        raise SelectionError("an empty selection; e.g. 'unflagged and not tag:text'")
    return Selection(text.strip(), _Parser(text).parse())


def clip_facts(project: Project) -> dict[int, ClipFacts]:
    """Every clip's status, stored flags and tags, read with a fixed number of queries."""
    results = load_results(project)
    tags: dict[int, set[str]] = {}
    for clip_id, tag in project.connection.execute("SELECT clip_id, tag FROM tags"):
        tags.setdefault(int(clip_id), set()).add(norm_tag(str(tag)))
    facts = {}
    for clip in project.clips():
        result = results.get(clip.id)
        flags = None if result is None else frozenset(f.kind.value for f in result.flags)
        facts[clip.id] = ClipFacts(clip.status, flags, frozenset(tags.get(clip.id, ())))
    return facts


def select_clips(project: Project, selection: Selection | None) -> list[tuple[Clip, Source]]:
    """The clips (with their sources, in catalogue order) the selection picks; all without one."""
    pairs = project.clips_with_sources()
    if selection is None:
        return pairs
    facts = clip_facts(project)
    return [(c, s) for c, s in pairs if c.id in facts and selection(facts[c.id])]


def selected_ids(project: Project, selection: Selection | None) -> list[int]:
    """Ids of :func:`select_clips`."""
    return [c.id for c, _ in select_clips(project, selection)]


__all__: Sequence[str] = (
    "ClipFacts",
    "Selection",
    "SelectionError",
    "clip_facts",
    "norm_tag",
    "parse_selection",
    "select_clips",
    "selected_ids",
)
