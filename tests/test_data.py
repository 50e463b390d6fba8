"""The names corpus shipped with the package (lesson 05): its content, its source, its loader."""

import os
import site
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

from softmax_lessons.data import NAMES_FILE, load_names

PACKAGE = Path(__file__).resolve().parents[1] / "softmax_lessons"


def _raw_text():
    return resources.files("softmax_lessons.data").joinpath(NAMES_FILE).read_text("utf-8")


def test_names_are_lower_case_letters_unique_and_sorted():
    names = load_names()
    assert all(name.isascii() and name.isalpha() and name.islower() for name in names)
    assert len(set(names)) == len(names)
    assert names == sorted(names)


def test_names_are_the_union_of_two_lists_of_one_thousand():
    names = load_names()
    assert 1000 <= len(names) <= 2000
    for common in ("mary", "patricia", "james", "john", "robert"):   # the top of the lists
        assert common in names


def test_the_file_states_its_source_and_licence_and_stays_small():
    header = [line for line in _raw_text().splitlines() if line.startswith("#")]
    text = " ".join(header)
    for fact in ("1990", "Census", "public domain", "names` 0.3.0", "MIT",
                 "dist.female.first", "dist.male.first"):
        assert fact in text, fact
    assert (PACKAGE / "data" / NAMES_FILE).stat().st_size < 50_000


def test_loader_skips_the_header_and_blank_lines():
    lines = [line.strip() for line in _raw_text().splitlines()]
    assert load_names() == [line for line in lines if line and not line.startswith("#")]
    assert not any(name.startswith("#") for name in load_names())


def test_loader_reads_the_file_from_a_zipped_package(tmp_path):
    # importlib.resources, not a path built from __file__: the names are found wherever
    # the package lives, even inside a zip archive
    archive = tmp_path / "softmax_lessons.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in PACKAGE.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(PACKAGE.parent).as_posix())
    code = ("import sys; sys.path[:0] = sys.argv[1:]; import softmax_lessons.data as d; "
            "assert d.__file__.startswith(sys.argv[1]), d.__file__; "
            "print(len(d.load_names()))")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-S", "-c", code, str(archive),
                          *site.getsitepackages()],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) == len(load_names())
