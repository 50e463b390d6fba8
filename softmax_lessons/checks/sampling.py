"""Checkers of exercises/03_temperature_and_sampling.ipynb (Temperature and sampling)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from ..calibration import (
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
)
from ..core import softmax
from ..sampling import filter_top_p
from ..scenes.sampling import overconfident_classifier
from . import rules
from .runner import (
    SMALL_LOGITS,
    Mistake,
    call_on_copies,
    checker,
    close,
    expect_close,
    fmt_logits,
    not_finite,
    off_by,
    result_array,
)

__all__ = [
    "check_ece",
    "check_fit_temperature",
    "check_generate_top_p",
    "check_softmax_temperature",
    "check_top_k",
    "check_top_p",
]


@checker("03.1", "softmax with a temperature", points=2)
def check_softmax_temperature(fn: Callable) -> str:
    """Exercise 03.1: ``softmax(x / T)``, called as ``fn(x, temperature)``.

    Taught in 03.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_softmax_temperature(lambda x, t: softmax(x * t)).passed
    ✗ Exercise 03.1: at T = 2 your distribution is sharper than at T = 1 (top probability \
0.867 against 0.665); you multiplied the logits by the temperature: divide them by it
    False
    """
    x = np.array(SMALL_LOGITS)
    got = expect_close(fn, (x, 1.0), softmax(x), f"{fmt_logits(x)} at T = 1")
    hot = result_array(call_on_copies(fn, x, 2.0), "probabilities", x.shape)
    cold = result_array(call_on_copies(fn, x, 0.5), "probabilities", x.shape)
    for t, g in ((2.0, hot), (0.5, cold)):
        if not np.isfinite(g).all() or not np.isclose(g.sum(), 1):
            raise Mistake(
                f"at T = {t:g} your probabilities sum to {g.sum():.3g}, not 1",
                hint="a temperature must give a distribution again; divide the logits by T "
                "before the softmax (a power of the probabilities needs renormalising)",
            )
    if hot.max() > got.max() + 1e-12:
        raise Mistake(
            f"at T = 2 your distribution is sharper than at T = 1 (top probability "
            f"{hot.max():.3f} against {got.max():.3f})",
            hint="you multiplied the logits by the temperature: divide them by it",
        )
    if cold.max() < got.max() - 1e-12:
        raise Mistake(
            "at T = 0.5 your distribution is flatter than at T = 1",
            hint="a temperature below 1 must sharpen: divide the logits by the temperature",
        )
    for t, g in ((2.0, hot), (0.5, cold)):
        if not close(g, softmax(x, temperature=t)):
            raise off_by(g, softmax(x, temperature=t), f"{fmt_logits(x)} at T = {t:g}")
    big = np.array([10.0, 9.0, 0.0])
    got = result_array(call_on_copies(fn, big, 0.01), "probabilities", big.shape)
    if not_finite(got):
        raise Mistake(
            f"{not_finite(got)} on {fmt_logits(big)} at T = 0.01",
            hint="x / T reaches 1000 and exp overflows; subtract the maximum of x / T before "
            "exponentiating",
        )
    if not close(got, softmax(big, temperature=0.01)):
        raise off_by(got, softmax(big, temperature=0.01), f"{fmt_logits(big)} at T = 0.01")
    batch = np.array([[2.0, 1.0, 0.0], [1000.0, 999.0, 998.0]])
    on = "a batch of rows (2, 1, 0) and (1000, 999, 998) at T = 0.5"
    got = result_array(call_on_copies(fn, batch, 0.5), "probabilities", batch.shape)
    if not_finite(got):
        raise Mistake(
            f"{not_finite(got)} on {on}",
            hint="subtract the maximum of each row (axis=-1, keepdims=True), not of the batch",
        )
    if not close(got, softmax(batch, temperature=0.5)):
        if np.allclose(got.sum(axis=0), 1) and not np.allclose(got.sum(axis=-1), 1):
            raise Mistake(
                f"on {on} each column sums to 1, not each row",
                hint="normalise along the last axis (axis=-1)",
            )
        raise off_by(got, softmax(batch, temperature=0.5), on)
    return (
        "T = 1 unchanged, T = 2 flatter, T = 0.5 sharper, no overflow at T = 0.01, and per row "
        "of a batch."
    )


_VOCAB_P = np.array([0.05, 0.4, 0.1, 0.3, 0.15])


def _check_most_likely_kept(p, kept: set[int], setting: str) -> None:
    """Raise if a dropped token is more likely than a kept one (the filter forgot to sort)."""
    least_kept = min(p[list(kept)], default=1.0)
    dropped_better = [i for i in set(range(p.size)) - kept if p[i] > least_kept]
    if kept and dropped_better:
        raise Mistake(
            f"with {setting} you kept token(s) {sorted(kept)} but dropped the more likely "
            f"token {max(dropped_better, key=lambda i: p[i])}",
            hint="keep the most likely tokens: sort by probability first",
        )


def _check_filtered(p, got, kept_wanted: set[int], name: str, setting: str) -> None:
    """Shared symptoms of top-k and top-p: in-place change, kept set, renormalising."""
    kept = {int(i) for i in np.flatnonzero(got > 0)}
    if kept != kept_wanted:
        _check_most_likely_kept(p, kept, setting)
        raise Mistake(
            f"with {setting} you kept {len(kept)} token(s) {sorted(kept)}, not the "
            f"{name} set",
            hint=f"{name} keeps {len(kept_wanted)} here",
        )
    if not np.isclose(got.sum(), 1):
        raise Mistake(
            f"with {setting} your probabilities sum to {got.sum():.3g}, not 1",
            hint="after zeroing the other tokens, renormalise the kept ones (divide by their sum)",
        )
    want = np.where(got > 0, p, 0) / p[sorted(kept)].sum()
    if not close(got, want):
        raise off_by(got, want, f"{setting}")


#: Probabilities with ties (exact in binary): tokens 1 and 3 share the top, 0, 2 and 4 the rest.
_TIED_P = np.array([0.125, 0.3125, 0.125, 0.3125, 0.125])


@checker("03.3", "top-k filtering", points=2)
def check_top_k(fn: Callable) -> str:
    """Exercise 03.3: keep the `k` most likely tokens of `p`, zero the rest, renormalise.

    Taught in 03. Called as ``fn(p, k)``; returns a new array.

    Examples
    --------
    >>> def top_k_forgetful(p, k):
    ...     keep = np.argsort(p)[-k:]
    ...     return np.where(np.isin(np.arange(p.size), keep), p, 0.0)
    >>> check_top_k(top_k_forgetful).passed
    ✗ Exercise 03.3: with k = 2 your probabilities sum to 0.7, not 1; after zeroing \
the other tokens, renormalise the kept ones (divide by their sum)
    False
    """
    for k, kept in ((2, {1, 3}), (1, {1}), (5, {0, 1, 2, 3, 4}), (3, {1, 3, 4})):
        p = _VOCAB_P.copy()
        result = fn(p, k)
        if not np.array_equal(p, _VOCAB_P):
            raise Mistake("your function changed the array it was given", hint="work on a copy")
        got = result_array(result, "probabilities", p.shape)
        _check_filtered(p, got, kept, "top-k", f"k = {k}")
    on = f"p = {fmt_logits(_TIED_P)}"
    for k, kept in ((1, {1}), (3, {0, 1, 3})):
        got = result_array(call_on_copies(fn, _TIED_P, k), "probabilities", _TIED_P.shape)
        kept_now = {int(i) for i in np.flatnonzero(got > 0)}
        if len(kept_now) > k:
            raise Mistake(
                f"on {on} with k = {k} you kept {len(kept_now)} tokens: several tie at the "
                f"k-th place, but top-k keeps exactly k",
                hint="break the tie by position (the lower index counts as more likely)",
            )
        if len(kept_now) == k and kept_now != kept:
            raise Mistake(
                f"on {on} with k = {k} you kept token(s) {sorted(kept_now)}: on a tie the "
                "lower index counts as more likely",
                hint="sort with kind='stable' on -p, so equal probabilities keep their order",
            )
        _check_filtered(_TIED_P, got, kept, "top-k", f"k = {k} on {on}")
    return "keeps the k most likely tokens and renormalises, for k = 1, 2, 3 and 5, and on ties."


#: Probabilities exact in binary, so 0.5 + 0.25 is exactly 0.75 in any order.
_DYADIC_P = np.array([0.125, 0.5, 0.0625, 0.25, 0.0625])


@checker("03.4", "top-p (nucleus) filtering", points=3)
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
likely token 4; keep the most likely tokens: sort by probability first
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
            raise Mistake("your function changed the array it was given", hint="work on a copy")
        got = result_array(result, "probabilities", p.shape)
        kept_now = {int(i) for i in np.flatnonzero(got > 0)}
        _check_most_likely_kept(p, kept_now, f"top_p = {top_p}")
        mass = float(p[list(kept_now)].sum()) if kept_now else 0.0
        if kept_now != kept and mass < top_p:
            raise Mistake(
                f"with top_p = {top_p} the tokens you kept hold only {mass:.2f} of the "
                "probability",
                hint="the nucleus is the smallest set whose total reaches top_p, so include the "
                "token that crosses it",
            )
        if kept_now != kept and len(kept_now) > len(kept) and kept <= kept_now:
            exact = float(p[list(kept)].sum()) == top_p
            raise Mistake(
                f"with top_p = {top_p} you kept {len(kept_now)} tokens where {len(kept)} already "
                "reach top_p"
                + (f" (the {len(kept)} most likely total exactly {top_p})" if exact else ""),
                hint="stop at the first token whose cumulative probability reaches top_p"
                + (
                    "; reaching means >=, so keep a token only while the mass before it is "
                    "< top_p"
                    if exact
                    else ""
                ),
            )
        _check_filtered(p, got, kept, "top-p", f"top_p = {top_p}")
    return (
        "keeps the smallest most-likely set reaching top_p and renormalises, for five values, "
        "one reached exactly."
    )


# ---------------------------------------------------------------------------
# Calibration: the expected calibration error, and fitting a temperature
# ---------------------------------------------------------------------------

#: Six predictions for exercise 03.5: confidences 0.95, 0.85, 0.72, 0.62, 0.55 and exactly 1
#: (none on an inner bin edge for 1, 5 or 10 bins, where rounding would decide).
_ECE_P = np.array(
    [
        [0.95, 0.03, 0.02],
        [0.1, 0.85, 0.05],
        [0.18, 0.1, 0.72],
        [0.62, 0.3, 0.08],
        [0.25, 0.2, 0.55],
        [0.0, 1.0, 0.0],
    ]
)
_ECE_LABELS = np.array([0, 0, 2, 1, 2, 1])


def _ece_variants(p, labels, n_bins) -> dict[str, float]:
    """ECE as it comes out of the likely slips, to recognise each one by its value."""
    confidence, correct = p.max(axis=1), (p.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.searchsorted(edges[1:-1], confidence, side="left")
    used = [b for b in range(n_bins) if np.any(which == b)]
    gaps = {b: correct[which == b].mean() - confidence[which == b].mean() for b in used}
    weights = {b: np.mean(which == b) for b in used}
    true_conf = p[np.arange(len(labels)), labels]
    not_one = confidence < 1.0
    return {
        "unweighted": float(np.mean([abs(g) for g in gaps.values()])),
        "signed": float(sum(weights[b] * gaps[b] for b in used)),
        "one gap": float(abs(correct.mean() - confidence.mean())),
        "label confidence": _ece_from(true_conf, correct, n_bins),
        "drops 1.0": _ece_from(
            confidence[not_one], correct[not_one], n_bins, n_total=len(labels)
        ),
    }


def _ece_from(confidence, correct, n_bins, n_total=None) -> float:
    """ECE from given confidences and right/wrong flags (used to imitate slips)."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.searchsorted(edges[1:-1], confidence, side="left")
    n_total = len(confidence) if n_total is None else n_total
    total = 0.0
    for b in range(n_bins):
        in_bin = which == b
        if in_bin.any():
            gap = abs(correct[in_bin].mean() - confidence[in_bin].mean())
            total += in_bin.sum() / n_total * gap
    return float(total)


_ECE_SLIPS = {
    "unweighted": (
        "it equals the plain mean of the per-bin gaps",
        "weight each bin's gap by its share of the examples (count / N)",
    ),
    "signed": (
        "it equals the weighted sum of signed gaps (accuracy - confidence)",
        "take the absolute gap |accuracy - confidence| of each bin",
    ),
    "one gap": (
        "it equals the gap between overall accuracy and overall confidence",
        "group the examples into bins of confidence first, then compare within each bin",
    ),
    "label confidence": (
        "it uses the probability of the true label as the confidence",
        "the confidence is the largest probability of a row, whatever the label",
    ),
    "drops 1.0": (
        "the prediction with confidence exactly 1 is left out",
        "np.floor(c * n_bins) puts c = 1 into bin n_bins, one past the last: put it in the last "
        "bin",
    ),
}


@checker("03.5", "expected calibration error", points=3)
def check_ece(fn: Callable) -> str:
    """Exercise 03.5: ``fn(p, labels, n_bins)``, the expected calibration error.

    Taught in 03. Confidence is the largest probability of a row, a prediction is right
    when its argmax is the label, bin ``b`` holds confidences in
    ``(b / n_bins, (b + 1) / n_bins]`` (the first also takes 0), and the ECE is the sum
    over non-empty bins of ``count / N * |accuracy - mean confidence|``. The
    package's calibration functions are ruled out (read from the source).

    Examples
    --------
    >>> check_ece(lambda p, labels, n_bins: 0.0).passed
    ✗ Exercise 03.5: on 6 predictions in 5 bins your ECE is 0, but these predictions are \
not calibrated
    False
    """
    for n_bins in (5, 10, 1):
        on = f"6 predictions in {n_bins} bin{'s' if n_bins > 1 else ''}"
        want = expected_calibration_error(_ECE_P, _ECE_LABELS, n_bins)
        try:
            result = call_on_copies(fn, _ECE_P, _ECE_LABELS, n_bins)
        except IndexError as exc:
            raise Mistake(
                f"on {on}, one with confidence exactly 1, your function raised IndexError: {exc}",
                hint=_ECE_SLIPS["drops 1.0"][1],
            ) from None
        if np.ndim(result) != 0:
            raise Mistake(f"on {on} expected one number, got shape {np.shape(result)}")
        got = float(result)
        if np.isnan(got):
            raise Mistake(
                f"NaN on {on}, where some bins are empty",
                hint="leave out empty bins: their weight is 0, but 0 / 0 is NaN",
            )
        if abs(got - want) <= 1e-12:
            continue
        if got == 0:
            raise Mistake(f"on {on} your ECE is 0, but these predictions are not calibrated")
        for slip, value in _ece_variants(_ECE_P, _ECE_LABELS, n_bins).items():
            if abs(got - value) <= 1e-12 and abs(value - want) > 1e-12:
                symptom, hint = _ECE_SLIPS[slip]
                raise Mistake(f"on {on} your ECE is {got:.4g}: {symptom}", hint=hint)
        raise Mistake(f"on {on} your ECE is {got:.4g}, off by {abs(got - want):.3g}")
    rng = np.random.default_rng(35)
    logits, labels = overconfident_classifier(rng, n_samples=500, n_classes=4)
    p = softmax(logits)
    got = float(call_on_copies(fn, p, labels, 10))
    want = expected_calibration_error(p, labels, 10)
    if abs(got - want) > 1e-9:
        raise Mistake(
            f"on 500 predictions of an over-confident model in 10 bins your ECE is off by "
            f"{abs(got - want):.3g}"
        )
    rules.enforce(
        rules.calls_to(fn, {"expected_calibration_error", "reliability_bins"}),
        "write the bins yourself (no calibration.expected_calibration_error)",
        hint="confidence and correctness per prediction, a bin index each, then a weighted sum",
    )
    return "right on 6 hand-made predictions in 1, 5 and 10 bins and on 500 from a model."


def _temperature_data(overconfidence: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return overconfident_classifier(
        np.random.default_rng(seed), n_samples=1500, n_classes=5, overconfidence=overconfidence
    )


@checker("03.6", "fitting a temperature", points=3)
def check_fit_temperature(fn: Callable) -> str:
    """Exercise 03.6: ``fn(logits, labels)`` returns the T that minimises the mean NLL.

    Taught in 03. The checker makes fresh models of its own, over-confident and
    under-confident, and accepts a T within 1% of the minimiser of
    ``mean(-log softmax(logits / T)[label])``. Calling the package's
    ``calibration.fit_temperature`` is ruled out (read from the source).

    Examples
    --------
    >>> check_fit_temperature(lambda logits, labels: 1.0).passed
    ✗ Exercise 03.6: on an over-confident model your T is 1, and the mean NLL there is \
1.311, but other temperatures make it lower (1% of T is the tolerance); minimise \
mean(-log softmax(logits / T)[label]) over T; if you search a grid, make it fine (or \
refine around its best point)
    False
    """
    cases = [("an over-confident model", 2.0, 36), ("an under-confident model", 0.5, 37)]
    for name, factor, seed in cases:
        logits, labels = _temperature_data(factor, seed)
        want = fit_temperature(logits, labels)
        result = call_on_copies(fn, logits, labels)
        if np.ndim(result) != 0:
            raise Mistake(f"on {name} expected one number T, got shape {np.shape(result)}")
        got = float(result)
        if not (np.isfinite(got) and got > 0):
            raise Mistake(f"on {name} your T is {got:g}, but a temperature must be > 0")
        if abs(got / want - 1) <= 0.01:
            continue
        if abs(got * want - 1) <= 0.02:
            raise Mistake(
                f"on {name} your T is about the reciprocal of the best one: "
                + ("below 1 on logits that are too sharp" if factor > 1 else
                   "above 1 on logits that are too flat"),
                hint="temperature divides the logits: score softmax(logits / T), not logits * T",
            )
        nll_got = negative_log_likelihood(logits, labels, got)
        if factor < 1 and got >= 1 and want < 1:
            raise Mistake(
                f"on {name} your T is {got:.3g}, at least 1, but the mean NLL keeps falling "
                "for smaller T",
                hint="an under-confident model needs T < 1: search below 1 too",
            )
        raise Mistake(
            f"on {name} your T is {got:.3g}, and the mean NLL there is {nll_got:.4g}, but other "
            "temperatures make it lower (1% of T is the tolerance)",
            hint="minimise mean(-log softmax(logits / T)[label]) over T; if you search a grid, "
            "make it fine (or refine around its best point)",
        )
    rules.enforce(
        rules.calls_to(fn, {"fit_temperature", "minimize_scalar", "minimize"}),
        "write the search yourself (no calibration.fit_temperature or scipy.optimize)",
        hint="a grid of temperatures on a log scale, then a finer grid around the best, is "
        "enough",
    )
    return (
        "within 1% of the best T on an over-confident (T > 1) and an under-confident (T < 1) "
        "model."
    )


# ---------------------------------------------------------------------------
# Generating text from a next-token table with top-p
# ---------------------------------------------------------------------------

#: A next-token table of 5 tokens: at top_p = 0.6 each row keeps a different nucleus.
_NEXT_LOGITS = np.array(
    [
        [0.0, 3.0, 2.6, -1.0, -2.0],
        [2.5, 0.0, -1.0, 2.2, -0.5],
        [-1.0, 0.5, 0.0, -0.5, 3.0],
        [2.8, -0.5, 2.4, 0.0, -1.0],
        [-0.5, 2.0, 0.0, 2.3, 0.3],
    ]
)
_LONG_TEXT = 12_000


def _tokens(result, steps: int, start: int, setting: str) -> list[int]:
    """The learner's text as a list of token indices, with its length and start checked."""
    if result is None:
        raise Mistake(
            f"with {setting} your function returned None where the tokens were expected",
            hint="did you forget `return`?",
        )
    try:
        tokens = [int(t) for t in result]
    except (TypeError, ValueError):
        raise Mistake(f"expected a list of token indices, got {type(result).__name__}") from None
    if len(tokens) != steps + 1:
        raise Mistake(
            f"with {setting} and steps = {steps} your text has {len(tokens)} tokens, not "
            f"steps + 1 = {steps + 1}",
            hint="return the start token followed by the `steps` new ones",
        )
    if tokens[0] != start:
        raise Mistake(
            f"with {setting} your text starts with token {tokens[0]}, not start = {start}"
        )
    bad = [t for t in tokens if not 0 <= t < _NEXT_LOGITS.shape[0]]
    if bad:
        raise Mistake(f"with {setting} your text holds token {bad[0]}, outside the vocabulary")
    return tokens


def _generate(fn: Callable, start: int, steps: int, seed: int, top_p: float) -> list[int]:
    """The learner's text for one setting, with a refused distribution named as such."""
    setting = f"top_p = {top_p:g}"
    try:
        result = call_on_copies(fn, _NEXT_LOGITS, start, steps, np.random.default_rng(seed), top_p)
    except ValueError as exc:
        if "sum to 1" in str(exc):
            raise Mistake(
                f"with {setting} drawing refused your probabilities: {exc}",
                hint="after zeroing the tokens outside the nucleus, renormalise the kept ones",
            ) from None
        raise
    return _tokens(result, steps, start, setting)


def _check_transitions(pairs, nuclei, start: int, setting: str) -> None:
    """Raise if a token follows another outside that token's nucleus."""
    outside = [(a, b) for a, b in pairs if nuclei[a][b] == 0]
    if not outside:
        return
    a, b = outside[0]
    if all(nuclei[start][b] > 0 for _, b in pairs):
        raise Mistake(
            f"with {setting} every token of your text is drawn from the row of the start "
            f"token: token {b} follows token {a} although it is outside row {a}'s nucleus",
            hint="feed each new token back: the next row is next_logits[last token]",
        )
    raise Mistake(
        f"with {setting} token {b} follows token {a} in your text, but it is outside the "
        f"top-p nucleus of row {a}",
        hint="filter each row's probabilities with top-p before drawing",
    )


@checker("03.8", "generating text with top-p", points=4)
def check_generate_top_p(fn: Callable) -> str:
    """Exercise 03.8: ``fn(next_logits, start, steps, rng, top_p)`` returns a list of tokens.

    Taught in 03. Row ``i`` of ``next_logits`` scores the token after token ``i``; each
    step filters that row's softmax with top-p and draws the next token with `rng`.
    The checker uses a table of its own, looks at every transition of a long text,
    counts them, and runs it twice with the same seed and with another seed.
    Calling the package's samplers is ruled out (read from the source).

    Examples
    --------
    >>> def always_first(next_logits, start, steps, rng, top_p):
    ...     return [start] + [0] * steps
    >>> check_generate_top_p(always_first).passed
    ✗ Exercise 03.8: with top_p = 0.6 token 0 follows token 0 in your text, but it is \
outside the top-p nucleus of row 0; filter each row's probabilities with top-p before drawing
    False
    """
    top_p = 0.6
    setting = f"top_p = {top_p}"
    tokens = _generate(fn, 0, _LONG_TEXT, 81, top_p)
    nuclei = [filter_top_p(softmax(row), top_p) for row in _NEXT_LOGITS]
    pairs = list(itertools.pairwise(tokens))
    _check_transitions(pairs, nuclei, tokens[0], setting)
    counts = np.zeros_like(_NEXT_LOGITS)
    np.add.at(counts, (np.array(tokens[:-1]), np.array(tokens[1:])), 1)
    for a in range(len(nuclei)):
        visits = counts[a].sum()
        if visits < 500:
            continue
        moved = 0.5 * float(np.abs(counts[a] / visits - nuclei[a]).sum())
        if moved > 0.05:
            kept = np.flatnonzero(nuclei[a])
            uniform = np.where(nuclei[a] > 0, 1 / kept.size, 0.0)
            is_uniform = 0.5 * float(np.abs(counts[a] / visits - uniform).sum()) < 0.03
            raise Mistake(
                f"with {setting}, over {int(visits)} draws after token {a}, the fractions of "
                f"the next tokens are {moved:.2f} (total variation) away from the nucleus's "
                "probabilities" + (", and close to uniform over it" if is_uniform else ""),
                hint="draw with the renormalised nucleus probabilities, e.g. "
                "rng.choice(n, p=q), not uniformly among the kept tokens"
                if is_uniform
                else "draw with the renormalised nucleus probabilities, e.g. rng.choice(n, p=q)",
            )
    tiny = [filter_top_p(softmax(row), 1e-9) for row in _NEXT_LOGITS]
    tokens = _generate(fn, 3, 12, 80, 1e-9)
    _check_transitions(list(itertools.pairwise(tokens)), tiny, 3, "top_p = 1e-09 (greedy)")
    runs = [_generate(fn, 1, 200, seed, 1.0) for seed in (82, 82, 83)]
    if runs[0] != runs[1]:
        raise Mistake(
            "two generators made with the same seed gave two different texts",
            hint="draw only with the rng you are given, so that a run can be repeated",
        )
    if runs[0] == runs[2]:
        raise Mistake(
            "generators made with different seeds gave the same text of 200 tokens",
            hint="draw with the rng you are given (rng.choice or rng.random), not np.random",
        )
    rules.enforce(
        rules.calls_to(fn, {"sample_decode", "sample"}),
        "write the generation loop yourself (no sampling.sample_decode or sampling.sample)",
        hint="softmax of the last token's row, your top-p filter, then rng.choice",
    )
    return (
        f"every transition of {_LONG_TEXT} tokens inside its nucleus with the right "
        "frequencies, greedy at a tiny top_p, and reproducible with a seed."
    )
