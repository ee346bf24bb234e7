"""No import cycle among anicurate's modules, counting imports inside functions and behind
TYPE_CHECKING: grimp reads every import statement of the source, wherever it sits."""

from __future__ import annotations

import grimp
import pytest


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of two or more modules (each one a cycle), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    # Tarjan's algorithm with an explicit stack: (module, its imports still to visit).
    work: list[tuple[str, list[str]]] = []

    def enter(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        work.append((module, sorted(graph.find_modules_directly_imported_by(module))))

    for root in sorted(graph.modules):
        if root in index:
            continue
        enter(root)
        while work:
            module, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    enter(nxt)
                elif nxt in on_stack:
                    low[module] = min(low[module], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("anicurate", cache_dir=None)


def test_cycle_finder_finds_a_cycle() -> None:
    g = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.d", "p.e")]:
        g.add_import(importer=a, imported=b)
    assert import_cycles(g) == [["p.a", "p.b", "p.c"]]


def test_graph_sees_imports_inside_functions(graph: grimp.ImportGraph) -> None:
    # plan_export reads analysis results through an import inside a function.
    assert graph.direct_import_exists(
        importer="anicurate.core.export.plan", imported="anicurate.core.analysis.store"
    )


def test_no_import_cycle_outside_the_ui(graph: grimp.ImportGraph) -> None:
    cycles = [c for c in import_cycles(graph) if not all(m.startswith("anicurate.ui") for m in c)]
    assert cycles == []


def test_no_import_cycle_at_all(graph: grimp.ImportGraph) -> None:
    assert import_cycles(graph) == []
