"""A progress bar for the training loop of lesson 05.

:func:`progress_bar` returns a callback for
:func:`softmax_lessons.training.train_softmax_regression`'s ``on_step``: the trainer
stays plain NumPy, and the bar lives here with the other things a notebook shows.
It is a ``tqdm.auto`` bar: a widget in JupyterLab, plain text in a terminal or when a
lesson runs headless (tests, nbconvert). It shows the steps done and the loss, never
the speed or the elapsed time, because a notebook stores the bar and a stored speed
would change on every run.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["progress_bar"]

_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{postfix}"


def progress_bar(steps: int, description: str = "training") -> Callable[[int, float], None]:
    """A callback ``on_step(step, loss)`` that draws a progress bar over `steps` steps.

    The trainer calls it for ``step = 0, ..., steps``; the last call writes the final
    loss and closes the bar. In a notebook the bar is shown with a display id, so its
    stored plain-text copy (what GitHub and other static viewers show) is refreshed to
    the finished bar instead of "0%".

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lessons.scenes import make_blobs
    >>> from softmax_lessons.training import train_softmax_regression
    >>> features, labels = make_blobs(np.random.default_rng(0), n_per_class=5)
    >>> result = train_softmax_regression(features, labels, steps=3,
    ...                                   on_step=progress_bar(3, "demo"))  # bar on stderr
    >>> len(result.losses)
    4
    """
    from tqdm.auto import tqdm  # imported here: only the lesson's training cell needs it
    from tqdm.notebook import tqdm as notebook_tqdm

    if isinstance(tqdm, type) and issubclass(tqdm, notebook_tqdm):
        from IPython.display import display

        bar = tqdm(total=steps, desc=description, unit="step", bar_format=_FORMAT,
                   display=False)
        handle = display(bar.container, display_id=True)
    else:
        bar = tqdm(total=steps, desc=description, unit="step", bar_format=_FORMAT)
        handle = None

    def on_step(step: int, loss: float) -> None:
        if step < steps:
            bar.update(1)
            if step % 10 == 0:
                bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            return
        bar.set_postfix(loss=f"{loss:.4f}")
        bar.close()
        if handle is not None:
            handle.update(bar.container)

    return on_step
