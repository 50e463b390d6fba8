"""The package's layout keeps its promises: dependencies point one way (CONTRIBUTING.md).

validation <- maths <- scenes <- plots <- widgets; checks -> maths and scenes (a checker
may test on a lesson's example data); tools -> anything; nothing in softmax_lessons imports
tools. Maths and scenes need only NumPy and the standard library, so a static figure or a
checker never needs the widget library, and scenes never import the checkers.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "softmax_lessons"
MATHS = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
LAYERS = ("data", "scenes", "plots", "widgets", "checks")


def imports_of(path: Path) -> set[str]:
    """Names a module imports: top-level ('numpy') or relative ('.core', '..plots')."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = "." * node.level + (node.module or "")
                found |= {base} if node.module else {base + a.name for a in node.names}
            else:
                found.add(node.module.split(".")[0])
    return found


def package_part(module_path: Path, name: str) -> str | None:
    """The part of softmax_lessons a relative import reaches: a maths module or a layer."""
    if not name.startswith("."):
        return "softmax_lessons" if name == "softmax_lessons" else None
    level = len(name) - len(name.lstrip("."))
    here = module_path.parent
    for _ in range(level - 1):
        here = here.parent
    parts = [p for p in name.lstrip(".").split(".") if p]
    target = here.joinpath(*parts) if parts else here
    relative = target.relative_to(PACKAGE).parts
    return relative[0] if relative else "softmax_lessons"


def outside_imports(path: Path) -> set[str]:
    return {n for n in imports_of(path) if not n.startswith(".")} - {"__future__"}


def package_imports(path: Path) -> set[str]:
    return {package_part(path, n) for n in imports_of(path) if n.startswith(".")}


def modules(where: str) -> list[Path]:
    return sorted((PACKAGE / where).glob("*.py")) if where else sorted(PACKAGE.glob("*.py"))


STDLIB = set(sys.stdlib_module_names)


@pytest.mark.parametrize("path", modules(""), ids=lambda p: p.name)
def test_maths_modules_import_only_numpy_the_standard_library_and_other_maths(path):
    assert outside_imports(path) <= STDLIB | {"numpy"}, path.name
    assert package_imports(path) <= MATHS, path.name


@pytest.mark.parametrize("path", modules("scenes"), ids=lambda p: p.name)
def test_scenes_need_only_numpy_and_the_maths(path):
    assert outside_imports(path) <= STDLIB | {"numpy"}, path.name
    assert package_imports(path) <= MATHS | {"scenes", "data"}, path.name


@pytest.mark.parametrize("path", modules("data"), ids=lambda p: p.name)
def test_the_data_loader_needs_only_the_standard_library(path):
    assert outside_imports(path) <= STDLIB, path.name
    assert package_imports(path) <= {"data"}, path.name


@pytest.mark.parametrize("path", modules("plots"), ids=lambda p: p.name)
def test_plots_draw_scenes_without_widgets(path):
    # IPython and matplotlib_inline: the notebook display hook that gives each figure its
    # text alternative (imported only inside a running kernel).
    allowed = STDLIB | {"numpy", "matplotlib", "IPython", "matplotlib_inline"}
    assert outside_imports(path) <= allowed, path.name
    assert package_imports(path) <= MATHS | {"scenes", "plots"}, path.name


@pytest.mark.parametrize("path", modules("widgets"), ids=lambda p: p.name)
def test_widgets_never_reach_the_checkers_or_the_tools(path):
    assert "tools" not in outside_imports(path)
    assert package_imports(path) <= MATHS | {"scenes", "plots", "widgets"}, path.name


@pytest.mark.parametrize("path", modules("checks"), ids=lambda p: p.name)
def test_checkers_use_only_numpy_the_maths_and_the_scenes(path):
    assert outside_imports(path) <= STDLIB | {"numpy"}, path.name
    assert package_imports(path) <= MATHS | {"scenes", "checks"}, path.name


def test_every_module_of_the_package_is_in_a_known_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(LAYERS)


def test_nothing_in_the_package_imports_the_tools_or_the_homework_extra():
    for path in PACKAGE.rglob("*.py"):
        assert not outside_imports(path) & {"tools", "nbformat", "nbclient"}, path


def test_relative_imports_are_read_as_the_part_of_the_package_they_reach():
    plot = PACKAGE / "plots" / "softmax.py"
    assert package_part(plot, "..widgets") == "widgets"
    assert package_part(plot, "..core") == "core"
    assert package_part(plot, ".style") == "plots"
    assert package_part(PACKAGE / "core.py", ".validation") == "validation"
