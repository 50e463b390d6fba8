"""Build the course's static pages into ``site/``: one HTML page per lesson, and an index.

    python tools/site.py            # or: python3 course.py site
    python tools/site.py --out /tmp/site

Each page is made from the committed notebook as it is stored (outputs, figures and
widget state; nothing is re-run), so every widget shows at its initial setting without
a kernel, beside its static figure. The pages work offline: the widget renderer
(``@jupyter-widgets/html-manager``), require.js and MathJax are copied into
``site/_static/`` from their npm packages, which are fetched once at build time (with
``npm pack`` when npm is installed, else straight from the npm registry, checking the
registry's checksum) and kept in ``build/site-assets/``. Both folders are git-ignored.

Open ``site/index.html`` in a browser. MathJax's fonts load best over HTTP, so for
the nicest maths serve the folder: ``python -m http.server -d site`` and open
http://127.0.0.1:8000/.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SITE = ROOT / "site"
CACHE = ROOT / "build" / "site-assets"
TITLE = "Softmax, from logits to attention"

# npm package, exact version, folder under site/_static, and which files of it to keep
# (shell patterns; `*` also crosses folders).
ASSETS = {
    # The AMD bundle holds the built-in widgets; its icon fonts sit beside it.
    "html-manager": ("@jupyter-widgets/html-manager", "1.0.15", (
        "dist/embed-amd.js", "dist/*.woff2", "dist/*.woff", "dist/*.ttf", "dist/*.eot",
        "dist/*.svg", "LICENSE",
    )),
    "requirejs": ("requirejs", "2.3.8", ("require.js",)),
    # MathJax 2, the version nbconvert's template configures; only what TeX in
    # CommonHTML output needs (about a tenth of the package).
    "mathjax": ("mathjax", "2.7.9", (
        "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "config/local/*",
        "extensions/*.js", "extensions/TeX/*", "extensions/HTML-CSS/*", "jax/input/TeX/*",
        "jax/output/CommonHTML/*", "jax/element/*", "fonts/HTML-CSS/TeX/woff/*", "LICENSE",
    )),
}
STATIC = "_static"
REQUIRE_JS = f"{STATIC}/requirejs/require.js"
WIDGET_RENDERER = f"{STATIC}/html-manager/dist/embed-amd.js"
MATHJAX = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

NAV_CSS = """
<style>
.course-nav { font-family: sans-serif; font-size: 14px; max-width: 1100px;
  margin: 0 auto; padding: 10px 20px; display: flex; gap: 24px;
  border-bottom: 1px solid #ccc; }
.course-nav a { color: #0072B2; }
</style>
"""


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
    """Unpack the renderer, require.js and MathJax into ``site/_static``."""
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


def link_lessons(page: str, lessons: list[str]) -> str:
    """Point links between lessons at their pages: ``01_x.ipynb`` becomes ``01_x.html``."""
    for stem in lessons:
        page = re.sub(rf'href="(\./)?{re.escape(stem)}\.ipynb(#[^"]*)?"',
                      lambda m, s=stem: f'href="{s}.html{m.group(2) or ""}"', page)
    return page


def nav_bar(lessons: list[str], titles: dict[str, str], index: int) -> str:
    links = ['<a href="index.html">All lessons</a>']
    if index > 0:
        prev = lessons[index - 1]
        links.append(f'<a href="{prev}.html">&larr; {html.escape(titles[prev])}</a>')
    if index + 1 < len(lessons):
        nxt = lessons[index + 1]
        links.append(f'<a href="{nxt}.html">{html.escape(titles[nxt])} &rarr;</a>')
    return f'<nav class="course-nav">{" ".join(links)}</nav>'


def exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        require_js_url=REQUIRE_JS,
        widget_renderer_url=WIDGET_RENDERER,
        mathjax_url=MATHJAX,
        # Only loaded when a page has Mermaid diagrams (ours have none); never a CDN.
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
    )


def index_page(lessons: list[str], titles: dict[str, str]) -> str:
    items = "\n".join(f'  <li><a href="{stem}.html">{html.escape(titles[stem])}</a></li>'
                      for stem in lessons)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(TITLE)}</title>
<style>
body {{ font-family: sans-serif; max-width: 760px; margin: 40px auto; padding: 0 20px;
  line-height: 1.5; }}
a {{ color: #0072B2; }}
</style>
</head>
<body>
<h1>{html.escape(TITLE)}</h1>
<p>The lessons in order, with every output, figure and widget as stored (the widgets
show their initial setting; to move the sliders, open the course in JupyterLab).</p>
<ol class="lessons">
{items}
</ol>
</body>
</html>
"""


def build_site(out: Path = SITE, notebooks: Path = NOTEBOOKS, cache: Path = CACHE) -> list[Path]:
    """Write one page per notebook, an index and the offline assets into `out`.

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
    export = exporter()
    pages = []
    for i, stem in enumerate(lessons):
        body, _ = export.from_notebook_node(nbs[stem], resources={"metadata": {"name": stem}})
        body = link_lessons(body, lessons)
        body = body.replace("</head>", NAV_CSS + "</head>", 1)
        nav = nav_bar(lessons, titles, i)
        body = re.sub(r"(<body[^>]*>)", lambda m, nav=nav: m.group(1) + nav, body, count=1)
        page = out / f"{stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append(page)
    (out / "index.html").write_text(index_page(lessons, titles), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE, help="where to write (default site/)")
    args = parser.parse_args(argv)
    pages = build_site(args.out)
    shown = args.out.resolve()
    print(f"wrote {len(pages)} lesson pages and index.html to {shown}")
    print(f"open {shown / 'index.html'}, or serve it: python -m http.server -d {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
