"""Adversarial submissions: each gets the verdict its code deserves and harms no one else.

A class of made-up students, each trying one way to cheat or to sabotage, is
graded once in the sandbox, two notebooks at a time, with tight limits. The
tests then check every student's rows, that the other students' files, the
course package and the CSV are untouched, and that no process is left.

Cheating: monkeypatching the checkers, forged log lines and prints, edited or
home-made checker cells, reading solutions/, importing the package's answer
(plainly or hidden from the source), forging the grader's replies from inside
the kernel, a result object that lies about itself.
Sabotage: writing other students' notebooks, the package and the CSV; processes
that outlive the kernel; killing the grader's parent; a bounded fork bomb; memory
hogs (one process, and several together); cells that ignore interrupts; a flood
of output; exiting the kernel from the graded function; notebooks that are not
notebooks; looking around for secrets, the network and the instructor's files;
writing into the pipes of the grader's runner.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

import softmax_lessons.checks.softmax as checks_softmax
from softmax_lessons.checks import EXERCISES
from softmax_lessons.checks.runner import diagnose_quietly
from tools.homework.grading import COLUMNS, expected_exercises, grade_folder
from tools.homework.sandbox import UID_BASE, UID_COUNT, Limits, sandbox_problem, user_processes

ROOT = Path(__file__).resolve().parent.parent
NO_SANDBOX = sandbox_problem()
pytestmark = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox: {NO_SANDBOX}")
LIMITS = Limits(cell_timeout=4, check_timeout=4, notebook_timeout=30, memory_mb=1024,
                processes=64)
PLACEHOLDER = "    # YOUR CODE HERE\n    raise NotImplementedError()"
CANARY = "canary-7f3e1d"  # a secret in the grader's environment

RIGHT = {
    "softmax_py": "    e = [math.exp(v - max(x)) for v in x]\n    return [v / sum(e) for v in e]",
    "softmax_rows": "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
                    "    return e / e.sum(axis=-1, keepdims=True)",
}
WRONG = {
    "softmax_py": "    return [v / sum(x) for v in x]",
    "softmax_rows": "    return np.exp(x) / np.exp(x).sum(axis=0)",
}


def own_message(exercise: str, answers: dict[str, str]) -> str:
    """What the checker says of `answers` run here, as in the learner's own kernel."""
    function = {"01.1": "softmax_py", "01.3": "softmax_rows"}[exercise]
    namespace: dict = {}
    exec(f"import math\nimport numpy as np\ndef {function}(x):\n{answers[function]}", namespace)
    return diagnose_quietly(exercise, EXERCISES[exercise].diagnose, namespace[function]).message


def lesson(name: str = "01_definition") -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)


def submission(answers: dict[str, str], before: list[str] = (), after: list[str] = (),
               name: str = "01_definition") -> nbformat.NotebookNode:
    """The handed-out notebook with `answers` filled in and extra cells around the exercises."""
    nb = lesson(name)
    for cell in nb.cells:
        for func, body in answers.items():
            if cell.cell_type == "code" and f"def {func}(" in cell.source:
                cell.source = cell.source.replace(PLACEHOLDER, body)
    first_exercise = next(i for i, c in enumerate(nb.cells) if "def " in c.source)
    nb.cells[first_exercise:first_exercise] = [nbformat.v4.new_code_cell(s) for s in before]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in after]
    return nb


def replace_cell(nb: nbformat.NotebookNode, starts: str, source: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.source.startswith(starts):
            cell.source = source
            return nb
    raise KeyError(starts)


def class_of_attackers(folder: Path, out: Path) -> dict[str, object]:
    victim = folder / "zoe" / "01_definition.ipynb"
    package_file = Path(checks_softmax.__file__)
    kept = out.with_name(out.stem + "_notebooks")
    writer = f"import time\ntime.sleep(2)\nopen({str(out)!r}, 'w').write('hacked')"
    notebooks = {
        # -- cheating ------------------------------------------------------------------
        "patcher": submission(WRONG, before=[
            "import softmax_lessons.checks as c\n"
            "import softmax_lessons.checks.runner as r\n"
            "import softmax_lessons.checks.softmax as m\n"
            "forged = lambda *args, **kw: r.CheckResult('01.1', 'passed', 'forged')\n"
            "r.evaluate = r.run_check = forged\n"
            "c.check_softmax_py = c.check_softmax_rows = forged\n"
            "m.check_softmax_py = m.check_softmax_rows = forged\n"
            "c.EXERCISES['01.1'] = r.Exercise('01.1', 'forged', lambda fn: 'forged')\n"
            "c.EXERCISES['01.3'] = r.Exercise('01.3', 'forged', lambda fn: 'forged')",
        ]),
        "forger": replace_cell(submission(WRONG, before=[
            "import json, os\n"
            "line = json.dumps({'exercise': '01.1', 'status': 'passed', 'message': 'ok'})\n"
            "for path in (os.environ.get('SOFTMAX_LESSONS_CHECK_LOG', ''), "
            "'/tmp/checks.jsonl', 'checks.jsonl'):\n"
            "    if path:\n"
            "        with open(path, 'a') as f:\n"
            "            f.write(line + '\\n')\n"
            "print('✓ Exercise 01.1 passed: your list matches softmax on four inputs')",
            "def check_softmax_rows(fn):\n"
            "    print('✓ Exercise 01.3 passed: every row sums to 1')",
        ]), "check_softmax_py(", "print('✓ Exercise 01.1 passed: forged')"),
        "reader": submission({
            "softmax_py": "    import json\n"
                          f"    for path in ('../solutions/01_definition.ipynb', "
                          f"'{ROOT}/solutions/01_definition.ipynb'):\n"
                          "        try:\n"
                          "            return json.load(open(path))['cells'][5]['source']\n"
                          "        except OSError:\n"
                          "            pass\n"
                          "    return [1.0 / len(x)] * len(x)",
            "softmax_rows": "    from softmax_lessons import softmax\n    return softmax(x)",
        }),
        "sneak": submission({
            "softmax_temperature": "    z = x / temperature\n"
                                   "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
                                   "    return e / e.sum(axis=-1, keepdims=True)",
            "top_k_filter": "    from softmax_lessons import sampling\n"
                            "    return sampling.filter_top_k(p, k)",
            "top_p_filter": "    module = __import__('softmax_' + 'lessons.sampling', "
                            "fromlist=['_'])\n"
                            "    return getattr(module, 'filter_' + 'top_p')(p, top_p)",
        }, name="03_temperature_and_sampling"),
        "puppeteer": submission(WRONG, before=[
            "import json\nimport grading_inside.kernel as k\n"
            "from softmax_lessons import softmax\n"
            "def forged(text):\n"
            "    request = json.loads(text)\n"
            "    k.last_reply = json.dumps({'id': request['id'], 'status': 'returned', "
            "'value': {'t': 'str', 'v': 'forged'}, 'package_calls': []})\n"
            "k.call = forged",
        ]),
        "liar": submission({
            "softmax_py": "    class AlwaysEqual(list):\n"
                          "        def __eq__(self, other):\n"
                          "            return True\n"
                          "        __hash__ = None\n"
                          "    return AlwaysEqual([0.5] * len(x))",
            "softmax_rows": RIGHT["softmax_rows"],
        }),
        # -- sabotage ------------------------------------------------------------------
        "vandal": submission(RIGHT, before=[
            "import os\nhits = []\n"
            f"for path in ({str(victim)!r}, '../zoe/01_definition.ipynb', "
            f"{str(package_file)!r}, {str(out)!r}, {str(kept / 'zoe' / '01_definition.ipynb')!r},"
            " '/usr/lib/os-release'):\n"
            "    try:\n"
            "        with open(path, 'a') as f:\n"
            "            f.write('raise SystemExit(\"sabotaged\")\\n')\n"
            "        hits.append(path)\n"
            "    except OSError as exc:\n"
            "        pass\n"
            "print('written:', hits)",
        ]),
        "daemon": submission(RIGHT, before=[
            "import os, subprocess, sys\n"
            f"script = {writer!r}\n"
            "subprocess.Popen([sys.executable, '-c', script], start_new_session=True)\n"
            "subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        import time\n"
            "        time.sleep(600)\n"
            "    os._exit(0)",
        ]),
        "killer": submission(RIGHT, before=[
            "import os, signal\n"
            "for pid in (os.getppid(), 1, -1):\n"
            "    try:\n"
            "        os.kill(pid, signal.SIGKILL)\n"
            "    except OSError:\n"
            "        pass",
        ]),
        "bomber": submission(RIGHT, before=[
            "import os, time\nchildren = []\n"
            "try:\n"
            "    for _ in range(5000):\n"
            "        pid = os.fork()\n"
            "        if pid == 0:\n"
            "            time.sleep(600)\n"
            "            os._exit(0)\n"
            "        children.append(pid)\n"
            "except OSError as exc:\n"
            "    print('the fork bomb stopped after', len(children) > 0, type(exc).__name__)",
        ]),
        "hog": submission(RIGHT, before=[
            "try:\n    hog = bytearray(3 * 2**30)\nexcept MemoryError:\n"
            "    print('no memory for the hog')",
        ]),
        "hogs": submission(RIGHT, before=[
            "import os, time\n"
            "for _ in range(4):\n"
            "    if os.fork() == 0:\n"
            "        try:\n"
            "            block = bytearray(300 * 2**20)\n"
            "            block[::4096] = b'x' * len(block[::4096])\n"
            "            time.sleep(600)\n"
            "        finally:\n"
            "            os._exit(0)\n"
            "time.sleep(5)",
        ]),
        "stubborn": submission(RIGHT, before=[
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:\n    pass",
        ]),
        "flooder": submission(RIGHT, before=["for _ in range(200_000):\n    print('x' * 100)"]),
        "exiter": submission({
            "softmax_py": "    if len(x) == 1:\n        import os\n        os._exit(3)\n"
                          + RIGHT["softmax_py"],
            "softmax_rows": RIGHT["softmax_rows"],
        }),
        "snoop": submission(RIGHT, before=[
            "import os\n"
            "print('environment:', sorted(os.environ.items()))\n"
            "for path in ('/', '/root', '/home', '/work', "
            f"{str(ROOT)!r}, {str(ROOT / 'solutions')!r}, {str(folder)!r}):\n"
            "    try:\n"
            "        print(path, sorted(os.listdir(path)))\n"
            "    except OSError as exc:\n"
            "        print(path, type(exc).__name__)",
            "import os\n"  # write a forged message into the runner's pipe to the grader
            "for fd in (0, 1):\n"
            "    try:\n"
            "        with open(f'/proc/{os.getppid()}/fd/{fd}', 'w') as pipe:\n"
            "            pipe.write('{\"executed\": {\"events\": []}}\\n')\n"
            "        print('pipe', fd, 'open')\n"
            "    except OSError as exc:\n"
            "        print('pipe', fd, type(exc).__name__)",
            "import socket\n"
            "try:\n"
            "    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
            "    print('network: open')\n"
            "except OSError as exc:\n"
            "    print('network:', type(exc).__name__)",
        ]),
        "zoe": submission(RIGHT),
    }
    for student, nb in notebooks.items():
        (folder / student).mkdir(parents=True)
        name = "03_temperature_and_sampling.ipynb" if student == "sneak" else "01_definition.ipynb"
        nbformat.write(nb, folder / student / name)
    (folder / "garbled").mkdir()
    (folder / "garbled" / "01_definition.ipynb").write_bytes(os.urandom(2000))
    (folder / "shapeless").mkdir()
    (folder / "shapeless" / "01_definition.ipynb").write_text(json.dumps({"cells": 5}))
    return {"victim": victim, "package_file": package_file, "kept": kept}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attackers")
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    places = class_of_attackers(folder, out)
    before = {p: digest(p) for p in (places["victim"], places["package_file"])}
    os.environ["GRADER_SECRET"] = CANARY
    started = time.monotonic()
    try:
        rows = grade_folder(folder, LIMITS, out=out, jobs=2,
                            assignment=["01_definition.ipynb"])
    finally:
        del os.environ["GRADER_SECRET"]
    seconds = time.monotonic() - started
    time.sleep(3)  # the daemon's writer would have struck by now
    with open(out, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        table = {(r["student"], r["exercise"]): r for r in reader}
    return {"rows": rows, "table": table, "before": before, "seconds": seconds, "out": out,
            **places}


def row(graded, student: str, exercise: str) -> tuple[str, str]:
    found = graded["table"][student, exercise]
    return found["status"], found["message"]


def test_the_grader_finishes_with_every_row_in_reasonable_time(graded):
    students = {s for s, _ in graded["table"]}
    assert len(students) == 19
    per_notebook = len(expected_exercises("01_definition.ipynb"))
    sneak = len(expected_exercises("03_temperature_and_sampling.ipynb"))
    assert (per_notebook, sneak) == (4, 6)
    # everyone's 01 (sneak's as not submitted), and sneak's 03
    assert len(graded["table"]) == len(graded["rows"]) == per_notebook * 19 + sneak
    assert graded["seconds"] < 150


def test_patched_checkers_do_not_change_the_verdict(graded):
    assert row(graded, "patcher", "01.1")[0] == "failed"
    assert "the logits divided by their sum" in row(graded, "patcher", "01.1")[1]
    assert row(graded, "patcher", "01.1")[1] == own_message("01.1", WRONG)
    assert row(graded, "patcher", "01.3")[0] == "failed"
    assert "softmax over the wrong axis" in row(graded, "patcher", "01.3")[1]
    assert row(graded, "patcher", "01.3")[1] == own_message("01.3", WRONG)


def test_forged_logs_prints_and_checker_cells_do_not_change_the_verdict(graded):
    assert row(graded, "forger", "01.1")[0] == "failed"
    assert "the logits divided by their sum" in row(graded, "forger", "01.1")[1]
    assert row(graded, "forger", "01.1")[1] == own_message("01.1", WRONG)
    assert row(graded, "forger", "01.3")[0] == "failed"
    assert "softmax over the wrong axis" in row(graded, "forger", "01.3")[1]
    assert row(graded, "forger", "01.3")[1] == own_message("01.3", WRONG)


def test_reading_solutions_or_importing_the_answer_fails_with_a_message_saying_so(graded):
    status, message = row(graded, "reader", "01.1")
    assert status == "failed"
    assert "reads the course's solutions" in message and "not counted" in message
    status, message = row(graded, "reader", "01.3")
    assert status == "failed"
    assert "imports softmax_lessons.softmax (cell 12)" in message
    status, message = row(graded, "sneak", "03.3")
    assert status == "flagged"  # the notebook also uses __import__
    assert "imports softmax_lessons.sampling" in message
    status, message = row(graded, "sneak", "03.4")
    assert status == "flagged"
    assert "uses __import__" in message
    assert "calls the course's own implementation (softmax_lessons.sampling.filter_top_p" in (
        message
    )
    assert "Its checks said: passed" in row(graded, "sneak", "03.1")[1]


def test_forging_the_graders_replies_inside_the_kernel_is_flagged(graded):
    for exercise in ("01.1", "01.3"):
        status, message = row(graded, "puppeteer", exercise)
        assert status == "flagged"
        assert "imports grading_inside.kernel (reaches into the grader)" in message


def test_a_result_that_lies_about_itself_is_judged_on_its_values(graded):
    assert row(graded, "liar", "01.1")[0] == "failed"
    assert row(graded, "liar", "01.3")[0] == "passed"


def test_other_students_the_package_and_the_csv_are_untouched(graded):
    for path, was in graded["before"].items():
        assert digest(path) == was
    assert graded["out"].read_text(encoding="utf-8").startswith(",".join(COLUMNS))
    assert row(graded, "zoe", "01.1")[0] == row(graded, "zoe", "01.3")[0] == "passed"
    assert row(graded, "vandal", "01.1")[0] == row(graded, "vandal", "01.3")[0] == "passed"
    vandal = nbformat.read(graded["kept"] / "vandal" / "01_definition.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in vandal.cells for o in c.get("outputs", []))
    assert "written: []" in printed
    kept_zoe = (graded["kept"] / "zoe" / "01_definition.ipynb").read_text(encoding="utf-8")
    assert "sabotaged" not in kept_zoe


def test_no_process_outlives_its_notebook(graded):
    assert [uid for uid in range(UID_BASE, UID_BASE + UID_COUNT) if user_processes(uid)] == []
    for status_file in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = status_file.read_bytes()
        except OSError:
            continue
        assert b"sleep\x00600" not in command
    assert row(graded, "daemon", "01.1")[0] == "flagged"
    assert "imports subprocess (starts other programs)" in row(graded, "daemon", "01.1")[1]
    assert "Its checks said: passed" in row(graded, "daemon", "01.1")[1]


def test_killing_everything_in_reach_only_ends_ones_own_notebook(graded):
    status, message = row(graded, "killer", "01.1")
    assert status == "flagged"
    assert "uses os.kill" in message and "Its checks said: crashed" in message
    kept = nbformat.read(graded["kept"] / "killer" / "01_definition.ipynb", as_version=4)
    assert "the sandbox ended early" in kept.metadata.grading["not run to the end"]


def test_a_fork_bomb_is_stopped_by_the_process_limit(graded):
    status, message = row(graded, "bomber", "01.1")
    assert status == "flagged" and "uses os.fork" in message
    assert "memory" not in message  # stopped by the number of processes, not by memory
    bomber = nbformat.read(graded["kept"] / "bomber" / "01_definition.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in bomber.cells for o in c.get("outputs", []))
    assert "the fork bomb stopped after True BlockingIOError" in printed


def test_memory_hogs_are_stopped_and_harm_no_one_else(graded):
    assert row(graded, "hog", "01.1")[0] == row(graded, "hog", "01.3")[0] == "passed"
    status, message = row(graded, "hogs", "01.1")
    assert status == "flagged" and "Its checks said: crashed" in message
    assert "used more than 1024 MiB of memory together" in graded["table"]["hogs", "01.1"]["notes"]


def test_a_cell_that_ignores_interrupts_is_stopped_and_the_notebook_goes_on(graded):
    status, message = row(graded, "stubborn", "01.1")
    assert status == "flagged" and "Its checks said: passed" in message
    notes = graded["table"]["stubborn", "01.1"]["notes"]
    assert "ran past the time limit of 4 s per cell and was stopped" in notes


def test_a_flood_of_output_is_cut_and_the_answers_are_graded(graded):
    assert row(graded, "flooder", "01.1")[0] == row(graded, "flooder", "01.3")[0] == "passed"
    kept = graded["kept"] / "flooder" / "01_definition.ipynb"
    assert kept.stat().st_size < 8 * 2**20
    assert "the grader kept no more output of this notebook" in kept.read_text(encoding="utf-8")


def test_exiting_the_kernel_from_the_graded_function_fails_only_that_exercise(graded):
    status, message = row(graded, "exiter", "01.1")
    assert status == "crashed"
    assert "the kernel died while the checker was calling your function" in message
    assert row(graded, "exiter", "01.3")[0] == "passed"


def test_a_file_that_is_not_a_notebook_is_invalid_not_crashed(graded):
    for student in ("garbled", "shapeless"):
        assert row(graded, student, "01.1")[0] == "invalid notebook"


def test_the_sandbox_hides_secrets_the_network_and_the_course_folder(graded):
    kept = graded["kept"] / "snoop" / "01_definition.ipynb"
    snoop = nbformat.read(kept, as_version=4)
    printed = "".join(o.get("text", "") for c in snoop.cells for o in c.get("outputs", []))
    assert CANARY not in printed and "GRADER_SECRET" not in printed
    assert "('HOME', '/tmp/home')" in printed
    python_home = Path(sys.base_prefix).parts  # visible, read-only, when it lies in /root
    assert (f"/root ['{python_home[2]}']" if python_home[1] == "root"
            else "/root FileNotFoundError") in printed
    assert f"{ROOT / 'solutions'} FileNotFoundError" in printed
    assert f"{graded['victim'].parent.parent} FileNotFoundError" in printed
    venv = Path(sys.prefix).name  # .venv, or .venv-oldest / .venv-newest
    assert f"{ROOT} ['{venv}', 'softmax_lessons']" in printed
    assert "network: OSError" in printed or "network: TimeoutError" in printed
    assert "pipe 0 PermissionError" in printed and "pipe 1 PermissionError" in printed
    assert "flagged" == row(graded, "snoop", "01.1")[0]  # it imports socket
