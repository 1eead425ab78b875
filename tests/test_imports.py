"""The package imports in any order, and the model and the codebook do not import each other.

The model used to import the codebook (to check issue codes) while the codebook imported
``Actor`` from the model: whichever was imported first decided whether the import worked.
Both now build on ``peacetrack.vocabulary``, a leaf; these tests keep it that way.
"""

from __future__ import annotations

import ast
import importlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "peacetrack"


def module_names() -> list[str]:
    """Every module of the package, by dotted name."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def imported(path: Path, name: str) -> Iterator[str]:
    """The peacetrack modules ``path`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("peacetrack"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if base.startswith("peacetrack"):
                yield base
                yield from (f"{base}.{a.name}" for a in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (names that are not modules dropped)."""
    modules = set(module_names())
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[name] = {m for m in imported(path, name) if m in modules and m != name}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_vocabulary_is_a_leaf() -> None:
    assert import_graph()["peacetrack.vocabulary"] == set()


def test_no_import_cycle_between_model_and_codebook() -> None:
    """Counting imports inside functions too: a late import is still a dependency."""
    graph = import_graph()
    codebook = {
        m for m in graph if m == "peacetrack.codebook" or m.startswith("peacetrack.codebook.")
    }
    from_model = reachable(graph, "peacetrack.model")
    assert not from_model & codebook, "peacetrack.model must not reach the codebook"
    for module in codebook:
        assert "peacetrack.model" not in reachable(graph, module), f"{module} reaches the model"


def fresh_import(names: list[str]) -> subprocess.CompletedProcess[str]:
    """Import ``names`` in this order in a new interpreter (nothing cached from this one)."""
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    return subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.parametrize(
    "first",
    ["peacetrack.model", "peacetrack.codebook.book", "peacetrack.codebook.builder",
     "peacetrack.codebook.entries", "peacetrack.vocabulary", "peacetrack.extract.base"],
)  # fmt: skip
def test_each_side_imports_first(first: str) -> None:
    done = fresh_import([first, "peacetrack.model", "peacetrack.codebook"])
    assert done.returncode == 0, done.stderr


#: Not imported as modules: ``python -m peacetrack`` runs the CLI, and Alembic runs the
#: migration scripts itself, inside a migration context.
SCRIPTS = ("peacetrack.__main__", "peacetrack.store.migrations.")


def test_every_module_imports_in_random_order() -> None:
    seed = random.randrange(1_000_000)
    names = [n for n in module_names() if not n.startswith(SCRIPTS)]
    random.Random(seed).shuffle(names)
    done = fresh_import(names)
    assert done.returncode == 0, f"seed {seed}, order {names}:\n{done.stderr[-3000:]}"


def module_level_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports when it is imported (function-level and
    type-checking imports left out: those run later, or never)."""
    modules = set(module_names())
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_import_cycle_anywhere_in_the_package() -> None:
    graph = module_level_graph()
    cycles = [m for m in graph if m in reachable(graph, m)]
    assert cycles == [], f"modules that import themselves through others: {sorted(cycles)}"


#: Modules only writing, reviewing, searching, the web's facets, exports and the HTML report
#: use: reading the store (``compare``, ``claims``, ``timeline``) imports none of them, which
#: each command's start would otherwise pay for (benchmarks/bench_startup.py). Among them
#: the ORM mapping of the tables (``store.schema``): reads query the Core tables.
NOT_FOR_READS = (
    "peacetrack.store.schema",
    "peacetrack.store.neardup",
    "peacetrack.store.proposal_resolver",
    "peacetrack.store.proposal_words",
    "peacetrack.store.proposals",
    "peacetrack.store.review",
    "peacetrack.store.search",
    "peacetrack.store.facets",
    "peacetrack.compare.export",
    "peacetrack.compare.report",
)


@pytest.mark.parametrize("package", ["peacetrack.store", "peacetrack.compare"])
def test_importing_the_store_or_the_comparisons_loads_no_write_side_module(package: str) -> None:
    """Their packages name these modules' contents lazily (``__getattr__``), and the store
    imports them inside the methods that use them."""
    found = sorted(reachable(module_level_graph(), package) & set(NOT_FOR_READS))
    assert found == [], f"importing {package} imports {found}"


@pytest.mark.parametrize("package", ["peacetrack.store", "peacetrack.compare"])
def test_the_names_handed_out_on_first_use_are_there(package: str) -> None:
    module = importlib.import_module(package)
    later: dict[str, str] = module._LATER
    assert set(later) <= set(module.__all__)
    for name, source in later.items():
        defined = importlib.import_module(f"{package}.{source}")
        assert getattr(module, name) is getattr(defined, name)
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def test_finding_proposals_by_name_loads_no_orm() -> None:
    """``claims --proposal NAME`` reads the proposals' word index on the Core tables, so the
    listing does not pay for the ORM mapping's import (issue #16: start-up)."""
    found = reachable(module_level_graph(), "peacetrack.store.proposal_words")
    assert "peacetrack.store.schema" not in found
