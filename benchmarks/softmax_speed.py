"""Softmax speed, memory and accuracy: the package against SciPy and the naive formula.

For each case (float32 of shape (2048, 8192) and float64 of shape (512, 32000),
softmax along the last axis) this prints:

- the median time of several runs, the functions taking turns so that a busy
  machine slows them all alike, and the ratios to SciPy's median and to the
  median of ``np.exp`` alone on the same array (one pass that reads the logits
  and writes a new array: the least any softmax must do), timed in the same rounds;
- the peak temporary memory (tracemalloc) beyond the returned array itself;
- the accuracy in ulp against the exact reference (``softmax_lessons.reference``)
  on a sample of rows of the same data: the largest error and the share of
  entries that are correctly rounded (error <= 0.5 ulp).

Targets: the package's softmax and log_softmax at most 0.75x SciPy's time with no
temporary memory beyond the output (and one reused block-sized scratch) and an
accuracy at least as good; log_softmax at most 1.5x ``np.exp``; the accurate
variants under 3x the default softmax. Benchmarks are not tests: nothing here fails.

``--clock cpu`` times the CPU time of this process instead of the wall clock: on
a machine shared with other jobs it leaves out the time spent waiting for a core.

Run with ``python3 course.py bench`` (or ``python benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import scipy.special

from softmax_lessons.accurate import log_softmax_accurate, softmax_accurate
from softmax_lessons.core import log_softmax, softmax, softmax_naive
from softmax_lessons.reference import log_softmax_exact, softmax_exact, ulp_error

CASES = [(np.float32, (2048, 8192)), (np.float64, (512, 32000))]
LOGIT_SCALE = 10.0  # logits drawn as scale * standard normal
SAMPLE_ROWS = 2  # rows measured against the exact reference (it is slow: pure Decimal)


def naive_log_softmax(x: np.ndarray) -> np.ndarray:
    """The textbook ``log(softmax(x))`` with no shift."""
    return np.log(softmax_naive(x))


def contenders() -> dict[str, dict[str, Callable[[np.ndarray], np.ndarray]]]:
    """The functions compared, by kind; the first of each kind is the reference for ratios."""
    return {
        "softmax": {
            "scipy.special.softmax": lambda x: scipy.special.softmax(x, axis=-1),
            "softmax (package)": softmax,
            "softmax_naive": softmax_naive,
            "softmax_accurate": softmax_accurate,
        },
        "log_softmax": {
            "scipy.special.log_softmax": lambda x: scipy.special.log_softmax(x, axis=-1),
            "log_softmax (package)": log_softmax,
            "log(softmax_naive)": naive_log_softmax,
            "log_softmax_accurate": log_softmax_accurate,
        },
    }


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def median_times(
    funcs: dict[str, Callable], x: np.ndarray, repeats: int, clock: str = "wall"
) -> dict[str, float]:
    """Median seconds per call; the functions take turns, one call each per round."""
    now = CLOCKS[clock]
    for f in funcs.values():  # warm up: page in the code, allocate once
        f(x)
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, f in funcs.items():
            start = now()
            f(x)
            times[name].append(now() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def temporary_memory(f: Callable, x: np.ndarray) -> tuple[int, int]:
    """(peak bytes allocated during ``f(x)`` beyond its result, the result's bytes)."""
    tracemalloc.start()
    try:
        result = f(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(peak - result.nbytes, 0), result.nbytes


def accuracy(f: Callable, sample: np.ndarray, exact: np.ndarray) -> tuple[float, float]:
    """(largest ulp error, share of entries correctly rounded) of ``f`` on `sample`."""
    err = ulp_error(f(sample), exact)
    return float(np.max(err)), float(np.mean(err <= 0.5))


def run_case(
    dtype, shape, repeats: int, rng: np.random.Generator, clock: str = "wall"
) -> list[dict]:
    x = (LOGIT_SCALE * rng.standard_normal(shape)).astype(dtype)
    sample = x[:SAMPLE_ROWS]
    exact = {"softmax": softmax_exact(sample), "log_softmax": log_softmax_exact(sample)}
    rows = []
    for kind, funcs in contenders().items():
        with warnings.catch_warnings():  # the naive formula may warn; its NaNs show in the ulp
            warnings.simplefilter("ignore", RuntimeWarning)
            times = median_times({"np.exp": np.exp, **funcs}, x, repeats, clock)
            exp_time = times.pop("np.exp")
            scipy_time = times[next(iter(funcs))]
            default_time = times[list(funcs)[1]]
            if kind == "softmax":
                rows.append({"case": f"{np.dtype(dtype).name} {shape}", "function": "np.exp",
                             "ms": 1e3 * exp_time, "vs_scipy": exp_time / scipy_time,
                             "vs_exp": 1.0, "vs_default": exp_time / default_time,
                             "temp_mib": 0.0, "temp_vs_output": 0.0, "max_ulp": np.nan,
                             "correctly_rounded": np.nan})
            for name, f in funcs.items():
                temp, out_bytes = temporary_memory(f, x)
                worst, rounded = accuracy(f, sample, exact[kind])
                rows.append(
                    {
                        "case": f"{np.dtype(dtype).name} {shape}",
                        "function": name,
                        "ms": 1e3 * times[name],
                        "vs_scipy": times[name] / scipy_time,
                        "vs_exp": times[name] / exp_time,
                        "vs_default": times[name] / default_time,
                        "temp_mib": temp / 2**20,
                        "temp_vs_output": temp / out_bytes,
                        "max_ulp": worst,
                        "correctly_rounded": rounded,
                    }
                )
    return rows


def print_table(rows: list[dict]) -> None:
    header = (
        f"{'case':<22} {'function':<26} {'median ms':>9} {'x SciPy':>8} {'x np.exp':>8} "
        f"{'x default':>9} {'temp MiB':>9} {'temp/out':>8} {'max ulp':>9} {'exact %':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['case']:<22} {r['function']:<26} {r['ms']:9.1f} {r['vs_scipy']:8.2f} "
            f"{r['vs_exp']:8.2f} {r['vs_default']:9.2f} {r['temp_mib']:9.1f} "
            f"{r['temp_vs_output']:8.2f} "
            f"{r['max_ulp']:9.3g} {100 * r['correctly_rounded']:8.1f}"
        )


def accuracy_sweep(rng: np.random.Generator) -> list[dict]:
    """Largest softmax error in ulp against the exact reference, by dtype and logit scale.

    Logits are ``scale * uniform(-1, 1)`` (every mantissa bit used, so ``x - max``
    is really rounded), 4 rows of 500, one entry in 7 set to ``-inf`` and one in
    10 masked out; plus one row of 50,000 float64 logits.
    """
    funcs = {
        "scipy": lambda x, where: scipy.special.softmax(np.where(where, x, -np.inf), axis=-1),
        "package": lambda x, where: softmax(x, where=where),
        "accurate": lambda x, where: softmax_accurate(x, where=where),
    }
    configs = [
        (dtype, scale, (4, 500))
        for dtype in (np.float64, np.float32, np.float16)
        for scale in (1.0, 10.0, 100.0, 700.0)
    ] + [(np.float64, 100.0, (1, 50_000))]
    rows = []
    for dtype, scale, shape in configs:
        x = (scale * rng.uniform(-1, 1, shape)).astype(dtype)
        x[..., 3::7] = -np.inf
        where = rng.uniform(size=shape) >= 0.1
        where[..., 0] = True
        exact = softmax_exact(x, where=where)
        row = {"case": f"{np.dtype(dtype).name} +-{scale:g} {shape}"}
        with np.errstate(over="ignore", invalid="ignore"):
            for name, f in funcs.items():
                err = ulp_error(f(x, where), exact)
                row[name] = (float(np.max(err)), float(np.mean(err <= 0.5)))
        rows.append(row)
    print()
    print("Softmax accuracy by logit scale: largest error in ulp (correctly rounded %)")
    print(f"{'case':<30} {'scipy':>18} {'package':>18} {'accurate':>18}")
    for row in rows:
        cells = [f"{row[n][0]:9.3g} ({100 * row[n][1]:5.1f})" for n in funcs]
        print(f"{row['case']:<30} " + " ".join(f"{c:>18}" for c in cells))
    print("targets for softmax_accurate: float64 <= 4 ulp; float32, float16 <= 1 ulp, >= 99% exact")
    return rows


def log_accuracy_sweep(rng: np.random.Generator) -> list[dict]:
    """Largest error in ulp of log-softmax and log-sum-exp, by dtype and logit scale.

    The same kind of logits as `accuracy_sweep` (4 rows of 500, one entry in 7 at
    ``-inf``), without masks: SciPy's functions take none. The exact values come
    from ``softmax_lessons.reference`` (``x - max`` kept exact, ``log1p`` of the sum).
    """
    from softmax_lessons.accurate import logsumexp_accurate
    from softmax_lessons.core import logsumexp
    from softmax_lessons.reference import logsumexp_exact

    log_softmaxes = {
        "scipy": lambda x: scipy.special.log_softmax(x, axis=-1),
        "package": log_softmax,
        "accurate": log_softmax_accurate,
    }
    logsumexps = {
        "scipy": lambda x: scipy.special.logsumexp(x, axis=-1).astype(x.dtype),
        "package": logsumexp,
        "accurate": logsumexp_accurate,
    }
    configs = [(np.float64, s) for s in (1.0, 10.0, 100.0, 700.0)] + [
        (np.float32, s) for s in (1.0, 100.0, 700.0)] + [(np.float16, 700.0)]
    rows = []
    for dtype, scale in configs:
        x = (scale * rng.uniform(-1, 1, (4, 500))).astype(dtype)
        x[..., 3::7] = -np.inf
        exact_lsm, exact_lse = log_softmax_exact(x), logsumexp_exact(x)
        row = {"case": f"{np.dtype(dtype).name} +-{scale:g}"}
        for name in log_softmaxes:
            row[f"log_softmax {name}"] = float(np.max(ulp_error(log_softmaxes[name](x), exact_lsm)))
            row[f"logsumexp {name}"] = float(np.max(ulp_error(logsumexps[name](x), exact_lse)))
        rows.append(row)
    print()
    print("Log-softmax and log-sum-exp: largest error in ulp (SciPy / package / accurate)")
    print(f"{'case':<16} {'log_softmax':>26} {'logsumexp':>26}")
    for row in rows:
        cells = [" / ".join(f"{row[f'{kind} {n}']:.3g}" for n in log_softmaxes)
                 for kind in ("log_softmax", "logsumexp")]
        print(f"{row['case']:<16} {cells[0]:>26} {cells[1]:>26}")
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-sweep", action="store_true", help="skip the accuracy sweep")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall clock (default) or CPU time of this process")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print(
        f"Softmax speed and memory: median {args.clock} time of {args.repeats} alternating runs, "
        f"logits {LOGIT_SCALE:g} * N(0, 1), accuracy on {SAMPLE_ROWS} rows vs the exact reference"
    )
    rows = []
    for dtype, shape in CASES:
        rows += run_case(dtype, shape, args.repeats, rng, args.clock)
    print_table(rows)
    print("targets: package <= 0.75x SciPy, temp/out about 0 (one block of scratch), "
          "accuracy >= SciPy's; log_softmax <= 1.5x np.exp; accurate < 3x default")
    if not args.no_sweep:
        accuracy_sweep(rng)
        log_accuracy_sweep(rng)
    return rows


if __name__ == "__main__":
    main()
