"""Grading a "predict, then measure" exercise (notebooks 02 to 05): the learner picks a letter before a check cell
measures the effect; the checker grades the letter against the answer *the measurement* supports.

The answer is derived from the measured numbers by the notebook's checker (``nb02.check_prediction_bottleneck``,
``nb03.check_prediction_padding``, ``nb04.check_prediction_scaling``, ``nb05.check_prediction_mask``), never hard-coded, so if a measurement came out differently the grade would follow it.
"""

from __future__ import annotations

from typing import Mapping

from helpers.teaching.checks import CheckResult, Hints, _report, hint_level, ladder_text, passed

__all__ = ["grade_prediction"]


def grade_prediction(prediction, answer: str | None, *, name: str, options: str, why: str,
                     wrong: Mapping[str, str], ladder: Hints, hint: int | None = None,
                     strict: bool = False) -> CheckResult:
    """Grade ``prediction`` (one of the letters in ``options``, e.g. ``"ABC"``) against ``answer``.

    ``answer``: the letter the measurement supports, or ``None`` when the numbers fit no option. ``why``: the
    explanation (2-3 sentences, with the measured numbers), shown with a correct answer. ``wrong``: a nudge for each
    wrong letter; ``ladder``: the concept and code hints that follow it, one level more at each failure.
    """
    if prediction is Ellipsis or prediction is None:
        return _report(False, name, "not answered yet: replace the `...` with your answer.", strict)
    letter = prediction.strip().upper() if isinstance(prediction, str) else None
    if letter not in tuple(options):
        choices = ", ".join(f'"{o}"' for o in options)
        return _report(False, name, f"answer with one letter in quotes: {choices} (got {prediction!r}).", strict)
    if answer is None:
        return _report(False, name, "the numbers measured above fit none of the options, so there is nothing to "
                                    "grade. Read them again, or run the check cell once more.", strict)
    if letter == answer:
        passed(name)
        return _report(True, name, f"correct, the measurement says {answer}. {why}", strict)
    text = ladder_text(hint_level(name, hint), wrong.get(letter, ladder.nudge), ladder.concept, ladder.code)
    return _report(False, name, f"not yet: the numbers above do not support {letter}.\n   {text}", strict)
