"""The static pages: built from the committed lessons, complete, offline, and usable.

The site is built once into a temporary folder (``site/`` itself is left alone). MathJax
comes from the npm registry the first time and is cached in ``build/site-assets/``;
with no network and no cache the page tests are skipped (on CI they fail). The checks on
the committed notebooks need no network. ``test_browser.py`` plays the players in
Chromium; here the pages are read as files.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CDN_HOSTS = ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "code.jquery.com")
# A player's frames stay light: a few dozen, each a small palette PNG.
MAX_FRAMES = 27
MAX_FRAME_BYTES = 60_000


def load_builder():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_site = load_builder()


def read_nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def outputs(nb: dict):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            yield from cell.get("outputs", [])


def text_of(output: dict) -> str:
    text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


def explorer_outputs(nb: dict) -> list[dict]:
    return [o for o in outputs(nb) if WIDGET_VIEW in o.get("data", {})
            and o.get("metadata", {}).get("softmax_lessons", {}).get("explorer")]


def count_pngs(nb: dict) -> int:
    return sum("image/png" in out.get("data", {}) for out in outputs(nb))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    environment = dict(os.environ)
    out = tmp_path_factory.mktemp("site")
    try:
        build_site.install_assets(out)
    except Exception as exc:  # no network, no npm registry, no cache
        message = f"could not fetch the site's script packages from npm ({exc})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message + "; run `python3 course.py site` once with a network")
    build_site.build_site(out)
    # Kernels started later in the same run (nbval) inherit the environment: a build
    # that set MPLBACKEND=Agg there once left every later lesson without its figures.
    assert dict(os.environ) == environment, "building the site changed the environment"
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def soup_of(path: Path):
    """The page parsed as a browser would (nbconvert rewrites attributes in its own order)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# -- the committed notebooks: what a notebook, GitHub and nbviewer show ------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_stores_no_widget_state(path):
    # A viewer that draws stored widgets (nbviewer) shows sliders that change nothing;
    # without the state it shows each widget's text instead.
    assert "widgets" not in read_nb(path)["metadata"], (
        f"{path.name} stores widget state: execute it with `python3 course.py execute`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_stored_widget_reads_as_plain_text_and_every_explorer_names_itself(path):
    from softmax_lessons.widgets import run_to_use_line

    cells = read_nb(path)["cells"]
    for i, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if WIDGET_VIEW not in output.get("data", {}):
                continue
            text = text_of(output)
            assert "children=" not in text and not text.startswith(("VBox(", "HBox(")), (
                f"{path.name} stores a widget repr as its text: {text[:60]!r}")
            about = output.get("metadata", {}).get("softmax_lessons")
            if about:
                assert text in (run_to_use_line(True), run_to_use_line(False))
                assert about["explorer"] and isinstance(about["arguments"], dict)
                # a line that points at a static figure has one within a few cells
                near = cells[max(0, i - 4):i + 5]
                has_figure = any("image/png" in out.get("data", {})
                                 for c in near for out in c.get("outputs", []))
                assert (text == run_to_use_line(True)) == has_figure, (
                    f"{path.name} cell {i}: {text!r}, static figure near it: {has_figure}")


COURSE_NOTEBOOKS = NOTEBOOKS + EXERCISES + sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS,
                         ids=[f"{p.parent.name}/{p.name}" for p in COURSE_NOTEBOOKS])
def test_test_markers_are_cell_tags_never_comments_a_learner_reads(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        assert "NBVAL" not in source, source.splitlines()[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_stored_figure_carries_a_text_alternative(path):
    for output in outputs(read_nb(path)):
        if "image/png" in output.get("data", {}):
            alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
            assert alt.startswith("Figure") and len(alt) > 40, (
                f"{path.name}: a figure without a text alternative; execute it with "
                "`python3 course.py execute`")


# -- turning a notebook into a page, without building anything ------------------------------

def test_for_the_site_replaces_widgets_and_points_links_at_pages():
    nb = {
        "metadata": {"widgets": {WIDGET_STATE: {"state": {}}}},
        "cells": [
            {"cell_type": "markdown", "source": "[exercises](../exercises/01_a.ipynb) and "
                                                "[next](02_b.ipynb) and [notes](../notes.txt)"},
            {"cell_type": "code", "outputs": [
                {"output_type": "execute_result", "metadata": {"softmax_lessons": {
                    "explorer": "temperature_explorer", "arguments": {"x": [1.0]}}},
                 "data": {WIDGET_VIEW: {"model_id": "a"}, "text/plain": "Run this cell"}},
                {"output_type": "display_data", "metadata": {},
                 "data": {WIDGET_VIEW: {"model_id": "b"}, "text/plain": "training: 100%"}},
                {"output_type": "display_data", "metadata": {},
                 "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}},
            ]},
        ],
    }
    calls = []

    def fake_player(name, arguments):
        calls.append((name, arguments))
        return '<figure class="course-player">frames</figure>'

    page, counts = build_site.for_the_site(nb, "notebooks", explorer_html=fake_player)
    assert calls == [("temperature_explorer", {"x": [1.0]})]
    explorer, bar, _figure = page["cells"][1]["outputs"]
    assert explorer["data"] == {"text/html": '<figure class="course-player">frames</figure>',
                                "text/plain": "Run this cell"}
    assert bar["data"] == {"text/plain": "training: 100%"}
    assert "widgets" not in page["metadata"]
    assert page["cells"][0]["source"] == ("[exercises](exercises/01_a.html) and "
                                          "[next](02_b.html) and [notes](../notes.txt)")
    assert counts == {"players": 1, "stills": 0, "texts": 1, "figures_without_alt": 1}
    assert "widgets" in nb["metadata"]   # the notebook itself is left as it was


def test_links_from_an_exercise_go_back_to_its_lesson_and_on_to_the_next_exercise():
    source = "[the lesson](../notebooks/01_a.ipynb#summary) then [next](02_b.ipynb)"
    assert build_site.link_pages(source, "exercises") == (
        "[the lesson](../01_a.html#summary) then [next](02_b.html)")


def test_tarball_names_follow_npm_pack():
    assert (build_site.tarball_name("@jupyter-widgets/html-manager", "1.0.15")
            == "jupyter-widgets-html-manager-1.0.15.tgz")
    assert build_site.tarball_name("mathjax", "2.7.9") == "mathjax-2.7.9.tgz"


# -- the pages ----------------------------------------------------------------------------------

def test_index_lists_every_lesson_in_order_with_its_exercises(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{p.stem}.html"') for p in NOTEBOOKS]
    assert all(pos >= 0 for pos in positions), "a lesson is missing from the index"
    assert positions == sorted(positions), "the index is not in lesson order"
    for path in NOTEBOOKS:
        assert build_site.lesson_title(read_nb(path), path.stem) in index
    for path in EXERCISES:
        assert f'href="exercises/{path.stem}.html"' in index
    assert "frozen" not in index and "player" in index


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_every_exercise_is_a_page_with_its_notebook_to_download(site, path):
    page = soup_of(site / "exercises" / f"{path.stem}.html")
    downloads = page.select("a[download]")
    assert downloads and all(a["href"] == path.name for a in downloads)
    assert (site / "exercises" / path.name).read_bytes() == path.read_bytes()
    title = build_site.lesson_title(read_nb(path), path.stem)
    assert page.title.string == title and title in page.get_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_page_has_every_figure_with_its_text_alternative_and_no_widget(site, path):
    nb = read_nb(path)
    page = (site / f"{path.stem}.html").read_text(encoding="utf-8")
    images = soup_of(site / f"{path.stem}.html").find_all("img")
    assert len(images) >= count_pngs(nb), "figures missing"
    for image in images:
        alt = image.get("alt", "")
        assert alt.strip() and alt != build_site.NO_ALT, "an image without a text alternative"
        assert alt.startswith("Figure")
    # No widget view, no widget state, no renderer: nothing on the page moves without effect.
    assert WIDGET_VIEW not in page and WIDGET_STATE not in page
    assert "embed-amd" not in page and "require.js" not in page
    assert "Traceback (most recent call last)" not in page
    assert not [o for o in outputs(nb) if o["output_type"] == "error"], "stored error output"


def players_and_stills(path: Path) -> tuple[list, list]:
    soup = soup_of(path)
    return soup.select("figure.course-player"), soup.select("figure.course-still")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_explorer_is_a_player_or_a_still(site, path):
    import PIL.Image

    nb = read_nb(path)
    players, stills = players_and_stills(site / f"{path.stem}.html")
    assert len(players) + len(stills) == len(explorer_outputs(nb))
    for still in stills:
        assert not still.select(".course-player-controls"), "a still has no control to move"
        assert "needs a running kernel" in still.get_text()
        assert still.img is not None and still.img["alt"].startswith("Figure")
    for player in players:
        frames = json.loads(player.select_one("script.course-player-frames").string)
        start = int(player["data-start"])
        assert 2 <= len(frames) <= MAX_FRAMES and 0 <= start < len(frames)
        assert len({f["label"] for f in frames}) == len(frames)
        assert len({(f["src"], f["line"]) for f in frames}) == len(frames), "repeated frames"
        assert "needs a running kernel" in player.select_one(".course-player-note").get_text()
        # Until the script runs, the page shows the starting frame, and no control.
        assert player.select_one(".course-player-controls").has_attr("hidden")
        assert player.select_one(".course-player-line").get_text() == frames[start]["line"]
        scrub = player.select_one(".course-player-scrub input")
        assert (scrub["min"], scrub["max"], scrub["value"]) == ("0", str(len(frames) - 1),
                                                                str(start))
        for frame in frames:
            assert frame["line"] and frame["label"]
            if frame["src"] is None:
                continue
            assert frame["alt"].startswith("Figure")
            png = base64.b64decode(frame["src"].split(",", 1)[1])
            assert len(png) <= MAX_FRAME_BYTES, f"{frame['label']}: {len(png)} bytes"
            assert PIL.Image.open(io.BytesIO(png)).size[0] <= 848   # the notebook's width
        if frames[start]["src"] is not None:
            assert player.img["src"] == frames[start]["src"]
            assert player.img["alt"] == frames[start]["alt"]


def test_the_explorers_with_a_main_control_get_players(site):
    kinds = {}
    for path in NOTEBOOKS:
        players, stills = players_and_stills(site / f"{path.stem}.html")
        kinds[path.stem] = (len(players), len(stills))
    assert kinds["00_start_here"] == (1, 0)            # the widget check: a text player
    assert sum(p for p, _ in kinds.values()) >= 7
    assert kinds["01_definition"] == (0, 1)            # five sliders of equal weight


def internal_links(page: Path, site: Path) -> list[tuple[str, Path, str]]:
    """Every address the page links to or loads, inside the site: (address, file, fragment)."""
    found = []
    for element in soup_of(page).find_all(href=True) + soup_of(page).find_all(src=True):
        address = element.get("href") or element.get("src")
        parts = urlsplit(address)
        if parts.scheme in ("http", "https", "mailto", "data"):
            continue
        assert not parts.scheme and not parts.netloc, f"{page.name} links to {address}"
        assert not parts.path.startswith("/"), f"{page.name}: {address} only works served"
        target = page if not parts.path else (page.parent / unquote(parts.path))
        found.append((address, target.resolve(), parts.fragment))
    return found


def test_every_link_on_every_page_resolves_from_disk(site):
    problems = []
    checked = 0
    for page in pages(site):
        for address, target, fragment in internal_links(page, site):
            checked += 1
            if site.resolve() not in target.parents and target != site.resolve():
                problems.append(f"{page.relative_to(site)}: {address} leaves the site")
            elif not target.is_file():   # a folder does not open from disk
                problems.append(f"{page.relative_to(site)}: {address} is not a file")
            elif fragment and target.suffix == ".html":
                ids = {tag["id"] for tag in soup_of(target).find_all(id=True)}
                # As a browser looks it up: the fragment as written, then percent-decoded.
                if fragment not in ids and unquote(fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: {address}: no #{fragment}")
    assert checked > 50
    assert not problems, "\n".join(problems)


def test_every_link_on_every_page_resolves_when_served(site):
    from browser_helpers import SiteServer

    addresses = set()
    for page in pages(site):
        for _, target, _ in internal_links(page, site):
            addresses.add(target.relative_to(site.resolve()).as_posix())
    problems = []
    with SiteServer(site) as server:
        for address in sorted(addresses):
            try:
                with urllib.request.urlopen(server.base + address, timeout=10) as response:
                    if response.status != 200:
                        problems.append(f"{address}: HTTP {response.status}")
            except OSError as exc:
                problems.append(f"{address}: {exc}")
    assert not problems, "\n".join(problems)


def test_every_lesson_links_to_its_exercises_page(site):
    for path in EXERCISES:
        links = [a["href"] for a in soup_of(site / f"{path.stem}.html").find_all("a", href=True)]
        assert f"exercises/{path.stem}.html" in links
        assert not [link for link in links if "../exercises/" in link or link.endswith(".ipynb")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_page_loads_nothing_from_outside_the_site(site, path):
    page = (site / f"{path.stem}.html").read_text(encoding="utf-8")
    for host in CDN_HOSTS:
        assert host not in page, f"the page names {host}"
    soup = soup_of(site / f"{path.stem}.html")
    urls = [t["src"] for t in soup.find_all("script", src=True)]
    urls += [t["href"] for t in soup.find_all("link", href=True)]
    assert urls, "expected the page to load MathJax and the course's player"
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"loads {url} from outside the site"
        assert (site / parts.path).is_file(), f"{url} is not in the site"


def test_lesson_00_quotes_the_line_its_explorer_shows_before_it_runs():
    from softmax_lessons.widgets import run_to_use_line

    lesson = read_nb(ROOT / "notebooks" / "00_start_here.ipynb")
    prose = "\n".join("".join(c["source"]) for c in lesson["cells"]
                      if c["cell_type"] == "markdown")
    assert f"*{run_to_use_line(has_figure=False)}*" in prose
