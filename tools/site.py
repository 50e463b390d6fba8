"""Build the course's static pages into ``site/``: every lesson, every exercise, an index.

    python tools/site.py            # or: python3 course.py site
    python tools/site.py --out /tmp/site

Each lesson page is made from the committed notebook as it is stored (outputs and
figures; no lesson is re-run), with three changes for a reader who runs nothing:

- each explorer becomes something that works without Python
  (:mod:`tools.players`): a player of frames along its main control, drawn now by the
  explorer itself, or a still of its figure with one line saying what needs a kernel.
  No widget is left that would move without effect, so no widget renderer is loaded;
- each figure carries its text alternative (stored with the figure when the lesson ran:
  :func:`softmax_lessons.plots.style.describe_figure`);
- links between notebooks point at pages: ``01_x.ipynb`` becomes ``01_x.html`` and
  ``../exercises/01_x.ipynb`` the exercise's page, ``exercises/01_x.html``, which offers
  the notebook itself for download (``exercises/01_x.ipynb``).

The pages work offline and from disk: the frames are in the page, and MathJax is copied
into ``site/_static/`` from its npm package, fetched once at build time (with ``npm pack``
when npm is installed, else straight from the npm registry, checking the registry's
checksum) and kept in ``build/site-assets/``. Both folders are git-ignored.

Open ``site/index.html`` in a browser. MathJax's fonts load best over HTTP, so for
the nicest maths serve the folder: ``python -m http.server -d site`` and open
http://127.0.0.1:8000/.
"""

from __future__ import annotations

import argparse
import base64
import copy
import fnmatch
import hashlib
import html
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"
SITE = ROOT / "site"
CACHE = ROOT / "build" / "site-assets"
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "site_templates"
OWN_STATIC = HERE / "site_static"
TITLE = "Softmax, from logits to attention"

# npm package, exact version, folder under site/_static, and which files of it to keep
# (shell patterns; `*` also crosses folders).
ASSETS = {
    # MathJax 2, the version nbconvert's template configures; only what TeX in
    # CommonHTML output needs (about a tenth of the package).
    "mathjax": ("mathjax", "2.7.9", (
        "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "config/local/*",
        "extensions/*.js", "extensions/TeX/*", "extensions/HTML-CSS/*", "jax/input/TeX/*",
        "jax/output/CommonHTML/*", "jax/element/*", "fonts/HTML-CSS/TeX/woff/*", "LICENSE",
    )),
}
STATIC = "_static"
MATHJAX = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
# What nbconvert writes on an image that has no text alternative.
NO_ALT = "No description has been provided for this image"


# -- assets -------------------------------------------------------------------------------

def tarball_name(package: str, version: str) -> str:
    """The file name ``npm pack`` gives a package: ``@scope/name`` becomes ``scope-name``."""
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def fetch_tarball(package: str, version: str, cache: Path = CACHE) -> Path:
    """The npm tarball of ``package@version``, downloaded once into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / tarball_name(package, version)
    if target.exists():
        return target
    npm = shutil.which("npm")
    if npm:
        subprocess.run([npm, "pack", f"{package}@{version}", "--pack-destination", str(cache),
                        "--silent"], check=True, stdout=subprocess.DEVNULL)
        if target.exists():
            return target
    # No npm: ask the registry for the tarball's address and checksum, then check it.
    with urllib.request.urlopen(f"https://registry.npmjs.org/{package}/{version}",
                                timeout=60) as response:
        dist = json.load(response)["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=300) as response:
        data = response.read()
    algorithm, expected = dist["integrity"].split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise RuntimeError(f"{package}@{version}: checksum mismatch; delete {cache} and retry")
    target.write_bytes(data)
    return target


def install_assets(site: Path, cache: Path = CACHE) -> None:
    """Unpack MathJax into ``site/_static``, and copy the course's own CSS and player."""
    for folder, (package, version, keep) in ASSETS.items():
        tarball = fetch_tarball(package, version, cache)
        dest = site / STATIC / folder
        shutil.rmtree(dest, ignore_errors=True)
        with tarfile.open(tarball) as tar:
            members = []
            for member in tar.getmembers():
                name = member.name.split("/", 1)[1] if "/" in member.name else member.name
                if member.isfile() and any(fnmatch.fnmatch(name, k) for k in keep):
                    member.name = name
                    members.append(member)
            if not members:
                raise RuntimeError(f"{package}@{version} has none of the files {keep}")
            extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(dest, members=members, **extra)
    shutil.copytree(OWN_STATIC, site / STATIC / "course", dirs_exist_ok=True)


# -- links --------------------------------------------------------------------------------

def site_path(repo_path: str) -> str | None:
    """Where a notebook of the repository is on the site (None: the site does not carry it).

    The README's place is taken by the index, which says what the site is.

    >>> site_path("notebooks/01_definition.ipynb"), site_path("exercises/01_definition.ipynb")
    ('01_definition.html', 'exercises/01_definition.html')
    >>> site_path("README.md"), site_path("solutions/01_definition.ipynb")
    ('index.html', None)
    """
    if repo_path == "README.md":
        return "index.html"
    folder, _, name = repo_path.rpartition("/")
    if not name.endswith(".ipynb"):
        return None
    page = name[: -len(".ipynb")] + ".html"
    return {"notebooks": page, "exercises": f"exercises/{page}"}.get(folder)


_LINK = re.compile(r'(\]\(|href=")([^)"\s]+?\.(?:ipynb|md))(#[^)"\s]*)?(?=[)"\s])')


def link_pages(source: str, repo_folder: str) -> str:
    """Point links to notebooks at their pages, in Markdown written in `repo_folder`.

    A relative link is resolved against the notebook's own folder of the repository,
    then mapped to its place on the site, and written relative to the page (lessons
    sit at the site's top, exercises in ``exercises/``). Links to notebooks the site
    does not carry, and addresses with a scheme, are left alone.

    >>> link_pages("[next](02_x.ipynb#top) [do it](../exercises/01_x.ipynb)", "notebooks")
    '[next](02_x.html#top) [do it](exercises/01_x.html)'
    >>> link_pages('[lesson](../notebooks/01_x.ipynb) <a href="02_x.ipynb">', "exercises")
    '[lesson](../01_x.html) <a href="02_x.html">'
    """
    page_folder = posixpath.dirname(site_path(f"{repo_folder}/x.ipynb") or "")

    def replace(match: re.Match) -> str:
        opener, target, fragment = match.group(1), match.group(2), match.group(3) or ""
        if "://" in target or target.startswith("/"):
            return match.group(0)
        repo_path = posixpath.normpath(posixpath.join(repo_folder, target))
        page = site_path(repo_path)
        if page is None:
            return match.group(0)
        return opener + posixpath.relpath(page, page_folder or ".") + fragment

    return _LINK.sub(replace, source)


# -- explorers and figures ------------------------------------------------------------------

def _players():
    """tools/players.py, loaded from beside this file (run as a script or imported)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("players", HERE / "players.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build_explorer(name: str, arguments: dict):
    from softmax_lessons import widgets

    return getattr(widgets, name)(**arguments)


def for_the_site(nb: dict, repo_folder: str, explorer_html=None) -> tuple[dict, dict]:
    """A copy of a notebook ready for a static page, and what was changed.

    Links point at pages; each explorer's widget view becomes its player or still;
    any other widget view (the progress bar of lesson 05) becomes its stored text;
    the stored widget state goes. Returns the copy and counts: ``players``,
    ``stills``, ``texts``, and ``figures_without_alt``.
    """
    if explorer_html is None:
        make = _players().explorer_html

        cache: dict[str, str] = {}

        def explorer_html(name: str, arguments: dict) -> str:
            key = json.dumps([name, arguments], sort_keys=True)
            if key not in cache:
                cache[key] = make(_build_explorer(name, arguments))
            return cache[key]

    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    counts = {"players": 0, "stills": 0, "texts": 0, "figures_without_alt": 0}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) \
                else cell["source"]
            cell["source"] = link_pages(source, repo_folder)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                counts["figures_without_alt"] += not alt
            if WIDGET_VIEW_MIME not in data:
                continue
            about = output.get("metadata", {}).get("softmax_lessons", {})
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if about.get("explorer"):
                shown = explorer_html(about["explorer"], about.get("arguments") or {})
                counts["players" if 'class="course-player' in shown else "stills"] += 1
                output["data"] = {"text/html": shown, "text/plain": text}
            else:
                counts["texts"] += 1
                output["data"] = {"text/plain": text}
    return nb, counts


# -- pages --------------------------------------------------------------------------------

def lesson_title(nb: dict, fallback: str) -> str:
    """The first Markdown heading of a notebook, without its hashes."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) \
                else cell["source"]
            for line in source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def _nav(links: list[str], where: str) -> str:
    css = "course-nav" + (" course-nav-bottom" if where == "bottom" else "")
    label = "Course" if where == "top" else "Course, again"
    return f'<nav class="{css}" aria-label="{label}">{" ".join(links)}</nav>'


def lesson_nav(lessons: list[str], titles: dict[str, str], index: int,
               exercises: set[str], where: str = "top") -> str:
    """All lessons, the previous and next lesson, and this lesson's exercises."""
    links = ['<a href="index.html">All lessons</a>']
    if index > 0:
        prev = lessons[index - 1]
        links.append(f'<a href="{prev}.html">&larr; {html.escape(titles[prev])}</a>')
    if index + 1 < len(lessons):
        nxt = lessons[index + 1]
        links.append(f'<a href="{nxt}.html">{html.escape(titles[nxt])} &rarr;</a>')
    if lessons[index] in exercises:
        links.append(f'<a href="exercises/{lessons[index]}.html">Exercises</a>')
    return _nav(links, where)


def exercise_nav(stem: str, titles: dict[str, str], where: str = "top") -> str:
    links = ['<a href="../index.html">All lessons</a>']
    if stem in titles:
        links.append(f'<a href="../{stem}.html">&larr; {html.escape(titles[stem])}</a>')
    links.append(f'<a href="{stem}.ipynb" download>Download this notebook (.ipynb)</a>')
    return _nav(links, where)


def exporter(static: str):
    """nbconvert's HTML exporter with the course's template; `static` is ``_static``'s URL."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="course",
        mathjax_url=f"{static}/{MATHJAX.removeprefix(STATIC + '/')}",
        # Only loaded when a page has Mermaid diagrams (ours have none); never a CDN.
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
    )


def render(export, nb: dict, name: str, static: str, nav_top: str, nav_bottom: str,
           before: str = "") -> str:
    import nbformat

    resources = {"metadata": {"name": name},
                 "course": {"static": static, "nav_top": nav_top, "nav_bottom": nav_bottom,
                            "before": before}}
    body, _ = export.from_notebook_node(nbformat.from_dict(nb), resources=resources)
    return body


def index_page(lessons: list[str], titles: dict[str, str], exercises: set[str]) -> str:
    items = []
    for stem in lessons:
        extra = (f' &middot; <a href="exercises/{stem}.html">exercises</a>'
                 if stem in exercises else "")
        items.append(f'  <li><a href="{stem}.html">{html.escape(titles[stem])}</a>{extra}</li>')
    items = "\n".join(items)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(TITLE)}</title>
<link rel="stylesheet" href="{STATIC}/course/course.css">
<style>
body {{ font-family: var(--course-font); max-width: 760px; margin: 40px auto;
  padding: 0 20px; line-height: 1.5; }}
a {{ color: var(--course-link); }}
</style>
</head>
<body>
<main>
<h1>{html.escape(TITLE)}</h1>
<p>The lessons in order, with every output and figure as stored, and the exercises of
each lesson (as a page, and as a notebook to download).</p>
<p id="static-pages">Nothing on these pages runs Python. Where a lesson has an explorer, you get a
player of its frames, drawn from the same code: play, step or drag through its main
control. An explorer with several controls of equal weight shows its starting setting.
To move every control, open the course in JupyterLab (<code>python3 course.py lab</code>)
or on Binder.</p>
<ol class="lessons">
{items}
</ol>
</main>
</body>
</html>
"""


def build_site(out: Path = SITE, notebooks: Path = NOTEBOOKS, exercises: Path = EXERCISES,
               cache: Path = CACHE) -> list[Path]:
    """Write every lesson and exercise page, an index and the offline assets into `out`.

    Returns the lesson pages, in lesson order.
    """
    import nbformat

    paths = sorted(notebooks.glob("*.ipynb"))
    if not paths:
        raise RuntimeError(f"no notebooks in {notebooks}")
    out.mkdir(parents=True, exist_ok=True)
    install_assets(out, cache)
    lessons = [p.stem for p in paths]
    nbs = {p.stem: nbformat.read(p, as_version=4) for p in paths}
    titles = {stem: lesson_title(nb, stem) for stem, nb in nbs.items()}
    exercise_paths = sorted(exercises.glob("*.ipynb")) if exercises.is_dir() else []
    exercise_stems = {p.stem for p in exercise_paths}

    pages, missing_alt = [], []
    export = exporter(STATIC)
    for i, stem in enumerate(lessons):
        nb, counts = for_the_site(nbs[stem], "notebooks")
        if counts["figures_without_alt"]:
            missing_alt.append(f"{stem}: {counts['figures_without_alt']}")
        body = render(export, nb, titles[stem], STATIC,
                      lesson_nav(lessons, titles, i, exercise_stems),
                      lesson_nav(lessons, titles, i, exercise_stems, "bottom"))
        page = out / f"{stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append(page)

    (out / "exercises").mkdir(exist_ok=True)
    export = exporter(f"../{STATIC}")
    for path in exercise_paths:
        nb, _ = for_the_site(nbformat.read(path, as_version=4), "exercises")
        download = (f'<p class="course-download">This page shows the exercises; to work '
                    f'on them, <a href="{path.stem}.ipynb" download>download the notebook'
                    f'</a> and open it in JupyterLab, in the course folder.</p>')
        title = lesson_title(nb, path.stem)
        body = render(export, nb, title, f"../{STATIC}",
                      exercise_nav(path.stem, titles), exercise_nav(path.stem, titles,
                                                                    "bottom"), download)
        (out / "exercises" / f"{path.stem}.html").write_text(body, encoding="utf-8")
        shutil.copyfile(path, out / "exercises" / path.name)

    (out / "index.html").write_text(index_page(lessons, titles, exercise_stems),
                                    encoding="utf-8")
    if missing_alt:
        print("warning: figures with no text alternative (run `python3 course.py execute`): "
              + ", ".join(missing_alt), file=sys.stderr)
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE, help="where to write (default site/)")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")  # explorers draw their frames off-screen, also on a desktop
    pages = build_site(args.out)
    shown = args.out.resolve()
    print(f"wrote {len(pages)} lesson pages, the exercises and index.html to {shown}")
    print(f"open {shown / 'index.html'}, or serve it: python -m http.server -d {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
