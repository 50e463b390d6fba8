"""Lesson scenes: the example data of the lessons and what each figure or explorer shows.

One module per topic (as in the maths, `plots` and `widgets`). A scene function takes
the settings of a figure or an explorer (a temperature, an offset, a dtype...), calls
the maths and returns a small frozen dataclass of everything drawn or printed. It needs
only NumPy: `plots` draw a scene, `widgets` wire controls to a scene and a plot, and the
tests check a scene without a browser.
"""

# ruff: noqa: I001 (lesson order, not alphabetical order)
from .softmax import *  # noqa: F403
from .numerics import *  # noqa: F403
from .sampling import *  # noqa: F403
from .attention import *  # noqa: F403
from .losses import *  # noqa: F403
from .online import *  # noqa: F403
