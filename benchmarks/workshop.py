"""Simulate a workshop machine: a fresh environment from the project's own files, then every lesson.

    python benchmarks/workshop.py           # pip may use its download cache
    python benchmarks/workshop.py --cold    # no pip cache: every package is downloaded
    python benchmarks/workshop.py --keep    # keep the temporary folder to look inside

What it does, timing each step:

1. copies the files git tracks (what a clone or a Binder build sees; nothing
   untracked, no ``.venv``) into a temporary folder;
2. creates a new virtual environment there and installs the course exactly as
   ``python3 course.py lab`` does (``pip install --editable .``, runtime packages only);
3. executes every notebook in ``notebooks/`` with that environment's own Jupyter and
   kernel, isolated from this machine's Jupyter settings and ``PYTHONPATH``.

It prints the install time, each notebook's time and the total run time, and exits
with status 1 if the install or a notebook fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project_files(root: Path = ROOT) -> list[str]:
    """The files git tracks: the project's own files, as a fresh clone has them."""
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True,
                         capture_output=True, text=True).stdout
    return [name for name in out.split("\0") if name and (root / name).is_file()]


def copy_project(target: Path, root: Path = ROOT) -> int:
    files = project_files(root)
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name)
    return len(files)


def clean_env(tmp: Path, cold: bool) -> dict:
    """This process's environment minus anything that could leak the dev setup in."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not k.startswith("JUPYTER")}
    env.update({
        "PYTHONNOUSERSITE": "1",
        "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    if cold:
        env["PIP_NO_CACHE_DIR"] = "1"
    return env


def timed(label: str, args: list, **kwargs) -> float:
    """Run a step, print its output only if it fails, return its wall time."""
    print(f"[workshop] {label} ...", flush=True)
    start = time.perf_counter()
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise RuntimeError(f"{label} failed (exit status {done.returncode})")
    return time.perf_counter() - start


def execute_all(venv_python: Path, project: Path, out_dir: Path, env: dict,
                label: str, timeout: int = 60) -> list[tuple[str, float, str]]:
    """Execute every lesson with the fresh environment's Jupyter; (name, seconds, error)."""
    results = []
    for nb in sorted((project / "notebooks").glob("*.ipynb")):
        start = time.perf_counter()
        try:
            # A cell timeout, and one for the whole notebook: a stuck kernel is reported,
            # never waited for forever (nbconvert's own default has no timeout).
            done = subprocess.run(
                [str(venv_python), "-m", "jupyter", "nbconvert", "--to", "notebook",
                 "--execute", f"--ExecutePreprocessor.timeout={timeout}",
                 "--output-dir", str(out_dir), str(nb)],
                env=env, cwd=project, capture_output=True, text=True, timeout=2 * timeout)
            error = "" if done.returncode == 0 else done.stderr.strip().splitlines()[-1][:160]
        except subprocess.TimeoutExpired:
            error = f"still running after {2 * timeout} s: stopped"
        seconds = time.perf_counter() - start
        results.append((nb.name, seconds, error))
        print(f"[workshop] {label}: {nb.name} {seconds:.1f} s {error or 'ok'}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="install without pip's cache")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="course-workshop-"))
    project = tmp / "course"
    env = clean_env(tmp, args.cold)
    venv_python = project / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    try:
        n_files = copy_project(project)
        print(f"[workshop] copied {n_files} tracked files into a temporary folder", flush=True)
        base_python = getattr(sys, "_base_executable", sys.executable)
        venv_s = timed("creating a virtual environment", [base_python, "-m", "venv",
                                                           project / ".venv"], env=env)
        pip_s = timed(f"installing the course ({'no pip cache' if args.cold else 'pip cache on'})",
                      [venv_python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                      env=env, cwd=project)
        pip_s += timed("pip install --editable .",
                       [venv_python, "-m", "pip", "install", "--quiet", "--editable", "."],
                       env=env, cwd=project)
        probe = "import softmax_lessons as s; print(s.__file__)"
        where = subprocess.run([venv_python, "-c", probe], env=env, cwd=tmp, check=True,
                               capture_output=True, text=True).stdout.strip()
        if not Path(where).resolve().is_relative_to(project.resolve()):
            raise RuntimeError(f"the fresh environment imports the course from {where}")
        # First run: empty caches (matplotlib's font list, bytecode), as on a new laptop.
        first = execute_all(venv_python, project, tmp / "executed", env, "first run")
        # Second run: what a learner sees once the caches exist.
        second = execute_all(venv_python, project, tmp / "executed", env, "second run")
        status = int(any(error for _, _, error in first + second))
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"[workshop] FAILED: {exc}", flush=True)
        return 1
    finally:
        if args.keep:
            print(f"[workshop] kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'fresh virtual environment':<36} {venv_s:6.1f} s")
    print(f"{'install, ' + ('cold' if args.cold else 'warm') + ' pip cache':<36} {pip_s:6.1f} s")
    for (name, s1, e1), (_, s2, e2) in zip(first, second, strict=True):
        error = e1 or e2
        print(f"{'execute ' + name:<36} {s1:6.1f} s first, {s2:5.1f} s second  "
              f"{'FAILED: ' + error if error else 'ok'}")
    total1, total2 = sum(r[1] for r in first), sum(r[1] for r in second)
    print(f"{f'every notebook ({len(first)})':<36} {total1:6.1f} s first, {total2:5.1f} s second")
    print(f"{'from nothing to the last lesson':<36} {venv_s + pip_s + total1:6.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
