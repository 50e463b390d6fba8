"""Run one submission in a bubblewrap sandbox and talk to it through two pipes.

What a submission sees inside (Debian's ``bwrap``, started by the grader):

- read-only: the system's programs and libraries (``/usr``), the course's Python and
  its virtual environment, the package ``softmax_lessons`` and the grader's own
  in-sandbox code (:mod:`tools.homework.inside`); nothing else of the course
  folder: no ``solutions/``, no ``tools/``, no other submission, no CSV;
- writable: a private ``/tmp`` in memory, of limited size, gone afterwards;
- no network (its own empty network namespace), its own process namespace
  (it sees only its own processes), no environment variable of the grader's and
  no home folder of the instructor's;
- limits: address space per process, processes (and threads), CPU seconds and
  file size, set inside before the runner starts; as root, it also runs as a
  user id of its own, taken from a pool, so the process limit counts it alone.

The grader (this side) enforces a wall-clock limit on the whole notebook and a
limit on the resident memory of all the sandbox's processes together (polled
twice a second), and kills the sandbox when it is done. Because the sandbox has
its own process namespace and bubblewrap is told to die with its parent, killing
it ends every process the submission started, however it was detached.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BWRAP_INSTALL",
    "Limits",
    "Sandbox",
    "SandboxEnded",
    "sandbox_problem",
]

INSIDE = Path(__file__).resolve().parent / "inside"  # mounted as /opt/grader/grading_inside
GRADER_PATH = "/opt/grader"
UID_BASE, UID_COUNT = 61000, 512
BWRAP_INSTALL = "apt-get install -y bubblewrap"
MAX_LINE = 64 * 2**20  # bytes of one message from the sandbox (the executed notebook)


@dataclass(frozen=True)
class Limits:
    """Limits of one notebook's sandbox (times in seconds, sizes in MiB)."""

    cell_timeout: float = 60.0
    notebook_timeout: float = 300.0
    check_timeout: float = 20.0
    memory_mb: int = 2048
    processes: int = 128
    tmp_mb: int = 256
    output_mb: float = 5.0

    def execution_budget(self, n_exercises: int) -> float:
        """Seconds the cells may take together: what the checks do not need."""
        return self.notebook_timeout - n_exercises * self.check_timeout

    def check(self, n_exercises: int) -> None:
        """Raise ValueError on limits that leave the cells no time or make no sense."""
        for name in ("cell_timeout", "notebook_timeout", "check_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name.replace('_', '-')} must be > 0 s")
        if self.execution_budget(n_exercises) < min(10.0, self.cell_timeout):
            raise ValueError(
                f"--notebook-timeout {self.notebook_timeout:g} s leaves the cells too little "
                f"time once {n_exercises} exercises get --check-timeout "
                f"{self.check_timeout:g} s each; raise it or lower --check-timeout"
            )
        if self.memory_mb < 256:
            raise ValueError("--memory must be at least 256 MiB (a kernel needs about 150)")
        if self.processes < 32:
            raise ValueError("--processes must be at least 32 (a kernel runs about 10 threads)")


class SandboxEnded(Exception):
    """The sandbox stopped before answering; the message says why."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def sandbox_problem() -> str | None:
    """Why submissions cannot be sandboxed here, or None if they can."""
    if not sys.platform.startswith("linux"):
        return "the sandbox needs Linux (bubblewrap)"
    if bwrap_path() is None:
        return f"bubblewrap is not installed (as root: {BWRAP_INSTALL})"
    probe = subprocess.run(
        [bwrap_path(), *_namespaces(), "--ro-bind", "/", "/", "--", "/bin/true"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if probe.returncode != 0:
        reason = probe.stderr.strip().splitlines()[-1:] or ["no message"]
        return (
            f"bubblewrap cannot create a sandbox here ({reason[0]}); run the grader as root, "
            "or allow unprivileged user namespaces"
        )
    return None


def _namespaces() -> list[str]:
    spaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
              "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        spaces.append("--unshare-user")
    return spaces


# ---------------------------------------------------------------------------
# A user id of its own for each sandbox (as root)
# ---------------------------------------------------------------------------


class _UidLease:
    """An exclusive claim on one sandbox user id, held with a lock file until released."""

    # One folder for every grader on the machine, whatever its TMPDIR: two graders
    # running at once (two instructors, or a grader and the test suite) lock in the
    # same place, so they never hand out the same user id. Leases are taken as root
    # only, and /run is root's and cleared at boot, when no lease can be alive.
    folder = Path("/run/softmax-grading-uids")

    def __init__(self) -> None:
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:  # no writable /run (some containers): the temporary folder
            self.folder = Path(tempfile.gettempdir()) / "softmax-grading-uids"
            self.folder.mkdir(mode=0o700, exist_ok=True)
        for uid in range(UID_BASE, UID_BASE + UID_COUNT):
            if _user_exists(uid):
                continue
            handle = open(self.folder / f"{uid}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.uid, self._handle = uid, handle
            kill_user_processes(uid)  # left over by a grader that was killed: never reused
            return
        raise SandboxEnded(f"all {UID_COUNT} sandbox user ids are in use")

    def release(self) -> None:
        kill_user_processes(self.uid)
        self._handle.close()


def _user_exists(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _statuses():
    """(pid, fields of /proc/<pid>/status) for every process we can read."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="utf-8") as f:
                status = f.read()
        except OSError:
            continue  # gone since the listing, or not ours to read
        yield int(entry.name), dict(line.split(":", 1) for line in status.splitlines()
                                    if ":" in line)


def _processes() -> dict[int, tuple[int, int, int]]:
    """pid -> (parent pid, real uid, resident KiB), for every process we can read."""
    table = {}
    for pid, fields in _statuses():
        try:
            ppid = int(fields["PPid"])
            uid = int(fields["Uid"].split()[0])
            rss = int(fields.get("VmRSS", "0 kB").split()[0])
        except (KeyError, ValueError, IndexError):
            continue
        table[pid] = (ppid, uid, rss)
    return table


def _proportional_kib(pid: int | str) -> int:
    """The process's share of memory (PSS, KiB): pages shared after a fork count once in all."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            rollup = f.read()
    except OSError:
        return 0
    at = rollup.find(b"\nPss:")
    return int(rollup[at + 5:rollup.find(b"kB", at)].strip() or 0) if at >= 0 else 0


def _user_resident_kib(uid: int) -> int:
    """Memory of the processes of `uid` together (reads /proc keeping almost nothing)."""
    total = 0
    want = b"\nUid:\t" + str(uid).encode() + b"\t"
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/status", "rb") as f:
                    status = f.read()
            except OSError:
                continue
            if want in status:
                total += _proportional_kib(entry.name)
    return total


def user_processes(uid: int) -> list[int]:
    """Pids of the processes running as `uid`."""
    return [pid for pid, (_, owner, _) in _processes().items() if owner == uid]


def kill_user_processes(uid: int) -> None:
    for pid in user_processes(uid):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _descendants(root: int, table: dict[int, tuple[int, int, int]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


# ---------------------------------------------------------------------------
# The sandbox
# ---------------------------------------------------------------------------


def _python_paths() -> tuple[Path, Path, Path]:
    """The course's Python installation, its virtual environment, and the package folder."""
    import softmax_lessons

    package = Path(softmax_lessons.__file__).resolve().parent
    return Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package


def _mkdirs(path: Path, made: set[str]) -> list[str]:
    """bwrap arguments making every parent of `path` a world-readable folder."""
    args = []
    for parent in reversed(path.parents):
        text = str(parent)
        if text != "/" and text not in made:
            made.add(text)
            args += ["--perms", "0755", "--dir", text]
    return args


def bwrap_command(limits: Limits, uid: int | None, wall: float) -> list[str]:
    """The full command line: bubblewrap, then the limits and the runner inside it."""
    base, venv, package = _python_paths()
    made: set[str] = set()
    cmd = [bwrap_path(), *_namespaces(), "--die-with-parent", "--new-session",
           "--hostname", "sandbox"]
    for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / top
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), str(host)]
    for name in ("ld.so.cache", "localtime", "fonts", "alternatives"):
        if (Path("/etc") / name).exists():
            cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    # The private /tmp first: a course folder that lies under /tmp (a fresh clone in CI)
    # is then bound on top of it, instead of being hidden by it.
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.tmp_mb * 2**20), "--perms", "1777", "--tmpfs", "/tmp"]
    made.add("/tmp")
    for path in dict.fromkeys((base, venv, package)):
        if not str(path).startswith("/usr/"):
            cmd += [*_mkdirs(path, made), "--ro-bind", str(path), str(path)]
    cmd += _mkdirs(Path(GRADER_PATH) / "x", made)
    cmd += ["--ro-bind", str(INSIDE), f"{GRADER_PATH}/grading_inside"]
    cmd += ["--chdir", "/tmp"]
    env = sandbox_environment()
    cmd += ["--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    if uid is not None:
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    cmd += ["--", str(venv / "bin" / "python"), *runner_arguments(limits, uid, wall)]
    return cmd


def sandbox_environment() -> dict[str, str]:
    """The only environment variables a submission sees."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PYTHONPATH": GRADER_PATH,
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": "/tmp/home/.matplotlib",
        "IPYTHONDIR": "/tmp/home/.ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter/runtime",
        "JUPYTER_DATA_DIR": "/tmp/jupyter/data",
        "JUPYTER_CONFIG_DIR": "/tmp/jupyter/config",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",  # threads share malloc arenas: less address space reserved
        "GRADING_WORK": "/tmp/work",
    }


def _user_tasks(uid: int) -> int:
    """Processes and threads running as `uid` (what RLIMIT_NPROC counts)."""
    total = 0
    for _, fields in _statuses():
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            total += int(fields.get("Threads", "1").strip() or 1)
    return total


def runner_arguments(limits: Limits, uid: int | None, wall: float) -> list[str]:
    """The runner's command line: the limits, and the user id it becomes (as root)."""
    processes = limits.processes
    if uid is None and os.geteuid() != 0:
        # The sandbox runs as the instructor, whose own processes count towards the limit.
        processes += _user_tasks(os.geteuid())
    args = ["-m", "grading_inside.enter",
            "--memory", str(limits.memory_mb * 2**20),
            "--processes", str(processes),
            "--cpu", str(int(wall) + 5),
            "--file-size", str(limits.tmp_mb * 2**20)]
    return args + (["--uid", str(uid)] if uid is not None else [])


_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def _parse(line: bytes) -> dict:
    try:
        message = json.loads(line)
    except ValueError:
        return {"garbled": True}
    return message if isinstance(message, dict) else {"garbled": True}


class Sandbox:
    """One running sandbox: send it messages, read its answers, kill it when done.

    Parameters
    ----------
    limits : the notebook's limits.
    wall : seconds from start after which the sandbox is killed, whatever it does.
    sandboxed : False runs the same runner without bubblewrap (``--no-sandbox``):
        same verdicts, no isolation.
    """

    def __init__(self, limits: Limits, wall: float, sandboxed: bool = True) -> None:
        self.limits, self.wall, self.sandboxed = limits, wall, sandboxed
        self.ended: str | None = None  # why it was killed, once it was
        self.peak_kib = 0  # the largest resident memory seen, all processes together
        self.quiet = False  # True while the grader measures memory: the watchdog allocates
        self._lease = _UidLease() if sandboxed and os.geteuid() == 0 else None
        uid = self._lease.uid if self._lease else None
        self._log = tempfile.TemporaryFile()
        if sandboxed:
            cmd = bwrap_command(limits, uid, wall)
            env = None
        else:
            cmd = [sys.executable, *runner_arguments(limits, None, wall)]
            self._scratch = tempfile.TemporaryDirectory(prefix="grading-")
            env = self._unsandboxed_environment(sandbox_environment())
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                start_new_session=True, env=env, cwd=None if sandboxed else self._scratch.name,
            )
        except OSError:
            if self._lease is not None:
                self._lease.release()
            raise
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._messages: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _unsandboxed_environment(self, env: dict[str, str]) -> dict[str, str]:
        """The runner's environment without bubblewrap: its scratch folder stands for /tmp."""
        root = self._scratch.name
        link = Path(root) / "grader"
        link.mkdir()
        (link / "grading_inside").symlink_to(INSIDE)
        out = {}
        for key, value in env.items():
            out[key] = value.replace("/tmp", root) if value.startswith("/tmp") else value
        out["PYTHONPATH"] = str(link)
        return out

    # -- the two pipes -----------------------------------------------------------------

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            try:
                line = stream.readline(MAX_LINE + 1)
            except (OSError, ValueError):  # the pipe was closed under us by close()
                line = b""
            if not line:
                self._messages.put(None)
                return
            if len(line) > MAX_LINE or not line.endswith(b"\n"):
                self.kill("it sent a message larger than the grader reads")
                self._messages.put(None)
                return
            self._messages.put(_parse(line))
            del line  # not kept while waiting: a memory measurement may be running

    def _watch(self) -> None:
        """Kill the sandbox past its wall-clock limit or its memory limit."""
        limit_kib = self.limits.memory_mb * 1024
        while self.proc.poll() is None:
            if time.monotonic() - self.started > self.wall:
                self.kill(f"it ran past the notebook's time limit of {self.wall:.0f} s")
                return
            if not self.quiet:
                rss = self._resident_kib()
                self.peak_kib = max(self.peak_kib, rss)
                if rss > limit_kib:
                    self.kill(
                        f"its processes used more than {self.limits.memory_mb} MiB of memory "
                        "together"
                    )
                    return
            time.sleep(0.5)

    def _resident_kib(self) -> int:
        """Resident memory of every process of the sandbox together, in KiB."""
        if self._lease is not None:  # all of them run as the sandbox's own user
            return _user_resident_kib(self._lease.uid)
        table = _processes()
        return sum(_proportional_kib(pid) for pid in _descendants(self.proc.pid, table))

    def send(self, message: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise SandboxEnded(self.why_ended()) from None

    def receive(self, key: str, timeout: float | None = None) -> object:
        """The next message's `key` entry; raises SandboxEnded if none comes in time."""
        left = self.wall - (time.monotonic() - self.started)
        timeout = left if timeout is None else min(timeout, left)
        try:
            message = self._messages.get(timeout=max(timeout, 0.01))
        except queue.Empty:
            self.kill(f"it ran past the notebook's time limit of {self.wall:.0f} s")
            raise SandboxEnded(self.why_ended()) from None
        if message is None:
            raise SandboxEnded(self.why_ended())
        if key not in message:
            self.kill("it answered out of turn")
            raise SandboxEnded(self.why_ended())
        return message[key]

    def why_ended(self) -> str:
        if self.ended:
            return self.ended
        code = self.proc.poll()
        return (
            "the sandbox ended early (its runner was stopped"
            + (f", exit status {code})" if code is not None else ")")
        )

    def log_tail(self, size: int = 2000) -> str:
        """The end of what the runner wrote to its standard error (for grader errors)."""
        self._log.seek(0, os.SEEK_END)
        end = self._log.tell()
        self._log.seek(max(0, end - size))
        return self._log.read().decode("utf-8", "replace")

    # -- the end -------------------------------------------------------------------------

    def kill(self, why: str | None = None) -> None:
        if why and not self.ended and self.proc.poll() is None:
            self.ended = why
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.proc.kill()

    @staticmethod
    def kill_all() -> None:
        """Kill every sandbox of this process (on Ctrl+C)."""
        with _LIVE_LOCK:
            boxes = list(_LIVE)
        for box in boxes:
            box.kill("the grader was interrupted")

    def close(self) -> None:
        """Kill everything the sandbox started and give its user id back."""
        with _LIVE_LOCK:
            _LIVE.discard(self)
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        # Let the reader see the end of the pipe before it is closed: closing it in the
        # middle of a read is a race (at worst a reader left past a second is cut off).
        self._reader.join(timeout=1)
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        if self._lease is not None:
            self._lease.release()
        if not self.sandboxed:
            self._scratch.cleanup()
        self._log.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
