"""Checkers of lesson 03 (sampling.py): temperature, top-k, top-p, calibration, generation."""

from __future__ import annotations

import numpy as np
import pytest
from checks_answers import (
    ece,
    fit_temperature_grid,
    generate,
    mean_nll,
    stable_softmax,
    top_k_filter,
    top_p_filter,
)
from checks_helpers import assert_named, wrong_ids

from softmax_lessons import checks


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def temperature_batch_max(x, temperature):
    z = x / temperature
    e = np.exp(z - np.max(z))  # one maximum for the whole batch
    return e / e.sum(axis=-1, keepdims=True)


def top_k_in_place(p, k):
    p[np.argsort(p)[:-k]] = 0.0
    return p / p.sum()


def top_k_keeps_ties(p, k):
    out = np.where(p >= np.sort(p)[-k], p, 0.0)
    return out / out.sum()


def top_k_ties_to_higher_index(p, k):
    keep = np.argsort(p, kind="stable")[::-1][:k]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum()


def top_p_keeps_while_at_most(p, top_p):
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]
    keep = order[before <= top_p]  # should be < top_p: reaching it is enough
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum()


def _bins(confidence, n_bins):
    return np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)


def ece_unweighted(p, labels, n_bins):
    confidence, correct = p.max(axis=1), p.argmax(axis=1) == labels
    which = _bins(confidence, n_bins)
    gaps = [
        abs(correct[which == b].mean() - confidence[which == b].mean())
        for b in range(n_bins)
        if np.any(which == b)
    ]
    return float(np.mean(gaps))


def ece_signed(p, labels, n_bins):
    confidence, correct = p.max(axis=1), p.argmax(axis=1) == labels
    which = _bins(confidence, n_bins)
    return float(
        sum(
            np.mean(which == b) * (correct[which == b].mean() - confidence[which == b].mean())
            for b in range(n_bins)
            if np.any(which == b)
        )
    )


def ece_label_confidence(p, labels, n_bins):
    # uses the probability of the true label as the confidence
    confidence = p[np.arange(len(labels)), labels]
    correct = p.argmax(axis=1) == labels
    which = _bins(confidence, n_bins)
    total = 0.0
    for b in range(n_bins):
        if np.any(which == b):
            gap = abs(correct[which == b].mean() - confidence[which == b].mean())
            total += np.mean(which == b) * gap
    return float(total)


def ece_floor_bins(p, labels, n_bins):
    # floor(c * n) sends a confidence of exactly 1 to bin n_bins, past the last one
    confidence, correct = p.max(axis=1), p.argmax(axis=1) == labels
    which = np.floor(confidence * n_bins).astype(int)
    acc, conf, count = np.zeros(n_bins), np.zeros(n_bins), np.zeros(n_bins)
    for w, c, ok in zip(which, confidence, correct, strict=True):
        acc[w] += ok
        conf[w] += c
        count[w] += 1
    used = count > 0
    return float(np.sum(np.abs(acc[used] - conf[used])) / len(labels))


def ece_empty_bins_nan(p, labels, n_bins):
    confidence, correct = p.max(axis=1), (p.argmax(axis=1) == labels).astype(float)
    which = _bins(confidence, n_bins)
    count = np.bincount(which, minlength=n_bins)
    acc = np.bincount(which, weights=correct, minlength=n_bins) / count
    conf = np.bincount(which, weights=confidence, minlength=n_bins) / count
    return float(np.sum(count / len(labels) * np.abs(acc - conf)))


def ece_with_the_package(p, labels, n_bins):
    from softmax_lessons import calibration

    return calibration.expected_calibration_error(p, labels, n_bins)


def fit_multiplies(logits, labels):
    grid = np.geomspace(0.05, 20, 2000)
    return float(grid[np.argmin([mean_nll(logits * t, labels, 1.0) for t in grid])])


def fit_only_above_one(logits, labels):
    grid = np.geomspace(1.0, 20, 2000)
    return float(grid[np.argmin([mean_nll(logits, labels, t) for t in grid])])


def fit_coarse_grid(logits, labels):
    grid = np.linspace(0.25, 5, 20)
    return float(grid[np.argmin([mean_nll(logits, labels, t) for t in grid])])


def fit_with_the_package(logits, labels):
    from softmax_lessons import calibration

    return calibration.fit_temperature(logits, labels)


def generate_unfiltered(next_logits, start, steps, rng, top_p):
    tokens = [start]
    for _ in range(steps):
        p = stable_softmax(next_logits[tokens[-1]])
        tokens.append(int(rng.choice(len(p), p=p)))
    return tokens


def generate_from_the_start_row(next_logits, start, steps, rng, top_p):
    q = top_p_filter(stable_softmax(next_logits[start]), top_p)
    return [start] + [int(t) for t in rng.choice(len(q), size=steps, p=q)]


def generate_uniform_in_nucleus(next_logits, start, steps, rng, top_p):
    tokens = [start]
    for _ in range(steps):
        kept = np.flatnonzero(top_p_filter(stable_softmax(next_logits[tokens[-1]]), top_p))
        tokens.append(int(rng.choice(kept)))
    return tokens


def generate_not_renormalised(next_logits, start, steps, rng, top_p):
    tokens = [start]
    for _ in range(steps):
        q = top_p_filter(stable_softmax(next_logits[tokens[-1]]), top_p, renormalise=False)
        tokens.append(int(rng.choice(len(q), p=q)))
    return tokens


def generate_global_random(next_logits, start, steps, rng, top_p):
    draw = np.random.default_rng()  # a fresh, unseeded generator instead of rng
    return generate(next_logits, start, steps, draw, top_p)


def generate_ignores_rng(next_logits, start, steps, rng, top_p):
    return generate(next_logits, start, steps, np.random.default_rng(0), top_p)


def generate_with_the_package(next_logits, start, steps, rng, top_p):
    from softmax_lessons import sampling

    return sampling.sample_decode(next_logits, start, steps, rng, top_p=top_p)


WRONG = [
    # 03.1 temperature that multiplies instead of divides
    (
        "03.1",
        checks.check_softmax_temperature,
        lambda x, t: stable_softmax(x * t),
        "at T = 2 your distribution is sharper than at T = 1",
        "you multiplied the logits by the temperature",
    ),
    (
        "03.1",
        checks.check_softmax_temperature,
        lambda x, t: naive_softmax(x / t),
        "NaN on (10, 9, 0) at T = 0.01",
        "x / T reaches 1000 and exp overflows",
    ),
    (
        "03.1",
        checks.check_softmax_temperature,
        lambda x, t: stable_softmax(x) ** (1 / t),
        "at T = 2 your probabilities sum to 1.61, not 1",
        "needs renormalising",
    ),
    (
        "03.1",
        checks.check_softmax_temperature,
        temperature_batch_max,
        "NaN on a batch of rows (2, 1, 0) and (1000, 999, 998) at T = 0.5",
        "maximum of each row",
    ),
    # 03.3 top-k that forgets to renormalise
    (
        "03.3",
        checks.check_top_k,
        lambda p, k: top_k_filter(p, k, renormalise=False),
        "with k = 2 your probabilities sum to 0.7, not 1",
        "after zeroing the other tokens, renormalise",
    ),
    (
        "03.3",
        checks.check_top_k,
        lambda p, k: top_k_filter(p, k, largest=False),
        "dropped the more likely token",
        "keep the most likely tokens",
    ),
    ("03.3", checks.check_top_k, top_k_in_place, "changed the array it was given", "copy"),
    (
        "03.3",
        checks.check_top_k,
        top_k_keeps_ties,
        "with k = 1 you kept 2 tokens: several tie at the k-th place, but top-k keeps exactly k",
        "break the tie by position",
    ),
    (
        "03.3",
        checks.check_top_k,
        top_k_ties_to_higher_index,
        "with k = 1 you kept token(s) [3]: on a tie the lower index counts as more likely",
        "kind='stable'",
    ),
    # 03.4 top-p
    (
        "03.4",
        checks.check_top_p,
        lambda p, t: top_p_filter(p, t, renormalise=False),
        "your probabilities sum to",
        "renormalise the kept ones",
    ),
    (
        "03.4",
        checks.check_top_p,
        lambda p, t: top_p_filter(p, t, include_crossing=False),
        "the tokens you kept hold only",
        "include the token that crosses it",
    ),
    (
        "03.4",
        checks.check_top_p,
        lambda p, t: top_p_filter(p, t, extra=1),
        "you kept 3 tokens where 2 already reach top_p",
        "stop at the first token whose cumulative probability reaches top_p",
    ),
    (
        "03.4",
        checks.check_top_p,
        top_p_keeps_while_at_most,
        "with top_p = 0.75 you kept 3 tokens where 2 already reach top_p (the 2 most likely "
        "total exactly 0.75)",
        "reaching means >=, so keep a token only while the mass before it is < top_p",
    ),
    # 03.5 expected calibration error
    (
        "03.5",
        checks.check_ece,
        ece_unweighted,
        "it equals the plain mean of the per-bin gaps",
        "count / N",
    ),
    (
        "03.5",
        checks.check_ece,
        ece_signed,
        "it equals the weighted sum of signed gaps",
        "absolute gap",
    ),
    (
        "03.5",
        checks.check_ece,
        ece_label_confidence,
        "it uses the probability of the true label as the confidence",
        "largest probability of a row",
    ),
    (
        "03.5",
        checks.check_ece,
        ece_floor_bins,
        "on 6 predictions in 5 bins, one with confidence exactly 1, your function raised "
        "IndexError",
        "one past the last",
    ),
    (
        "03.5",
        checks.check_ece,
        ece_empty_bins_nan,
        "NaN on 6 predictions in 5 bins, where some bins are empty",
        "0 / 0 is NaN",
    ),
    (
        "03.5",
        checks.check_ece,
        lambda p, labels, n_bins: 0.0,
        "your ECE is 0, but these predictions are not calibrated",
        None,
    ),
    (
        "03.5",
        checks.check_ece,
        ece_with_the_package,
        "the exercise says write the bins yourself (no calibration.expected_calibration_error),"
        " but your function has calibration.expected_calibration_error(...) on line 4",
        "a bin index each",
    ),
    # 03.6 fitting a temperature
    (
        "03.6",
        checks.check_fit_temperature,
        fit_multiplies,
        "your T is about the reciprocal of the best one: below 1 on logits that are too sharp",
        "temperature divides the logits",
    ),
    (
        "03.6",
        checks.check_fit_temperature,
        fit_only_above_one,
        "on an under-confident model your T is 1, at least 1",
        "search below 1 too",
    ),
    (
        "03.6",
        checks.check_fit_temperature,
        fit_coarse_grid,
        "other temperatures make it lower (1% of T is the tolerance)",
        "make it fine",
    ),
    (
        "03.6",
        checks.check_fit_temperature,
        fit_with_the_package,
        "the exercise says write the search yourself (no calibration.fit_temperature or "
        "scipy.optimize), but your function has calibration.fit_temperature(...) on line 4",
        "log scale",
    ),
    # 03.8 generating text with top-p
    (
        "03.8",
        checks.check_generate_top_p,
        generate_unfiltered,
        "but it is outside the top-p nucleus of row",
        "filter each row's probabilities with top-p",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        generate_from_the_start_row,
        "every token of your text is drawn from the row of the start token",
        "feed each new token back",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        generate_uniform_in_nucleus,
        "away from the nucleus's probabilities, and close to uniform over it",
        "not uniformly among the kept tokens",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        generate_not_renormalised,
        "drawing refused your probabilities",
        "renormalise the kept ones",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        generate_global_random,
        "two generators made with the same seed gave two different texts",
        "draw only with the rng you are given",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        generate_ignores_rng,
        "generators made with different seeds gave the same text",
        "not np.random",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        lambda next_logits, start, steps, rng, top_p: [start] * steps,
        "with top_p = 0.6 and steps = 12000 your text has 12000 tokens, not steps + 1 = 12001",
        "start token followed by",
    ),
    (
        "03.8",
        checks.check_generate_top_p,
        generate_with_the_package,
        "the exercise says write the generation loop yourself",
        "rng.choice",
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, symptom, hint, capsys):
    assert_named(exercise, checker, fn, symptom, hint, capsys)


def test_ece_of_the_hand_made_predictions_by_hand():
    # 5 bins: 0.55 (right) alone in (0.4, 0.6]; 0.62 (wrong) and 0.72 (right) in (0.6, 0.8];
    # 0.85 (wrong), 0.95 and 1.0 (both right) in (0.8, 1.0].
    p = np.array(
        [[0.95, 0.03, 0.02], [0.1, 0.85, 0.05], [0.18, 0.1, 0.72],
         [0.62, 0.3, 0.08], [0.25, 0.2, 0.55], [0.0, 1.0, 0.0]]
    )
    labels = np.array([0, 0, 2, 1, 2, 1])
    by_hand = (
        1 / 6 * abs(1 - 0.55)
        + 2 / 6 * abs(0.5 - (0.72 + 0.62) / 2)
        + 3 / 6 * abs(2 / 3 - (0.95 + 0.85 + 1.0) / 3)
    )
    assert ece(p, labels, 5) == pytest.approx(by_hand, rel=1e-12)


def test_fitted_temperatures_are_close_to_how_the_models_were_made():
    # the checker's premise: over-confident data (factor 2) fits T > 1, under-confident T < 1
    from softmax_lessons.scenes import overconfident_classifier

    for factor, seed in ((2.0, 36), (0.5, 37)):
        logits, labels = overconfident_classifier(
            np.random.default_rng(seed), n_samples=1500, n_classes=5, overconfidence=factor
        )
        assert fit_temperature_grid(logits, labels) == pytest.approx(factor, rel=0.2)
