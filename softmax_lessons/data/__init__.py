"""Small real data shipped with the course: first names from the 1990 US Census.

Taught in 05, where a character bigram model learns from these names and then
writes new ones with the samplers of lesson 03.

``names.txt`` (in this folder) holds the 1,000 most common female and the 1,000
most common male first names of the 1990 US Census, lower-cased, merged and
sorted, one per line. They come from the files ``dist.female.first`` and
``dist.male.first`` of the PyPI package ``names`` 0.3.0 by Trey Hunner (MIT
licence); that package states the lists are public domain, derived from 1990
Census data. The file's header (lines starting with ``#``) says the same.

The file is read with :mod:`importlib.resources`, so it is found in an installed
package as well as in a clone of the repository.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["NAMES_FILE", "NAMES_SOURCE", "load_names"]

NAMES_FILE = "names.txt"

NAMES_SOURCE = (
    "1990 US Census first names (public domain), as shipped in the PyPI package "
    "`names` 0.3.0 by Trey Hunner (MIT licence): the 1,000 most common female and "
    "1,000 most common male names, lower-cased"
)


def load_names() -> list[str]:
    """The course's list of first names: lower-case ASCII letters, one string per name.

    Taught in 05. Header lines (starting with ``#``) and blank lines are skipped;
    the order is the file's (alphabetical), and every name appears once.

    Returns
    -------
    list of str
        The names, for example ``"emma"``.

    Examples
    --------
    >>> names = load_names()
    >>> names[:3]
    ['aaron', 'abby', 'abdul']
    >>> len(names), len(set(names)) == len(names)
    (1921, True)
    """
    text = resources.files(__name__).joinpath(NAMES_FILE).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#")]
