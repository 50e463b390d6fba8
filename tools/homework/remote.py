"""The learner's function as the grader sees it: a stand-in that calls it in the sandbox.

The grader runs each exercise's own diagnosis (``check.exercise.diagnose``) in its
own process, with a :class:`RemoteFunction` in place of the learner's function.
Each call sends the arguments into the sandbox as plain data, calls the function
there by name in the kernel where the notebook ran, and brings back plain data:
the value returned, or the exception's type name and message. The diagnosis then
judges those values exactly as it would in the notebook, so the verdict and its
message are the checker's own, computed where the learner's code cannot reach.

So that a diagnosis cannot tell the difference, the stand-in also brings back:

- in-place changes: arguments changed by the call are changed the same way here
  (exercise 01.1 fails a function that changes the list it was given);
- how a one-pass stream was used: an argument that is not plain data but can be
  iterated (exercise 06.1's stream) is read once here and sent as its items; the
  sandbox's own one-pass stream refuses a second read, ``len`` or indexing, and
  when that refusal ends the call, the same misuse is done here on the grader's
  stream, which raises the checker's own message;
- memory: when the diagnosis measures memory around the call (``tracemalloc`` is
  tracing), the sandbox measures the call the same way and the stand-in allocates
  that many bytes (at most 1 MiB) here, so the diagnosis reads the learner's figure.

A call into the course package's own code during the call, a call that runs past
the exercise's time limit, a kernel that dies and a function the notebook never
defined stop the diagnosis with a :class:`CheckStopped` (not an ``Exception``, so
no diagnosis can catch it by accident); the grader turns it into the row.
"""

from __future__ import annotations

import builtins
import gc
import re
import time
import tracemalloc

import numpy as np

from .inside.plain import PlainDataError, Stream, decode, encode
from .sandbox import Sandbox, SandboxEnded

__all__ = [
    "AnswerFromPackage",
    "CheckStopped",
    "CheckTimedOut",
    "FunctionMissing",
    "KernelDied",
    "RemoteFunction",
    "SandboxGone",
    "remote_exception",
]

MEMORY_ECHO_CAP = 2**20  # bytes: far above what any checker allows, far below harm


class CheckStopped(BaseException):
    """The diagnosis could not go on; ``status`` and ``message`` make the row."""

    status = "crashed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckTimedOut(CheckStopped):
    status = "timed out"


class KernelDied(CheckStopped):
    status = "crashed"


class SandboxGone(CheckStopped):
    status = "crashed"


class FunctionMissing(CheckStopped):
    status = "no result"


class AnswerFromPackage(CheckStopped):
    status = "failed"


class GraderError(CheckStopped):
    """Something the grader itself could not do (a bug to report, not the learner's fault)."""

    status = "grader error"


# ---------------------------------------------------------------------------
# Exceptions raised in the sandbox, raised again here
# ---------------------------------------------------------------------------


class RemoteException(Exception):
    """An exception of a type that is not one of Python's built-in ones."""


_REMOTE_CLASSES: dict[str, type] = {}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}$")


def remote_exception(type_name: str, module: str, message: str) -> BaseException:
    """An exception like the one raised in the sandbox: same type name, same message.

    Built-in exception types are raised as themselves (a diagnosis may catch a
    ``ValueError``, and ``NotImplementedError`` means "not attempted"); any other
    type becomes a :class:`RemoteException` subclass of the same name.

    Examples
    --------
    >>> type(remote_exception("NotImplementedError", "builtins", ""))
    <class 'NotImplementedError'>
    >>> exc = remote_exception("LinAlgError", "numpy.linalg", "Singular matrix")
    >>> type(exc).__name__, str(exc), isinstance(exc, Exception)
    ('LinAlgError', 'Singular matrix', True)
    """
    name = type_name if isinstance(type_name, str) and _IDENTIFIER.match(type_name) else "Error"
    message = str(message)[:2000]
    builtin = getattr(builtins, name, None)
    if (
        module == "builtins"
        and isinstance(builtin, type)
        and issubclass(builtin, Exception)
    ):
        try:
            return builtin(message)
        except TypeError:  # a built-in that needs other arguments (UnicodeDecodeError)
            pass
    cls = _REMOTE_CLASSES.get(name)
    if cls is None:
        cls = type(name, (RemoteException,), {"__module__": "sandbox"})
        _REMOTE_CLASSES[name] = cls
    return cls(message)


# ---------------------------------------------------------------------------
# The stand-in
# ---------------------------------------------------------------------------


class RemoteFunction:
    """Calls the notebook's function `name` in the sandbox; see the module docstring.

    Parameters
    ----------
    box : the sandbox where the notebook ran.
    name : the function's name in the notebook.
    budget : seconds all calls of one diagnosis may take together.
    """

    def __init__(self, box: Sandbox, name: str, budget: float) -> None:
        self.box, self.name, self.budget = box, name, budget
        self.deadline: float | None = None
        self.__name__ = name

    def __repr__(self) -> str:
        return f"<function {self.name} (in the sandbox)>"

    def __call__(self, *args, **kwargs):
        if self.deadline is None:
            self.deadline = time.monotonic() + self.budget
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise CheckTimedOut(self._too_slow())
        streams: list[object] = []
        sent_args = [self._plain(arg, streams) for arg in args]
        sent_kwargs = {key: self._plain(value, streams) for key, value in kwargs.items()}
        request = {
            "name": self.name,
            "args": encode(sent_args),
            "kwargs": encode(sent_kwargs),
            "measure_memory": tracemalloc.is_tracing(),
            "timeout": left,
        }
        self.box.quiet = request["measure_memory"]
        try:
            self.box.send({"call": request})
            del request, sent_args, sent_kwargs  # a long stream's items: not counted as memory
            return self._outcome(left + 10, args, kwargs, streams)
        except SandboxEnded as ended:
            raise SandboxGone(str(ended)) from None
        finally:
            self.box.quiet = False

    def _too_slow(self) -> str:
        return (
            f"your function ran past the time limit of the checks ({self.budget:g} s for this "
            "exercise) on the checker's inputs: an endless loop, or far too slow?"
        )

    @staticmethod
    def _plain(value, streams: list):
        """`value` itself if it is plain data, else its items as a one-pass stream."""
        if encode(value)["t"] != "opaque":
            return value
        if hasattr(value, "__iter__"):
            streams.append(value)
            return Stream(list(iter(value)))  # the grader's one read of it
        raise GraderError(f"the grader cannot send a {type(value).__name__} into the sandbox")

    def _outcome(self, timeout: float, args: tuple, kwargs: dict, streams: list):
        reply = self.box.receive("reply", timeout=timeout)  # held here only: freed before echo
        if not isinstance(reply, dict):
            raise SandboxGone("the sandbox answered with something that is not a reply")
        status = reply.get("status")
        if status == "timed out":
            raise CheckTimedOut(self._too_slow())
        if status in ("kernel died", "no reply"):
            raise KernelDied(
                "the kernel died while the checker was calling your function (out of memory? "
                "a crash? the process ended?)"
            )
        if status == "missing":
            raise FunctionMissing(str(reply.get("found", "nothing"))[:80])
        if status not in ("returned", "raised"):
            raise SandboxGone("the sandbox answered with something that is not a reply")
        calls = reply.get("package_calls") or []
        if calls:
            names = ", ".join(str(c)[:80] for c in calls[:3])
            raise AnswerFromPackage(
                f"your {self.name} calls the course's own implementation ({names}) when it "
                "runs: the exercise asks you to write it yourself, so it is not counted"
            )
        try:
            self._write_back(args, reply.get("args_after"))
            self._write_back(kwargs, reply.get("kwargs_after"))
            misuse = reply.get("stream_misuse") if status == "raised" else None
            if misuse and streams:
                _misuse(streams[0], misuse)  # raises the checker's own Mistake
            if isinstance(reply.get("memory"), int) and tracemalloc.is_tracing():
                memory = max(0, min(reply["memory"], MEMORY_ECHO_CAP))
                value = reply.get("value")
                error = (reply.get("type"), reply.get("module"), reply.get("message"))
                del reply
                # Encoding a stream of pairs leaves the grader's free lists full (dicts,
                # lists): memory still traced, though the call kept nothing. Empty them so
                # that only the learner's peak is echoed.
                gc.collect()
                tracemalloc.reset_peak()
                echo = bytearray(memory)  # the learner's peak, as seen by the diagnosis
                del echo
                reply = {"status": status, "value": value, "type": error[0],
                         "module": error[1], "message": error[2]}
            if status == "raised":
                raise remote_exception(
                    reply.get("type", "Error"), reply.get("module", ""), reply.get("message", "")
                )
            return decode(reply.get("value"))
        except (PlainDataError, TypeError, ValueError, OverflowError, MemoryError) as bad:
            if not isinstance(bad, PlainDataError) and status == "raised":
                raise  # the learner's exception, raised again here
            raise SandboxGone(f"the sandbox sent a result the grader cannot read ({bad})") from None

    @staticmethod
    def _write_back(sent, after_node) -> None:
        """Give the grader's arguments the changes the call made to the sandbox's copies."""
        if after_node is None:
            return
        after = decode(after_node)
        if isinstance(sent, dict):
            pairs = [(sent[key], after.get(key)) for key in sent] if isinstance(after, dict) else []
        else:
            pairs = list(zip(sent, after, strict=False)) if isinstance(after, list) else []
        for mine, theirs in pairs:
            if isinstance(mine, np.random.Generator) and isinstance(theirs, np.random.Generator):
                mine.bit_generator.state = theirs.bit_generator.state  # it drew as much
            elif isinstance(mine, list) and isinstance(theirs, list):
                mine[:] = theirs
            elif isinstance(mine, dict) and isinstance(theirs, dict):
                mine.clear()
                mine.update(theirs)
            elif (
                isinstance(mine, np.ndarray)
                and isinstance(theirs, np.ndarray)
                and mine.shape == theirs.shape
                and mine.flags.writeable
                and not np.array_equal(mine, theirs, equal_nan=mine.dtype.kind in "fc")
            ):
                mine[...] = theirs


def _misuse(stream, kind: str) -> None:
    """Do to the grader's stream what the learner's function did to the sandbox's copy."""
    if kind == "iter":
        iter(stream)  # the grader already read it once: this is the second read
    elif kind == "len":
        len(stream)
    elif kind == "getitem":
        stream[0]
