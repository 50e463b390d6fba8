"""What a workshop host and a learner get on first start: the course's JupyterLab settings.

``jupyterlab-overrides.json`` turns off JupyterLab's "get notified about Jupyter news?"
pop-up. ``course.py`` installs it into the environment (local ``course.py lab``) and
Binder's ``postBuild`` does the same; JupyterLab reads it as the environment's default
settings. The browser test checks that no pop-up appears; these tests check the files.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "jupyterlab-overrides.json"
PLUGIN = "@jupyterlab/apputils-extension:notification"


def load_course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_overrides_turn_off_the_news_pop_up_with_values_jupyterlab_accepts():
    settings = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    assert settings[PLUGIN]["fetchNews"] == "false"
    # The values must be ones JupyterLab's own schema for the plugin allows.
    schema_path = (Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
                   / "@jupyterlab" / "apputils-extension" / "notification.json")
    if not schema_path.exists():
        pytest.skip(f"JupyterLab's schemas are not at {schema_path}")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))["properties"]
    news = schema["fetchNews"]  # JupyterLab 4.2 lists an enum, later ones oneOf/const
    allowed = news.get("enum") or [choice["const"] for choice in news["oneOf"]]
    assert settings[PLUGIN]["fetchNews"] in allowed
    for name, value in settings[PLUGIN].items():
        assert name in schema, f"{name} is not a setting of {PLUGIN}"
        if schema[name].get("type") == "boolean":
            assert isinstance(value, bool)


def test_course_py_installs_the_overrides_where_jupyterlab_reads_them(tmp_path, monkeypatch):
    from jupyterlab_server.settings_utils import _get_overrides

    course = load_course()
    settings_dir = tmp_path / "share" / "jupyter" / "lab" / "settings"
    monkeypatch.setattr(course, "LAB_OVERRIDES_TARGET",
                        settings_dir / "overrides.d" / "softmax-course.json")
    course.install_lab_settings()
    course.install_lab_settings()   # a second start changes nothing
    overrides, error = _get_overrides(str(settings_dir))
    assert not error
    assert overrides[PLUGIN]["fetchNews"] == "false"
    # The course's file sits beside any overrides.json of the learner's, never over it.
    assert not (settings_dir / "overrides.json").exists()


def test_course_py_targets_this_environments_settings_folder():
    course = load_course()
    relative = course.LAB_OVERRIDES_TARGET.relative_to(course.VENV)
    assert relative.as_posix() == "share/jupyter/lab/settings/overrides.d/softmax-course.json"


def test_binder_installs_the_same_overrides():
    post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert "share/jupyter/lab/settings/overrides.d" in post_build
    assert 'cp jupyterlab-overrides.json "$settings/softmax-course.json"' in post_build
    assert "sys.prefix" in post_build


def test_quiet_pip_shows_pip_output_only_when_pip_fails(capsys):
    pytest.importorskip("pip", reason="this environment was built by uv, without pip")
    course = load_course()
    course.PYTHON = Path(sys.executable)
    with pytest.raises(SystemExit, match="failed"):
        course.quiet_pip("install", "--no-such-option")
    assert "no such option" in capsys.readouterr().out
    course.quiet_pip("--version")
    assert capsys.readouterr().out == ""


def test_readme_says_where_the_address_is_and_how_to_link_a_jupyterhub():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "jupyter server list" in readme and "lab?token=" in readme
    link = next(line for line in readme.splitlines() if "/hub/user-redirect/git-pull?" in line)
    assert "repo=https%3A%2F%2Fgithub.com%2Fsoftmax-course%2Fsoftmax-lessons" in link
    assert "urlpath=lab%2Ftree%2Fsoftmax-lessons%2Fnotebooks%2F00_start_here.ipynb" in link
    assert "Editable installation" in readme
