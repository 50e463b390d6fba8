"""Scenes of lesson 04: the example sequence, two hand-built heads, the heatmap, 1/sqrt(d),
float16 masks, one output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..attention import (
    SaturationCurve,
    attention_scores,
    causal_mask,
    padding_mask,
    row_entropy,
    saturation_curve,
    scaled_dot_product_attention,
)
from ..core import softmax
from ..validation import check_int

__all__ = [
    "EXAMPLE_LENGTH",
    "EXAMPLE_TOKENS",
    "SATURATION_DIMS",
    "SENTENCE_FEATURES",
    "SENTENCE_TOKENS",
    "SQUARE_VALUES",
    "AttentionScene",
    "ExampleSequence",
    "Head",
    "HeadsScene",
    "MaskValueCase",
    "MaskValueScene",
    "SameOutputScene",
    "SaturationScene",
    "attention_scene",
    "example_sequence",
    "float16_mask_scene",
    "labelled_table",
    "same_output_scene",
    "saturation_scene",
    "sentence_embeddings",
    "sentence_heads_scene",
]

# The lesson's short sequence: four real tokens, then two padding positions.
EXAMPLE_TOKENS = ("<s>", "the", "cat", "sat", "<pad>", "<pad>")
EXAMPLE_LENGTH = 4

# The key dimensions of the saturation curve (the slider goes up to the last one).
SATURATION_DIMS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


@dataclass(frozen=True)
class ExampleSequence:
    """The lesson's six tokens with their queries, keys and values: :func:`example_sequence`.

    Taught in 04.

    Attributes
    ----------
    tokens : tuple of str
        `EXAMPLE_TOKENS`: four real tokens, then two ``<pad>``.
    length : int
        The number of real tokens before the padding (`EXAMPLE_LENGTH`).
    q, k : ndarray, shape (6, d)
        Queries and keys.
    v : ndarray, shape (6, 2)
        Values.
    """

    tokens: tuple[str, ...]
    length: int
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray


def example_sequence(d: int = 8, seed: int = 4) -> ExampleSequence:
    """The lesson's short token sequence with queries, keys and values made from a seed.

    Taught in 04.

    Returns
    -------
    ExampleSequence
        ``tokens``, ``length``, and ``q``, ``k``, ``v`` of shape (6, d), (6, d), (6, 2).

    Examples
    --------
    >>> ex = example_sequence()
    >>> ex.tokens[:4], ex.q.shape, ex.v.shape
    (('<s>', 'the', 'cat', 'sat'), (6, 8), (6, 2))
    """
    d = check_int(d, "d")
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    n = len(EXAMPLE_TOKENS)
    embed = rng.standard_normal((n, d))
    w_q, w_k = rng.standard_normal((2, d, d)) / np.sqrt(d)
    return ExampleSequence(
        tokens=EXAMPLE_TOKENS,
        length=EXAMPLE_LENGTH,
        q=embed @ w_q,
        k=embed @ w_k,
        v=rng.standard_normal((n, 2)),
    )


@dataclass(frozen=True)
class AttentionScene:
    """What :func:`attention_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``tokens`` (the sentence and one ``<pad>``), the settings, ``mask`` (8, 8) bool,
    ``weights`` (8, 8), ``output`` (8, 2), ``row_entropy`` (bits), ``row_sums``,
    ``n_masked`` and ``summary``.
    """

    tokens: tuple[str, ...]
    causal: bool
    padding: bool
    scale: float
    mask: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    row_entropy: np.ndarray
    row_sums: np.ndarray
    n_masked: int
    summary: str


def attention_scene(
    causal: bool = True, padding: bool = True, scale: float = 1.0
) -> AttentionScene:
    """What the attention explorer draws: head 1 over the lesson's sentence, padded.

    Taught in 04. The tokens are "the cat sat because it was tired" followed by one
    ``<pad>``, as in a batch whose longest sentence has eight tokens; the pad's
    embedding is all zeros (it has none of the features). Queries, keys and values
    are head 1 of :func:`sentence_heads_scene`, the head where "it" looks for its
    noun. The scores are ``scale * q . k / sqrt(d)``: `scale` 1 is standard
    attention, larger sharpens every row that has a preference, 0 makes every row
    uniform over its allowed keys. `causal` hides later keys; `padding` hides the
    ``<pad>`` key.

    Returns
    -------
    AttentionScene
        Everything the figure or explorer shows, as named fields.

    Examples
    --------
    >>> s = attention_scene()
    >>> s.weights[0].round(2)          # "the" can only see itself
    array([1., 0., 0., 0., 0., 0., 0., 0.])
    >>> it, cat = s.tokens.index("it"), s.tokens.index("cat")
    >>> round(float(s.weights[it, cat]), 2)
    0.95
    >>> s.row_sums.round(6).tolist() == [1.0] * 8, s.n_masked
    (True, 29)
    """
    head = sentence_heads_scene().heads[0]
    n_pads = 1
    tokens = (*SENTENCE_TOKENS, *("<pad>",) * n_pads)
    n = len(tokens)
    e = np.vstack([sentence_embeddings(), np.zeros((n_pads, len(SENTENCE_FEATURES)))])
    q, k, v = e @ head.w_q, e @ head.w_k, e @ head.w_v
    mask = np.ones((n, n), dtype=bool)
    if causal:
        mask &= causal_mask(n)
    if padding:
        mask &= padding_mask([len(SENTENCE_TOKENS)], n)
    scale = float(scale)
    output, weights = scaled_dot_product_attention(q, k, v, mask=mask,
                                                   scale=scale / np.sqrt(q.shape[-1]))
    entropies = row_entropy(weights)
    sharpest = int(np.argmin(np.where(mask.sum(axis=1) > 1, entropies, np.inf)))
    summary = (f"causal: {'on' if causal else 'off'}, padding: {'on' if padding else 'off'}, "
               f"scale x{scale:.2f}: {int((~mask).sum())} of {n * n} cells masked; "
               f"mean row entropy {entropies.mean():.2f} bits; sharpest row with a choice: "
               f"'{tokens[sharpest]}' (max weight {weights[sharpest].max():.2f})")
    return AttentionScene(
        tokens=tokens,
        causal=bool(causal),
        padding=bool(padding),
        scale=scale,
        mask=mask,
        weights=weights,
        output=output,
        row_entropy=entropies,
        row_sums=weights.sum(axis=1),
        n_masked=int((~mask).sum()),
        summary=summary,
    )


@dataclass(frozen=True)
class SaturationScene:
    """What :func:`saturation_scene` computes: one frame of the explorer, or a static figure.
    """

    d: int
    weights_scaled: np.ndarray
    weights_unscaled: np.ndarray
    curve: SaturationCurve
    mean_entropy_scaled: float
    mean_entropy_unscaled: float
    summary: str


def saturation_scene(d: int = 64, n_keys: int = 8, seed: int = 7) -> SaturationScene:
    """What the d-slider explorer draws: one query against `n_keys` random keys at dimension d.

    Taught in 04. Queries and keys have standard-normal entries (a fixed draw from
    `seed`; dimension d uses its first d coordinates), so raw dot products have
    variance d. The default seed draws a row that shows the contrast the lesson
    describes: at d = 256 it is spread out with ``1/sqrt(d)`` and one-hot without.
    Returns the example row's weights with and without ``1/sqrt(d)``,
    and the mean-entropy curve over `SATURATION_DIMS` (and d) from
    :func:`softmax_lessons.attention.saturation_curve`.

    Examples
    --------
    >>> s = saturation_scene(256)
    >>> round(s.mean_entropy_scaled, 1), round(s.mean_entropy_unscaled, 1)
    (2.5, 0.2)
    """
    d_max = SATURATION_DIMS[-1]
    d = int(d)
    if not 1 <= d <= d_max:
        raise ValueError(f"d must be an integer in [1, {d_max}], got {d}")
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, d_max))[:, :d]
    k = rng.standard_normal((n_keys, d_max))[:, :d]
    scaled = softmax(attention_scores(q, k))[0]
    unscaled = softmax(attention_scores(q, k, scale=1.0))[0]
    dims = sorted(set(SATURATION_DIMS) | {d})
    curve = saturation_curve(dims, np.random.default_rng(seed + 1), n_keys=n_keys,
                             n_queries=100)
    at_d = dims.index(d)
    mean_scaled = float(curve.entropy_scaled[at_d])
    mean_unscaled = float(curve.entropy_unscaled[at_d])
    summary = (f"d = {d}: mean entropy {mean_scaled:.2f} bits with 1/sqrt(d), "
               f"{mean_unscaled:.2f} bits without (max {curve.max_entropy:.0f}); "
               f"largest weight in this row {scaled.max():.2f} vs {unscaled.max():.2f}")
    return SaturationScene(
        d=d,
        weights_scaled=scaled,
        weights_unscaled=unscaled,
        curve=curve,
        mean_entropy_scaled=mean_scaled,
        mean_entropy_unscaled=mean_unscaled,
        summary=summary,
    )


def labelled_table(
    values: np.ndarray, row_labels: Sequence[str], col_labels: Sequence[str], *, digits: int = 2
) -> str:
    """A small matrix as text, with a label on every row and column. Taught in 04.

    Numbers are rounded to `digits` decimals and printed without trailing zeros, so
    a hand-chosen matrix of 0s and 1s stays easy to read.

    Examples
    --------
    >>> print(labelled_table(np.array([[1.0, 0.5], [0.0, -2.0]]), ["a", "b"], ["x", "y"]))
         x    y
    a    1  0.5
    b    0   -2
    """
    table = np.asarray(values, dtype=float)
    if table.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"values of shape {table.shape} need {table.shape[0]} row labels and "
                         f"{table.shape[1]} column labels, got {len(row_labels)} and "
                         f"{len(col_labels)}")
    cells = [[f"{float(np.round(v, digits)) + 0.0:g}" for v in row] for row in table]
    first = max(len(label) for label in row_labels)
    widths = [max(len(col_labels[j]), *(len(row[j]) for row in cells)) + 2
              for j in range(len(col_labels))]
    lines = [" " * first + "".join(f"{c:>{w}}" for c, w in zip(col_labels, widths, strict=True))]
    for label, row in zip(row_labels, cells, strict=True):
        lines.append(f"{label:<{first}}" + "".join(f"{c:>{w}}"
                                                   for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# A sentence with meaning: hand-chosen embeddings and two heads a learner can check
# ---------------------------------------------------------------------------------------

SENTENCE_TOKENS = ("the", "cat", "sat", "because", "it", "was", "tired")
# What each column of an embedding says about a word. "clause" is a crude stand-in for
# position: +1 before "because", -1 after it (real models add a position vector).
SENTENCE_FEATURES = ("noun", "animate", "pronoun", "verb", "clause")
_SENTENCE_ROWS = {
    "the":     (0, 0, 0, 0, 1),
    "cat":     (1, 1, 0, 0, 1),
    "sat":     (0, 0, 0, 1, 1),
    "because": (0, 0, 0, 0, 0),
    "it":      (0, 0, 1, 0, -1),
    "was":     (0, 0, 0, 1, -1),
    "tired":   (0, 0, 0, 0, -1),
}


def sentence_embeddings() -> np.ndarray:
    """The embedding of each word of "the cat sat because it was tired", shape (7, 5).

    Taught in 04. Row i describes word i with the five features of
    `SENTENCE_FEATURES` (chosen by hand so a learner can read them; a trained
    model learns its own, unnamed ones).

    Examples
    --------
    >>> e = sentence_embeddings()
    >>> e.shape, e[SENTENCE_TOKENS.index("cat")].tolist()
    ((7, 5), [1.0, 1.0, 0.0, 0.0, 1.0])
    """
    return np.array([_SENTENCE_ROWS[t] for t in SENTENCE_TOKENS], dtype=float)


def _projection(entries: dict[tuple[str, int], float], width: int = 2) -> np.ndarray:
    """A (features, width) matrix, zero except the named (feature, column) entries."""
    w = np.zeros((len(SENTENCE_FEATURES), width))
    for (feature, column), value in entries.items():
        w[SENTENCE_FEATURES.index(feature), column] = value
    return w


@dataclass(frozen=True)
class Head:
    """One attention head of :func:`sentence_heads_scene`: its projections and what they give.

    Fields: ``name``, ``question`` (what the head looks for, in words), ``w_q``,
    ``w_k``, ``w_v`` (5, 2); ``q``, ``k``, ``v`` (7, 2) = embeddings @ projection;
    ``weights`` (7, 7), ``output`` (7, 2); ``links``, the (query, key) word pairs the
    head was built to connect.
    """

    name: str
    question: str
    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class HeadsScene:
    """What :func:`sentence_heads_scene` computes: the sentence, its embeddings and its heads.

    Fields: ``tokens``, ``features``, ``embeddings`` (7, 5), ``heads`` (tuple of
    :class:`Head`), ``mask`` (7, 7) bool, ``concatenated`` (7, 2 * number of heads):
    the heads' outputs side by side, one row per word.
    """

    tokens: tuple[str, ...]
    features: tuple[str, ...]
    embeddings: np.ndarray
    heads: tuple[Head, ...]
    mask: np.ndarray
    concatenated: np.ndarray


def sentence_heads_scene(causal: bool = False) -> HeadsScene:
    """Self-attention over "the cat sat because it was tired" with two hand-built heads.

    Taught in 04. Every word is a query over the same sentence. Each head has its
    own projections ``W_q``, ``W_k``, ``W_v`` (5 features -> 2 numbers), chosen by
    hand so the weights tell a story a learner can check:

    - head 1, "pronoun -> its noun": only the pronoun has a query, ``(3, 3)``; only
      the animate noun has the key ``(1, 1)``; so "it" looks at "cat". Its values copy
      the noun and animate features, so the output of "it" says "an animate noun".
    - head 2, "verb -> its subject": a verb's query asks for a noun or pronoun (4)
      in its own clause (1.5); so "sat" looks at "cat" and "was" at "it". Because a
      projection is linear, every word's query carries its clause, so the other rows
      lean towards their own clause.

    Parameters
    ----------
    causal : bool, default False
        If True, each word may look only at itself and the words before it.

    Returns
    -------
    HeadsScene

    Examples
    --------
    >>> s = sentence_heads_scene()
    >>> it, cat = s.tokens.index("it"), s.tokens.index("cat")
    >>> round(float(s.heads[0].weights[it, cat]), 2)
    0.92
    >>> s.concatenated.shape
    (7, 4)
    """
    e = sentence_embeddings()
    n = len(SENTENCE_TOKENS)
    mask = causal_mask(n) if causal else np.ones((n, n), dtype=bool)
    designs = (
        ("head 1: pronoun -> its noun", "which animate noun does this pronoun stand for?",
         _projection({("pronoun", 0): 3.0, ("pronoun", 1): 3.0}),
         _projection({("noun", 0): 1.0, ("animate", 1): 1.0}),
         _projection({("noun", 0): 1.0, ("animate", 1): 1.0}),
         (("it", "cat"),)),
        ("head 2: verb -> its subject", "which noun or pronoun in my clause is my subject?",
         _projection({("verb", 0): 4.0, ("clause", 1): 1.5}),
         _projection({("noun", 0): 1.0, ("pronoun", 0): 1.0, ("clause", 1): 1.0}),
         _projection({("noun", 0): 1.0, ("pronoun", 1): 1.0}),
         (("sat", "cat"), ("was", "it"))),
    )
    heads = []
    for name, question, w_q, w_k, w_v, links in designs:
        q, k, v = e @ w_q, e @ w_k, e @ w_v
        output, weights = scaled_dot_product_attention(q, k, v, mask=mask)
        heads.append(Head(name=name, question=question, w_q=w_q, w_k=w_k, w_v=w_v, q=q, k=k,
                          v=v, weights=weights, output=output, links=links))
    return HeadsScene(
        tokens=SENTENCE_TOKENS,
        features=SENTENCE_FEATURES,
        embeddings=e,
        heads=tuple(heads),
        mask=mask,
        concatenated=np.concatenate([h.output for h in heads], axis=-1),
    )


# ---------------------------------------------------------------------------------------
# Mask values in float16
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MaskValueCase:
    """One way of building a mask value, and what it does in a float16 softmax.

    Fields: ``label``; ``stored``, the mask value as float16 holds it; ``leaked``, the
    weight a row with two of its four keys allowed puts on the two masked keys;
    ``full_row``, the weights of a row with every key masked; ``nan``, whether that
    row is NaN.
    """

    label: str
    stored: float
    leaked: float
    full_row: np.ndarray
    nan: bool


@dataclass(frozen=True)
class MaskValueScene:
    """What :func:`float16_mask_scene` computes.

    Fields: ``scores`` (4,) float16, ``cases`` (tuple of :class:`MaskValueCase`),
    ``losses``, the mean attention output of a small batch with one fully masked
    row, masked with -1e9, by dtype name; ``report``, the table the lesson prints.
    """

    scores: np.ndarray
    cases: tuple[MaskValueCase, ...]
    losses: dict[str, float]
    report: str


def _additive_softmax(scores: np.ndarray, keep: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Add `bias` to the masked scores, then the stable formula, in the scores' dtype.

    What many hand-written attention layers do (an additive mask, no special case).
    """
    biased = scores + np.where(keep, np.zeros_like(bias), bias)
    shifted = biased - biased.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def float16_mask_scene() -> MaskValueScene:
    """Mask values in float16: which leak, which stay finite, which turn a row into NaN.

    Taught in 04. A row of four scores goes through an additive mask (masked scores
    get a large negative added) and the stable softmax, all in float16, for six
    mask values: -10, -1e4, the most negative float16 (-65504), -1e9, two float16
    minimums added (a causal and a padding mask), and the minimum divided by a
    temperature of 0.5. Values that overflow become ``-inf``; a fully masked row of
    ``-inf`` then computes ``-inf - (-inf)`` = NaN. The same -1e9 mask is also run on a
    small batch in float32 and float16, to show one NaN row reaching the mean.

    Examples
    --------
    >>> s = float16_mask_scene()
    >>> [c.stored for c in s.cases]
    [-10.0, -10000.0, -65504.0, -inf, -inf, -inf]
    >>> [c.nan for c in s.cases]
    [False, False, False, True, True, True]
    >>> {k: bool(np.isnan(v)) for k, v in s.losses.items()}
    {'float32': False, 'float16': True}
    """
    f16 = np.float16
    scores = np.array([2.0, 1.0, 0.5, -1.0], dtype=f16)
    some = np.array([True, True, False, False])
    none = np.zeros(4, dtype=bool)
    lowest = np.finfo(f16).min
    # The overflows below (to -inf) and the NaN they cause are what the lesson shows.
    with np.errstate(over="ignore", invalid="ignore"):
        values = (
            ("-10", f16(-10.0)),
            ("-1e4", f16(-1e4)),
            ("float16 min", lowest),
            ("-1e9", np.array(-1e9).astype(f16)),
            ("min + min (two masks)", lowest + lowest),
            ("min / 0.5 (temperature)", lowest / f16(0.5)),
        )
        cases = []
        for label, value in values:
            bias = np.full(4, value, dtype=f16)
            partly = _additive_softmax(scores, some, bias)
            full = _additive_softmax(scores, none, bias)
            cases.append(MaskValueCase(label=label, stored=float(value),
                                       leaked=float(partly[~some].sum(dtype=np.float64)),
                                       full_row=full.astype(np.float64),
                                       nan=bool(np.isnan(full).any())))
        losses = {}
        batch_keep = np.array([[True, True, False, False],
                               [True, True, True, False],
                               [False, False, False, False]])
        values_v = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 3.0], [0.0, 3.0]])
        for dtype in (np.float32, np.float16):
            batch = np.tile(scores.astype(dtype), (3, 1))
            bias = np.full((3, 4), np.array(-1e9).astype(dtype), dtype=dtype)
            w = _additive_softmax(batch, batch_keep, bias)
            losses[np.dtype(dtype).name] = float(np.mean(w @ values_v.astype(dtype)))
    width = max(len(c.label) for c in cases)
    lines = [f"{'mask value':<{width}}  {'in float16':>10}  {'leaked':>8}  "
             "row with every key masked"]
    for c in cases:
        lines.append(f"{c.label:<{width}}  {c.stored:>10g}  {c.leaked:>8.1e}  "
                     f"{np.array2string(c.full_row.round(2), separator=' ')}")
    return MaskValueScene(scores=scores, cases=tuple(cases), losses=losses,
                          report="\n".join(lines))


# ---------------------------------------------------------------------------------------
# Attention weights are not explanations
# ---------------------------------------------------------------------------------------

# The values of section 1: four points at the corners of a 4 x 3 rectangle.
SQUARE_VALUES = ((0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0))


@dataclass(frozen=True)
class SameOutputScene:
    """What :func:`same_output_scene` computes: several weight rows, their outputs.

    Fields: ``values`` (n_keys, 2), ``labels`` (one per pattern), ``scores`` and
    ``weights`` (n_patterns, n_keys), ``outputs`` (n_patterns, 2),
    ``largest_output_gap`` (largest distance between two outputs) and
    ``largest_weight_change`` (largest total variation between two weight rows).
    """

    values: np.ndarray
    labels: tuple[str, ...]
    scores: np.ndarray
    weights: np.ndarray
    outputs: np.ndarray
    largest_output_gap: float
    largest_weight_change: float


def same_output_scene(
    scores: Sequence[Sequence[float]] = ((0.0, 0.0, 0.0, 0.0), (3.0, -3.0, 3.0, -3.0),
                                         (-3.0, 3.0, -3.0, 3.0)),
    labels: Sequence[str] = ("spread evenly", "on v0 and v2", "on v1 and v3"),
    values: Sequence[Sequence[float]] = SQUARE_VALUES,
) -> SameOutputScene:
    """Very different rows of attention weights that give the same output.

    Taught in 04. Each row of `scores` goes through softmax; the output is the
    weighted average of `values`. With the default scores, one row spreads its
    weight evenly, one puts almost all of it on v0 and v2, one on v1 and v3; all
    three land on the centre of the rectangle. A heatmap of those weights would
    tell three different stories about one and the same output.

    Examples
    --------
    >>> s = same_output_scene()
    >>> s.outputs.round(3).tolist()
    [[2.0, 1.5], [2.0, 1.5], [2.0, 1.5]]
    >>> round(s.largest_weight_change, 3)
    0.995
    """
    v = np.asarray(values, dtype=float)
    s = np.asarray(scores, dtype=float)
    if len(labels) != s.shape[0]:
        raise ValueError(f"give one label per row of scores: {s.shape[0]} rows, "
                         f"{len(labels)} labels")
    weights = softmax(s, axis=-1)
    outputs = weights @ v
    n = s.shape[0]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    gap = max((float(np.linalg.norm(outputs[i] - outputs[j])) for i, j in pairs), default=0.0)
    change = max((float(0.5 * np.abs(weights[i] - weights[j]).sum()) for i, j in pairs),
                 default=0.0)
    return SameOutputScene(values=v, labels=tuple(labels), scores=s, weights=weights,
                           outputs=outputs, largest_output_gap=gap,
                           largest_weight_change=change)
