"""Checkers for the exercise notebooks: they run your function and say what is wrong.

One module per lesson (``softmax`` for 01, ``numerics`` for 02, ``sampling`` for 03,
``attention`` for 04, ``losses`` for 05, ``online`` for 06), each holding the
checkers of that lesson's exercise notebook; :mod:`.runner` holds what they share
and :mod:`.rules` reads a function's source for the rules an exercise states
("plain Python only", "no Python loop", "no `if`").
An exercise notebook writes ``from softmax_lessons.checks import check_softmax_py``.

Each checker calls your function on inputs chosen to expose the course's common
mistakes and recognises each one by its symptom: no max shift (fine on small
logits, NaN on large ones), temperature multiplied instead of divided, top-k
without renormalising, softmax over the wrong axis, masking with 0 instead of
-inf, log of softmax instead of log-softmax, and more. It prints one line and
never prints a solution.

Feedback comes at two levels. While practising (the default) the line names the
symptom and adds a hint at the fix. In a graded run it names the symptom and the
failing input only: set the environment variable ``SOFTMAX_LESSONS_FEEDBACK=graded``,
or call ``set_feedback("graded")`` (``set_feedback(None)`` returns to the environment).
"""

from .attention import (
    check_attention,
    check_causal_mask,
    check_masked_softmax,
    check_multi_head_attention,
)
from .losses import (
    check_cross_entropy,
    check_cross_entropy_grad,
    check_gradient_step,
    check_label_smoothing,
    check_softmax_jacobian,
)
from .numerics import (
    check_log_sigmoid,
    check_log_softmax,
    check_logsumexp_rows,
    check_softmax_two_sum,
    check_stable_softmax,
    check_two_sum,
)
from .online import (
    check_gumbel_max,
    check_merge_states,
    check_online_attention,
    check_online_softmax,
)
from .runner import (
    EXERCISES,
    FEEDBACK_ENV_VAR,
    LOG_ENV_VAR,
    CheckResult,
    Exercise,
    Mistake,
    feedback_mode,
    set_feedback,
)
from .sampling import (
    check_ece,
    check_fit_temperature,
    check_generate_top_p,
    check_softmax_temperature,
    check_top_k,
    check_top_p,
)
from .softmax import (
    check_entropy_bits,
    check_logits_from_probs,
    check_softmax_py,
    check_softmax_rows,
)

__all__ = [
    "EXERCISES",
    "FEEDBACK_ENV_VAR",
    "LOG_ENV_VAR",
    "CheckResult",
    "Exercise",
    "Mistake",
    "check_attention",
    "check_causal_mask",
    "check_cross_entropy",
    "check_cross_entropy_grad",
    "check_ece",
    "check_entropy_bits",
    "check_fit_temperature",
    "check_generate_top_p",
    "check_gradient_step",
    "check_gumbel_max",
    "check_label_smoothing",
    "check_log_sigmoid",
    "check_log_softmax",
    "check_logits_from_probs",
    "check_logsumexp_rows",
    "check_masked_softmax",
    "check_merge_states",
    "check_multi_head_attention",
    "check_online_attention",
    "check_online_softmax",
    "check_softmax_jacobian",
    "check_softmax_py",
    "check_softmax_rows",
    "check_softmax_temperature",
    "check_softmax_two_sum",
    "check_stable_softmax",
    "check_top_k",
    "check_top_p",
    "check_two_sum",
    "feedback_mode",
    "set_feedback",
]
