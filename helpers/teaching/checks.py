"""Exercise checkers: compare a learner's answer with a reference and print a hint.

Every exercise cell in the course ends with a call into this module. A checker

- runs the learner's function on several inputs and compares with the reference;
- when the answer is wrong, looks for a *known* mistake (a function that makes that
  mistake on purpose) whose output the learner's matches, and prints its targeted hint;
- never lets a learner's exception become a deep stack trace: it prints what went wrong;
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
    """A typical wrong answer: a function that makes the mistake, and the hint to print."""

    wrong: Callable[..., Any]
    hint: str


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
    name: str | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    strict: bool = False,
):
    """Check ``learner(*case)`` against ``reference(*case)`` for every case.

    Inputs are deep-copied for each call, so a function that modifies its input in
    place cannot spoil the comparison. Prints one line with a tick or a cross and, on a
    cross, the hint of the first known mistake the answer matches. Returns ``True`` if
    every case agrees.
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
            return _report(False, name, f"raised {type(err).__name__}: {err} (on test case {k + 1})", strict)
        if _close(got, expected, atol, rtol):
            continue
        for mistake in mistakes:
            try:
                if _close(got, _call(mistake.wrong, args), atol, rtol):
                    return _report(False, name, f"not yet. Hint: {mistake.hint}", strict)
            except Exception:
                continue
        detail = f"got {_describe(got)}, expected {_describe(expected)}"
        if hasattr(got, "shape") and hasattr(expected, "shape") and tuple(got.shape) == tuple(expected.shape):
            detail = f"the shape is right {tuple(got.shape)} but the values differ"
        return _report(False, name, f"not yet (test case {k + 1}): {detail}.", strict)
    return _report(True, name, f"correct on all {len(cases)} test cases.", strict)


def check_value(
    answer: Any,
    expected: Any,
    *,
    name: str = "your answer",
    hints: dict[Any, str] | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    strict: bool = False,
) -> CheckResult:
    """Check a value (a number, a shape, a string) against the expected one.

    ``hints`` maps typical wrong answers to a hint, e.g. ``{(2, 5): "rows are queries"}``.
    ``Ellipsis`` (``...``) as the answer means "not answered yet".
    """
    if answer is Ellipsis or answer is None:
        return _report(False, name, "not answered yet: replace the `...` with your answer.", strict)
    if _close(answer, expected, atol, rtol):
        return _report(True, name, "correct.", strict)
    for wrong, hint in (hints or {}).items():
        if _close(answer, wrong, atol, rtol):
            return _report(False, name, f"not yet. Hint: {hint}", strict)
    return _report(False, name, f"not yet: {_describe(answer)} is not the expected answer.", strict)
