"""Kernel side of a graded call: call one function of the notebook on the grader's inputs.

The runner runs ``call(request)`` silently in the kernel where the submitted
notebook was executed, with the request as JSON text, and reads the reply back
from :data:`last_reply` in the same execution (through ``user_expressions``, so
no file is involved). The function is looked up by
name in the notebook's namespace, called on the decoded inputs, and what happened
is written into the reply as plain data: the value returned (or the
exception's type and message), the arguments as they are after the call (so the
grader sees in-place changes), how a one-pass stream argument was used, the
memory the call allocated (when the grader measures it) and which functions of
the course package it reached.

This runs in the learner's process, so the learner's code could change any of it;
the grader treats the response as a claim about outputs and decides on its own.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import tracemalloc
import warnings

import numpy as np

from .plain import decode, encode

__all__ = ["OnePass", "call", "last_reply", "protect"]

#: The JSON text of the reply to the last request.
last_reply: str | None = None


class StreamMisuse(Exception):
    """Raised by :class:`OnePass` when it is read twice or indexed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class StreamHasNoLength(StreamMisuse, TypeError):
    """len() of a stream: a TypeError too, so ``list(stream)`` still works."""


class OnePass:
    """An argument that can be read once, in order, like the grader's own stream."""

    def __init__(self, items: list) -> None:
        self._items = list(items)
        self.reads = 0

    def __iter__(self):
        self.reads += 1
        if self.reads > 1:
            raise StreamMisuse("iter", "the input was read twice; a stream can be read once")
        return iter(self._items)

    def __len__(self):
        raise StreamHasNoLength("len", "a stream has no length until it ends")

    def __getitem__(self, index):
        raise StreamMisuse("getitem", "a stream can only be read in order")


def _package_dir() -> str | None:
    """Folder of the course package (its functions must not answer an exercise)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("softmax_lessons")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(next(iter(spec.submodule_search_locations)), "")


def _namespace() -> dict:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else sys.modules["__main__"].__dict__


def _watch(package: str | None, seen: list[str]):
    """A profile function noting every call into the course package's own code."""

    def profile(frame, event, arg):
        if event == "call" and package and frame.f_code.co_filename.startswith(package):
            where = frame.f_globals.get("__name__", "?")
            name = f"{where}.{frame.f_code.co_name}"
            if name not in seen and len(seen) < 10:
                seen.append(name)

    return profile


def _run(fn, args, kwargs, measure_memory: bool, profile):
    """Call `fn`, returning (returned, raised, memory)."""
    returned, raised, memory = None, None, None
    started = measure_memory and not tracemalloc.is_tracing()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            if started:
                tracemalloc.start()
            if measure_memory:
                tracemalloc.reset_peak()
                before = tracemalloc.get_traced_memory()[0]
            sys.setprofile(profile)
            try:
                returned = fn(*args, **kwargs)
            finally:
                sys.setprofile(None)
            if measure_memory:
                memory = tracemalloc.get_traced_memory()[1] - before
        except BaseException as exc:  # SystemExit and interrupts too: all are results
            raised = exc
        finally:
            if started:
                tracemalloc.stop()
    return returned, raised, memory


def call(request_text: str) -> None:
    """Answer one request of the grader (see the module docstring)."""
    global last_reply
    last_reply = None
    request = json.loads(request_text)
    streams: list[OnePass] = []

    def stream(items):
        streams.append(OnePass(items))
        return streams[-1]

    args = decode(request["args"], stream=stream)
    kwargs = decode(request["kwargs"], stream=stream)
    fn = _namespace().get(request["name"])
    response: dict = {"id": request.get("id")}
    if fn is None or not callable(fn):
        response["status"] = "missing"
        response["found"] = "nothing" if fn is None else type(fn).__name__
    else:
        seen: list[str] = []
        returned, raised, memory = _run(
            fn, args, kwargs, bool(request.get("measure_memory")), _watch(_package_dir(), seen)
        )
        if raised is None:
            response["status"] = "returned"
            response["value"] = _safe_encode(returned)
        else:
            response["status"] = "raised"
            response["type"] = type(raised).__name__
            response["module"] = type(raised).__module__
            response["message"] = _safe_str(raised)
            if isinstance(raised, StreamMisuse):
                response["stream_misuse"] = raised.kind
        response["args_after"] = _safe_encode(args)
        response["kwargs_after"] = _safe_encode(kwargs)
        response["stream_reads"] = [s.reads for s in streams]
        response["memory"] = memory
        response["package_calls"] = seen
    last_reply = json.dumps(response)


def protect() -> None:
    """Keep other processes of the sandbox (the learner's children) from tracing the kernel.

    The runner calls it in the kernel before the first cell; a non-dumpable process
    cannot be traced, nor its files in /proc opened, by another process of the same user.
    """
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def _safe_encode(value) -> dict:
    try:
        return encode(value)
    except Exception as exc:  # a value whose own methods fail: keep only its type
        return {"t": "opaque", "type": f"{type(value).__name__} ({type(exc).__name__})"}


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:
        return ""

