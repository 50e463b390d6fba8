"""Lessons 03 and 05: recall, self-check, a bridge out and references; nbval markers as tags."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = ["03_temperature_and_sampling", "05_cross_entropy_and_gradients"]


def _cells(lesson):
    return json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text(encoding="utf-8"))["cells"]


def _markdown(lesson):
    return ["".join(c["source"]) for c in _cells(lesson) if c["cell_type"] == "markdown"]


def _section(lesson, heading):
    text = "\n".join(_markdown(lesson))
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"{lesson} has no section '## {heading}'"
    return match.group(1)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_opens_with_a_time_estimate_and_a_recall_question_with_its_answer(lesson):
    first, second = _markdown(lesson)[:2]
    assert re.search(r"\(about \d+ minutes\)", first)
    assert second.startswith("**Recall (lesson 0")
    assert second.count("<details><summary>Answer</summary>") == 1 and "</details>" in second


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_ends_with_three_to_five_self_check_questions_answered_on_click(lesson):
    section = _section(lesson, "Self-check")
    questions = re.findall(r"^\*\*\d\.\*\* ", section, re.M)
    answers = re.findall(r"<details><summary>Answer</summary>\n\n.+?\n\n</details>", section, re.S)
    assert 3 <= len(questions) <= 5
    assert len(answers) == len(questions)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_has_a_bridge_to_pytorch_and_jax_and_two_to_four_references(lesson):
    bridge = _section(lesson, "In PyTorch / JAX")
    assert "torch." in bridge and "jax" in bridge
    references = re.findall(r"^- .+\(\d{4}\)", _section(lesson, "References"), re.M)
    assert 2 <= len(references) <= 4


def test_bridges_name_the_calls_each_lesson_teaches():
    sampling = _section(LESSONS[0], "In PyTorch / JAX")
    for call in ("torch.softmax(logits / T, dim=-1)", "torch.multinomial", "do_sample=True",
                 "temperature=", "top_k=", "top_p=", "float(\"-inf\")"):
        assert call in sampling, call
    losses = _section(LESSONS[1], "In PyTorch / JAX")
    for call in ("F.cross_entropy(logits, target)", "label_smoothing=", "F.log_softmax",
                 "F.nll_loss"):
        assert call in losses, call


@pytest.mark.parametrize("lesson", LESSONS)
def test_sections_are_numbered_and_markers_are_tags_not_comments(lesson):
    headings = [line for text in _markdown(lesson) for line in text.splitlines()
                if line.startswith("## ")]
    numbered = [h for h in headings if re.match(r"## \d+\. ", h)]
    assert [int(re.match(r"## (\d+)\.", h).group(1)) for h in numbered] == \
        list(range(1, len(numbered) + 1))
    unnumbered = set(headings) - set(numbered)
    assert unnumbered <= {"## Summary", "## Self-check", "## In PyTorch / JAX", "## References"}
    for cell in _cells(lesson):
        if cell["cell_type"] == "code":
            assert "NBVAL" not in "".join(cell["source"])
    tagged = [c for c in _cells(lesson) if "nbval-ignore-output" in c["metadata"].get("tags", [])]
    assert all("widgets." in "".join(c["source"]) for c in tagged) and tagged


def test_lesson_03_shows_top_k_as_minus_infinity_logits_then_softmax():
    code = "\n".join("".join(c["source"]) for c in _cells(LESSONS[0]) if c["cell_type"] == "code")
    assert "np.where(keep, scores, -np.inf)" in code
    assert "softmax(scores, where=keep)" in code and "filter_top_k(p, 2)" in code
    assert "Boltzmann" in "\n".join(_markdown(LESSONS[0]))


def test_lesson_05_trains_on_the_names_corpus_and_samples_from_it():
    cells = _cells(LESSONS[1])
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "load_names()" in code and "greedy_decode(model.weights" in code
    outputs = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
                      for o in c.get("outputs", []))
    assert re.search(r"^(\.[a-z]+)\1{2,}", outputs, re.M), "greedy decoding should loop"
    for setting in ("T = 0.5", "T = 1", "T = 2", "top-k = 3", "top-p = 0.6"):
        assert re.search(rf"^{re.escape(setting)} +[a-z…]+ .*\| 100 names", outputs, re.M), setting
    assert "same weights after 5 steps: True" in outputs
    # the prose says the points that lag are pairs seen once or twice, in rows that are not large
    assert re.search(r"pairs lag by more than 0\.1: each seen 1 to 2 times, in a row of \d+ to "
                     r"\d{2,3} pairs", outputs)
    prose = "\n".join(_markdown(LESSONS[1]))
    assert "nats" in prose and "KL" in prose and "maximum likelihood" in prose.lower()
