"""``Store`` is the only door to the store (issue #12).

Code outside ``peacetrack/store/`` imports ``peacetrack.store`` and nothing below it, so the
store's modules can change without touching their callers. Checked by reading every
module's import statements, lazy imports inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import peacetrack

PACKAGE = Path(peacetrack.__file__).parent


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in ``path``; ``from a import b`` counts as ``a.b`` too,
    since ``from peacetrack.store import review`` reaches a submodule."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_nothing_outside_the_store_imports_a_store_submodule() -> None:
    inside = [p for p in (PACKAGE / "store").iterdir() if p.suffix == ".py" or p.is_dir()]
    submodules = {f"peacetrack.store.{p.stem}" for p in inside if p.stem != "__init__"}
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "store" not in path.relative_to(PACKAGE).parts[:1]
        for line, module in _imported(path)
        if any(module == s or module.startswith(f"{s}.") for s in submodules)
    ]
    assert not offenders, "import from peacetrack.store instead:\n" + "\n".join(offenders)
