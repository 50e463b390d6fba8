"""Arguments and results as plain data: JSON, with arrays as raw bytes of a numeric dtype.

The grader sends a checker's inputs into the sandbox and reads the learner's
results back with :func:`encode` and :func:`decode`. Nothing is ever unpickled:
a value is rebuilt only from a small set of types (None, bool, int, float,
complex, str, list, tuple, dict, NumPy arrays and scalars of boolean or numeric
dtype, and a NumPy random ``Generator``, sent as its bit generator's state so that
a function given an ``rng`` draws what it would draw at home). Anything else comes
back as an :class:`Opaque` stand-in that keeps only
its type's name, so a checker can still say "expected a list, got Foo".

Python keeps list and tuple apart, float and ``np.float64`` apart, and an array's
dtype and shape, because checkers look at them (exercise 01.1 wants a plain
list; exercise 04.1 wants booleans).

Examples
--------
>>> import numpy as np
>>> back = decode(encode([1.5, (2, None), np.array([[True, False]])]))
>>> back[0], back[1], back[2].dtype, back[2].shape
(1.5, (2, None), dtype('bool'), (1, 2))
>>> decode(encode(float("nan")))
nan
>>> type(decode(encode(object()))).__name__
'object'
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable

import numpy as np

__all__ = ["Opaque", "PlainDataError", "Stream", "decode", "encode"]

#: Deepest nesting accepted, and the longest string kept (longer ones are cut).
MAX_DEPTH = 32
MAX_STR = 10_000
MAX_INT_DIGITS = 1_000

#: Bit generators a random Generator may be rebuilt with (its state is plain data).
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")

_DTYPE = re.compile(r"^[<>|=]?[biufc][0-9]{1,2}$")
_NAME = re.compile(r"[^A-Za-z0-9_]")


class PlainDataError(ValueError):
    """Data that does not follow the plain format (or goes past its limits)."""


class Opaque:
    """Stands for a value of a type that is not plain data; only the type's name is kept."""

    type_name = "object"

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


_OPAQUE_CLASSES: dict[str, type] = {}


def _opaque(type_name: str) -> Opaque:
    """An instance of a class named like the original type, so messages can name it."""
    short = _NAME.sub("_", str(type_name).rsplit(".", 1)[-1])[:80] or "object"
    cls = _OPAQUE_CLASSES.get(short)
    if cls is None:
        cls = type(short, (Opaque,), {"type_name": short, "__module__": "opaque"})
        _OPAQUE_CLASSES[short] = cls
    return cls()


class Stream:
    """A one-pass iterable argument: sent as its items, rebuilt by the receiver's own class."""

    def __init__(self, items: list) -> None:
        self.items = items


def _float_text(value: float) -> str:
    return repr(float(value))


def encode(value, depth: int = 0) -> dict:
    """`value` as a tree of JSON-ready dicts, each tagged with ``"t"``.

    A :class:`Stream` is sent as its items; any other value that is not plain
    data becomes ``{"t": "opaque", "type": <its type's name>}``.
    """
    if depth > MAX_DEPTH:
        return {"t": "opaque", "type": "deeply nested value"}
    if value is None:
        return {"t": "none"}
    if isinstance(value, (np.ndarray, np.generic)):
        if not _DTYPE.match(value.dtype.str):
            return {"t": "opaque", "type": f"array of {value.dtype}"}
        data = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")
        if isinstance(value, np.generic):
            return {"t": "scalar", "dtype": value.dtype.str, "data": data}
        return {"t": "array", "dtype": value.dtype.str, "shape": list(value.shape), "data": data}
    if type(value) is np.random.Generator:
        bits = value.bit_generator
        if type(bits).__name__ not in _BIT_GENERATORS:
            return {"t": "opaque", "type": f"Generator of {type(bits).__name__}"}
        return {"t": "rng", "v": encode(bits.state, depth + 1)}
    # Subclasses (a namedtuple, an IntEnum) travel as their plain base type.
    if isinstance(value, bool):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int):
        if value.bit_length() > 4 * MAX_INT_DIGITS:
            return {"t": "opaque", "type": "int (too large)"}
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, float):
        return {"t": "float", "v": _float_text(value)}
    if isinstance(value, complex):
        return {"t": "complex", "v": [_float_text(value.real), _float_text(value.imag)]}
    if isinstance(value, str):
        return {"t": "str", "v": str(value)[:MAX_STR]}
    if isinstance(value, Stream):
        if all(type(item) is float for item in value.items):  # compact: one array of floats
            return {"t": "stream", "floats": encode(np.array(value.items, dtype=np.float64))}
        return {"t": "stream", "v": [encode(item, depth + 1) for item in value.items]}
    if isinstance(value, (list, tuple)):
        tag = "tuple" if isinstance(value, tuple) else "list"
        return {"t": tag, "v": [encode(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {
            "t": "dict",
            "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()],
        }
    cls = type(value)
    return {"t": "opaque", "type": f"{cls.__module__}.{cls.__qualname__}"}


def _need(condition: bool, what: str) -> None:
    if not condition:
        raise PlainDataError(what)


def _float(text) -> float:
    _need(isinstance(text, str) and len(text) < 40, "a float must be written as text")
    try:
        return float(text)
    except ValueError:
        raise PlainDataError(f"not a float: {text[:40]!r}") from None


def _raw(node: dict) -> tuple[np.dtype, bytes]:
    dtype_text = node.get("dtype")
    _need(isinstance(dtype_text, str) and bool(_DTYPE.match(dtype_text)), "bad dtype")
    try:
        dtype = np.dtype(dtype_text)
        raw = base64.b64decode(node.get("data", ""), validate=True)
    except (TypeError, ValueError):
        raise PlainDataError("bad array data") from None
    _need(dtype.kind in "biufc" and dtype.fields is None, "only numeric dtypes")
    return dtype, raw


def decode(node, depth: int = 0, stream: Callable[[list], object] | None = None):
    """Rebuild a value written by :func:`encode`, refusing anything outside the format.

    Parameters
    ----------
    node : the decoded JSON tree.
    stream : builds the receiver's one-pass iterable from a stream's items; without
        it a stream is refused.

    Raises
    ------
    PlainDataError
        On any tag, dtype, shape or size that does not fit.
    """
    _need(depth <= MAX_DEPTH + 1, "nested too deeply")
    _need(isinstance(node, dict) and isinstance(node.get("t"), str), "not a tagged value")
    tag, v = node["t"], node.get("v")
    if tag == "none":
        return None
    if tag == "bool":
        _need(isinstance(v, bool), "bad bool")
        return v
    if tag == "int":
        _need(isinstance(v, str) and 0 < len(v) <= 2 * MAX_INT_DIGITS, "bad int")
        try:
            return int(v)
        except ValueError:
            raise PlainDataError("bad int") from None
    if tag == "float":
        return _float(v)
    if tag == "complex":
        _need(isinstance(v, list) and len(v) == 2, "bad complex")
        return complex(_float(v[0]), _float(v[1]))
    if tag == "str":
        _need(isinstance(v, str) and len(v) <= MAX_STR, "bad str")
        return v
    if tag == "stream":
        _need(stream is not None, "a stream is not expected here")
        if "floats" in node:
            floats = decode(node["floats"], depth + 1)
            _need(isinstance(floats, np.ndarray) and floats.dtype == np.float64, "bad stream")
            return stream(floats.tolist())
        _need(isinstance(v, list), "bad stream")
        return stream([decode(item, depth + 1, stream) for item in v])
    if tag in ("list", "tuple"):
        _need(isinstance(v, list), f"bad {tag}")
        items = [decode(item, depth + 1, stream) for item in v]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        _need(isinstance(v, list), "bad dict")
        out = {}
        for pair in v:
            _need(isinstance(pair, list) and len(pair) == 2, "bad dict entry")
            key = decode(pair[0], depth + 1, stream)
            try:
                out[key] = decode(pair[1], depth + 1, stream)
            except TypeError:  # a key that cannot be a key (a list, an array)
                raise PlainDataError("bad dict key") from None
        return out
    if tag == "scalar":
        dtype, raw = _raw(node)
        _need(len(raw) == dtype.itemsize, "bad scalar size")
        return np.frombuffer(raw, dtype=dtype)[0]
    if tag == "array":
        dtype, raw = _raw(node)
        shape = node.get("shape")
        _need(
            isinstance(shape, list)
            and len(shape) <= 32
            and all(type(n) is int and n >= 0 for n in shape),
            "bad shape",
        )
        _need(math.prod(shape) * dtype.itemsize == len(raw), "data does not fit the shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag == "rng":
        state = decode(v, depth + 1)
        name = state.get("bit_generator") if isinstance(state, dict) else None
        _need(name in _BIT_GENERATORS, "bad random generator")
        bits = getattr(np.random, name)()
        try:
            bits.state = state
        except (TypeError, ValueError, KeyError, OverflowError):
            raise PlainDataError("bad random generator state") from None
        return np.random.Generator(bits)
    if tag == "opaque":
        return _opaque(node.get("type", "object"))
    raise PlainDataError(f"unknown tag {tag[:20]!r}")
