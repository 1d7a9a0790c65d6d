"""Concept quizzes: multiple-choice and numeric questions with an explanation for every answer.

A quiz is a list of questions; ``Quiz(questions)`` shows them as ipywidgets. Every answer a learner can give
gets an explanation, not only "wrong": each option of a :class:`Choice` carries its own, and a
:class:`Numeric` question explains the right value and the typical wrong ones (``near_misses``). The logic is in
plain functions, tested without a browser:

- :func:`grade_choice` (question, option index) -> :class:`Feedback`
- :func:`parse_number` (what the learner typed) -> float, with a clear error for text that is not a number
- :func:`grade_numeric` (question, typed text or number) -> :class:`Feedback`
- :func:`score_line` (results so far) -> the summary line under the quiz
- :func:`static_html` / :func:`static_text` -> the quiz without a kernel (GitHub, the static site, slides)

The widget's display bundle carries the static HTML next to the widget view, so a page that cannot run widgets
(GitHub's notebook preview) shows the questions, with the answers folded away, instead of nothing.

Example::

    Quiz([Choice("2 + 2?", ("3", "4"), answer=1, explanations=("one short", "yes")),
          Numeric("√16?", 4, "4 × 4 = 16", near_misses=((8, "that is 16 / 2"),))], title="Warm-up")
"""

from __future__ import annotations

import hashlib
import html
import math
import random
import re
from dataclasses import dataclass, replace
from typing import Sequence, Union

RIGHT, WRONG = "✅", "❌"


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question with exactly one right option and an explanation for every option."""

    question: str
    options: tuple[str, ...]
    answer: int                      # index of the right option in ``options``
    explanations: tuple[str, ...]    # one per option: why it is right, or why it is not
    shown_at: int | None = None      # where the right option is shown (set by ``balance``); None: a seeded shuffle

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "explanations", tuple(self.explanations))
        if len(self.options) < 2:
            raise ValueError(f"a Choice needs at least 2 options, got {len(self.options)}: {self.question!r}")
        if len(self.explanations) != len(self.options):
            raise ValueError(f"a Choice needs one explanation per option: {len(self.options)} options but "
                             f"{len(self.explanations)} explanations ({self.question!r})")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"two options of {self.question!r} are the same")
        if not isinstance(self.answer, int) or not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer must be an option index 0..{len(self.options) - 1}, got {self.answer!r} "
                             f"({self.question!r})")
        if any(not str(e).strip() for e in self.explanations):
            raise ValueError(f"every option of {self.question!r} needs a non-empty explanation")
        if self.shown_at is not None and not 0 <= self.shown_at < len(self.options):
            raise ValueError(f"shown_at must be a position 0..{len(self.options) - 1}, got {self.shown_at!r} "
                             f"({self.question!r})")

    def display_order(self) -> tuple[int, ...]:
        """The order the options are shown in: shuffled, so the right one is not always in the same place (an
        author may write it first), and the same every time (seeded by the question's text). With ``shown_at``
        set, the right option is shown at that position and the others are shuffled around it."""
        seed = int.from_bytes(hashlib.sha256(self.question.encode("utf-8")).digest()[:8], "big")
        order = list(range(len(self.options)))
        random.Random(seed).shuffle(order)
        if self.shown_at is not None:
            order.remove(self.answer)
            order.insert(self.shown_at, self.answer)
        return tuple(order)


@dataclass(frozen=True)
class Numeric:
    """A question answered with a number; ``near_misses`` are typical wrong values and what each one means."""

    question: str
    answer: float
    explanation: str                               # shown with the right answer
    near_misses: tuple[tuple[float, str], ...] = ()
    otherwise: str = "Not this one. Re-read the question and try again."   # any other wrong value
    rel_tol: float = 1e-3                          # answers within this relative tolerance count as right
    unit: str = ""                                 # shown after the input box, e.g. "numbers" or "×"

    def __post_init__(self):
        object.__setattr__(self, "near_misses", tuple((float(v), str(t)) for v, t in self.near_misses))
        if not math.isfinite(float(self.answer)):
            raise ValueError(f"the answer of {self.question!r} must be a finite number, got {self.answer!r}")
        if not self.explanation.strip():
            raise ValueError(f"{self.question!r} needs an explanation of its answer")
        for value, _ in self.near_misses:
            if _same(value, self.answer, self.rel_tol):
                raise ValueError(f"near miss {value} of {self.question!r} equals the answer {self.answer}")


Question = Union[Choice, Numeric]


@dataclass(frozen=True)
class Feedback:
    """What the quiz shows after an answer: right or not, and why."""

    correct: bool
    text: str
    answered: bool = True   # False when there was nothing to grade (no option picked, an empty box, not a number)

    @property
    def line(self) -> str:
        if not self.answered:
            return self.text
        return f"{RIGHT if self.correct else WRONG} {self.text}"


def _same(a: float, b: float, rel_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)


# --------------------------------------------------------------------------------------------- grading

def balance(questions: Sequence[Question], key: str = "") -> tuple[Question, ...]:
    """The same questions, with the right options of the multiple-choice ones spread over the positions.

    The k-th multiple-choice question of a quiz shows its right option at the k-th position of a permutation
    seeded by ``key`` (so a quiz with as many multiple-choice questions as options uses every position once), and
    its other options shuffled around it. A learner cannot guess "always (a)", and no author has to place the
    answers by hand.
    """
    choices = [q for q in questions if isinstance(q, Choice)]
    width = max((len(q.options) for q in choices), default=1)
    seed = int.from_bytes(hashlib.sha256(f"quiz {key}".encode("utf-8")).digest()[:8], "big")
    slots = list(range(width))
    random.Random(seed).shuffle(slots)
    out, k = [], 0
    for q in questions:
        if isinstance(q, Choice):
            q = replace(q, shown_at=slots[k % width] % len(q.options))
            k += 1
        out.append(q)
    return tuple(out)


def grade_choice(question: Choice, index: int | None) -> Feedback:
    """Feedback for picking option ``index`` (``None``: nothing picked yet)."""
    if index is None:
        return Feedback(False, "Pick an option.", answered=False)
    if not isinstance(index, int) or not 0 <= index < len(question.options):
        raise ValueError(f"option index must be 0..{len(question.options) - 1}, got {index!r}")
    right = index == question.answer
    prefix = "Right." if right else "Not quite."
    return Feedback(right, f"{prefix} {question.explanations[index]}")


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str | float | int) -> float:
    """The number a learner typed: ``"64"``, ``"0.5"``, ``"1e-3"``, ``"102,400"`` or ``"102 400"`` (thousands
    separators), ``"3/4"`` (a fraction), ``"2^10"`` or ``"2**10"`` (a power). Raises ``ValueError`` with a
    message a learner understands for anything else."""
    if isinstance(text, bool):
        raise ValueError("expected a number, got True/False")
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise ValueError(f"expected a finite number, got {text}")
        return float(text)
    s = str(text).strip().replace("\u2212", "-").replace("×", "*")
    if not s:
        raise ValueError("type a number first")
    s = re.sub(r"(?<=\d)[,_ ](?=\d{3}\b)", "", s)   # 102,400 / 102_400 / 102 400
    for op in ("**", "^", "/"):
        if op in s:
            left, _, right = s.partition(op)
            a, b = parse_number(left), parse_number(right)
            if op == "/":
                if b == 0:
                    raise ValueError(f"{text!r} divides by zero")
                return a / b
            try:
                return float(a ** b)
            except OverflowError:
                raise ValueError(f"{text!r} is too large") from None
    if not _NUMBER.match(s):
        raise ValueError(f"{str(text).strip()!r} is not a number; type digits such as 64, 0.5, 3/4 or 2^10")
    return float(s)


def grade_numeric(question: Numeric, typed: str | float | int) -> Feedback:
    """Feedback for the value a learner typed (a string from the text box, or a number)."""
    try:
        value = parse_number(typed)
    except ValueError as err:
        return Feedback(False, f"{str(err)[0].upper()}{str(err)[1:]}.", answered=False)
    if _same(value, float(question.answer), question.rel_tol):
        return Feedback(True, f"Right: {_fmt(question.answer)}{_unit(question)}. {question.explanation}")
    for wrong, why in question.near_misses:
        if _same(value, wrong, question.rel_tol):
            return Feedback(False, f"{_fmt(value)} is a typical slip: {why}")
    return Feedback(False, f"{_fmt(value)}: {question.otherwise}")


def _fmt(x: float) -> str:
    x = float(x)
    return f"{int(x):,}" if x.is_integer() and abs(x) < 1e15 else f"{x:.4g}"


def _unit(q: Numeric) -> str:
    return f" {q.unit}" if q.unit else ""


def score_line(results: Sequence[bool | None]) -> str:
    """The line under a quiz: ``results[i]`` is True/False once question i is answered, None before."""
    answered = [r for r in results if r is not None]
    right = sum(1 for r in answered if r)
    if not answered:
        return f"{len(results)} questions; every answer explains itself."
    line = f"{right} of {len(results)} right so far ({len(answered)} answered)."
    return line + (" All right, well done!" if right == len(results) else "")


# --------------------------------------------------------------------------------------------- static view

def _right_text(q: Question) -> str:
    if isinstance(q, Choice):
        letter = chr(97 + q.display_order().index(q.answer))
        return f"({letter}) {q.options[q.answer]}. {q.explanations[q.answer]}"
    return f"{_fmt(q.answer)}{_unit(q)}. {q.explanation}"


def static_text(questions: Sequence[Question], title: str = "Quiz") -> str:
    """The quiz as plain text, answers last (for text-only views)."""
    lines = [title, ""]
    for n, q in enumerate(questions, 1):
        lines.append(f"{n}. {q.question}")
        if isinstance(q, Choice):
            lines += [f"   ({chr(97 + k)}) {q.options[i]}" for k, i in enumerate(q.display_order())]
        else:
            lines.append(f"   (a number{', in ' + q.unit if q.unit else ''})")
    lines += ["", "Answers:"] + [f"{n}. {_right_text(q)}" for n, q in enumerate(questions, 1)]
    return "\n".join(lines)


def static_html(questions: Sequence[Question], title: str = "Quiz") -> str:
    """The quiz as HTML: questions and options, the answers with their explanations folded in <details>."""
    e = html.escape
    parts = [f"<div class='course-quiz-static'><h4>{e(title)}</h4><ol>"]
    for q in questions:
        parts.append(f"<li><p>{e(q.question)}</p>")
        if isinstance(q, Choice):
            parts.append("<ol type='a'>" + "".join(f"<li>{e(q.options[i])}</li>" for i in q.display_order())
                         + "</ol>")
        else:
            parts.append(f"<p><i>Answer with a number{e(', in ' + q.unit) if q.unit else ''}.</i></p>")
        parts.append("</li>")
    parts.append("</ol><details><summary>Answers and explanations</summary><ol>")
    for q in questions:
        if isinstance(q, Choice):
            items = "".join(f"<li>{'<b>' if i == q.answer else ''}{e(q.options[i])}{'</b>' if i == q.answer else ''}"
                            f": {e(q.explanations[i])}</li>" for i in q.display_order())
            parts.append(f"<li><ol type='a'>{items}</ol></li>")
        else:
            misses = "".join(f"<li>{e(_fmt(v))}: {e(t)}</li>" for v, t in q.near_misses)
            parts.append(f"<li><b>{e(_fmt(q.answer) + _unit(q))}</b>: {e(q.explanation)}"
                         f"{'<ul>' + misses + '</ul>' if misses else ''}</li>")
    parts.append("</ol></details></div>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------- widget

def _feedback_html(feedback: Feedback | None) -> str:
    if feedback is None:
        return ""
    colour = "#1a7f37" if feedback.correct else ("#555" if not feedback.answered else "#b35900")
    return f"<div style='color:{colour}; margin: 0 0 .6em 1.2em'>{html.escape(feedback.line)}</div>"


def _make_quiz_class():
    import ipywidgets as widgets

    class Quiz(widgets.VBox):
        """The quiz as ipywidgets: a radio list per multiple-choice question (its explanation appears as soon as
        an option is picked), a text box and a Check button per numeric question, and a running score."""

        def __init__(self, questions: Sequence[Question], title: str = "Quiz"):
            if not questions:
                raise ValueError("a quiz needs at least one question")
            for q in questions:
                if not isinstance(q, (Choice, Numeric)):
                    raise TypeError(f"quiz questions must be Choice or Numeric, got {type(q).__name__}")
            self.questions = tuple(questions)
            self.title = title
            self.results: list[bool | None] = [None] * len(self.questions)
            self.score = widgets.HTML(html.escape(score_line(self.results)))
            rows = [widgets.HTML(f"<h4 style='margin:.2em 0'>{html.escape(title)}</h4>")]
            for n, q in enumerate(self.questions):
                rows += self._question_rows(n, q)
            super().__init__(rows + [self.score])
            self.add_class("course-quiz")

        def _record(self, n: int, feedback: Feedback, shown) -> None:
            shown.value = _feedback_html(feedback)
            if feedback.answered:
                self.results[n] = feedback.correct
            self.score.value = html.escape(score_line(self.results))

        def _question_rows(self, n: int, q: Question) -> list:
            label = widgets.HTML(f"<b>{n + 1}.</b> {html.escape(q.question)}")
            shown = widgets.HTML("")
            if isinstance(q, Choice):
                pick = widgets.RadioButtons(options=[(q.options[i], i) for i in q.display_order()], value=None,
                                            layout=widgets.Layout(width="auto", margin="0 0 0 1.2em"))
                pick.observe(lambda change: self._record(n, grade_choice(q, change["new"]), shown), names="value")
                return [label, pick, shown]
            box = widgets.Text(placeholder="a number", layout=widgets.Layout(width="12em"))
            button = widgets.Button(description="Check", layout=widgets.Layout(width="6em"))
            button.on_click(lambda _: self._record(n, grade_numeric(q, box.value), shown))
            unit = [widgets.Label(q.unit)] if q.unit else []
            return [label, widgets.HBox([box, *unit, button], layout=widgets.Layout(margin="0 0 0 1.2em")), shown]

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs) or {}
            data["text/html"] = static_html(self.questions, self.title)
            data["text/plain"] = static_text(self.questions, self.title)
            return data

    return Quiz


_QUIZ_CLASS = None


def Quiz(questions: Sequence[Question], title: str = "Quiz"):  # noqa: N802 (reads like the class it builds)
    """Build the quiz widget (ipywidgets is imported only here, so the grading functions need no widgets)."""
    global _QUIZ_CLASS
    if _QUIZ_CLASS is None:
        _QUIZ_CLASS = _make_quiz_class()
    return _QUIZ_CLASS(questions, title)
