"""A scalar autograd in a few lines, and softmax and cross-entropy built on it.

Taught in 05 (optional). Each :class:`Value` holds a number, its gradient, and a
``_backward`` closure that sends the gradient to the values it was made from,
written beside the forward formula (the design of Andrej Karpathy's micrograd).
Softmax is then nothing special: exp, a sum and divisions, each differentiable,
and ``backward()`` finds ``p - y`` without being told.

This is for reading, not for speed: every number is a Python object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .validation import check_int

__all__ = ["Value", "cross_entropy_values", "logsumexp_values", "softmax_values"]


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back.

    Examples
    --------
    >>> a, b = Value(2.0), Value(3.0)
    >>> c = a * b + a.exp()
    >>> c.backward()
    >>> round(c.data, 4), round(a.grad, 4), b.grad    # dc/da = b + e**a, dc/db = a
    (13.3891, 10.3891, 2.0)
    """

    def __init__(self, data: float, _parents: tuple[Value, ...] = (), _op: str = ""):
        if isinstance(data, (bool, np.bool_)) or not isinstance(data, (int, float, np.integer,
                                                                        np.floating)):
            raise TypeError(f"data must be a real number, got {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._parents = _parents
        self._op = _op

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """``e ** self``; its derivative is itself, so the gradient is ``out.data * out.grad``.

        Examples
        --------
        >>> a = Value(0.0)
        >>> b = a.exp()
        >>> b.backward()
        >>> b.data, a.grad
        (1.0, 1.0)
        """
        try:
            out = Value(math.exp(self.data), (self,), "exp")
        except OverflowError:  # beyond float64's range, as NumPy's exp: inf
            out = Value(math.inf, (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad   # d exp(a) / da = exp(a)

        out._backward = _backward
        return out

    def log(self) -> Value:
        """Natural log; derivative ``1 / self``. Raises ``ValueError`` for a value <= 0.

        Examples
        --------
        >>> a = Value(2.0)
        >>> b = a.log()
        >>> b.backward()
        >>> round(b.data, 4), a.grad
        (0.6931, 0.5)
        """
        if self.data <= 0:
            raise ValueError(f"log needs a positive value, got {self.data}; "
                             "work with log-softmax instead of log(softmax)")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        out = Value(self.data ** exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return self * other ** -1.0

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other: float) -> Value:
        return Value(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return Value(other) / self

    def backward(self) -> None:
        """Set ``self.grad = 1`` and apply the chain rule to every value it depends on."""
        order, seen = [], set()

        def visit(v: Value) -> None:   # topological order: parents before children
            if id(v) not in seen:
                seen.add(id(v))
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def _as_values(x: Sequence[Value | float]) -> list[Value]:
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"x must be a list of numbers or Values, got {x!r}")
    bad = [v for v in x if not isinstance(v, (Value, int, float, np.integer, np.floating))
           or isinstance(v, (bool, np.bool_))]
    if bad:
        raise TypeError(f"x must hold numbers or Values, got {bad[0]!r}")
    values = [v if isinstance(v, Value) else Value(v) for v in x]
    if not values:
        raise ValueError("x must hold at least one logit, got an empty list")
    return values


def softmax_values(x: Sequence[Value | float]) -> list[Value]:
    """Softmax of a list of `Value` logits, shifted by the max (a constant: no gradient).

    Taught in 05. Same rule as the core softmax: if every logit is ``-inf``
    (nothing allowed) the result is all zeros (constants, with no gradient),
    never NaN.

    Examples
    --------
    >>> [round(p.data, 3) for p in softmax_values([2.0, 1.0, 0.0])]
    [0.665, 0.245, 0.09]
    """
    values = _as_values(x)
    shift = max(v.data for v in values)   # a plain float: shift invariance means no gradient
    if shift == -math.inf:
        return [Value(0.0) for _ in values]
    exps = [(v - shift).exp() for v in values]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


def logsumexp_values(x: Sequence[Value | float]) -> Value:
    """``m + log(sum(exp(x - m)))`` on `Value` logits.

    Taught in 05.

    Examples
    --------
    >>> round(logsumexp_values([1000.0, 1000.0]).data, 4)
    1000.6931
    """
    values = _as_values(x)
    shift = max(v.data for v in values)
    if shift == -math.inf:  # nothing allowed: the log of an empty sum, as the core's logsumexp
        return Value(-math.inf)
    exps = [(v - shift).exp() for v in values]
    return sum(exps[1:], exps[0]).log() + shift


def cross_entropy_values(x: Sequence[Value | float], label: int) -> Value:
    """``-x[label] + logsumexp(x)``: the loss of one example, as a `Value`.

    Taught in 05. After ``loss.backward()``, each logit's ``grad`` is ``p - y``.

    Examples
    --------
    >>> logits = [Value(2.0), Value(1.0), Value(0.0)]
    >>> loss = cross_entropy_values(logits, 0)
    >>> loss.backward()
    >>> round(loss.data, 4), [round(v.grad, 3) for v in logits]
    (0.4076, [-0.335, 0.245, 0.09])
    """
    values = _as_values(x)
    if not 0 <= check_int(label, "label", minimum=0) < len(values):
        raise ValueError(f"label must be in 0..{len(values) - 1}, got {label}")
    return logsumexp_values(values) - values[label]
