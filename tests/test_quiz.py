"""helpers.teaching.quiz (grading, parsing, the static view, the widget) and the course's quizzes (helpers.teaching.quizzes)."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.teaching.quiz import (Choice, Feedback, Numeric, Quiz, balance, grade_choice, grade_numeric, parse_number,
                                   score_line, static_html, static_text)
from helpers.teaching.quizzes import QUIZZES, notebook_quiz

CHOICE = Choice("Which is even?", ("3", "4", "5"), answer=1, explanations=("odd", "divisible by 2", "odd too"))
NUMBER = Numeric("2^6?", 64, "six doublings", near_misses=((12, "that is 2 × 6"), (36, "that is 6²")), unit="units")


# ---------------------------------------------------------------------------------------------- grading

def test_grade_choice_explains_every_option():
    assert grade_choice(CHOICE, 1) == Feedback(True, "Right. divisible by 2")
    wrong = grade_choice(CHOICE, 2)
    assert not wrong.correct and wrong.answered and "odd too" in wrong.text and wrong.line.startswith("❌")
    nothing = grade_choice(CHOICE, None)
    assert not nothing.answered and nothing.line == "Pick an option."
    with pytest.raises(ValueError, match="0..2"):
        grade_choice(CHOICE, 3)


@pytest.mark.parametrize(("typed", "value"), [("64", 64), (" 0.5 ", 0.5), ("1e-3", 1e-3), ("102,400", 102400),
                                              ("102 400", 102400), ("3/4", 0.75), ("2^10", 1024), ("2**10", 1024),
                                              ("−2", -2), (7, 7.0), (".5", 0.5)])
def test_parse_number_accepts_what_learners_type(typed, value):
    assert parse_number(typed) == pytest.approx(value)


@pytest.mark.parametrize(("typed", "message"), [("", "type a number"), ("sixty", "not a number"),
                                                ("1/0", "divides by zero"), ("1,2", "not a number"),
                                                (True, "True/False"), (float("nan"), "finite")])
def test_parse_number_says_what_is_wrong(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_number(typed)


def test_grade_numeric_right_near_miss_other_and_unparseable():
    right = grade_numeric(NUMBER, "64")
    assert right.correct and "64 units" in right.text and "six doublings" in right.text
    assert grade_numeric(NUMBER, "64.00001").correct   # within the relative tolerance
    miss = grade_numeric(NUMBER, "36")
    assert not miss.correct and "6²" in miss.text and miss.line.startswith("❌")
    other = grade_numeric(NUMBER, "100")
    assert not other.correct and "Re-read" in other.text
    bad = grade_numeric(NUMBER, "lots")
    assert not bad.answered and "not a number" in bad.text and not bad.line.startswith("❌")


def test_score_line():
    assert score_line([None, None]) == "2 questions; every answer explains itself."
    assert score_line([True, None, False]) == "1 of 3 right so far (2 answered)."
    assert score_line([True, True]).endswith("All right, well done!")


@pytest.mark.parametrize("make", [
    lambda: Choice("q", ("a",), 0, ("x",)),
    lambda: Choice("q", ("a", "b"), 0, ("x",)),
    lambda: Choice("q", ("a", "b"), 2, ("x", "y")),
    lambda: Choice("q", ("a", "a"), 0, ("x", "y")),
    lambda: Choice("q", ("a", "b"), 0, ("x", " ")),
    lambda: Numeric("q", float("inf"), "x"),
    lambda: Numeric("q", 1, ""),
    lambda: Numeric("q", 1, "x", near_misses=((1.0, "same as the answer"),)),
])
def test_bad_questions_are_refused_with_a_message(make):
    with pytest.raises(ValueError):
        make()


def test_static_views_hold_questions_options_and_folded_answers():
    page = static_html([CHOICE, NUMBER], "Demo <quiz>")
    assert "Demo &lt;quiz&gt;" in page and "<details>" in page and "divisible by 2" in page and "6²" in page
    assert page.index("Which is even?") < page.index("<details>") < page.index("divisible by 2")
    text = static_text([CHOICE, NUMBER], "Demo")
    letter = chr(97 + CHOICE.display_order().index(1))
    assert f"({letter}) 4" in text and "Answers:" in text and f"1. ({letter}) 4. divisible" in text
    assert "64 units" in text


def test_options_are_shown_shuffled_but_always_in_the_same_order():
    for questions in QUIZZES.values():
        for q in questions:
            if isinstance(q, Choice):
                order = q.display_order()
                assert sorted(order) == list(range(len(q.options))) and order == q.display_order()
    firsts = [q.display_order()[0] == q.answer for qs in QUIZZES.values() for q in qs if isinstance(q, Choice)]
    assert sum(firsts) < len(firsts) / 2, "the right answer is shown first too often"
    assert len({q.display_order().index(q.answer) for qs in QUIZZES.values() for q in qs
                if isinstance(q, Choice)}) >= 3, "the right answer should move around"


def test_balance_puts_each_right_answer_at_its_own_position_and_keeps_the_question():
    written = tuple(Choice(f"Question {n}?", ("right", "w1", "w2", "w3"), answer=0,
                           explanations=("yes", "no 1", "no 2", "no 3")) for n in range(4)) + (NUMBER,)
    balanced = balance(written, "demo")
    assert balanced[-1] is NUMBER and balance(written, "demo") == balanced
    positions = [q.display_order().index(q.answer) for q in balanced[:4]]
    assert sorted(positions) == [0, 1, 2, 3], positions
    for before, after in zip(written[:4], balanced[:4]):
        assert (after.options, after.answer, after.explanations) == (before.options, before.answer, before.explanations)
        assert sorted(after.display_order()) == [0, 1, 2, 3]
        assert grade_choice(after, after.answer).correct
    with pytest.raises(ValueError, match="shown_at"):
        Choice("q?", ("a", "b"), answer=0, explanations=("x", "y"), shown_at=2)


def test_the_courses_right_answers_are_balanced_quiz_by_quiz():
    counts = [0, 0, 0, 0]
    for key, questions in QUIZZES.items():
        choices = [q for q in questions if isinstance(q, Choice)]
        positions = [q.display_order().index(q.answer) for q in choices]
        assert len(set(positions)) == len(positions), f"quiz {key}: two right answers at the same position {positions}"
        for p in positions:
            counts[p] += 1
    assert min(counts) >= sum(counts) / 8, f"right answers per position (a, b, c, d) over the course: {counts}"


def test_every_quiz_asks_why_or_asks_for_a_prediction():
    for key, questions in QUIZZES.items():
        asks = [q.question for q in questions if q.question.startswith("Predict") or "Why" in q.question]
        assert asks, f"quiz {key} has no question that asks why, or asks the learner to predict a measured result"


# ---------------------------------------------------------------------------------------------- widget

def test_widget_callbacks_update_feedback_and_score():
    import ipywidgets as widgets

    quiz = Quiz([CHOICE, NUMBER], "Demo")
    radios = [w for w in _walk(quiz) if isinstance(w, widgets.RadioButtons)]
    boxes = [w for w in _walk(quiz) if isinstance(w, widgets.Text)]
    buttons = [w for w in _walk(quiz) if isinstance(w, widgets.Button)]
    assert len(radios) == len(boxes) == len(buttons) == 1 and radios[0].value is None
    feedback = [w for w in _walk(quiz) if isinstance(w, widgets.HTML)]
    before = [w.value for w in feedback]
    assert [v for _, v in radios[0].options] == list(CHOICE.display_order())
    radios[0].value = 0          # the value is the option's index in the question, whatever its place on screen
    assert "odd" in " ".join(w.value for w in feedback) and quiz.results == [False, None]
    boxes[0].value = "64"
    buttons[0].click()
    assert quiz.results == [False, True] and "1 of 2 right" in quiz.score.value
    buttons[0].click()   # pressing Check again keeps the verdict
    assert [w.value for w in feedback] != before


def test_widget_bundle_has_a_static_fallback_and_refuses_bad_input():
    bundle = Quiz([CHOICE], "Demo")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "<details>" in bundle["text/html"] and "Which is even?" in bundle["text/plain"]
    with pytest.raises(ValueError, match="at least one"):
        Quiz([], "empty")
    with pytest.raises(TypeError, match="Choice or Numeric"):
        Quiz(["What?"], "bad")


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


# ---------------------------------------------------------------------------------------------- the course's quizzes

def test_every_notebook_has_a_quiz_of_3_or_4_questions():
    assert sorted(QUIZZES) == ["00", "01", "02", "03", "04", "05", "06a", "06b", "06c", "07a", "07b"]
    for key, questions in QUIZZES.items():
        assert 3 <= len(questions) <= 4, key
        assert notebook_quiz(f"{key}_whatever").questions == questions
    with pytest.raises(KeyError, match="no quiz"):
        notebook_quiz("42")


def _numeric(key: str, start: str) -> Numeric:
    (q,) = [q for q in QUIZZES[key] if isinstance(q, Numeric) and q.question.startswith(start)]
    return q


def test_numeric_answers_agree_with_the_course_code():
    from helpers.teaching.exercises import nb02, nb05
    from helpers.gpt import GPTConfig
    from helpers.metrics import perplexity

    assert _numeric("00", "With character-level").answer == len(list("你好世界"))
    assert _numeric("00", "With character-level").near_misses[1][0] == len("你好世界".encode())
    tgt_in, tgt_out = nb02.teacher_forcing([10, 11, 12, 13])
    assert _numeric("02", "The target sentence").answer == len(tgt_out) == len(tgt_in)
    assert _numeric("04", "Multi-head").answer == 128 // 4
    assert _numeric("04", "How many times").answer == (200 / 50) ** 2
    assert _numeric("05", "A model assigns").answer == pytest.approx(perplexity(math.log(1024)))
    assert _numeric("05", "A GPT with").answer == nb05.cache_size(GPTConfig(n_layer=2, d_model=256), 40)


def test_the_dot_product_variance_question_holds_numerically():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(20_000, 64, generator=g), torch.randn(20_000, 64, generator=g)
    var = (q * k).sum(-1).var().item()
    assert abs(var / _numeric("01", "q and k").answer - 1) < 0.05


def test_notebook_06_quiz_numbers():
    assert _numeric("06b", "A balanced test set").answer == pytest.approx(100 / 3, rel=2e-2)


def test_notebook_07_quiz_numbers():
    from helpers.experiments.multimodal import digit_images
    from helpers.experiments.scaling import train_flops

    assert _numeric("07a", "Estimate the training compute").answer == pytest.approx(train_flops(1e9, 2e10), rel=1e-9)
    images, _ = digit_images(1)
    assert _numeric("07b", "An 8 × 8 grey image").answer == images[0].size
