"""What an answer may not do, read from the submitted notebook's source (never run).

Two rules, checked by the grader on the notebook as handed in, so no code of the
submission can change what they find:

1. **An exercise is not answered by importing its answer.** The function an
   exercise asks for (and every function of the notebook it calls) may not use
   the course package ``softmax_lessons``, whose modules implement every exercise,
   nor read the course's ``solutions/``. :func:`answer_problems` follows the
   function's names through the notebook's imports, assignments and helper
   functions. (The sandbox also offers no ``solutions/``, and while the grader calls
   the function it notes every call into the package's code.)

2. **Nothing reaches into the grader.** The grader calls the learner's function in
   the learner's own kernel, so a notebook that rewrites the interpreter could in
   principle change what comes back. :func:`tampering` lists, anywhere in the
   notebook, what such code needs and homework never does: running code from
   strings, reaching into the interpreter (``sys.modules``, frames, the garbage
   collector, profilers, ``ctypes``, dunder attributes such as ``__globals__``),
   starting programs or threads, sending signals, shell commands and magics that
   run other code. A notebook with any of them is flagged for the instructor to
   read; its checks still run and are reported beside the flag.

Both rules read the code after IPython's own translation of magics
(``!ls`` becomes ``get_ipython().system('ls')``). They are a deny-list: they make
forging a verdict hard and visible, not impossible; a copy of the package's source
pasted into a notebook is not found here (that is plagiarism of a public file).

Examples
--------
>>> import nbformat
>>> cells = ["from softmax_lessons import softmax as sm",
...          "def helper(x):\\n    return sm(x)",
...          "def stable_softmax(x):\\n    return helper(x)"]
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
>>> answer_problems(nb, "stable_softmax")
['uses softmax_lessons.softmax (cell 2, in helper)']
>>> tampering(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("!cat answers")]))
['cell 1 runs a shell command (!cmd)']
"""

from __future__ import annotations

import ast
import re

__all__ = ["answer_problems", "checker_calls", "defining_cell", "tampering"]

PACKAGE = "softmax_lessons"

#: Module names whose import alone is flagged, and why.
_MODULES = {
    "ctypes": "reaches into the interpreter's memory",
    "gc": "reaches into the interpreter's objects",
    "tracemalloc": "changes the memory measurement of the checks",
    "inspect": "reaches into the interpreter's frames",
    "importlib": "imports modules by name at run time",
    "builtins": "changes Python's built-in functions",
    "signal": "handles signals",
    "subprocess": "starts other programs",
    "multiprocessing": "starts other processes",
    "concurrent": "starts threads or processes",
    "threading": "starts threads",
    "_thread": "starts threads",
    "pty": "starts other programs",
    "socket": "opens network connections",
    "grading_inside": "reaches into the grader",
    "sysconfig": "reaches into the interpreter",
}

#: Attributes flagged as ``module.attribute``.
_ATTRIBUTES = {
    "sys": {"modules", "setprofile", "settrace", "monitoring", "_getframe", "addaudithook",
            "meta_path", "path_hooks", "path_importer_cache"},
    "os": {"system", "popen", "fork", "forkpty", "kill", "killpg", "execv", "execve",
           "execl", "execle", "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle",
           "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn",
           "posix_spawnp", "register_at_fork", "pidfd_open"},
    "asyncio": {"create_subprocess_exec", "create_subprocess_shell"},
}

#: Built-in functions flagged when called or named.
_NAMES = {
    "exec": "runs code from a string",
    "eval": "runs code from a string",
    "compile": "compiles code from a string",
    "__import__": "imports modules by name at run time",
    "globals": "reaches into the notebook's namespace",
    "vars": "reaches into a namespace",
    "breakpoint": "stops in a debugger",
    "get_ipython": None,  # allowed, but see _IPYTHON below
}

#: Methods of get_ipython() flagged; run_line_magic/run_cell_magic are judged by the magic.
_IPYTHON = {"system", "getoutput", "events", "user_ns", "user_global_ns", "run_cell",
            "ex", "ev", "push", "register_magic_function", "set_custom_exc", "kernel",
            "extension_manager", "magics_manager", "ast_transformers", "input_transformers_post"}

#: Magics that run other code or programs.
_MAGICS = {"system", "sx", "sc", "bash", "sh", "script", "perl", "ruby", "python", "python2",
           "python3", "pypy", "run", "load", "load_ext", "reload_ext", "aimport", "autoreload",
           "alias", "killbgscripts", "debug", "pdb", "prun", "html", "javascript", "js",
           "writefile", "file"}

#: Dunder attributes that may be read.
_DUNDERS_ALLOWED = {"__name__", "__doc__", "__init__", "__qualname__", "__module__"}

_SOLUTIONS = re.compile(r"(^|[/\\])solutions([/\\]|$)")


# ---------------------------------------------------------------------------
# Reading the notebook's code
# ---------------------------------------------------------------------------


def _cells(nb) -> list[tuple[int, ast.Module]]:
    """(cell number counted from 1, parsed code) for every code cell that parses."""
    from IPython.core.inputtransformer2 import TransformerManager

    manager = TransformerManager()
    parsed = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        try:
            tree = ast.parse(manager.transform_cell(source))
        except (SyntaxError, ValueError, TypeError):
            continue  # it cannot run either: a SyntaxError in the kernel
        parsed.append((index + 1, tree))
    return parsed


def _flat(statements: list[ast.stmt]):
    """Top-level statements, including those inside if/for/while/with/try blocks."""
    for stmt in statements:
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from _flat(getattr(stmt, field, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _flat(handler.body)


def _package_origin(module: str | None, name: str | None = None) -> str | None:
    if module and (module == PACKAGE or module.startswith(PACKAGE + ".")):
        return f"{module}.{name}" if name else module
    return None


class _Bindings:
    """What each name of the notebook's namespace was last bound to, cell by cell."""

    def __init__(self, nb) -> None:
        # name -> ("package", origin, cell) | ("code", node, cell)
        self.names: dict[str, tuple[str, object, int]] = {}
        self.star_package: list[tuple[str, int]] = []
        for cell, tree in _cells(nb):
            for stmt in _flat(tree.body):
                self._bind(stmt, cell)

    def _bind(self, stmt: ast.stmt, cell: int) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                origin = _package_origin(alias.name)
                bound = alias.asname or alias.name.split(".")[0]
                if origin:
                    self.names[bound] = ("package", alias.name if alias.asname else PACKAGE,
                                         cell)
                else:
                    self.names[bound] = ("code", stmt, cell)
        elif isinstance(stmt, ast.ImportFrom):
            module = stmt.module if not stmt.level else None
            for alias in stmt.names:
                origin = _package_origin(module, alias.name)
                if alias.name == "*":
                    if origin:
                        self.star_package.append((module, cell))
                    continue
                bound = alias.asname or alias.name
                self.names[bound] = ("package", origin, cell) if origin else ("code", stmt, cell)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.names[stmt.name] = ("code", stmt, cell)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            value = stmt.value if stmt.value is not None else ast.Constant(None)
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        self.names[node.id] = ("code", value, cell)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            targets = (
                [stmt.target] if isinstance(stmt, (ast.For, ast.AsyncFor))
                else [item.optional_vars for item in stmt.items if item.optional_vars]
            )
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        self.names[node.id] = ("code", stmt, cell)

    def star_origin(self, name: str) -> str | None:
        """The package module a ``from softmax_lessons... import *`` took `name` from."""
        import importlib

        for module, _ in self.star_package:
            try:
                if hasattr(importlib.import_module(module), name):
                    return f"{module}.{name}"
            except ImportError:
                continue
        return None


def defining_cell(nb, name: str) -> int | None:
    """Number (from 1) of the last cell that binds `name` at the top level, or None.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s)
    ...                                      for s in ("x = 1", "def f():\\n    pass")])
    >>> defining_cell(nb, "f"), defining_cell(nb, "g")
    (2, None)
    """
    bound = _Bindings(nb).names.get(name)
    return bound[2] if bound else None


def _local_names(node: ast.AST) -> set[str]:
    """Names a function binds itself (parameters, assignments), which shadow the notebook's."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    args = node.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
            sub is not node
        ):
            names.add(sub.name)
    return names


def answer_problems(nb, function: str) -> list[str]:
    """Why `function` of the notebook is not the learner's own answer ([] if nothing found).

    Follows `function`, and every function or value of the notebook it names, to
    what they were bound to; reports each use of ``softmax_lessons`` and each string
    naming the course's ``solutions/`` folder or the package.
    """
    bindings = _Bindings(nb)
    problems: list[str] = []

    def note(text: str) -> None:
        if text not in problems:
            problems.append(text)

    todo, seen = [function], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in bindings.names:
            continue
        seen.add(name)
        kind, what, cell = bindings.names[name]
        where = f"cell {cell}" + ("" if name == function else f", in {name}")
        if kind == "package":  # only the graded name itself gets here
            note(f"is {what} itself (cell {cell})")
            continue
        node = what
        local = _local_names(node)
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)) and sub is not node:
                module = sub.module if isinstance(sub, ast.ImportFrom) else None
                names = [a.name for a in sub.names]
                for imported in names:
                    origin = _package_origin(module, imported) if module else _package_origin(
                        imported
                    )
                    if origin:
                        note(f"imports {origin} ({where})")
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                base = sub.value.id
                if base not in local and bindings.names.get(base, ("",))[0] == "package":
                    note(f"uses {bindings.names[base][1]}.{sub.attr} ({where})")
                    seen.add(base)  # named with its attribute: not again on its own
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if sub.id in local:
                    continue
                bound = bindings.names.get(sub.id)
                if bound is None:
                    origin = bindings.star_origin(sub.id)
                    if origin:
                        note(f"uses {origin} ({where})")
                elif bound[0] == "package":
                    if sub.id not in seen:
                        note(f"uses {bound[1]} ({where})")
                else:
                    todo.append(sub.id)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                if _SOLUTIONS.search(sub.value) or sub.value == "solutions":
                    note(f"reads the course's solutions ({where}: {sub.value[:60]!r})")
                elif PACKAGE in sub.value:
                    note(f"names {PACKAGE} in a string ({where})")
    return problems


# ---------------------------------------------------------------------------
# Constructs that could reach into the grader
# ---------------------------------------------------------------------------


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_get_ipython_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "get_ipython"
    )


def tampering(nb) -> list[str]:
    """Every construct of the notebook that could reach into the grader, one line each."""
    found: list[str] = []

    def note(cell: int, text: str) -> None:
        line = f"cell {cell} {text}"
        if line not in found:
            found.append(line)

    for cell, tree in _cells(nb):
        aliases: dict[str, str] = {}  # local name -> module, for "import os as o"
        for sub in ast.walk(tree):
            if isinstance(sub, ast.Import):
                for alias in sub.names:
                    top = alias.name.split(".")[0]
                    aliases[alias.asname or top] = alias.name if alias.asname else top
                    if top in _MODULES:
                        note(cell, f"imports {alias.name} ({_MODULES[top]})")
            elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
                top = sub.module.split(".")[0]
                if top in _MODULES:
                    note(cell, f"imports from {sub.module} ({_MODULES[top]})")
                for alias in sub.names:
                    if top in _ATTRIBUTES and alias.name in _ATTRIBUTES[top]:
                        note(cell, f"imports {top}.{alias.name} ({_why(top)})")
                    if alias.name == "*" and top in ("os", "sys"):
                        note(cell, f"imports everything from {top} ({_why(top)})")
            elif isinstance(sub, ast.Attribute):
                if sub.attr.startswith("__") and sub.attr.endswith("__") and (
                    sub.attr not in _DUNDERS_ALLOWED
                ):
                    note(cell, f"uses the attribute {sub.attr} (reaches into the interpreter)")
                dotted = _dotted(sub)
                if dotted:
                    head, _, rest = dotted.partition(".")
                    module = aliases.get(head, head)
                    attr = rest.split(".")[0] if rest else ""
                    if attr and attr in _ATTRIBUTES.get(module.split(".")[0], ()):
                        note(cell, f"uses {module}.{attr} ({_why(module)})")
                if _is_get_ipython_call(sub.value) and sub.attr in _IPYTHON:
                    what = "runs a shell command (!cmd)" if sub.attr in ("system", "getoutput") \
                        else f"uses get_ipython().{sub.attr} (reaches into the kernel)"
                    note(cell, what)
            elif isinstance(sub, ast.Name) and sub.id in _NAMES and _NAMES[sub.id]:
                note(cell, f"uses {sub.id} ({_NAMES[sub.id]})")
            elif isinstance(sub, ast.Name) and sub.id == "__builtins__":
                note(cell, "uses __builtins__ (changes Python's built-in functions)")
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and (
                _is_get_ipython_call(sub.func.value)
                and sub.func.attr in ("run_line_magic", "run_cell_magic")
                and sub.args
                and isinstance(sub.args[0], ast.Constant)
                and str(sub.args[0].value) in _MAGICS
            ):
                note(cell, f"uses the magic %{sub.args[0].value} (runs other code)")
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and (
                "grading_inside" in sub.value
            ):
                note(cell, "names the grader's own modules")
    return found


def _why(module: str) -> str:
    return {
        "sys": "reaches into the interpreter",
        "os": "starts programs, sends signals or ends processes",
        "asyncio": "starts other programs",
    }.get(module.split(".")[0], "reaches into the interpreter")


# ---------------------------------------------------------------------------
# The handout: which function each exercise grades
# ---------------------------------------------------------------------------

_CHECK_CALL = re.compile(r"^\s*(check_\w+)\(\s*([A-Za-z_]\w*)\s*\)\s*$")


def checker_calls(nb) -> dict[str, str]:
    """Checker name -> the function it is called on, from cells that are just that call.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("check_top_k(top_k)")])
    >>> checker_calls(nb)
    {'check_top_k': 'top_k'}
    """
    calls = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        lines = [line for line in source.splitlines() if line.strip()
                 and not line.strip().startswith("#")]
        if len(lines) == 1 and (match := _CHECK_CALL.match(lines[0])):
            calls[match.group(1)] = match.group(2)
    return calls
