"""The set-up files agree with each other: pip users and conda/Binder users get the same course."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][0-9.]*))?")


def parse(requirement: str) -> tuple[str, str | None]:
    name, minimum = REQUIREMENT.match(requirement).groups()
    return name.lower().replace("_", "-"), minimum


def pyproject_runtime() -> dict[str, str | None]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return dict(parse(r) for r in project["dependencies"])


def environment_runtime() -> dict[str, str | None]:
    """The conda dependencies of environment.yml, without python and pip themselves."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:")
    deps = {}
    for line in lines[start + 1:]:
        if not line.startswith("  - "):
            break
        name, minimum = parse(line[4:])
        if name not in {"python", "pip"}:
            deps[name] = minimum
    return deps


def test_environment_yml_names_the_same_runtime_packages_as_pyproject():
    assert environment_runtime() == pyproject_runtime()


def test_every_runtime_package_has_a_minimum_version():
    assert all(minimum for minimum in pyproject_runtime().values())


def test_environment_yml_uses_conda_forge_and_the_same_python():
    text = (ROOT / "environment.yml").read_text()
    assert "  - conda-forge" in text
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f"  - python{requires}" in text


def test_binder_installs_the_course_package():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install" in post_build and "--editable ." in post_build


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert ci == ["python3 course.py test"]
    assert "python3 course.py test" in readme
    assert "python3 course.py lab" in readme


def test_lessons_and_homework_use_the_same_file_names():
    lessons = {p.name for p in (ROOT / "notebooks").glob("0[1-9]_*.ipynb")}
    for folder in ("exercises", "solutions"):
        homework = {p.name for p in (ROOT / folder).glob("*.ipynb")}
        assert homework <= lessons | {"00_start_here.ipynb"}, f"{folder} has no matching lesson"


def test_a_built_wheel_holds_every_layer_of_the_package_and_its_data(tmp_path):
    """A plain `pip install .` (not editable) must get scenes, plots, widgets, checks, data."""
    import subprocess
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("softmax_lessons-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    layers = {n.split("/")[1] for n in names
              if n.startswith("softmax_lessons/") and n.count("/") > 1}
    on_disk = {p.name for p in (ROOT / "softmax_lessons").iterdir() if (p / "__init__.py").exists()}
    assert layers == on_disk
    assert "softmax_lessons/data/names.txt" in names
    assert not any(n.startswith(("tools/", "tests/")) for n in names)
