"""Lessons 04 and 06 open with a recall question and close with a self-check, a bridge to
PyTorch / JAX and references; answers open on click; test markers are cell tags."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = ["04_attention_and_masking.ipynb", "06_beyond.ipynb"]


def _cells(name):
    return json.loads((NOTEBOOKS / name).read_text())["cells"]


def _markdown(name):
    return "\n".join("".join(c["source"]) for c in _cells(name) if c["cell_type"] == "markdown")


@pytest.mark.parametrize("name", LESSONS)
def test_the_lesson_opens_with_a_recall_question_whose_answer_opens_on_click(name):
    cells = _cells(name)
    before_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    first = "\n".join("".join(c["source"]) for c in cells[:before_code])
    assert "**Recall from lesson 0" in first
    assert "<details><summary>Answer</summary>" in first and "</details>" in first
    assert re.search(r"about \d+ minutes", first)
    assert "**Words you need.**" in first


@pytest.mark.parametrize("name", LESSONS)
def test_the_lesson_ends_with_three_to_five_self_check_questions(name):
    text = _markdown(name)
    check = text[text.index("## Self-check"):text.index("## In PyTorch / JAX")]
    answers = check.count("<details><summary>Answer</summary>")
    assert 3 <= answers <= 5
    assert answers == check.count("</details>")


@pytest.mark.parametrize(("name", "calls"), [
    (LESSONS[0], ["F.scaled_dot_product_attention", "is_causal=True",
                  "torch.nn.MultiheadAttention", "jax.nn.dot_product_attention"]),
    (LESSONS[1], ["torch.distributions.Gumbel", "jax.random.categorical",
                  "F.scaled_dot_product_attention"]),
])
def test_the_bridge_names_the_library_calls(name, calls):
    text = _markdown(name)
    bridge = text[text.index("## In PyTorch / JAX"):text.index("## References")]
    for call in calls:
        assert call in bridge


@pytest.mark.parametrize(("name", "cited"), [
    (LESSONS[0], ["arXiv:1706.03762", "arXiv:1902.10186", "arXiv:1908.04626"]),
    (LESSONS[1], ["arXiv:1805.02867", "arXiv:2205.14135", "arXiv:1602.02068"]),
])
def test_the_references_are_two_to_four_real_papers(name, cited):
    text = _markdown(name)
    references = text[text.index("## References"):]
    entries = [line for line in references.splitlines() if line.startswith("- ")]
    assert 2 <= len(entries) <= 4
    for arxiv in cited:
        assert arxiv in references


@pytest.mark.parametrize("name", LESSONS)
def test_test_markers_are_cell_tags_never_comments(name):
    for cell in _cells(name):
        source = "".join(cell["source"])
        assert "NBVAL" not in source
        if cell["cell_type"] == "code" and re.search(r"widgets\.\w+\(\)|best_time|speed_reading",
                                                     source):
            assert "nbval-ignore-output" in cell["metadata"].get("tags", [])


@pytest.mark.parametrize("name", LESSONS)
def test_sections_are_numbered(name):
    headings = re.findall(r"^## (.+)$", _markdown(name), flags=re.M)
    numbered = [h for h in headings if re.match(r"\d+\. ", h)]
    assert [int(h.split(".")[0]) for h in numbered] == list(range(1, len(numbered) + 1))
    assert len(numbered) >= 5


def test_lesson_06_says_within_so_many_standard_errors_only_when_its_run_shows_it():
    cells = _cells(LESSONS[1])
    outputs = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
                      for o in c.get("outputs", []))
    gaps = re.search(r"gaps in standard errors: \[([\d. ]+)\]\s+largest: ([\d.]+) standard errors",
                     outputs)
    each, measured = [float(g) for g in gaps.group(1).split()], float(gaps.group(2))
    assert max(each) == pytest.approx(measured, abs=0.05)   # the largest of each class's own
    prose = _markdown(LESSONS[1])
    if "within one standard error" in prose:
        assert measured <= 1.0
    if "within two standard errors" in prose:
        assert measured <= 2.0
