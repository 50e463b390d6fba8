"""Right answers to every checked exercise, written independently of the package.

The checker tests import them: ``RIGHT`` pairs each checker with one right answer,
``ALTERNATIVES`` with other right answers written another way (a learner may solve
an exercise differently and must pass all the same). ``STREAMING`` lists the
checkers that hand the learner's function a one-pass stream instead of arrays.
"""

from __future__ import annotations

import math

import numpy as np

from softmax_lessons import checks

# ---------------------------------------------------------------------------
# 01 Definition
# ---------------------------------------------------------------------------


def softmax_py(x):
    m = max(x)
    exps = [math.exp(v - m) for v in x]
    total = sum(exps)
    return [e / total for e in exps]


def softmax_py_without_shift(x):
    exps = [math.exp(v) for v in x]
    return [e / sum(exps) for e in exps]


def stable_softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def logits_from_probs(p):
    logp = np.log(p)
    return logp - logp.mean(axis=-1, keepdims=True)


def logits_from_probs_by_ratios(p):
    # the log of each probability relative to their geometric mean
    geometric_mean = np.exp(np.mean(np.log(p), axis=-1, keepdims=True))
    return np.log(p / geometric_mean)


def entropy_bits(x):
    m = np.max(x, axis=-1, keepdims=True)
    log_p = (x - m) - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
    return -np.sum(np.exp(log_p) * log_p, axis=-1) / np.log(2)


def entropy_bits_zero_log_zero(x):
    p = stable_softmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p), 0.0)
    return -np.sum(terms, axis=-1)


# ---------------------------------------------------------------------------
# 02 Numerical stability
# ---------------------------------------------------------------------------


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_sum_branch_free_fast2sum(a, b):
    # Fast2Sum on (larger, smaller), chosen with np.where: no `if`, works on arrays
    big = np.where(np.abs(a) >= np.abs(b), a, b)
    small = np.where(np.abs(a) >= np.abs(b), b, a)
    s = big + small
    return s, small - (s - big)


def softmax_two_sum(x, sign=1.0):
    d_hi, d_lo = two_sum(x, -np.max(x))
    e = np.exp(d_hi) * (1 + sign * d_lo)
    return e / e.sum()


def log_sigmoid(z):
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def log_sigmoid_two_branches(z):
    with np.errstate(over="ignore"):
        return np.where(z >= 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z)))


def logsumexp_rows(x):
    m = np.max(x, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def logsumexp_rows_initial(x):
    # max with a floor of the most negative float: an all -inf row is shifted by a finite number
    m = np.max(x, axis=-1, initial=-np.finfo(float).max)
    with np.errstate(divide="ignore"):
        return m + np.log(np.sum(np.exp(x - m[..., None]), axis=-1))


# ---------------------------------------------------------------------------
# 03 Temperature and sampling
# ---------------------------------------------------------------------------


def softmax_temperature(x, temperature):
    return stable_softmax(x / temperature)


def top_k_filter(p, k, renormalise=True, largest=True):
    # the course's tie rule: among equal probabilities the lower index is more likely
    order = np.argsort(-p, kind="stable") if largest else np.argsort(p, kind="stable")
    keep = order[:k]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum() if renormalise else out


def top_p_filter(p, top_p, extra=0, include_crossing=True, renormalise=True):
    order = np.argsort(-p, kind="stable")
    cum = np.cumsum(p[order])
    n_keep = int(np.searchsorted(cum, top_p)) + (1 if include_crossing else 0) + extra
    keep = order[:n_keep]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum() if renormalise else out


def ece(p, labels, n_bins):
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == labels
    # bin b holds (b / n, (b + 1) / n]: ceil(c * n) - 1, with c = 0 going to bin 0
    which = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        in_bin = which == b
        if in_bin.any():
            gap = abs(correct[in_bin].mean() - confidence[in_bin].mean())
            total += in_bin.mean() * gap
    return float(total)


def ece_digitize(p, labels, n_bins):
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0, 1, n_bins + 1)
    which = np.maximum(np.digitize(confidence, edges, right=True) - 1, 0)
    counts = np.bincount(which, minlength=n_bins)
    acc = np.bincount(which, weights=correct, minlength=n_bins)
    conf = np.bincount(which, weights=confidence, minlength=n_bins)
    used = counts > 0
    return float(np.sum(np.abs(acc[used] - conf[used])) / len(labels))


def mean_nll(logits, labels, temperature):
    return float(-np.mean(log_softmax(logits / temperature)[np.arange(len(labels)), labels]))


def fit_temperature_grid(logits, labels):
    # a coarse grid on a log scale, then a fine one around its best point
    grid = np.geomspace(0.05, 20, 200)
    best = grid[np.argmin([mean_nll(logits, labels, t) for t in grid])]
    fine = np.geomspace(best / 1.05, best * 1.05, 200)
    return float(fine[np.argmin([mean_nll(logits, labels, t) for t in fine])])


def fit_temperature_bisection(logits, labels):
    # the slope of the NLL in b = 1 / T is mean(E_p[x] - x_label), increasing in b
    true = logits[np.arange(len(labels)), labels]

    def slope(b):
        p = stable_softmax(b * logits)
        return float(np.mean(np.sum(p * logits, axis=1) - true))

    lo, hi = 1 / 20, 1 / 0.05
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if slope(mid) < 0 else (lo, mid)
    return 2 / (lo + hi)


def generate(next_logits, start, steps, rng, top_p):
    tokens = [start]
    for _ in range(steps):
        p = stable_softmax(next_logits[tokens[-1]])
        q = top_p_filter(p, top_p)
        tokens.append(int(rng.choice(len(q), p=q)))
    return tokens


def generate_inverse_cdf(next_logits, start, steps, rng, top_p):
    tokens = [start]
    for _ in range(steps):
        q = top_p_filter(stable_softmax(next_logits[tokens[-1]]), top_p)
        cumulative = np.cumsum(q)
        u = rng.random() * cumulative[-1]
        tokens.append(int(min(np.searchsorted(cumulative, u, side="right"), len(q) - 1)))
    return tokens


# ---------------------------------------------------------------------------
# 04 Attention and masking
# ---------------------------------------------------------------------------


def causal_mask(n):
    i = np.arange(n)
    return i[:, None] >= i[None, :]


def masked_softmax(scores, mask, fill=-np.inf):
    return stable_softmax(np.where(mask, scores, fill))


def attention(q, k, v, mask=None, scale=None, axis=-1, fill=-np.inf):
    scale = np.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.T / scale
    if mask is not None:
        scores = np.where(mask, scores, fill)
    w = np.exp(scores - scores.max(axis=axis, keepdims=True))
    w = w / w.sum(axis=axis, keepdims=True)
    return w @ v, w


def multi_head_attention(q, k, v, n_heads):
    outputs, weights = [], []
    for q_h, k_h, v_h in zip(
        np.split(q, n_heads, axis=-1),
        np.split(k, n_heads, axis=-1),
        np.split(v, n_heads, axis=-1),
        strict=True,
    ):
        out, w = attention(q_h, k_h, v_h)
        outputs.append(out)
        weights.append(w)
    return np.concatenate(outputs, axis=-1), np.stack(weights)


def multi_head_attention_reshaped(q, k, v, n_heads):
    def heads(a):
        return a.reshape(a.shape[0], n_heads, -1).transpose(1, 0, 2)

    qh, kh, vh = heads(q), heads(k), heads(v)
    scores = qh @ kh.transpose(0, 2, 1) / np.sqrt(qh.shape[-1])
    w = stable_softmax(scores)
    return (w @ vh).transpose(1, 0, 2).reshape(q.shape[0], -1), w


# ---------------------------------------------------------------------------
# 05 Cross-entropy and gradients
# ---------------------------------------------------------------------------


def cross_entropy(logits, labels):
    m = logits.max(axis=-1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=-1))
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))


def cross_entropy_grad(logits, labels):
    g = stable_softmax(logits)
    g[np.arange(len(labels)), labels] -= 1
    return g / len(labels)


def softmax_jacobian(p):
    return np.diag(p) - np.outer(p, p)


def gradient_step(features, labels, weights, bias, learning_rate):
    g = cross_entropy_grad(features @ weights + bias, labels)
    return weights - learning_rate * features.T @ g, bias - learning_rate * g.sum(axis=0)


def gradient_step_einsum(features, labels, weights, bias, learning_rate):
    n, k = len(labels), weights.shape[1]
    g = (stable_softmax(features @ weights + bias) - np.eye(k)[labels]) / n
    return weights - learning_rate * np.einsum("nf,nk->fk", features, g), bias - (
        learning_rate * np.einsum("nk->k", g)
    )


def label_smoothing(logits, labels, epsilon):
    n, k = logits.shape
    target = (1 - epsilon) * np.eye(k)[labels] + epsilon / k
    log_p = log_softmax(logits)
    loss = float(-np.mean(np.sum(target * log_p, axis=-1)))
    return loss, (np.exp(log_p) - target) / n


def label_smoothing_as_mixture(logits, labels, epsilon):
    # (1 - eps) times the usual loss plus eps times the loss against the uniform target
    n, k = logits.shape
    log_p = log_softmax(logits)
    usual = -log_p[np.arange(n), labels]
    uniform = -log_p.mean(axis=-1)
    loss = float(np.mean((1 - epsilon) * usual + epsilon * uniform))
    grad = (1 - epsilon) * cross_entropy_grad(logits, labels) + epsilon * (
        stable_softmax(logits) - 1 / k
    ) / n
    return loss, grad


# ---------------------------------------------------------------------------
# 06 Beyond
# ---------------------------------------------------------------------------


def online_softmax(xs):
    m, s = -math.inf, 0.0
    for x in xs:
        new_m = max(m, x)
        s = s * math.exp(m - new_m) + math.exp(x - new_m)
        m = new_m
    return m, s


def merge_states(a, b):
    m = max(a[0], b[0])
    if m == -math.inf:
        return (-math.inf, 0.0)
    return m, a[1] * math.exp(a[0] - m) + b[1] * math.exp(b[0] - m)


def gumbel_max(x, rng, size):
    u = rng.random((size, len(x)))
    return np.argmax(x - np.log(-np.log(u)), axis=-1)


def gumbel_max_uniform_open(x, rng, size):
    # uniforms in (0, 1], so log(u) is never log(0)
    u = 1.0 - rng.random((size, len(x)))
    g = -np.log(-np.log(u))
    return (x + g).argmax(axis=1)


def online_attention(pairs):
    m, s, acc = -math.inf, 0.0, 0.0
    for score, value in pairs:
        new_m = max(m, score)
        scale = math.exp(m - new_m)
        weight = math.exp(score - new_m)
        s = s * scale + weight
        acc = acc * scale + weight * value
        m = new_m
    return acc / s


def online_attention_running_mean(pairs):
    # keep the normalised output itself, and re-weight it as each pair arrives
    m, s, out = -math.inf, 0.0, 0.0
    for score, value in pairs:
        new_m = max(m, score)
        old = s * math.exp(m - new_m)
        s = old + math.exp(score - new_m)
        out = out * (old / s) + value * (math.exp(score - new_m) / s)
        m = new_m
    return out


RIGHT = [
    (checks.check_softmax_py, softmax_py),
    (checks.check_softmax_rows, stable_softmax),
    (checks.check_logits_from_probs, logits_from_probs),
    (checks.check_entropy_bits, entropy_bits),
    (checks.check_stable_softmax, stable_softmax),
    (checks.check_log_softmax, log_softmax),
    (checks.check_two_sum, two_sum),
    (checks.check_softmax_two_sum, softmax_two_sum),
    (checks.check_log_sigmoid, log_sigmoid),
    (checks.check_logsumexp_rows, logsumexp_rows),
    (checks.check_softmax_temperature, softmax_temperature),
    (checks.check_top_k, top_k_filter),
    (checks.check_top_p, top_p_filter),
    (checks.check_ece, ece),
    (checks.check_fit_temperature, fit_temperature_grid),
    (checks.check_generate_top_p, generate),
    (checks.check_causal_mask, causal_mask),
    (checks.check_masked_softmax, masked_softmax),
    (checks.check_attention, attention),
    (checks.check_multi_head_attention, multi_head_attention),
    (checks.check_cross_entropy, cross_entropy),
    (checks.check_cross_entropy_grad, cross_entropy_grad),
    (checks.check_softmax_jacobian, softmax_jacobian),
    (checks.check_gradient_step, gradient_step),
    (checks.check_label_smoothing, label_smoothing),
    (checks.check_online_softmax, online_softmax),
    (checks.check_merge_states, merge_states),
    (checks.check_gumbel_max, gumbel_max),
    (checks.check_online_attention, online_attention),
]

#: Right answers written another way than in RIGHT; each must pass too.
ALTERNATIVES = [
    (checks.check_softmax_py, softmax_py_without_shift),
    (checks.check_logits_from_probs, logits_from_probs_by_ratios),
    (checks.check_entropy_bits, entropy_bits_zero_log_zero),
    (checks.check_two_sum, two_sum_branch_free_fast2sum),
    (checks.check_log_sigmoid, log_sigmoid_two_branches),
    (checks.check_logsumexp_rows, logsumexp_rows_initial),
    (checks.check_ece, ece_digitize),
    (checks.check_fit_temperature, fit_temperature_bisection),
    (checks.check_generate_top_p, generate_inverse_cdf),
    (checks.check_multi_head_attention, multi_head_attention_reshaped),
    (checks.check_gradient_step, gradient_step_einsum),
    (checks.check_label_smoothing, label_smoothing_as_mixture),
    (checks.check_gumbel_max, gumbel_max_uniform_open),
    (checks.check_online_attention, online_attention_running_mean),
]

#: Checkers that pass the learner a stream that can be read once.
STREAMING = {checks.check_online_softmax, checks.check_online_attention}
