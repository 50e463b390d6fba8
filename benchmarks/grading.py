"""How fast the homework grader is, with one job and with one job per core.

Run from the course folder (as root, so the sandbox is used)::

    .venv/bin/python benchmarks/grading.py [--students 4] [--jobs N] [--rounds 1]

A made-up class: each student hands in all six homework notebooks, half of the
students the worked solutions, half the notebooks as handed out. The class is
graded twice into fresh CSVs by the grading command, once with ``--jobs 1`` and
once with ``--jobs N`` (default: the number of cores); the two CSVs must agree.
For each run it prints notebooks per second, the speed-up over one job, the peak
resident memory of the grader's own processes (the command's process and its
workers; not the sandboxes) and the largest resident memory one sandbox reached
(the sum over its processes, shared libraries counted in each). Benchmarks
report figures; they never fail a build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.homework.sandbox import sandbox_problem  # noqa: E402


def make_class(folder: Path, students: int) -> int:
    for number in range(students):
        source = ROOT / ("solutions" if number % 2 == 0 else "exercises")
        home = folder / f"student{number:02d}"
        home.mkdir(parents=True)
        for notebook in sorted(source.glob("*.ipynb")):
            shutil.copy(notebook, home)
    return sum(1 for _ in folder.rglob("*.ipynb"))


def _status(pid: str) -> tuple[int, int, str]:
    """(parent pid, resident KiB, command name) of a process."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        fields = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
    return int(fields["PPid"]), int(fields.get("VmRSS", "0 kB").split()[0]), fields["Name"].strip()


class TreeMemory:
    """Polls the resident memory of a process and its descendants, sandboxes apart."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0  # the grader: the process and its workers, not the sandboxes
        self.sandbox_peak_kib = 0  # the largest one sandbox (all its processes) used
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            table = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        table[int(entry)] = _status(entry)
                    except (OSError, KeyError, ValueError):
                        continue
            children: dict[int, list[int]] = {}
            for pid, (ppid, _, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            total, todo = 0, [self.pid]
            while todo:
                pid = todo.pop()
                if pid not in table:
                    continue
                if table[pid][2] == "bwrap":  # a sandbox: the submission's, not the grader's
                    box = self._subtree(pid, table, children)
                    self.sandbox_peak_kib = max(self.sandbox_peak_kib, box)
                    continue
                total += table[pid][1]
                todo += children.get(pid, [])
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(0.2)

    @staticmethod
    def _subtree(root: int, table: dict, children: dict) -> int:
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            total += table[pid][1] if pid in table else 0
            todo += children.get(pid, [])
        return total

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run(folder: Path, jobs: int, sandboxed: bool) -> dict:
    """Grade `folder` as an instructor would: the command line, in a process of its own."""
    out = folder.parent / f"grades-{jobs}.csv"
    command = [sys.executable, "-m", "tools.homework.grading", str(folder), "--out", str(out),
               "--jobs", str(jobs), "--regrade", *([] if sandboxed else ["--no-sandbox"])]
    started = time.perf_counter()
    grader = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    with TreeMemory(grader.pid) as memory:
        printed = grader.communicate()[0]
    seconds = time.perf_counter() - started
    if grader.returncode != 0:
        raise SystemExit(f"the grader failed:\n{printed}")
    return {"jobs": jobs, "seconds": seconds, "csv": out.read_text(encoding="utf-8"),
            "summary": printed.strip().splitlines()[-2], "grader_mib": memory.peak_kib / 1024,
            "sandbox_mib": memory.sandbox_peak_kib / 1024}


def _median(runs: list[dict]) -> dict:
    """The run of median time (with the largest memory seen in any of them)."""
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**middle, "grader_mib": max(r["grader_mib"] for r in runs),
            "sandbox_mib": max(r["sandbox_mib"] for r in runs)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs of each kind, taking turns; the median is reported")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    problem = sandbox_problem()
    if problem:
        print(f"no sandbox here ({problem}); timing the grader without it")
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        folder = Path(tmp) / "submissions"
        count = make_class(folder, args.students)
        print(f"{count} notebooks from {args.students} students, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        rounds = [[run(folder, jobs, problem is None) for jobs in (1, args.jobs)]
                  for _ in range(args.rounds)]
        results = [_median([r[i] for r in rounds]) for i in range(2)]
        print(f"check: {results[0]['summary']}")
        if results[0]["csv"] != results[1]["csv"]:
            raise SystemExit("the two runs graded differently")
    print()
    print("| jobs | seconds | notebooks / s | speed-up | grader peak MiB | sandbox peak MiB |")
    print("|---|---|---|---|---|---|")
    for result in results:
        rate = count / result["seconds"]
        speedup = results[0]["seconds"] / result["seconds"]
        print(f"| {result['jobs']} | {result['seconds']:.1f} | {rate:.2f} | {speedup:.2f}x | "
              f"{result['grader_mib']:.0f} | {result['sandbox_mib']:.0f} |")


if __name__ == "__main__":
    main()
