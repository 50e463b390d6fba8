"""The set-up files agree with each other: pip users and conda/Binder users get the same course."""

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

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


def load_course_py():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    return course


def test_ci_runs_the_readme_test_command_on_every_environment():
    readme = (ROOT / "README.md").read_text()
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    envs = [f" --env {name}" for name in load_course_py().EXTRA_ENVS]
    # Every environment runs, and a failure in any one of them fails the run.
    assert ci == ["status=0",
                  *(f"python3 course.py test{env} || status=1" for env in ["", *envs]),
                  'exit "$status"']
    assert envs == [" --env oldest", " --env newest"]
    for env in ["", *envs]:
        assert f"python3 course.py test{env}" in readme
    assert "python3 course.py lab" in readme


def test_the_oldest_environment_runs_the_oldest_python_the_course_declares():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=" + load_course_py().EXTRA_ENVS["oldest"]["python"]


def numbers(version: str) -> tuple[int, ...]:
    """(2, 0, 0) for "2.0" and for "2.0.0"."""
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


@pytest.mark.skipif(os.environ.get("COURSE_TEST_ENV") != "oldest",
                    reason="checks the environment of `course.py test --env oldest`")
def test_the_oldest_environment_has_every_package_at_its_declared_minimum():
    """What pyproject.toml declares is what this environment tests: no silent newer floor."""
    from importlib.metadata import PackageNotFoundError, version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = dict(parse(r) for r in project["dependencies"])
    for extra in ("homework", "dev"):
        declared |= dict(parse(r) for r in project["optional-dependencies"][extra])
    declared.pop("softmax-lessons", None)  # the dev extra names the homework extra by the course
    installed = {}
    for name in declared:
        try:
            installed[name] = version(name)
        except PackageNotFoundError:  # a package for other Pythons only (tomli)
            continue
    assert {name: numbers(v) for name, v in installed.items()} == {
        name: numbers(declared[name]) for name in installed}
    assert sys.version_info[:2] == numbers(project["requires-python"].removeprefix(">="))[:2]


def fake_python(folder: Path, prints: str) -> Path:
    """A stand-in interpreter that answers every question with `prints`."""
    folder.mkdir(parents=True)
    python = folder / "python3"
    python.write_text(f"#!/bin/sh\necho {prints}\n")
    python.chmod(0o755)
    return python


@pytest.mark.skipif(os.name == "nt", reason="the stand-in interpreters are shell scripts")
def test_course_py_finds_the_newest_pyenv_release_of_a_python(tmp_path, monkeypatch):
    course = load_course_py()
    for name in ("3.97.2", "3.97.10", "3.97.11t", "3.97-dev"):
        fake_python(tmp_path / "versions" / name / "bin", "3.97")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    assert course.find_python("3.97") == tmp_path / "versions/3.97.10/bin/python3"


@pytest.mark.skipif(os.name == "nt", reason="the stand-in interpreters are shell scripts")
def test_course_py_says_where_it_looked_for_a_missing_python(tmp_path, monkeypatch):
    course = load_course_py()
    fake_python(tmp_path / "versions" / "3.98.1" / "bin", "3.11")  # not what its name says
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    with pytest.raises(SystemExit, match=r"Python 3\.98 was not found.*3\.98\.\*.*python3\.98"):
        course.find_python("3.98")


def test_lessons_and_homework_use_the_same_file_names():
    lessons = {p.name for p in (ROOT / "notebooks").glob("0[1-9]_*.ipynb")}
    for folder in ("exercises", "solutions"):
        homework = {p.name for p in (ROOT / folder).glob("*.ipynb")}
        assert homework <= lessons | {"00_start_here.ipynb"}, f"{folder} has no matching lesson"


def test_a_built_wheel_holds_every_layer_of_the_package_and_its_data(tmp_path):
    """A plain `pip install .` (not editable) must get scenes, plots, widgets, checks, data."""
    import subprocess
    import zipfile

    pytest.importorskip("pip", reason="this environment was built by uv, without pip")
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
