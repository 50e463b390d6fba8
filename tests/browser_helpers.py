"""Helpers for the real-browser test: our own JupyterLab server, and checks run in Chromium.

Used by ``tests/test_browser.py`` (and reusable from a script). Nothing here runs at
import time, and nothing here imports Playwright: the test decides whether it can run.

The server works on a temporary copy of the lessons (outputs cleared, unless asked to
keep them), so a run never writes into the committed notebooks; it has its own
settings (no virtual scrolling of cells, no autosave; the news pop-up is kept away by
the course's own settings, as for a learner), its own port and token, and it is
stopped by its process id, never by name.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_ENABLE = (
    "the browser test needs Debian's Chromium at /usr/bin/chromium and the Playwright "
    "package: install them with `sudo apt-get install chromium` and "
    "`python3 course.py test` (which installs the dev packages), then run it again"
)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# JupyterLab user settings for the test server (one file per plugin).
LAB_SETTINGS = {
    # Keep every cell in the DOM, so all outputs can be checked and photographed.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # Never write back to disk (we work on a copy anyway).
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # No news pop-up setting here: the course's own jupyterlab-overrides.json, which
    # course.py installs into the environment, must keep it away (the test checks).
}


def on_ci() -> bool:
    """True when the CI variable says so (then the browser test must run, never skip)."""
    return os.environ.get("CI", "").lower() == "true"


def lesson_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every notebook in `folder`, in lesson order (their names start with the number)."""
    return sorted(folder.glob("*.ipynb"))


def free_port() -> int:
    """A TCP port on the loopback interface that nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cleared_copy(source: Path, target: Path) -> None:
    """Write `source` to `target` without outputs, execution counts or widget state.

    Stored widget views would otherwise show "Error displaying widget: model not
    found" until their cell is run again, which would hide real failures.
    """
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    target.write_text(json.dumps(nb, indent=1), encoding="utf-8")


class LabServer:
    """A JupyterLab server of our own on 127.0.0.1, serving a cleared copy of `notebooks`.

    With `keep_outputs`, the copy keeps its stored outputs: what a learner opens first.

    Use it as a context manager; it is stopped (by its pid, then its process group,
    which holds only what it started) and its temporary folder removed on exit, also
    when the body raised.
    """

    def __init__(self, notebooks: Path = NOTEBOOKS, startup_timeout: float = 60.0,
                 keep_outputs: bool = False) -> None:
        self.source = Path(notebooks)
        self.keep_outputs = keep_outputs
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(16)
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None
        self.log_path: Path | None = None

    # -- life cycle ---------------------------------------------------------------------
    def __enter__(self) -> LabServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="course-browser-"))
        root = self.tmp / "root"
        (root / "notebooks").mkdir(parents=True)
        for nb in lesson_notebooks(self.source):
            if self.keep_outputs:  # as a learner gets them: stored outputs, not trusted
                shutil.copyfile(nb, root / "notebooks" / nb.name)
            else:
                cleared_copy(nb, root / "notebooks" / nb.name)
        settings = self.tmp / "settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = {
            **os.environ,
            # The kernel runs in the copied folder: let it import the course package.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])),
            "JUPYTER_CONFIG_DIR": str(self.tmp / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.tmp / "runtime"),
            "IPYTHONDIR": str(self.tmp / "ipython"),
        }
        last_error = ""
        for _attempt in range(3):  # another process may grab the free port first
            self.port = free_port()
            self.log_path = self.tmp / f"server-{self.port}.log"
            args = [
                sys.executable, "-m", "jupyter", "lab", "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                args.append("--allow-root")
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(args, cwd=root, env=env, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready():
                return
            last_error = self.log_tail()
            self._stop_process()
        raise RuntimeError(f"JupyterLab did not start on 127.0.0.1; its log ends:\n{last_error}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.api("GET", "api/status", timeout=2)
                return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        return False

    def stop(self) -> None:
        self._stop_process()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _stop_process(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:  # a clean shutdown also stops the kernels it started
            self.api("POST", "api/shutdown", timeout=5, port=self.port)
            proc.wait(timeout=10)
            return
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            pass
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Our server and whatever it started live in their own process group.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    # -- talking to it ----------------------------------------------------------------
    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{sep}token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10, port: int | None = None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port or self.port}/{path}", method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel of this server (keeps the 2-core machine free between lessons)."""
        for kernel in self.api("GET", "api/kernels"):
            try:
                self.api("DELETE", f"api/kernels/{kernel['id']}")
            except urllib.error.URLError:
                pass

    def log_tail(self, chars: int = 3000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]


# -- the checks, in the browser ----------------------------------------------------------

JS_NOTEBOOK_READY = """(path) => {
    const app = window.jupyterapp;
    if (!app) return false;
    const w = app.shell.currentWidget;
    if (!w || !w.context || w.context.path !== path || !w.context.isReady) return false;
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.status === 'idle';
}"""

JS_RUN_FINISHED = """() => {
    const w = window.jupyterapp.shell.currentWidget;
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    if (!k || k.status !== 'idle') return false;
    const cells = w.content.model.toJSON().cells.filter(c => c.cell_type === 'code');
    if (cells.some(c => (c.outputs || []).some(o => o.output_type === 'error'))) return true;
    const src = c => Array.isArray(c.source) ? c.source.join('') : c.source;
    return cells.every(c => c.execution_count !== null || src(c).trim() === '');
}"""

# Widget outputs that show neither a rendered widget nor an error yet.
JS_UNRENDERED_WIDGETS = """() => {
    const sel = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]';
    const nodes = [...document.querySelectorAll('.jp-NotebookPanel ' + sel)];
    return nodes.filter(n => !n.querySelector('.jupyter-widgets')
                             && !n.textContent.includes('Error displaying widget')).length;
}"""

# The controls of an explorer, as ipywidgets 8 draws them.
CONTROLS = ".widget-slider, .widget-checkbox, .widget-dropdown, .widget-toggle-buttons"

# What a control's widget shows, apart from its controls (a control's own readout moves).
JS_CONTROL_SIGNATURE = """(control) => {
    const view = control.closest('.jp-OutputArea-output');
    const clone = view.cloneNode(true);
    clone.querySelectorAll('CONTROLS').forEach(n => n.remove());
    return clone.innerHTML;
}""".replace("CONTROLS", CONTROLS)

JS_CONTROL_NAME = """(control) => {
    const box = control.closest('CONTROLS');
    const label = box.querySelector('.widget-label, label');
    return (label && label.textContent.trim()) || 'unnamed control';
}""".replace("CONTROLS", CONTROLS)

JS_SLIDER_READOUT = """(handle) => {
    const slider = handle.closest('.widget-slider');
    const readout = slider.querySelector('.widget-readout');
    return (readout ? (readout.value || readout.textContent) : '')
           + '|' + (handle.getAttribute('aria-valuenow') || '');
}"""

# Scroll the notebook to its top; return the window height that shows all of it.
JS_CONTENT_HEIGHT = """() => {
    const outer = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
    const cells = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-viewport');
    if (!outer || !cells) return document.body.scrollHeight;
    outer.scrollTop = 0;
    const top = outer.getBoundingClientRect().top;
    const chrome = window.innerHeight - outer.getBoundingClientRect().bottom;
    return top + cells.getBoundingClientRect().height + chrome + 40;
}"""

JS_CLOSE_CURRENT = """async () => {
    const w = window.jupyterapp.shell.currentWidget;
    if (!w) return;
    try { await w.sessionContext.shutdown(); } catch (e) {}
    w.context.model.dirty = false;
    w.dispose();
}"""


def open_notebook(page, server: LabServer, name: str, timeout_ms: int = 90_000) -> str:
    """Open notebooks/`name` in JupyterLab and wait until its kernel is idle."""
    path = f"notebooks/{name}"
    # A page can only talk to the server that served it: another server means a new page.
    this_server = page.url.startswith(f"http://127.0.0.1:{server.port}/")
    if not this_server or not page.evaluate("() => !!window.jupyterapp"):
        page.goto(server.url(f"lab/tree/{path}?reset"), timeout=timeout_ms)
        page.wait_for_function("() => !!window.jupyterapp", timeout=timeout_ms)
    else:
        # Do not return what the command gives back (a widget): it is not serialisable.
        page.evaluate("(p) => { window.jupyterapp.commands.execute('docmanager:open', "
                      "{path: p}); return null; }", path)
    try:
        page.wait_for_function(JS_NOTEBOOK_READY, arg=path, timeout=timeout_ms, polling=250)
    except Exception as exc:
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            raise RuntimeError(
                f"{name}: JupyterLab shows a dialog instead of a kernel: "
                f"{dialog.first.inner_text()!r} (is the kernelspec python3?)") from exc
        raise RuntimeError(f"{name}: the notebook or its kernel was not ready after "
                           f"{timeout_ms / 1000:.0f} s") from exc
    return path


def run_all_cells(page, timeout_ms: int = 120_000) -> dict:
    """Run every cell (Run > Run All Cells), wait for the kernel to finish, return the notebook."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); "
                  "return null; }")
    page.wait_for_function(JS_RUN_FINISHED, timeout=timeout_ms, polling=250)
    # As a string: outputs can nest deeper than Playwright serialises objects.
    return json.loads(page.evaluate(
        "() => JSON.stringify(window.jupyterapp.shell.currentWidget.content.model.toJSON())"))


def error_outputs(nb: dict) -> list[str]:
    """One line per error output: which cell, which exception."""
    problems = []
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"code cell {number} raised {out.get('ename')}: "
                                f"{out.get('evalue')}")
    return problems


def count_widget_outputs(nb: dict) -> int:
    return sum(WIDGET_MIME in out.get("data", {})
               for cell in nb["cells"] if cell["cell_type"] == "code"
               for out in cell.get("outputs", []))


def widget_problems(page, expected: int, timeout_ms: int = 20_000) -> list[str]:
    """Wait for every widget output to render; report those that did not, and widget errors."""
    problems = []
    if expected:
        try:
            page.wait_for_function(f"() => ({JS_UNRENDERED_WIDGETS})() === 0",
                                   timeout=timeout_ms, polling=200)
        except Exception:
            missing = page.evaluate(JS_UNRENDERED_WIDGETS)
            problems.append(f"{missing} of {expected} widget(s) never rendered "
                            f"(waited {timeout_ms / 1000:.0f} s)")
    # Only outputs count: a lesson's prose may quote the message to explain it.
    text = page.evaluate("""() => [...document.querySelectorAll(
        '.jp-NotebookPanel .jp-OutputArea-output')].map(n => n.innerText).join('\\n')""")
    if "Error displaying widget" in text:
        line = next(ln for ln in text.splitlines() if "Error displaying widget" in ln)
        problems.append(f"an output says {line.strip()!r}")
    return problems


# The fewest pixels one step of a slider may be: an arrow key press moves it that far.
MIN_PIXELS_PER_STEP = 3


def _wait_for_new_output(page, control, before: str, timeout_ms: int) -> bool:
    try:
        page.wait_for_function(
            f"([c, before]) => ({JS_CONTROL_SIGNATURE})(c) !== before",
            arg=[control.element_handle(), before], timeout=timeout_ms, polling=100)
        return True
    except Exception:
        return False


def slider_problems(page, timeout_ms: int = 5_000) -> tuple[int, list[str]]:
    """Move every slider one step with an arrow key; its widget's output must change.

    Also measures how far one step moves the handle: at least ``MIN_PIXELS_PER_STEP``.
    Returns the number of sliders tried and the problems found.
    """
    problems = []
    handles = page.locator(".jp-NotebookPanel .widget-slider .noUi-handle")
    # Range sliders have two handles; one is enough to show the wiring works.
    n_handles = handles.count()
    seen_sliders = 0
    for i in range(n_handles):
        handle = handles.nth(i)
        first = "(h) => h.closest('.widget-slider').querySelector('.noUi-handle') === h"
        if not handle.evaluate(first):
            continue
        seen_sliders += 1
        name = handle.evaluate(JS_CONTROL_NAME)
        before = handle.evaluate(JS_CONTROL_SIGNATURE)
        start = handle.evaluate(JS_SLIDER_READOUT)
        handle.scroll_into_view_if_needed()
        handle.focus()
        x_before = handle.bounding_box()["x"]
        moved = False
        for key in ("ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"):
            handle.press(key)
            if handle.evaluate(JS_SLIDER_READOUT) != start:
                moved = True
                break
        if not moved:
            problems.append(f"slider {name!r} did not move when its handle got arrow keys")
            continue
        page.wait_for_timeout(50)  # the handle slides into place
        step_px = abs(handle.bounding_box()["x"] - x_before)
        if step_px < MIN_PIXELS_PER_STEP:
            problems.append(f"slider {name!r}: one step is {step_px:.1f} px "
                            f"(at least {MIN_PIXELS_PER_STEP} px wanted)")
        if not _wait_for_new_output(page, handle, before, timeout_ms):
            problems.append(f"slider {name!r} moved (now {handle.evaluate(JS_SLIDER_READOUT)}) "
                            f"but its output did not change within {timeout_ms / 1000:.0f} s")
    return seen_sliders, problems


def other_control_problems(page, timeout_ms: int = 5_000) -> tuple[int, list[str]]:
    """Change every checkbox (Space), dropdown (arrow key) and toggle button (Space).

    Each is reached and changed with the keyboard only; its widget's output must change.
    Returns the number of controls tried and the problems found.
    """
    problems = []
    tried = 0
    targets = []
    boxes = page.locator(".jp-NotebookPanel .widget-checkbox input[type=checkbox]")
    targets += [(boxes.nth(i), ["Space"]) for i in range(boxes.count())]
    selects = page.locator(".jp-NotebookPanel .widget-dropdown select")
    targets += [(selects.nth(i), ["ArrowDown", "ArrowUp"]) for i in range(selects.count())]
    groups = page.locator(".jp-NotebookPanel .widget-toggle-buttons")
    for i in range(groups.count()):
        idle = groups.nth(i).locator("button:not(.mod-active)")
        if idle.count():
            targets.append((idle.first, ["Space"]))
    for control, keys in targets:
        tried += 1
        name = control.evaluate(JS_CONTROL_NAME)
        before = control.evaluate(JS_CONTROL_SIGNATURE)
        control.scroll_into_view_if_needed()
        control.focus()
        changed = False
        for key in keys:
            control.press(key)
            if _wait_for_new_output(page, control, before, timeout_ms):
                changed = True
                break
        if not changed:
            problems.append(f"control {name!r} got {' then '.join(keys)} from the keyboard "
                            f"but its output did not change within {timeout_ms / 1000:.0f} s")
    return tried, problems


# Each explorer's line of text: one line, inside the output area.
JS_LINE_PROBLEMS = """() => {
    const problems = [];
    document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output .widget-html code')
      .forEach(code => {
        const area = code.closest('.jp-OutputArea-output').getBoundingClientRect();
        const box = code.getBoundingClientRect();
        const lineHeight = parseFloat(getComputedStyle(code).lineHeight) || 18;
        if (box.height > 1.6 * lineHeight) problems.push('line wraps: ' + code.textContent);
        if (box.right > area.right + 1) problems.push('line runs out of the output area ('
            + Math.round(box.right - area.right) + ' px): ' + code.textContent);
      });
    // A control's label sits on the same line as the control.
    document.querySelectorAll('.jp-NotebookPanel .widget-toggle-buttons, '
        + '.jp-NotebookPanel .widget-slider').forEach(control => {
        const label = control.querySelector('.widget-label');
        const body = control.querySelector('button, .noUi-target, .slider-container');
        if (!label || !body || !label.textContent.trim()) return;
        const a = label.getBoundingClientRect(), b = body.getBoundingClientRect();
        if (a.bottom <= b.top || a.top >= b.bottom) {
            problems.push('label on a line of its own: ' + label.textContent.trim());
        }
    });
    return problems;
}"""


def line_problems(page) -> list[str]:
    """Every explorer's line of text stays one line, inside the notebook's output area,
    and every control's label stays beside its control."""
    return [f"an explorer's {p}" for p in page.evaluate(JS_LINE_PROBLEMS)]


JS_WIDGET_OUTPUTS = """() => [...document.querySelectorAll('.jp-NotebookPanel '
    + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')]
    .map(n => n.innerHTML.length + ':' + [...n.querySelectorAll('img')]
        .map(i => i.complete + '/' + i.src.length).join(',')).join('|')"""


def wait_until_settled(page, quiet_ms: int = 600, timeout_ms: int = 8_000) -> bool:
    """Wait until no widget output has changed for `quiet_ms` (late redraws land first)."""
    deadline = time.monotonic() + timeout_ms / 1000
    last, since = page.evaluate(JS_WIDGET_OUTPUTS), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        now = page.evaluate(JS_WIDGET_OUTPUTS)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_ms / 1000:
            return True
    return False


# Decode every image, then wait two frames, so no figure is photographed half painted.
JS_IMAGES_PAINTED = """async () => {
    await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""


def screenshot(page, target: Path, width: int = 1280, max_height: int = 16_000) -> None:
    """Photograph the whole notebook: grow the window to the notebook's height first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = page.viewport_size
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # no file browser
    height = min(max_height, int(page.evaluate(JS_CONTENT_HEIGHT)))
    page.set_viewport_size({"width": width, "height": max(height, 600)})
    page.wait_for_timeout(300)  # let JupyterLab lay out the taller window
    page.evaluate(JS_CONTENT_HEIGHT)  # back to the top after the re-layout
    page.evaluate(JS_IMAGES_PAINTED)
    page.screenshot(path=str(target))
    if old:
        page.set_viewport_size(old)


def close_notebook(page) -> None:
    page.evaluate(JS_CLOSE_CURRENT)


def check_notebook(page, server: LabServer, name: str, shots: Path = SCREENSHOTS) -> dict:
    """Open, run all, check errors, widgets and every control, take a screenshot, close.

    Every slider, checkbox, dropdown and toggle button is changed with the keyboard and
    must change its explorer's output; every explorer's line of text must stay one line.
    Returns a report: ``problems`` (empty when all is well), ``widgets``, ``sliders``,
    ``controls`` (the other controls), ``screenshot`` and ``seconds``.
    """
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[phase] = now - clock
        clock = now

    open_notebook(page, server, name)
    lap("open")
    try:
        nb = run_all_cells(page)
        lap("run")
        problems = error_outputs(nb)
        n_widgets = count_widget_outputs(nb)
        problems += widget_problems(page, n_widgets)
        n_sliders, slider_issues = slider_problems(page)
        problems += slider_issues
        n_others, other_issues = other_control_problems(page)
        problems += other_issues
        problems += line_problems(page)
        if n_widgets:
            wait_until_settled(page)
        lap("widgets")
        shot = shots / f"{Path(name).stem}.png"
        screenshot(page, shot)
        lap("screenshot")
    finally:
        close_notebook(page)
        server.shutdown_kernels()
        lap("close")
    return {"problems": problems, "widgets": n_widgets, "sliders": n_sliders,
            "controls": n_others, "screenshot": shot, "seconds": sum(phases.values()),
            "phases": phases}


# -- the static site, in the browser ------------------------------------------------------

class SiteServer:
    """Serve a built site on 127.0.0.1 at a free port, from a thread of this process."""

    def __init__(self, folder: Path) -> None:
        import functools
        import http.server
        import threading

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- first open: a lesson as a learner opens it, before running anything -----------------

JS_OUTPUT_TEXT = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel .jp-OutputArea-output')].map(n => n.innerText).join('\\n')"""

# JupyterLab's question "Would you like to get notified about official Jupyter news?".
JS_NEWS_TOAST = """() => [...document.querySelectorAll('.jp-toast-container, .Toastify, '
    + '.jp-Notification-Toast, [role="alert"]')].map(n => n.innerText).join(' ')"""


def first_open_problems(page, server: LabServer, name: str, explorers: int,
                        run_to_use: str, shots: Path | None = None,
                        timeout_ms: int = 20_000) -> list[str]:
    """Open a lesson with its stored outputs: each explorer must read as one plain line.

    No widget repr (``VBox(children=...``), no "Error displaying widget", and no news
    pop-up over the page. With `shots`, photographs the lesson as it first opens.
    """
    open_notebook(page, server, name)
    problems = []
    try:
        if explorers:
            try:
                page.wait_for_function(
                    "([line, n]) => (" + JS_OUTPUT_TEXT + ")().split(line).length - 1 >= n",
                    arg=[run_to_use, explorers], timeout=timeout_ms, polling=250)
            except Exception:
                problems.append(f"{name}: before running, expected {explorers} explorer(s) "
                                f"to read {run_to_use!r}")
        page.wait_for_timeout(1_000)  # a pop-up appears a moment after the page
        text = page.evaluate(JS_OUTPUT_TEXT)
        for bad in ("VBox(children", "HBox(children", "Error displaying widget"):
            if bad in text:
                problems.append(f"{name}: before running, an output shows {bad!r}")
        toast = page.evaluate(JS_NEWS_TOAST)
        if "news" in toast.lower():
            problems.append(f"{name}: JupyterLab asks about Jupyter news: {toast.strip()!r}")
        if shots is not None:
            screenshot(page, shots / f"{Path(name).stem}.png")
    finally:
        close_notebook(page)
        server.shutdown_kernels()
    return problems


# -- the static site, in the browser ------------------------------------------------------

JS_PLAYER_STATE = """(p) => {
    const img = p.querySelector('.course-player-picture img');
    return {label: p.querySelector('.course-player-label').textContent,
            line: p.querySelector('.course-player-line').textContent,
            src: img ? img.src : '', alt: img ? img.alt : '',
            play: p.querySelector('.course-player-play').textContent.trim(),
            at: Number(p.querySelector('.course-player-scrub input').value),
            last: Number(p.querySelector('.course-player-scrub input').max)};
}"""


def player_problems(page, player, where: str, timeout_ms: int = 5_000) -> list[str]:
    """Drive one frame player with the keyboard; its picture (or line) must follow.

    The slider moves with an arrow key; the step button with Enter; Play advances
    frames by itself, and pressing it again pauses.
    """
    problems = []

    def state():
        return player.evaluate(JS_PLAYER_STATE)

    def shows_another_frame(before, after) -> bool:
        changed = after["src"] != before["src"] if before["src"] else \
            after["line"] != before["line"]
        return changed and after["label"] != before["label"]

    controls = player.locator(".course-player-controls")
    try:
        controls.wait_for(state="visible", timeout=timeout_ms)
    except Exception:
        return [f"{where}: the player's controls never appeared (did player.js run?)"]
    player.scroll_into_view_if_needed()
    # 1. The slider, with arrow keys.
    scrub = player.locator(".course-player-scrub input")
    before = state()
    scrub.focus()
    scrub.press("ArrowLeft" if before["at"] == before["last"] else "ArrowRight")
    after = state()
    if not shows_another_frame(before, after):
        problems.append(f"{where}: an arrow key on the slider did not show another frame "
                        f"({before['label']!r} -> {after['label']!r})")
    if before["src"] and not after["alt"].startswith("Figure"):
        problems.append(f"{where}: the frame {after['label']!r} has no text alternative")
    # 2. The step buttons, with Enter.
    before = state()
    button = player.locator(".course-player-back" if before["at"] == before["last"]
                            else ".course-player-next")
    button.focus()
    button.press("Enter")
    if not shows_another_frame(before, state()):
        problems.append(f"{where}: the step button did not show another frame")
    # 3. Play from the first frame, then pause.
    scrub.focus()
    scrub.press("Home")
    before = state()
    play = player.locator(".course-player-play")
    play.focus()
    play.press("Enter")
    try:
        page.wait_for_function(f"([p, at]) => ({JS_PLAYER_STATE})(p).at > at + 1",
                               arg=[player.element_handle(), before["at"]],
                               timeout=timeout_ms, polling=100)
    except Exception:
        problems.append(f"{where}: Play did not advance the frames")
    play.press("Enter")
    paused = state()
    page.wait_for_timeout(800)
    if state()["at"] != paused["at"] or "Play" not in state()["play"]:
        problems.append(f"{where}: pressing Play again did not pause")
    return problems


JS_FONT_PROBLEMS = """() => {
    const prose = document.querySelector('.jp-RenderedMarkdown p, main p');
    if (!prose) return ['no prose on the page'];
    const family = getComputedStyle(prose).fontFamily;
    const problems = [];
    if (/^\\s*"?(serif|times|georgia)/i.test(family)) {
        problems.push('the prose is serif: ' + family);
    }
    document.querySelectorAll('.course-player-controls button, .course-player-controls label, '
        + '.course-player-controls select, .course-player-label, .course-player-note, '
        + '.course-nav a, .course-download')
      .forEach(n => {
        const f = getComputedStyle(n).fontFamily;
        if (f !== family) problems.push(n.tagName.toLowerCase() + ' "'
            + n.textContent.trim().slice(0, 30) + '" is in ' + f + ', the prose in ' + family);
      });
    return problems;
}"""


def check_site_page(page, base: str, name: str, expected_explorers: int,
                    shots: Path | None = None, timeout_ms: int = 20_000) -> dict:
    """Open one page with every request outside the site refused; play every explorer.

    Each player must move with the keyboard and show other frames; a still shows its
    figure with a text alternative and no control; every image has a text alternative;
    the page's controls and notes use the prose's font. `base` is the site's address
    (``http://...`` or a ``file://`` folder). With `shots`, photographs the whole page.
    """
    outside: list[str] = []

    def only_the_site(route) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_the_site)
    problems = []
    try:
        page.goto(base + name, timeout=timeout_ms)
        try:
            page.wait_for_function("() => window.MathJax && window.MathJax.isReady === true",
                                   timeout=timeout_ms, polling=200)
        except Exception:
            problems.append(f"{name}: MathJax did not load from the site")
        players = page.locator("figure.course-player")
        stills = page.locator("figure.course-still")
        if players.count() + stills.count() != expected_explorers:
            problems.append(f"{name}: {players.count()} player(s) and {stills.count()} "
                            f"still(s) for {expected_explorers} explorer(s)")
        for i in range(players.count()):
            problems += player_problems(page, players.nth(i), f"{name} player {i + 1}")
        for i in range(stills.count()):
            still = stills.nth(i)
            if still.locator("button, input, select").count():
                problems.append(f"{name} still {i + 1}: has a control that cannot move it")
        missing = page.evaluate("() => [...document.images].filter(i => !i.alt.trim()"
                                " || i.alt.startsWith('No description')).length")
        if missing:
            problems.append(f"{name}: {missing} image(s) without a text alternative")
        problems += [f"{name}: {p}" for p in page.evaluate(JS_FONT_PROBLEMS)]
        if not page.inner_text("body").strip():
            problems.append(f"{name}: the page is blank")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.evaluate(JS_IMAGES_PAINTED)
            page.screenshot(path=str(shots / f"{Path(name).stem}.png"), full_page=True)
    finally:
        page.unroute("**/*")
    problems += [f"{name}: tried to load {url} from outside the site" for url in outside]
    return {"problems": problems, "players": players.count(), "stills": stills.count()}
