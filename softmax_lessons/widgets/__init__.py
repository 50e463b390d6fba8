"""Interactive explorers for the lessons, built with ipywidgets.

Each explorer is a function that returns a widget. What it draws is decided by a
pure ``*_state`` function (numbers in, a dict of what to draw out) that the tests
call without a browser; the widget only wires controls to that function and to a
plot function from :mod:`softmax_lessons.plots`. One module per lesson topic;
everything is re-exported here: ``from softmax_lessons import widgets``.
"""

# ruff: noqa: I001 (lesson order, not alphabetical order)
from .common import *  # noqa: F403
from .definition import *  # noqa: F403
from .stability import *  # noqa: F403
from .temperature import *  # noqa: F403
from .attention import *  # noqa: F403
from .training import *  # noqa: F403
from .beyond import *  # noqa: F403
from .progress import *  # noqa: F403
