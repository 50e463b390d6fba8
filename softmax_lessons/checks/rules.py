"""Rules an exercise states, checked on the source text of the learner's function.

Some exercises set a rule besides the result: "plain Python only", "no Python loop",
"no `if`". Running the function cannot tell whether the rule was kept, so these
helpers read its source (``inspect.getsource``), parse it with :mod:`ast`, and list
what breaks the rule, each with its line in the function. A diagnosis turns a
finding into a :class:`~.runner.Mistake` with :func:`enforce`.

Only the function's own text is read: a helper it calls is not followed. When the
source cannot be read (a built-in, a ``functools.partial``), there is nothing to
inspect and no rule is reported.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterable

from .runner import Mistake

__all__ = [
    "branches",
    "calls_to",
    "enforce",
    "function_tree",
    "loops",
    "numpy_uses",
]

_NUMPY_NAMES = {"np", "numpy"}

_LOOP_NODES = {
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}

#: Calls that run a Python-level loop for you.
_LOOP_CALLS = {"map", "apply_along_axis", "vectorize", "frompyfunc", "fromiter"}

_BRANCH_NODES = {ast.If: "an `if` statement", ast.IfExp: "a conditional expression (x if c else y)"}
if hasattr(ast, "Match"):  # Python >= 3.10
    _BRANCH_NODES[ast.Match] = "a `match` statement"


def _lambda_in(text: str, fn: Callable) -> ast.AST | None:
    """The lambda of `fn` inside a line of source that may hold more than the lambda."""
    arg_names = fn.__code__.co_varnames[: fn.__code__.co_argcount]
    start = text.find("lambda")
    while start >= 0:
        for end in range(len(text), start, -1):
            try:
                node = ast.parse(text[start:end].strip(), mode="eval").body
            except SyntaxError:
                continue
            if isinstance(node, ast.Lambda) and tuple(a.arg for a in node.args.args) == arg_names:
                return node
            break
        start = text.find("lambda", start + 1)
    return None


def function_tree(fn: Callable) -> ast.AST | None:
    """The syntax tree of `fn`'s definition, or None when its source cannot be read."""
    try:
        text = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return None
    if getattr(fn, "__name__", "") == "<lambda>" and hasattr(fn, "__code__"):
        return _lambda_in(text, fn)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
    return None


def _where(node: ast.AST, root: ast.AST) -> str:
    """'line N' of the function, counting its `def` line as line 1."""
    line = getattr(node, "lineno", None)
    first = getattr(root, "lineno", 1)
    return f"line {line - first + 1}" if line is not None else "its body"


def _body(root: ast.AST) -> Iterable[ast.AST]:
    """Every node of the function except its decorators, signature and annotations."""
    if isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for statement in root.body:
            yield from ast.walk(statement)
    elif isinstance(root, ast.Lambda):
        yield from ast.walk(root.body)


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _call_parts(node: ast.Call) -> set[str]:
    """Every name in the dotted function of a call: ``np.logaddexp.reduce`` gives all three."""
    parts, func = set(), node.func
    while isinstance(func, ast.Attribute):
        parts.add(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.add(func.id)
    return parts


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - ast.unparse handles every expression
        return "?"


def numpy_uses(fn: Callable) -> list[str]:
    """Where `fn` uses NumPy: ``import numpy``, or a name ``np`` or ``numpy``."""
    root = function_tree(fn)
    if root is None:
        return []
    found = []
    for node in _body(root):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "numpy" for a in node.names
        ):
            found.append(f"import numpy on {_where(node, root)}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numpy":
            found.append(f"from numpy import ... on {_where(node, root)}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
            node.value.id in _NUMPY_NAMES
        ):
            found.append(f"{_dotted(node)} on {_where(node, root)}")
        elif isinstance(node, ast.Name) and node.id in _NUMPY_NAMES:
            found.append(f"{node.id} on {_where(node, root)}")
    # `np.exp` is both an Attribute and, inside it, the Name `np`: report it once.
    return [f for i, f in enumerate(found) if not _inside_previous(f, found[:i])]


def _inside_previous(finding: str, earlier: list[str]) -> bool:
    name, _, place = finding.partition(" on ")
    return any(e.endswith(" on " + place) and e.startswith(name + ".") for e in earlier)


def loops(fn: Callable) -> list[str]:
    """Where `fn` runs a Python loop: for, while, comprehensions, map and friends."""
    root = function_tree(fn)
    if root is None:
        return []
    found = []
    for node in _body(root):
        kind = _LOOP_NODES.get(type(node))
        if kind:
            found.append(f"{kind} on {_where(node, root)}")
        elif isinstance(node, ast.Call) and _call_name(node) in _LOOP_CALLS:
            found.append(f"{_call_name(node)}(...) on {_where(node, root)}")
    return found


def branches(fn: Callable) -> list[str]:
    """Where `fn` branches on a value: `if`, conditional expressions, `match`."""
    root = function_tree(fn)
    if root is None:
        return []
    found = []
    for node in _body(root):
        kind = _BRANCH_NODES.get(type(node))
        if kind:
            found.append(f"{kind} on {_where(node, root)}")
    return found


def calls_to(fn: Callable, names: Iterable[str]) -> list[str]:
    """Where `fn` calls a function named in `names`, anywhere in a dotted name.

    ``np.exp(...)`` and ``exp(...)`` both match "exp"; ``np.logaddexp.reduce(...)``
    matches "logaddexp".
    """
    root = function_tree(fn)
    if root is None:
        return []
    wanted = set(names)
    return [
        f"{_dotted(node.func)}(...) on {_where(node, root)}"
        for node in _body(root)
        if isinstance(node, ast.Call) and _call_parts(node) & wanted
    ]


def enforce(found: list[str], rule: str, hint: str | None = None) -> None:
    """Raise the Mistake that names `rule` and the first place that breaks it.

    Examples
    --------
    >>> enforce([], "plain Python only")      # nothing found: nothing raised
    >>> enforce(["np.exp on line 3"], "plain Python only, no NumPy")
    Traceback (most recent call last):
    ...
    softmax_lessons.checks.runner.Mistake: the exercise says plain Python only, no NumPy, \
but your function has np.exp on line 3
    """
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise Mistake(f"the exercise says {rule}, but your function has {found[0]}{more}", hint)
