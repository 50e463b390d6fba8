"""Run one submitted notebook in a kernel inside the sandbox, then answer the grader's calls.

Started by the grader as ``python -m grading_inside.runner`` in the sandbox. It
talks to the grader through its standard input and output only, one JSON object
per line, and never decides anything:

1. it reads ``{"notebook": ..., "limits": {...}}`` and runs every code cell in a
   fresh kernel, recording outputs as Jupyter would. A cell that runs past the
   per-cell limit is interrupted and the notebook goes on; a cell that kills the
   kernel is skipped: a new kernel re-runs the cells before it and the notebook
   goes on after it; cells past the notebook's total limit are not run. It then
   sends ``{"executed": {"events": [...]}}``.
2. for each ``{"call": {...}}`` it runs :func:`grading_inside.kernel.call` in the
   kernel and sends ``{"reply": {...}}`` (or a reply saying the call timed out or
   the kernel died, after which a new kernel is prepared for the next call).
3. on ``{"finish": true}`` it sends ``{"notebook": ...}``, the notebook with its
   outputs, and exits.

The runner makes itself non-dumpable first, so the learner's processes (same
user) cannot open its pipes through /proc or trace it.
"""

from __future__ import annotations

import ast
import ctypes
import json
import os
import sys
import time
from pathlib import Path

import zmq
from jupyter_client import KernelManager

WORK = Path(os.environ.get("GRADING_WORK", "/tmp/work"))
PR_SET_DUMPABLE = 4
INTERRUPT_GRACE = 3.0  # seconds a kernel has to come back after an interrupt
MAX_KERNEL_STARTS = 4
HARNESS = "__import__('grading_inside.kernel', fromlist=['_']).protect()"


def _not_dumpable() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class KernelGone(Exception):
    """The kernel died, or stayed busy after an interrupt and had to be killed."""


class Runner:
    def __init__(self, notebook: dict, limits: dict, send) -> None:
        self.nb = notebook
        self.cell_timeout = float(limits.get("cell_timeout", 60))
        self.call_timeout = float(limits.get("check_timeout", 20))
        started = time.monotonic()
        self.deadline = started + float(limits.get("execution_budget", 300))
        self.wall_deadline = started + float(limits.get("wall", 600))
        self.output_limit = int(limits.get("output_limit", 5_000_000))
        self.output_size = 0
        self.send = send
        self.events: list[dict] = []
        self.replayable: list[int] = []  # cells that ran to an end: re-run after a restart
        self.km: KernelManager | None = None
        self.kc = None
        self.starts = 0
        self.calls = 0

    # -- the kernel ------------------------------------------------------------------

    def start_kernel(self) -> None:
        if self.starts >= MAX_KERNEL_STARTS:
            raise KernelGone("too many kernel restarts")
        self.stop_kernel()
        self.starts += 1
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(
            cwd=str(WORK),
            env=dict(os.environ),
            stdout=open(os.devnull, "wb"),
            stderr=open(os.devnull, "wb"),
            stdin=open(os.devnull, "rb"),
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self._silent(HARNESS, self.cell_timeout)

    def stop_kernel(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
            self.km = None

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def _wait_reply(self, msg_id: str, timeout: float, on_iopub=None) -> dict | None:
        """The shell reply to `msg_id` once the kernel is idle again (None on timeout).

        Messages on iopub that belong to `msg_id` go to `on_iopub`; others are dropped.
        Raises KernelGone if the kernel dies meanwhile.
        """
        iopub, shell = self.kc.iopub_channel, self.kc.shell_channel
        poller = zmq.Poller()
        poller.register(iopub.socket, zmq.POLLIN)
        poller.register(shell.socket, zmq.POLLIN)
        end = time.monotonic() + timeout
        idle = on_iopub is None
        reply = None
        while True:
            if not self.alive():
                raise KernelGone("the kernel died")
            left = end - time.monotonic()
            if left <= 0:
                return None
            poller.poll(int(min(left, 0.2) * 1000) + 1)
            while iopub.msg_ready():
                msg = iopub.get_msg(timeout=0)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "status":
                    idle = idle or msg["content"].get("execution_state") == "idle"
                elif on_iopub is not None:
                    on_iopub(msg)
            while shell.msg_ready():
                msg = shell.get_msg(timeout=0)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            if reply is not None and idle:
                return reply

    def _interrupt(self, msg_id: str) -> None:
        """Interrupt the running request; kill the kernel if it does not come back."""
        self.km.interrupt_kernel()
        if self._wait_reply(msg_id, INTERRUPT_GRACE, on_iopub=lambda msg: None) is None:
            self.stop_kernel()
            raise KernelGone("the kernel stayed busy after an interrupt")

    def _silent(self, code: str, timeout: float) -> dict | None:
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = self._wait_reply(msg_id, timeout)
        if reply is None:
            self._interrupt(msg_id)
        return reply

    # -- running the notebook -----------------------------------------------------------

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def run_cell(self, index: int, cell: dict) -> str:
        """Run one cell with its outputs recorded: 'ok', 'timed out' or raises KernelGone."""
        outputs: list[dict] = []
        cell["outputs"] = outputs
        cell["execution_count"] = None
        limit = min(self.cell_timeout, self.remaining())
        msg_id = self.kc.execute(_source(cell), store_history=True, allow_stdin=False,
                                 stop_on_error=False)

        def on_iopub(msg):
            self._record(cell, outputs, msg)

        reply = self._wait_reply(msg_id, max(limit, 0.0), on_iopub)
        if reply is None:
            self._interrupt(msg_id)
            return "timed out"
        return "ok"

    def _record(self, cell: dict, outputs: list[dict], msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "execute_input":
            cell["execution_count"] = content.get("execution_count")
            return
        if kind == "clear_output":
            outputs.clear()
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return
        size = len(json.dumps(content))
        if self.output_size + size > self.output_limit:
            if self.output_size <= self.output_limit:
                outputs.append({"output_type": "stream", "name": "stderr",
                                "text": "[the grader kept no more output of this notebook]\n"})
                self.output_size = self.output_limit + 1
            return
        self.output_size += size
        if kind == "stream":
            if outputs and outputs[-1].get("output_type") == "stream" and (
                outputs[-1]["name"] == content.get("name")
            ):
                outputs[-1]["text"] += content.get("text", "")
            else:
                outputs.append({"output_type": "stream", "name": content.get("name", "stdout"),
                                "text": content.get("text", "")})
        elif kind == "error":
            outputs.append({"output_type": "error", "ename": content.get("ename", ""),
                            "evalue": content.get("evalue", ""),
                            "traceback": content.get("traceback", [])})
        else:
            out = {"output_type": kind, "data": content.get("data", {}),
                   "metadata": content.get("metadata", {})}
            if kind == "execute_result":
                out["execution_count"] = content.get("execution_count")
            outputs.append(out)

    def execute(self) -> None:
        """Run every code cell once, in order, within the limits (phase 1)."""
        cells = self.nb.get("cells", [])
        self.start_kernel()
        for index, cell in enumerate(cells):
            if cell.get("cell_type") != "code":
                continue
            if not _source(cell).strip():
                cell["outputs"], cell["execution_count"] = [], None
                continue
            if self.remaining() <= 0:
                self.events.append({"cell": index, "event": "not run"})
                cell["outputs"], cell["execution_count"] = [], None
                continue
            if self.kc is None:
                try:
                    self.revive()
                except KernelGone as gone:
                    self.events.append({"cell": index, "event": "no kernel", "detail": str(gone)})
                    cell["outputs"], cell["execution_count"] = [], None
                    continue
            try:
                outcome = self.run_cell(index, cell)
            except KernelGone as gone:
                stuck = "busy" in str(gone)
                self.events.append(
                    {"cell": index, "event": "timed out" if stuck else "killed the kernel"}
                )
                self.stop_kernel()
                continue
            if outcome == "timed out":
                over = self.remaining() <= 0
                self.events.append({"cell": index, "event": "notebook time" if over else
                                    "timed out"})
                continue
            self.replayable.append(index)

    def revive(self) -> None:
        """A new kernel that has re-run every cell that ran to an end before (silently)."""
        self.start_kernel()
        cells = self.nb.get("cells", [])
        for index in self.replayable:
            limit = min(self.cell_timeout, self.wall_deadline - time.monotonic())
            if limit <= 0 or self._silent(_source(cells[index]), limit) is None:
                self.stop_kernel()
                raise KernelGone("the notebook could not be re-run")

    # -- graded calls -------------------------------------------------------------------

    def call(self, request: dict) -> dict:
        """Run one graded call in the kernel and return what it reported."""
        self.calls += 1
        request = {**request, "id": self.calls}
        timeout = min(float(request.get("timeout", self.call_timeout)), self.call_timeout)
        code = (
            "import grading_inside.kernel as __grading\n"
            f"__grading.call({json.dumps(request)!r})\n"
            "del __grading"
        )
        reply_expression = "__import__('grading_inside.kernel', fromlist=['_']).last_reply"
        try:
            if self.kc is None:
                self.revive()
            msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False,
                                     user_expressions={"reply": reply_expression})
            reply = self._wait_reply(msg_id, timeout, on_iopub=lambda msg: None)
            if reply is None:
                self._interrupt(msg_id)
                return {"status": "timed out"}
        except KernelGone as gone:
            self.stop_kernel()
            return {"status": "kernel died", "detail": str(gone)}
        try:
            text = reply["content"]["user_expressions"]["reply"]["data"]["text/plain"]
            answer = json.loads(ast.literal_eval(text))
        except (KeyError, TypeError, ValueError, SyntaxError, MemoryError):
            return {"status": "no reply", "detail": str(reply["content"].get("ename", ""))[:200]}
        if not isinstance(answer, dict) or answer.get("id") != self.calls:
            return {"status": "no reply", "detail": "a reply to another request"}
        return answer


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def main() -> None:
    _not_dumpable()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything printed by a library goes to the log, not to the grader

    def send(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    for name in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR",
                 "JUPYTER_CONFIG_DIR"):
        if os.environ.get(name):
            Path(os.environ[name]).mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    first = json.loads(sys.stdin.readline())
    runner = Runner(first["notebook"], first.get("limits", {}), send)
    try:
        try:
            runner.execute()
        except Exception as gone:  # the first kernel never started
            runner.events.append({"cell": None, "event": "no kernel", "detail": str(gone)[:300]})
        send({"executed": {"events": runner.events}})
        for line in sys.stdin:
            message = json.loads(line)
            if "call" in message:
                send({"reply": runner.call(message["call"])})
            elif message.get("finish"):
                break
        send({"notebook": runner.nb})
    finally:
        runner.stop_kernel()


if __name__ == "__main__":
    main()
