"""Every lesson, opened and run in a real JupyterLab in headless Chromium (issue 8).

For each notebook under ``notebooks/`` the test runs all cells in the browser and
fails on an error output, on "Error displaying widget", on a widget that never
renders, and on a slider that moves (by keyboard) while its output stays the same.
It saves one screenshot per lesson into ``screenshots/`` (git-ignored) for people
to look at.

It starts its own JupyterLab on 127.0.0.1 at a free port, on a cleared temporary
copy of the lessons, and stops it by process id when done, also after a failure.
Without Chromium (or Playwright) it is skipped with a message that says how to
enable it; with ``CI=true`` it fails instead of skipping. The tests that drive the
browser are marked ``browser``: ``pytest -m "not browser"`` leaves them out, as
``course.py test --env oldest`` and ``--env newest`` do (they run on the main environment).
"""

from __future__ import annotations

import json

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
    print(f"{name}: {report['widgets']} widget(s), {report['sliders']} slider(s) moved, "
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


# -- the static pages render their widgets offline ----------------------------------------

@pytest.mark.browser
def test_static_pages_show_their_widgets_offline(lab_page, tmp_path):
    """Build the site, serve it on loopback, refuse every other request, open each page."""
    import importlib.util

    from browser_helpers import ROOT, SiteServer, check_site_page

    if not LESSONS:
        pytest.skip("no lessons yet")
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "site.py")
    build_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_site)
    try:
        build_site.install_assets(tmp_path)
    except Exception as exc:
        if on_ci():
            pytest.fail(f"could not fetch the site's script packages ({exc})", pytrace=False)
        pytest.skip(f"could not fetch the site's script packages ({exc})")
    pages = build_site.build_site(tmp_path)
    problems = []
    with SiteServer(tmp_path) as server:
        for page_path in pages:
            nb = json.loads((ROOT / "notebooks" / f"{page_path.stem}.ipynb").read_text())
            report = check_site_page(lab_page, server.base, page_path.name,
                                     count_widget_outputs(nb))
            problems += report["problems"]
    assert not problems, "\n".join(problems)
