"""Every lesson in a real JupyterLab, and every static page, in headless Chromium.

In JupyterLab, for each notebook under ``notebooks/``:

- opened as a learner first opens it (stored outputs, nothing run), every explorer
  reads as one plain line, never a widget repr, and no news pop-up covers the page;
- run top to bottom, the test fails on an error output, on "Error displaying widget",
  on a widget that never renders, on a control (slider, checkbox, dropdown, toggle
  button) that the keyboard cannot change or whose output stays the same, on a slider
  step shorter than a few pixels, and on an explorer's line of text that wraps.

On the static pages, built from the lessons and opened with every request outside the
site refused, served and from disk: every player moves with the keyboard, steps and
plays, and its picture changes; every image has a text alternative; controls use the
prose's font.

It saves screenshots into ``screenshots/`` (git-ignored) for people to look at: each
lesson run in JupyterLab, each lesson as first opened (``first_open/``), and each page
of the site (``site/``).

It starts its own JupyterLab on 127.0.0.1 at a free port, on a cleared temporary
copy of the lessons, and stops it by process id when done, also after a failure.
Without Chromium (or Playwright) it is skipped with a message that says how to
enable it; with ``CI=true`` it fails instead of skipping. The tests that drive the
browser are marked ``browser``: ``pytest -m "not browser"`` leaves them out, as
``course.py test --env oldest`` and ``--env newest`` do (they run on the main environment).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOW_TO_ENABLE,
    SCREENSHOTS,
    LabServer,
    check_notebook,
    cleared_copy,
    count_widget_outputs,
    error_outputs,
    free_port,
    lesson_notebooks,
    on_ci,
)

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [nb.name for nb in lesson_notebooks()]


def require_browser() -> None:
    """Skip (or, on CI, fail) when Chromium or Playwright is missing."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    if missing:
        message = f"no {' and no '.join(missing)}: {HOW_TO_ENABLE}"
        if on_ci():
            pytest.fail(f"CI=true, so the browser test must run, but there is {message}",
                        pytrace=False)
        pytest.skip(f"browser test skipped: there is {message}")


@pytest.fixture(scope="module")
def lab_server():
    require_browser()
    with LabServer() as server:
        yield server


@pytest.fixture(scope="module")
def lab_page(lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_in_jupyterlab_with_live_widgets(name, lab_server, lab_page):
    try:
        report = check_notebook(lab_page, lab_server, name, SCREENSHOTS)
    except Exception as exc:
        pytest.fail(f"{name}: {exc}\nJupyterLab's log ends:\n{lab_server.log_tail()}",
                    pytrace=False)
    print(f"{name}: {report['widgets']} widget(s), {report['sliders']} slider(s) and "
          f"{report['controls']} other control(s) moved, "
          f"{report['seconds']:.1f} s (" + ", ".join(f"{k} {v:.1f}" for k, v in
                                                       report["phases"].items())
          + f"), screenshot {report['screenshot'].name}")
    assert report["screenshot"].stat().st_size > 10_000, "the screenshot is (nearly) empty"
    assert not report["problems"], f"{name} in JupyterLab:\n  " + "\n  ".join(report["problems"])


# -- the helpers the browser test relies on (no browser needed) ---------------------------

def make_notebook(path, outputs, widgets_state=True):
    nb = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [
            {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Title"},
            {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 3,
             "source": "w", "outputs": outputs},
        ],
    }
    if widgets_state:
        nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "version_major": 2, "version_minor": 0, "state": {}}}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return nb


WIDGET_OUTPUT = {"output_type": "display_data", "metadata": {},
                 "data": {"application/vnd.jupyter.widget-view+json": {
                     "model_id": "abc", "version_major": 2, "version_minor": 0},
                          "text/plain": "VBox()"}}
ERROR_OUTPUT = {"output_type": "error", "ename": "ZeroDivisionError",
                "evalue": "division by zero", "traceback": []}


def test_cleared_copy_drops_outputs_counts_and_widget_state(tmp_path):
    make_notebook(tmp_path / "a.ipynb", [WIDGET_OUTPUT])
    cleared_copy(tmp_path / "a.ipynb", tmp_path / "b.ipynb")
    nb = json.loads((tmp_path / "b.ipynb").read_text())
    code = nb["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert "widgets" not in nb["metadata"]
    assert nb["cells"][0]["source"] == "# Title"


def test_error_outputs_name_the_cell_and_the_exception(tmp_path):
    nb = make_notebook(tmp_path / "a.ipynb", [WIDGET_OUTPUT, ERROR_OUTPUT])
    assert error_outputs(nb) == ["code cell 1 raised ZeroDivisionError: division by zero"]
    assert count_widget_outputs(nb) == 1
    nb["cells"][1]["outputs"] = [WIDGET_OUTPUT]
    assert error_outputs(nb) == []


def test_free_port_can_be_bound_on_loopback():
    import socket

    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
    assert 1024 <= port <= 65535


def test_missing_browser_skips_with_how_to_enable_unless_ci(monkeypatch, tmp_path):
    import browser_helpers

    monkeypatch.setattr(f"{__name__}.CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, so the browser test must run"):
        require_browser()
    assert browser_helpers.on_ci()


# -- a lesson as a learner first opens it ---------------------------------------------------

@pytest.mark.browser
def test_lessons_open_with_one_plain_line_per_explorer_and_no_pop_up(lab_page):
    from browser_helpers import first_open_problems

    from softmax_lessons.widgets import RUN_TO_USE

    problems = []
    with LabServer(keep_outputs=True) as server:
        for name in LESSONS:
            nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
            problems += first_open_problems(lab_page, server, name, count_explorers(nb),
                                            RUN_TO_USE, SCREENSHOTS / "first_open")
    assert not problems, "\n".join(problems)


# -- the static pages: players that work with the network off, served and from disk ---------


def count_explorers(nb: dict) -> int:
    return sum(bool(out.get("metadata", {}).get("softmax_lessons", {}).get("explorer"))
               for cell in nb["cells"] if cell["cell_type"] == "code"
               for out in cell.get("outputs", []))


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "site.py")
    build_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_site)
    out = tmp_path_factory.mktemp("site")
    try:
        build_site.install_assets(out)
    except Exception as exc:
        if on_ci():
            pytest.fail(f"could not fetch the site's script packages ({exc})", pytrace=False)
        pytest.skip(f"could not fetch the site's script packages ({exc})")
    build_site.build_site(out)
    return out


@pytest.mark.browser
def test_static_pages_play_every_explorer_offline(lab_page, built_site):
    """Serve the site on loopback, refuse every other request, play every page's explorers."""
    from browser_helpers import SiteServer, check_site_page

    if not LESSONS:
        pytest.skip("no lessons yet")
    problems, players = [], 0
    with SiteServer(built_site) as server:
        for name in LESSONS:
            nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
            page_name = name.replace(".ipynb", ".html")
            report = check_site_page(lab_page, server.base, page_name, count_explorers(nb),
                                     shots=SCREENSHOTS / "site")
            problems += report["problems"]
            players += report["players"]
        for exercise in sorted((built_site / "exercises").glob("*.html")):
            report = check_site_page(lab_page, server.base, f"exercises/{exercise.name}", 0,
                                     shots=SCREENSHOTS / "site" / "exercises")
            problems += report["problems"]
    assert players >= 7, f"only {players} players on the whole site"
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_static_pages_play_from_disk(lab_page, built_site):
    """Opened as files (no server): the players still work, their frames are in the page."""
    from browser_helpers import check_site_page

    problems = []
    for name in LESSONS[:1] + [n for n in LESSONS if n.startswith("03")]:
        nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
        report = check_site_page(lab_page, built_site.as_uri() + "/",
                                 name.replace(".ipynb", ".html"), count_explorers(nb))
        # MathJax's web fonts may not load from disk; that is why the README says to serve.
        problems += [p for p in report["problems"] if "MathJax" not in p]
    assert not problems, "\n".join(problems)
