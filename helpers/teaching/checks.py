"""Exercise checkers: compare a learner's answer with a reference and print a hint.

Every exercise cell in the course ends with a call into this module. A checker

- runs the learner's function on several inputs and compares with the reference;
- compares the *kind* of answer first (a tensor or a list, its shape, dtype and device) and says in plain words
  what differs, before comparing values;
- when the answer is wrong, looks for a *known* mistake (a function that makes that
  mistake on purpose) whose output the learner's matches, and prints its targeted hint;
- gives hints in steps: the first failure gets a nudge (what is wrong, in words), the next one the concept
  (the equation or shape rule); the code only when the learner asks for it (``hint=3``);
- never lets a learner's exception become a deep stack trace: it prints what went wrong, and
  where in the learner's cell;
- returns a ``CheckResult`` that is truthy when the check passed, so tests (and the
  workshop copies) can assert on it, and that shows no ``Out[ ]`` in a notebook.

Example::

    from helpers.teaching.checks import check_function, Mistake
    check_function(my_softmax, reference_softmax, cases=[(torch.randn(3, 4),)],
                   mistakes=[Mistake(softmax_without_max, "subtract the row max first")])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

__all__ = ["PASS", "FAIL", "CheckResult", "CheckFailed", "Mistake", "Hints", "check_function", "check_value",
           "mismatch", "reset_attempts", "hint_level", "ladder_text", "passed"]

PASS = "✅"
FAIL = "❌"


class CheckResult:
    """The outcome of a check: true when it passed. Prints nothing more in a notebook.

    The checker has already printed its tick or cross; this object only carries the
    outcome (``bool(result)``) and the message, for tests and workshop tooling.
    """

    def __init__(self, passed: bool, message: str):
        self.passed = bool(passed)
        self.message = message

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"CheckResult(passed={self.passed}, message={self.message!r})"

    def _ipython_display_(self) -> None:  # the line was printed already: show no Out[] cell
        pass


class CheckFailed(AssertionError):
    """Raised by ``check_*(..., strict=True)``: used by tests, never in learner-facing cells."""


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: a function that makes the mistake, and its hints, one level at a time.

    ``hint``: level 1, a nudge (what is wrong, in words, no code); ``concept``: level 2, the equation or rule
    that fixes it; ``code``: level 3, shown only when the learner asks for it (``hint=3``).
    """

    wrong: Callable[..., Any]
    hint: str
    concept: str = ""
    code: str = ""


@dataclass(frozen=True)
class Hints:
    """The hint ladder of an exercise, for a wrong answer that matches no known mistake."""

    nudge: str
    concept: str
    code: str = ""


_ATTEMPTS: dict[str, int] = {}      # failed checks per exercise name in this kernel: the hint level grows with them
MAX_LEVEL = 3


def reset_attempts() -> None:
    """Forget the failed attempts (the hint ladder starts again at the nudge)."""
    _ATTEMPTS.clear()


def _level(name: str, hint: int | None) -> int:
    """The hint level of this failure: what the learner asked for, else 1 on the first failure, 2 after."""
    _ATTEMPTS[name] = _ATTEMPTS.get(name, 0) + 1
    if hint is not None:
        if not isinstance(hint, int) or not 1 <= hint <= MAX_LEVEL:
            raise ValueError(f"hint must be 1, 2 or 3, got {hint!r}")
        return hint
    return min(_ATTEMPTS[name], 2)


def hint_level(name: str, hint: int | None = None) -> int:
    """For checkers that build their own messages: count this failure of exercise ``name`` and return the hint
    level to show (``hint`` if the learner asked for one)."""
    return _level(name, hint)


def ladder_text(level: int, nudge: str, concept: str = "", code: str = "") -> str:
    """For checkers that build their own messages: the hints up to ``level``, and how to ask for the next."""
    return _ladder(level, nudge, concept, code)


def passed(name: str) -> None:
    """For checkers that build their own messages: exercise ``name`` passed, its ladder starts again."""
    _ATTEMPTS.pop(name, None)


def _beyond(level: int, concept: str = "", code: str = "") -> list[str]:
    """The hint lines after the nudge, up to ``level``, and how to ask for the next one."""
    parts = []
    if level >= 2 and concept:
        parts.append(f"Concept: {concept}")
    if level >= 3 and code:
        parts.append(f"Code: {code}")
    more = [lv for lv, text in ((2, concept), (3, code)) if text and lv > level]
    if more:
        parts.append(f"(stuck? run the check again with hint={more[0]} for the next step)")
    return parts


def _ladder(level: int, nudge: str, concept: str = "", code: str = "") -> str:
    """The hints up to ``level``: the nudge, then the concept, then the code."""
    return "\n   ".join([f"Hint: {nudge}", *_beyond(level, concept, code)])


def _close(a: Any, b: Any, atol: float, rtol: float) -> bool:
    """Structural comparison: tensors/arrays with tolerances, sequences item by item."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    if torch is not None and (isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor)):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape:
            return False
        if a.dtype == torch.bool or b.dtype == torch.bool:
            return a.dtype == b.dtype and bool(torch.equal(a.cpu(), b.cpu()))
        if a.is_floating_point() != b.is_floating_point():  # token ids must stay integers, weights floats
            return False
        return bool(torch.allclose(a.detach().cpu().double(), b.detach().cpu().double(), atol=atol, rtol=rtol, equal_nan=True))
    if hasattr(a, "shape") and hasattr(b, "shape") and hasattr(a, "dtype"):
        import numpy as np

        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=rtol, equal_nan=True))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_close(x, y, atol, rtol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], atol, rtol) for k in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, abs_tol=atol, rel_tol=rtol)
    return a == b


def _describe(x: Any) -> str:
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"{type(x).__name__} of shape {tuple(x.shape)} ({x.dtype})"
    if isinstance(x, (list, tuple)) and len(x) > 6:
        return f"{type(x).__name__} of length {len(x)}"
    return repr(x)


def _kind(x: Any) -> str:
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return "a tensor" if type(x).__name__ == "Tensor" else f"an array ({type(x).__name__})"
    return {list: "a list", tuple: "a tuple", dict: "a dict", str: "a string", bool: "a bool", int: "an int",
            float: "a float", type(None): "None"}.get(type(x), f"a {type(x).__name__}")


def mismatch(got: Any, expected: Any, where: str = "your answer") -> str | None:
    """What differs in *kind* between ``got`` and ``expected``, in plain words: the type, the number of
    items, a tensor's shape, dtype or device. ``None`` when they are the same kind (then compare values)."""
    if hasattr(expected, "shape") and hasattr(expected, "dtype"):
        if not (hasattr(got, "shape") and hasattr(got, "dtype")):
            return f"{where} is {_kind(got)}; expected a tensor of shape {tuple(expected.shape)}"
        gs, es = tuple(got.shape), tuple(expected.shape)
        if gs != es:
            extra = ""
            if len(gs) != len(es):
                extra = f" ({len(gs)} dimensions instead of {len(es)})"
            return f"{where} has shape {gs}; expected {es}{extra}"
        if str(got.dtype) != str(expected.dtype):
            kinds = {True: "floating-point numbers", False: "integers or booleans"}
            gf, ef = "float" in str(got.dtype), "float" in str(expected.dtype)
            why = f" ({kinds[ef]} are expected, not {kinds[gf]})" if gf != ef else ""
            return f"{where} has dtype {got.dtype}; expected {expected.dtype}{why}"
        gd, ed = getattr(got, "device", None), getattr(expected, "device", None)
        if gd is not None and ed is not None and str(gd) != str(ed):
            return f"{where} is on {gd}; expected {ed} (move it with .to(...))"
        return None
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"{where} is {_kind(got)}; expected {_kind(expected)} of {len(expected)} items"
        if len(got) != len(expected):
            return f"{where} has {len(got)} items; expected {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            inner = mismatch(g, e, f"item {i} of {where}")
            if inner:
                return inner
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where} is {_kind(got)}; expected a dict"
        if got.keys() != expected.keys():
            return f"{where} has the keys {sorted(map(str, got))}; expected {sorted(map(str, expected))}"
        return None
    if isinstance(expected, bool) != isinstance(got, bool) or (
            isinstance(expected, (int, float)) and not isinstance(got, (int, float))):
        return f"{where} is {_kind(got)}; expected {_kind(expected)}"
    return None


def _value_difference(got: Any, expected: Any, atol: float, rtol: float, where: str = "your output") -> str:
    """For two answers of the same kind: where the values first differ, in words (never a dump of whole tensors)."""
    if hasattr(got, "shape") and hasattr(expected, "shape") and hasattr(got, "dtype"):
        import numpy as np

        g = np.asarray(got.detach().cpu() if hasattr(got, "detach") else got, dtype=float)
        e = np.asarray(expected.detach().cpu() if hasattr(expected, "detach") else expected, dtype=float)
        if g.size == 0:
            return f"{where} has the right shape {tuple(g.shape)}, but its values differ"
        gap = np.nan_to_num(np.abs(g - e), nan=np.inf)
        i = np.unravel_index(int(np.argmax(gap)), g.shape)
        index = ", ".join(map(str, i))
        return (f"{where} has the right shape {tuple(g.shape)} and dtype, but its values differ: the largest difference "
                f"is at [{index}], where yours is {g[i]:.4g} and the expected value {e[i]:.4g}")
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)) and len(got) == len(expected):
        for k, (g, e) in enumerate(zip(got, expected)):
            if not _close(g, e, atol, rtol):
                return _value_difference(g, e, atol, rtol, f"item {k} of {where}")
    if isinstance(got, dict) and isinstance(expected, dict) and got.keys() == expected.keys():
        for k in expected:
            if not _close(got[k], expected[k], atol, rtol):
                return _value_difference(got[k], expected[k], atol, rtol, f"{where}[{k!r}]")
    return f"{where} is {_describe(got)}; expected {_describe(expected)}"


def _where_raised(err: BaseException) -> str:
    """' at line N of your code: `text`' for the deepest frame outside the course's package and the libraries."""
    import linecache
    import os
    import traceback

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))     # helpers/
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not os.path.abspath(f.filename).startswith(here) and "site-packages" not in f.filename
              and "/lib/python" not in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    text = (f.line or linecache.getline(f.filename, f.lineno)).strip()
    return f", at line {f.lineno} of your code: `{text}`" if text else f", at line {f.lineno} of your code"


def _report(ok: bool, name: str, message: str, strict: bool) -> CheckResult:
    print(f"{PASS if ok else FAIL} {name}: {message}")
    if strict and not ok:
        raise CheckFailed(f"{name}: {message}")
    return CheckResult(ok, message)


def _call(fn: Callable[..., Any], args: Sequence[Any]) -> Any:
    import copy

    return fn(*copy.deepcopy(tuple(args)))


def check_function(
    learner: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[Sequence[Any]],
    *,
    mistakes: Sequence[Mistake] = (),
    hints: Hints | None = None,
    hint: int | None = None,
    name: str | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    strict: bool = False,
):
    """Check ``learner(*case)`` against ``reference(*case)`` for every case.

    Inputs are deep-copied for each call, so a function that modifies its input in
    place cannot spoil the comparison. Prints one line with a tick or a cross and, on a
    cross, what differs in kind (type, shape, dtype, device) or else the hints of the first known mistake the
    answer matches (or the exercise's ``hints``), one level more at each failure; ``hint=N`` asks for level N.
    Returns ``True`` if every case agrees.
    """
    name = name or getattr(learner, "__name__", "your answer")
    cases = [tuple(c) if isinstance(c, (tuple, list)) else (c,) for c in cases]
    if not cases:
        raise ValueError("check_function needs at least one test case")
    if not callable(learner):
        return _report(False, name, f"expected a function, got {_describe(learner)}", strict)
    for k, args in enumerate(cases):
        expected = _call(reference, args)
        try:
            got = _call(learner, args)
        except NotImplementedError:
            return _report(False, name, "not written yet: replace the `raise NotImplementedError` with your code.", strict)
        except Exception as err:  # the learner's bug: report it, don't crash the notebook
            return _report(False, name, f"your function raised {type(err).__name__}: {err}{_where_raised(err)} "
                                        f"(on test case {k + 1}, inputs {', '.join(_describe(a) for a in args)})",
                           strict)
        if _close(got, expected, atol, rtol):
            continue
        level = _level(name, hint)
        for mistake in mistakes:
            try:
                if _close(got, _call(mistake.wrong, args), atol, rtol):
                    return _report(False, name, "not yet. " + _ladder(level, mistake.hint, mistake.concept,
                                                                      mistake.code), strict)
            except Exception:
                continue
        detail = mismatch(got, expected, "your output") or _value_difference(got, expected, atol, rtol)
        message = f"not yet (test case {k + 1}): {detail}."
        if hints is not None:
            message += "\n   " + _ladder(level, hints.nudge, hints.concept, hints.code)
        return _report(False, name, message, strict)
    _ATTEMPTS.pop(name, None)
    return _report(True, name, f"correct on all {len(cases)} test cases.", strict)


def check_value(
    answer: Any,
    expected: Any,
    *,
    name: str = "your answer",
    hints: dict[Any, str] | None = None,
    ladder: Hints | None = None,
    hint: int | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    strict: bool = False,
) -> CheckResult:
    """Check a value (a number, a shape, a string) against the expected one.

    ``hints`` maps typical wrong answers to a hint, e.g. ``{(2, 5): "rows are queries"}``; ``ladder``: the
    nudge, concept and code for any other wrong answer, one level more at each failure (``hint=N`` asks for N).
    ``Ellipsis`` (``...``) as the answer means "not answered yet".
    """
    if answer is Ellipsis or answer is None:
        return _report(False, name, "not answered yet: replace the `...` with your answer.", strict)
    if _close(answer, expected, atol, rtol):
        _ATTEMPTS.pop(name, None)
        return _report(True, name, "correct.", strict)
    level = _level(name, hint)
    for wrong, text in (hints or {}).items():
        if _close(answer, wrong, atol, rtol):
            lines = [f"not yet. Hint: {text}"]
            if ladder is not None:
                lines += _beyond(level, ladder.concept, ladder.code)
            return _report(False, name, "\n   ".join(lines), strict)
    message = f"not yet: {_describe(answer)} is not the expected answer."
    kind = mismatch(answer, expected)
    if kind:
        message = f"not yet: {kind}."
    if ladder is not None:
        message += "\n   " + _ladder(level, ladder.nudge, ladder.concept, ladder.code)
    return _report(False, name, message, strict)
