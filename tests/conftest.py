"""What every test module shares: figures drawn off-screen and closed after each test.

Helpers that several test modules call live in ``figure_helpers.py`` (comparing
figures) and ``browser_helpers.py`` (JupyterLab in a real browser); this folder is
on ``sys.path`` while pytest runs, so a test imports them by name.
"""

import matplotlib
import pytest

matplotlib.use("Agg")  # before pyplot is imported anywhere: no screen is needed


@pytest.fixture(autouse=True)
def close_figures():
    """Close every pyplot figure a test left open, so figures never pile up between tests."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
