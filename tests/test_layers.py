"""The layers hold (docs/architecture.md): `models` at the bottom, `scheduler` on it, `bot` above, the
features' `handlers` on top, and no import cycle anywhere. Read from the source with `ast`; nothing is
imported.

Every import counts: one inside a function (it runs, only later) and one inside `if TYPE_CHECKING:` (a cycle
the type checker needs is still two modules that cannot be understood apart).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "models", "scheduler")
# The only modules that may import `handlers`: they build the app (and the CLI, which runs it).
HANDLER_IMPORTERS = ("bot.app", "bot.runtime", "bot.wsgi", "bot.cli")
# Packages under models/ that are not features: what features stand on, and what joins them.
SHARED_MODELS = ("core", "access", "privacy", "agenda", "digest", "exports", "features")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, wherever it is."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The first-party module `name` refers to (the longest known prefix), or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def edges(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Edge]:
    known = modules(root, packages)
    found: list[Edge] = []
    for source, path in known.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative: from the package this module is in
                    anchor = source.split(".")
                    anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                module = _resolve(target, known)
                if module is not None and module != source:
                    found.append(Edge(source, module, node.lineno))
    return found


def cycles(graph_edges: list[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in graph_edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative, so a deep graph cannot hit the recursion limit
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = []

        def enter(v: str) -> None:
            nonlocal counter
            index[v] = low[v] = counter
            counter += 1
            stack.append(v)
            on_stack.add(v)
            work.append((v, iter(sorted(graph[v]))))

        enter(start)
        while work:
            v, successors = work[-1]
            for w in successors:
                if w not in index:
                    enter(w)
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def _top(module: str) -> str:
    return module.split(".")[0]


def feature_of(module: str) -> str | None:
    """The feature a module belongs to ("kudos" for models.kudos.rules and handlers.kudos.views), or None."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] not in ("models", "handlers"):
        return None
    if parts[0] == "models" and parts[1] in SHARED_MODELS:
        return None
    return parts[1]


def feature_problems(graph_edges: list[Edge]) -> list[str]:
    """One feature uses another only through that feature's package (`models.kudos`, `handlers.kudos`), so
    its modules can move without touching other features; and features depend on each other without a cycle."""
    problems: list[str] = []
    depends: list[Edge] = []
    for e in graph_edges:
        mine, theirs = feature_of(e.source), feature_of(e.target)
        if mine is None or theirs is None or mine == theirs:
            continue
        depends.append(Edge(mine, theirs, e.line))
        if e.target.count(".") > 1:
            package = ".".join(e.target.split(".")[:2])
            problems.append(f"a feature uses another only through its package ({package}): {e}")
    for group in cycles(depends):
        problems.append("features depend on each other in a cycle: " + " → ".join(group))
    return problems


def layer_problems(graph_edges: list[Edge]) -> list[str]:
    problems: list[str] = feature_problems(graph_edges)
    for e in graph_edges:
        src, dst = _top(e.source), _top(e.target)
        if src == "models" and dst in ("bot", "handlers", "scheduler"):
            problems.append(f"models is the bottom layer: {e}")
        if {src, dst} == {"handlers", "scheduler"}:
            problems.append(f"handlers and scheduler must not import each other: {e}")
        if src == "scheduler" and dst == "bot":
            problems.append(f"scheduler stands on models only (the runtime hands it a Host): {e}")
        if dst == "handlers" and src != "handlers" and not any(
                e.source == m or e.source.startswith(m + ".") for m in HANDLER_IMPORTERS):
            problems.append(f"only {', '.join(HANDLER_IMPORTERS)} may import handlers: {e}")
    for group in cycles(graph_edges):
        problems.append("import cycle: " + " → ".join(group))
    return problems


# -- the code ------------------------------------------------------------------------------------------------


def test_the_layers_hold_and_there_is_no_import_cycle():
    assert layer_problems(edges(REPO)) == []


def test_the_graph_sees_the_imports_it_must():
    """The checks above look at a real graph: known imports of each kind are in it."""
    found = {(e.source, e.target) for e in edges(REPO)}
    assert ("bot.runtime", "scheduler.runner") in found
    assert ("models.one_on_ones.notes", "models.core.tables") in found
    assert ("bot.app", "bot.registry") in found


# -- the checker itself can fail -----------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    return tmp_path


@pytest.mark.parametrize(("files", "expected"), [
    ({"models/a.py": "from bot.settings import X\n", "bot/settings.py": ""}, "models is the bottom layer"),
    ({"models/a.py": "def f():\n    import handlers.x\n", "handlers/x.py": ""}, "models is the bottom layer"),
    ({"models/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import Services\n",
      "bot/app.py": ""}, "models is the bottom layer"),
    ({"scheduler/runner.py": "from bot.runtime import Runtime\n", "bot/runtime.py": ""}, "scheduler stands on"),
    ({"scheduler/j.py": "from handlers import kudos\n", "handlers/kudos.py": ""}, "must not import each other"),
    ({"handlers/k.py": "import scheduler.jobs\n", "scheduler/jobs.py": ""}, "must not import each other"),
    ({"bot/delivery.py": "from handlers.kudos import views\n", "handlers/kudos/__init__.py": "",
      "handlers/kudos/views.py": ""}, "only bot.app"),
    ({"bot/a.py": "from bot import b\n", "bot/b.py": "def f():\n    from bot.a import x\n"},
     "import cycle: bot.a → bot.b"),
    ({"bot/a.py": "from bot import b\n",
      "bot/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.a import x\n"},
     "import cycle: bot.a → bot.b"),
    ({"models/p/__init__.py": "from models.p.q import y\n", "models/p/q.py": "from models.p import z\n"},
     "import cycle: models.p → models.p.q"),
    ({"models/p/__init__.py": "from .q import y\n", "models/p/q.py": "from . import z\n"},
     "import cycle: models.p → models.p.q"),
    ({"handlers/checkins/listeners.py": "from handlers.kudos.listeners import modal\n",
      "handlers/kudos/__init__.py": "", "handlers/kudos/listeners.py": ""},
     "a feature uses another only through its package (handlers.kudos)"),
    ({"models/goals/rules.py": "from models.checkins.rules import due\n",
      "models/checkins/__init__.py": "", "models/checkins/rules.py": ""},
     "only through its package (models.checkins)"),
    ({"models/goals/__init__.py": "from models import checkins\n",
      "models/checkins/__init__.py": "", "handlers/checkins/__init__.py": "from handlers import goals\n",
      "handlers/goals/__init__.py": ""},
     "features depend on each other in a cycle: checkins → goals"),
])
def test_each_rule_fails_on_code_that_breaks_it(tmp_path, files, expected):
    problems = layer_problems(edges(_tree(tmp_path, files)))
    assert any(expected in p for p in problems), problems


def test_allowed_imports_pass(tmp_path):
    root = _tree(tmp_path, {
        "models/a.py": "from models.core import b\n",
        "models/core/b.py": "",
        "bot/app.py": "from handlers import kudos\nfrom models import a\nfrom scheduler import jobs\n",
        "bot/cli/people.py": "from handlers.kudos import x\n",
        "handlers/kudos.py": "from models.a import f\nfrom bot import services\n",
        "bot/services.py": "",
        "scheduler/jobs.py": "from models import a\n",
        "models/goals/rules.py": "from models.people import person_by_slack_id\nfrom models.core.b import y\n",
        "models/people/__init__.py": "",
        "models/access/lists.py": "from models.people.chart import report_ids\n",
        "models/people/chart.py": "",
    })
    assert layer_problems(edges(root)) == []
