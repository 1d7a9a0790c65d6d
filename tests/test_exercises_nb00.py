"""Notebook 00's checkers live in its check cells (they use only helpers.teaching.checks): each accepts the notebook's
reference answer and rejects typical wrong answers with the right hint. The cells are read from the notebook and
run here, so the test follows the notebook when its checks change."""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import nbformat
import pytest
import torch

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "00_start_here.ipynb"


@pytest.fixture(scope="module")
def cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    checks = [c.source for c in nb.cells if "check" in c.metadata.get("tags", [])]
    setup = [c.source for c in nb.cells if "exercise-setup" in c.metadata.get("tags", [])]
    assert len(checks) == 3, "notebook 00 has three exercises"
    return checks, setup


def _check(cells, k: int, **answer) -> tuple[bool, str]:
    """Run check cell ``k`` with ``answer`` in its namespace; return (the check's result, what it printed)."""
    checks, setup = cells
    from helpers.teaching.checks import Mistake, check_function, check_value

    ns: dict = {"torch": torch, "check_value": check_value, "check_function": check_function, "Mistake": Mistake}
    for source in setup:
        exec(source, ns)
    ns.update(answer)
    tree = ast.parse(checks[k])
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), "a check cell ends with the checker call"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "check", "exec"), ns)
        result = eval(compile(ast.Expression(last.value), "check", "eval"), ns)
    return bool(result), out.getvalue()


def test_exercise_1_token_count(cells):
    assert _check(cells, 0, n_tokens=10)[0]
    for wrong, hint in ((9, "full stop"), (6, "characters, not words")):
        ok, out = _check(cells, 0, n_tokens=wrong)
        assert not ok and "❌" in out and hint in out


def test_exercise_2_softmax_with_temperature(cells):
    def reference(scores, temperature):
        return torch.softmax(scores / temperature, dim=-1)

    assert _check(cells, 1, my_softmax_with_temperature=reference)[0]
    for wrong, hint in ((lambda s, t: torch.softmax(s * t, dim=-1), "don't multiply"),
                        (lambda s, t: torch.softmax(s, dim=-1), "temperature is missing"),
                        (lambda s, t: torch.softmax(s / t, dim=0), "last dimension")):
        ok, out = _check(cells, 1, my_softmax_with_temperature=wrong)
        assert not ok and "❌" in out and hint in out, out


def test_exercise_3_which_model(cells):
    assert _check(cells, 2, many_tasks_model="decoder-only")[0]
    for wrong, hint in (("encoder-decoder", "serves one task"), ("encoder-only", "writes none"),
                        ("decoder", "full name")):
        ok, out = _check(cells, 2, many_tasks_model=wrong)
        assert not ok and "❌" in out and hint in out, out
