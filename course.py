#!/usr/bin/env python3
"""One entry point for the course: set everything up, then do one thing.

    python3 course.py lab     # set up and open the course in JupyterLab
    python3 course.py test    # set up and run every test (what CI runs)

CI also runs the tests at both ends of the versions the course declares, each in
its own environment (the browser test runs on the main one only):

    python3 course.py test --env oldest   # Python 3.10, every package at its minimum
    python3 course.py test --env newest   # Python 3.13, every package at its newest

Other commands, for course authors and instructors:

    python3 course.py bench       # speed and memory benchmarks (benchmarks/README.md)
    python3 course.py execute     # re-run every lesson and store its outputs
    python3 course.py site        # build the static pages into site/ (open site/index.html)
    python3 course.py workshop    # time a fresh install and a run of every lesson
    python3 course.py exercises   # regenerate exercises/ from solutions/ (--force, --out DIR)
    python3 course.py grade DIR --out grades.csv   # grade a folder of submissions (sandboxed)

Everything is installed into ``.venv`` beside this file, from ``pyproject.toml``;
nothing touches the Python you ran this with. The set-up is repeated only when
``pyproject.toml`` changes. Needs Python 3.10+ with ``venv`` (on Debian and
Ubuntu: ``sudo apt-get install python3-venv``). ``--env oldest`` and ``--env newest``
build ``.venv-oldest`` and ``.venv-newest`` with uv (installed into ``.venv`` from PyPI)
and need that Python too: pyenv's, or ``python3.10`` / ``python3.13`` on the PATH.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
FIRST_LESSON = "notebooks/00_start_here.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
# The course's JupyterLab settings (no "news?" pop-up over the lessons), installed where
# JupyterLab reads an environment's default settings; a learner's own settings still win.
LAB_OVERRIDES = ROOT / "jupyterlab-overrides.json"
LAB_OVERRIDES_TARGET = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.d" \
    / "softmax-course.json"

# The extra test environments of `course.py test --env NAME`: the course at both ends of
# what it declares. "oldest" is requires-python's lower bound with every package named in
# pyproject.toml at its minimum (uv's lowest-direct; what those need comes at its newest);
# "newest" is the newest Python the course is tested on, with everything at its newest.
# The browser test runs on the main environment only.
EXTRA_ENVS = {
    "oldest": {"python": "3.10", "resolution": "lowest-direct"},
    "newest": {"python": "3.13", "resolution": "highest"},
}


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def create_venv() -> None:
    """Create an empty .venv (with pip), unless it exists."""
    if sys.version_info < (3, 10):  # noqa: UP036 (this file may be run by an older Python)
        sys.exit(f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV.name}/")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as exc:  # Debian without python3-venv fails inside ensurepip
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit(
                f"Could not create a virtual environment ({exc}).\n"
                "On Debian or Ubuntu install venv support first: sudo apt-get install python3-venv"
            )


def ensure_venv(extra: str | None) -> None:
    """Create .venv and install the course into it (with an extra), unless already done."""
    create_venv()
    install_lab_settings()
    target = f".[{extra}]" if extra else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extra or 'base'}-{digest}"
    if stamp.exists():
        return
    say(f"installing the course and its packages ({target}); the first time takes a minute")
    quiet_pip("install", "--upgrade", "pip")
    quiet_pip("install", "--editable", target)
    say("installed softmax_lessons in editable mode: it is imported from softmax_lessons/ "
        "in this folder, so a change there shows after a kernel restart")
    stamp.touch()


def quiet_pip(*args: str) -> None:
    """Run pip quietly: its output is shown only if it fails.

    An editable install makes setuptools print a warning, "Editable installation ...
    folders in your working directory with the same name as your package may take
    precedence during imports", which only restates how an editable install works;
    ensure_venv says it in one line instead.
    """
    result = subprocess.run([str(PYTHON), "-m", "pip", *args, "--quiet"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        print(result.stdout, end="", flush=True)
        sys.exit(f"pip {' '.join(args)} failed (exit status {result.returncode}); "
                 "its output is above")


def install_lab_settings() -> None:
    """Copy jupyterlab-overrides.json to where this environment's JupyterLab reads it."""
    wanted = LAB_OVERRIDES.read_bytes()
    if LAB_OVERRIDES_TARGET.exists() and LAB_OVERRIDES_TARGET.read_bytes() == wanted:
        return
    LAB_OVERRIDES_TARGET.parent.mkdir(parents=True, exist_ok=True)
    LAB_OVERRIDES_TARGET.write_bytes(wanted)


def ensure_chromium() -> None:
    """The browser test needs Debian's Chromium; install it where we may (root, or CI)."""
    if CHROMIUM.exists() or shutil.which("chromium"):
        return
    on_ci = os.environ.get("CI", "").lower() == "true"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium for the browser test")
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "chromium",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    elif on_ci:
        sys.exit("CI needs /usr/bin/chromium for the browser test and cannot install it here.")
    else:
        say("no Chromium found: the browser test will be skipped "
            "(install it with: sudo apt-get install chromium)")


def ensure_uv() -> Path:
    """uv, from PyPI, in .venv: it builds the extra environments at the versions asked for."""
    create_venv()
    uv = BIN / ("uv.exe" if os.name == "nt" else "uv")
    if not uv.exists():
        say("installing uv into .venv/ (it builds the oldest and newest test environments)")
        run(PYTHON, "-m", "pip", "install", "--quiet", "uv>=0.5")
    return uv


def python_version_of(python: str | Path) -> str | None:
    """The version of `python` as "3.10"; None if it does not run (a stray pyenv shim)."""
    check = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
                           capture_output=True, text=True)
    return check.stdout.strip() if check.returncode == 0 else None


def find_python(version: str) -> Path:
    """An interpreter for Python `version` ("3.10"): pyenv's newest patch, else one on PATH."""
    roots = {Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))}
    if shutil.which("pyenv"):
        pyenv_root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout
        roots.add(Path(pyenv_root.strip()))
    releases = {}  # 3.10.13 -> its python3; not 3.10-dev nor free-threaded 3.13.0t
    for root in roots:
        for python in (root / "versions").glob(f"{version}.*/bin/python3"):
            patch = python.parents[1].name.removeprefix(f"{version}.")
            if patch.isdigit():
                releases[int(patch)] = python
    candidates = [releases[patch] for patch in sorted(releases, reverse=True)]
    candidates.append(shutil.which(f"python{version}"))
    for python in candidates:
        if python and python_version_of(python) == version:
            return Path(python)
    sys.exit(f"Python {version} was not found, and this test environment needs it. Looked in "
             + ", ".join(str(root / "versions" / f"{version}.*") for root in sorted(roots))
             + f" (pyenv) and for python{version} on the PATH.\nInstall it, for example with "
             f"`pyenv install {version}`, or put python{version} on the PATH, and run again.")


def ensure_extra_venv(name: str) -> Path:
    """Build .venv-NAME for `course.py test --env NAME`, unless already done; its Python."""
    spec = EXTRA_ENVS[name]
    where = ROOT / f".venv-{name}"
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    # "newest" is built again each day, so that it follows new releases.
    day = f"-{datetime.date.today()}" if spec["resolution"] == "highest" else ""
    stamp = where / f".installed-{digest}{day}"
    if stamp.exists():
        return python
    uv = ensure_uv()
    interpreter = find_python(spec["python"])
    say(f"building {where.name}/: Python {spec['python']} ({interpreter}), "
        f"packages resolved by uv --resolution {spec['resolution']}")
    shutil.rmtree(where, ignore_errors=True)  # from scratch: uv keeps what is installed
    run(uv, "venv", "--quiet", "--python", interpreter, where)
    run(uv, "pip", "install", "--quiet", "--python", python, "--resolution", spec["resolution"],
        "--editable", ".[dev,homework]", cwd=ROOT)
    stamp.touch()
    return python


# Run by an environment's own Python: its version, and that of each package the course names.
DESCRIBE = """
import importlib.metadata as md, re, sys
named = [re.match(r"[A-Za-z0-9_.-]+", r).group() for r in md.requires("softmax-lessons")]
found = []
for name in dict.fromkeys(named):
    try:
        found.append(f"{name} {md.version(name)}")
    except md.PackageNotFoundError:  # tomli, for instance, is needed before Python 3.11 only
        pass
print(f"Python {sys.version.split()[0]};", ", ".join(found))
"""


def describe(python: Path) -> str:
    """Python's version and the versions installed of the packages in pyproject.toml."""
    return subprocess.run([python, "-c", DESCRIBE], capture_output=True, text=True).stdout.strip()


def ensure_bubblewrap() -> None:
    """Grading runs each submission in Debian's bubblewrap; install it where we may (root)."""
    if shutil.which("bwrap") or not sys.platform.startswith("linux"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's bubblewrap, the sandbox of the homework grader")
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "bubblewrap",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        say("no bubblewrap found: the grader's sandbox tests will be skipped "
            "(install it with: sudo apt-get install bubblewrap)")


def lab(args: list[str]) -> None:
    ensure_venv(None)
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    say(f"opening JupyterLab at {FIRST_LESSON} (stop it with Ctrl+C)")
    say("no browser window (a remote or headless machine)? JupyterLab prints its address "
        "below, http://127.0.0.1:8888/lab?token=... (the port may differ): open that; "
        "`.venv/bin/jupyter server list` prints it again")
    os.chdir(ROOT)
    # The server's root is the course folder (so exercises/ and solutions/ show in the
    # file browser); the first page JupyterLab shows is lesson 00.
    os.execv(PYTHON, [str(PYTHON), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",
                      f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}", *extra, *args])


def test(args: list[str]) -> None:
    """Run every test on .venv, or (--env oldest|newest) all but the browser test elsewhere."""
    parser = argparse.ArgumentParser(prog="course.py test", allow_abbrev=False)
    parser.add_argument("--env", choices=["main", *EXTRA_ENVS], default="main")
    options, pytest_args = parser.parse_known_args(args)  # the rest goes to pytest
    if options.env == "main":
        ensure_venv("dev")
        ensure_chromium()
        python = PYTHON
    else:
        python = ensure_extra_venv(options.env)
        pytest_args = ["-m", "not browser", *pytest_args]
    ensure_bubblewrap()  # the grading tests run submissions in the sandbox
    say(f"testing on the {options.env} environment: {describe(python)}")
    os.environ["COURSE_TEST_ENV"] = options.env  # tests of one environment look at it
    os.chdir(ROOT)
    os.execv(python, [str(python), "-m", "pytest", *pytest_args])


def bench(args: list[str]) -> None:
    ensure_venv("dev")
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "benchmarks/run.py", *args])


def execute(args: list[str]) -> None:
    """Re-run lessons (all, or those named) and store their outputs (tools/execute.py)."""
    ensure_venv("dev")
    notebooks = args or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "tools/execute.py", *notebooks])


def site(args: list[str]) -> None:
    """Build site/: one offline HTML page per lesson, with its figures and widget state."""
    ensure_venv("dev")
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "tools/site.py", *args])


def workshop(args: list[str]) -> None:
    """Simulate a workshop machine: fresh venv from the tracked files, install, run every lesson."""
    ensure_venv(None)
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "benchmarks/workshop.py", *args])


def exercises(args: list[str]) -> None:
    """Regenerate exercises/ from solutions/; never replaces an exercise a learner edited."""
    ensure_venv(None)
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "-m", "tools.homework.build", "build", *args])


def grade(args: list[str]) -> None:
    """Run a folder of submitted exercise notebooks, each in a sandbox, and write a CSV."""
    ensure_venv(None)
    ensure_bubblewrap()
    # tools/ is found from any folder, so paths on the command line stay the caller's
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    os.execv(PYTHON, [str(PYTHON), "-m", "tools.homework.grading", *args])


COMMANDS = {"lab": lab, "test": test, "bench": bench, "execute": execute, "site": site,
            "workshop": workshop, "exercises": exercises, "grade": grade}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
