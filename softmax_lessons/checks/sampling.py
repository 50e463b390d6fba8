"""Checkers of exercises/03_temperature_and_sampling.ipynb (Temperature and sampling)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core import softmax
from .runner import (
    SMALL_LOGITS,
    Mistake,
    call_on_copies,
    checker,
    close,
    fmt_logits,
    not_finite,
    off_by,
    result_array,
)

__all__ = ["check_softmax_temperature", "check_top_k", "check_top_p"]


@checker("03.1", "softmax with a temperature")
def check_softmax_temperature(fn: Callable) -> str:
    """Exercise 03.1: ``softmax(x / T)``, called as ``fn(x, temperature)``.

    Taught in 03.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_softmax_temperature(lambda x, t: softmax(x * t)).passed
    ✗ Exercise 03.1: at T = 2 your distribution is sharper than at T = 1 (top probability \
0.867 against 0.665): you multiplied the logits by the temperature; divide them by it
    False
    """
    x = np.array(SMALL_LOGITS)
    got = result_array(call_on_copies(fn, x, 1.0), "probabilities", x.shape)
    if not close(got, softmax(x)):
        raise off_by(got, softmax(x), f"{fmt_logits(x)} at T = 1")
    hot = result_array(call_on_copies(fn, x, 2.0), "probabilities", x.shape)
    cold = result_array(call_on_copies(fn, x, 0.5), "probabilities", x.shape)
    for t, g in ((2.0, hot), (0.5, cold)):
        if not np.isfinite(g).all() or not np.isclose(g.sum(), 1):
            raise Mistake(
                f"at T = {t:g} your probabilities sum to {g.sum():.3g}, not 1: a temperature "
                "must give a distribution again; divide the logits by T before the softmax "
                "(a power of the probabilities needs renormalising)"
            )
    if hot.max() > got.max() + 1e-12:
        raise Mistake(
            f"at T = 2 your distribution is sharper than at T = 1 (top probability "
            f"{hot.max():.3f} against {got.max():.3f}): you multiplied the logits by the "
            "temperature; divide them by it"
        )
    if cold.max() < got.max() - 1e-12:
        raise Mistake(
            "at T = 0.5 your distribution is flatter than at T = 1: a temperature below 1 "
            "must sharpen; divide the logits by the temperature"
        )
    for t, g in ((2.0, hot), (0.5, cold)):
        if not close(g, softmax(x, temperature=t)):
            raise off_by(g, softmax(x, temperature=t), f"{fmt_logits(x)} at T = {t:g}")
    big = np.array([10.0, 9.0, 0.0])
    got = result_array(call_on_copies(fn, big, 0.01), "probabilities", big.shape)
    if not_finite(got):
        raise Mistake(
            f"{not_finite(got)} on {fmt_logits(big)} at T = 0.01: x / T reaches 1000 and exp "
            "overflows; subtract the maximum of x / T before exponentiating"
        )
    if not close(got, softmax(big, temperature=0.01)):
        raise off_by(got, softmax(big, temperature=0.01), f"{fmt_logits(big)} at T = 0.01")
    return "T = 1 unchanged, T = 2 flatter, T = 0.5 sharper, and no overflow at T = 0.01."


_VOCAB_P = np.array([0.05, 0.4, 0.1, 0.3, 0.15])


def _check_most_likely_kept(p, kept: set[int], setting: str) -> None:
    """Raise if a dropped token is more likely than a kept one (the filter forgot to sort)."""
    least_kept = min(p[list(kept)], default=1.0)
    dropped_better = [i for i in set(range(p.size)) - kept if p[i] > least_kept]
    if kept and dropped_better:
        raise Mistake(
            f"with {setting} you kept token(s) {sorted(kept)} but dropped the more likely "
            f"token {max(dropped_better, key=lambda i: p[i])}: keep the most likely tokens"
        )


def _check_filtered(p, got, kept_wanted: set[int], name: str, setting: str) -> None:
    """Shared symptoms of top-k and top-p: in-place change, kept set, renormalising."""
    kept = {int(i) for i in np.flatnonzero(got > 0)}
    if kept != kept_wanted:
        _check_most_likely_kept(p, kept, setting)
        raise Mistake(
            f"with {setting} you kept {len(kept)} token(s) {sorted(kept)}; {name} keeps "
            f"{len(kept_wanted)} here"
        )
    if not np.isclose(got.sum(), 1):
        raise Mistake(
            f"with {setting} your probabilities sum to {got.sum():.3g}, not 1: after zeroing "
            "the other tokens, renormalise the kept ones (divide by their sum)"
        )
    want = np.where(got > 0, p, 0) / p[sorted(kept)].sum()
    if not close(got, want):
        raise off_by(got, want, f"{setting}")


#: Probabilities with ties (exact in binary): tokens 1 and 3 share the top, 0, 2 and 4 the rest.
_TIED_P = np.array([0.125, 0.3125, 0.125, 0.3125, 0.125])


@checker("03.3", "top-k filtering")
def check_top_k(fn: Callable) -> str:
    """Exercise 03.3: keep the `k` most likely tokens of `p`, zero the rest, renormalise.

    Taught in 03. Called as ``fn(p, k)``; returns a new array.

    Examples
    --------
    >>> def top_k_forgetful(p, k):
    ...     keep = np.argsort(p)[-k:]
    ...     return np.where(np.isin(np.arange(p.size), keep), p, 0.0)
    >>> check_top_k(top_k_forgetful).passed
    ✗ Exercise 03.3: with k = 2 your probabilities sum to 0.7, not 1: after zeroing \
the other tokens, renormalise the kept ones (divide by their sum)
    False
    """
    for k, kept in ((2, {1, 3}), (1, {1}), (5, {0, 1, 2, 3, 4}), (3, {1, 3, 4})):
        p = _VOCAB_P.copy()
        result = fn(p, k)
        if not np.array_equal(p, _VOCAB_P):
            raise Mistake("your function changed the array it was given; work on a copy")
        got = result_array(result, "probabilities", p.shape)
        _check_filtered(p, got, kept, "top-k", f"k = {k}")
    on = f"p = {fmt_logits(_TIED_P)}"
    for k, kept in ((1, {1}), (3, {0, 1, 3})):
        got = result_array(call_on_copies(fn, _TIED_P, k), "probabilities", _TIED_P.shape)
        kept_now = {int(i) for i in np.flatnonzero(got > 0)}
        if len(kept_now) > k:
            raise Mistake(
                f"on {on} with k = {k} you kept {len(kept_now)} tokens: several tie at the "
                f"k-th place, but top-k keeps exactly k; break the tie by position (the lower "
                "index counts as more likely)"
            )
        if len(kept_now) == k and kept_now != kept:
            raise Mistake(
                f"on {on} with k = {k} you kept token(s) {sorted(kept_now)}: on a tie the "
                "lower index counts as more likely (sort with kind='stable' on -p)"
            )
        _check_filtered(_TIED_P, got, kept, "top-k", f"k = {k} on {on}")
    return "keeps the k most likely tokens and renormalises, for k = 1, 2, 3 and 5, and on ties."


#: Probabilities exact in binary, so 0.5 + 0.25 is exactly 0.75 in any order.
_DYADIC_P = np.array([0.125, 0.5, 0.0625, 0.25, 0.0625])


@checker("03.4", "top-p (nucleus) filtering")
def check_top_p(fn: Callable) -> str:
    """Exercise 03.4: nucleus filtering, called as ``fn(p, top_p)``.

    Taught in 03. Keep the smallest set of most likely tokens whose total probability
    is at least `top_p`, zero the rest, renormalise.

    Examples
    --------
    >>> def top_p_in_order(p, top_p):
    ...     keep = np.cumsum(p) - p < top_p      # forgets to sort
    ...     return np.where(keep, p, 0.0) / p[keep].sum()
    >>> check_top_p(top_p_in_order).passed
    ✗ Exercise 03.4: with top_p = 0.6 you kept token(s) [0, 1, 2, 3] but dropped the more \
likely token 4: keep the most likely tokens
    False
    """
    # _VOCAB_P sorted: 0.4 (token 1), 0.3 (3), 0.15 (4), 0.1 (2), 0.05 (0);
    # the last case reaches top_p exactly: 0.5 + 0.25 = 0.75 is enough.
    cases = [
        (_VOCAB_P, 0.6, {1, 3}),
        (_VOCAB_P, 0.3, {1}),
        (_VOCAB_P, 0.8, {1, 3, 4}),
        (_VOCAB_P, 0.99, {0, 1, 2, 3, 4}),
        (_DYADIC_P, 0.75, {1, 3}),
    ]
    for given, top_p, kept in cases:
        p = given.copy()
        result = fn(p, top_p)
        if not np.array_equal(p, given):
            raise Mistake("your function changed the array it was given; work on a copy")
        got = result_array(result, "probabilities", p.shape)
        kept_now = {int(i) for i in np.flatnonzero(got > 0)}
        _check_most_likely_kept(p, kept_now, f"top_p = {top_p}")
        mass = float(p[list(kept_now)].sum()) if kept_now else 0.0
        if kept_now != kept and mass < top_p:
            raise Mistake(
                f"with top_p = {top_p} the tokens you kept hold only {mass:.2f} of the "
                "probability: the nucleus is the smallest set whose total reaches top_p, "
                "so include the token that crosses it"
            )
        if kept_now != kept and len(kept_now) > len(kept) and kept <= kept_now:
            exact = float(p[list(kept)].sum()) == top_p
            raise Mistake(
                f"with top_p = {top_p} you kept {len(kept_now)} tokens where {len(kept)} already "
                "reach top_p: stop at the first token whose cumulative probability reaches it"
                + (
                    f" (here the {len(kept)} most likely total exactly {top_p}: reaching "
                    "means >=, so keep a token only while the mass before it is < top_p)"
                    if exact
                    else ""
                )
            )
        _check_filtered(p, got, kept, "top-p", f"top_p = {top_p}")
    return (
        "keeps the smallest most-likely set reaching top_p and renormalises, for five values, "
        "one reached exactly."
    )
