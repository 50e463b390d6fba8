"""Figures for the lessons: one plotting style, and one function per figure.

Every plot function takes the numbers to draw (computed by the maths modules),
draws on the ``ax`` it is given (or on a new one) and returns it; it does no
maths of its own, so a widget and the static figure beside it always agree.
One module per lesson topic; everything is re-exported here, so a lesson writes
``from softmax_lessons import plots`` and then ``plots.probability_bars(...)``.
"""

# ruff: noqa: I001 (lesson order, not alphabetical order)
from .style import *  # noqa: F403
from .softmax import *  # noqa: F403
from .numerics import *  # noqa: F403
from .sampling import *  # noqa: F403
from .calibration import *  # noqa: F403
from .attention import *  # noqa: F403
from .losses import *  # noqa: F403
from .online import *  # noqa: F403
