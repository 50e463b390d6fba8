#!/usr/bin/env python3
"""One entry point for the course: set everything up, then do one thing.

    python3 course.py lab     # set up and open the course in JupyterLab
    python3 course.py test    # set up and run every test (what CI runs)

Other commands, for course authors and instructors:

    python3 course.py bench       # speed and memory benchmarks (benchmarks/README.md)
    python3 course.py execute     # re-run every lesson and store its outputs
    python3 course.py site        # build the static pages into site/ (open site/index.html)
    python3 course.py workshop    # time a fresh install and a run of every lesson
    python3 course.py exercises   # regenerate exercises/ from solutions/ (--force, --out DIR)
    python3 course.py grade DIR --out grades.csv   # grade a folder of submissions

Everything is installed into ``.venv`` beside this file, from ``pyproject.toml``;
nothing touches the Python you ran this with. The set-up is repeated only when
``pyproject.toml`` changes. Needs Python 3.10+ with ``venv`` (on Debian and
Ubuntu: ``sudo apt-get install python3-venv``).
"""

from __future__ import annotations

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


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def ensure_venv(extra: str | None) -> None:
    """Create .venv and install the course into it (with an extra), unless already done."""
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
    ensure_venv("dev")
    ensure_chromium()
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "-m", "pytest", *args])


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
    """Run a folder of submitted exercise notebooks and write a CSV of results."""
    ensure_venv(None)
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
