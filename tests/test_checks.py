"""helpers.teaching.checks: the kind of answer (type, shape, dtype) is compared before the values and said in
plain words; a learner's exception is reported with the line of their code; hints come in steps (nudge, then
concept, then code only on request), and the ladder restarts after a pass."""

from __future__ import annotations

import pytest
import torch

from helpers.teaching.checks import Hints, Mistake, check_function, check_value, mismatch, reset_attempts


def _reference(x):
    return x.sum(-1)                                   # (B, S, D) -> (B, S)


CASES = [(torch.arange(24, dtype=torch.float32).reshape(2, 3, 4),)]


@pytest.fixture(autouse=True)
def _fresh():
    reset_attempts()
    yield
    reset_attempts()


def test_kind_before_values():
    assert mismatch(torch.zeros(2, 2, 3), torch.zeros(2, 3)) == \
        "your answer has shape (2, 2, 3); expected (2, 3) (3 dimensions instead of 2)"
    assert "dtype torch.int64; expected torch.float32 (floating-point numbers are expected" in \
        mismatch(torch.zeros(2, dtype=torch.long), torch.zeros(2))
    assert mismatch([1, 2], torch.zeros(2)) == "your answer is a list; expected a tensor of shape (2,)"
    assert mismatch((torch.zeros(2), torch.zeros(3)), (torch.zeros(2), torch.zeros(2))) == \
        "item 1 of your answer has shape (3,); expected (2,)"
    assert mismatch((1, 2), (1, 2, 3)) == "your answer has 2 items; expected 3"
    assert mismatch("7", 7) == "your answer is a string; expected an int"
    assert mismatch(torch.ones(2), torch.zeros(2)) is None          # same kind: the values decide


def test_a_wrong_shape_is_said_in_words(capsys):
    result = check_function(lambda x: x.sum(0), _reference, CASES, name="total")
    out = capsys.readouterr().out
    assert not result and "your output has shape (3, 4); expected (2, 3)" in out and "tensor([" not in out


def test_an_exception_names_the_line_of_the_learners_code(capsys):
    def mine(x):
        y = x.sum(-1)
        return y @ torch.ones(5)                         # a shape error on this line
    result = check_function(mine, _reference, CASES, name="total")
    out = capsys.readouterr().out
    assert not result and "your function raised RuntimeError" in out
    assert "return y @ torch.ones(5)" in out and "Traceback" not in out
    assert "Tensor of shape (2, 3, 4)" in out                           # what it was called with


def test_hints_come_in_steps(capsys):
    mistake = Mistake(lambda x: x.sum(-2), "you added up the wrong dimension.",
                      concept="sum over the last dimension, the one of size D.", code="x.sum(dim=-1)")
    check_function(lambda x: x.sum(-2), _reference, CASES, mistakes=[mistake], name="total")
    first = capsys.readouterr().out
    assert "Hint: you added up the wrong dimension." in first and "Concept" not in first and "hint=2" in first
    check_function(lambda x: x.sum(-2), _reference, CASES, mistakes=[mistake], name="total")
    second = capsys.readouterr().out
    assert "Concept: sum over the last dimension" in second and "x.sum(dim=-1)" not in second and "hint=3" in second
    check_function(lambda x: x.sum(-2), _reference, CASES, mistakes=[mistake], name="total")
    assert "x.sum(dim=-1)" not in capsys.readouterr().out, "the code is never shown unasked"
    check_function(lambda x: x.sum(-2), _reference, CASES, mistakes=[mistake], name="total", hint=3)
    assert "Code: x.sum(dim=-1)" in capsys.readouterr().out
    assert check_function(_reference, _reference, CASES, mistakes=[mistake], name="total")
    capsys.readouterr()
    check_function(lambda x: x.sum(-2), _reference, CASES, mistakes=[mistake], name="total")
    assert "Concept" not in capsys.readouterr().out, "after a pass the ladder starts again"
    with pytest.raises(ValueError, match="hint must be"):
        check_function(lambda x: x.sum(-2), _reference, CASES, name="total", hint=7)


def test_a_tuple_of_tensors_with_wrong_values_is_described_not_dumped(capsys):
    import torch

    ref = lambda x: (x * 2, x.sum(-1))                                     # noqa: E731
    check_function(lambda x: (x * 2, x.sum(-1) + 0.5), ref, [(torch.ones(2, 3),)], name="pair")
    out = capsys.readouterr().out
    assert "item 1 of your output has the right shape (2,)" in out and "yours is 3.5 and the expected value 3" in out
    assert "tensor(" not in out


def test_a_ladder_for_answers_outside_the_catalogue(capsys):
    ladder = Hints("the values are off.", "each output is the sum of one row of D numbers.")
    check_function(lambda x: x.sum(-1) + 1, _reference, CASES, hints=ladder, name="sums")
    out = capsys.readouterr().out
    assert "has the right shape (2, 3) and dtype, but its values differ" in out and "Hint: the values are off." in out
    assert "the largest difference is at [" in out and "tensor(" not in out
    check_function(lambda x: x.sum(-1) + 1, _reference, CASES, hints=ladder, name="sums")
    assert "Concept: each output is the sum" in capsys.readouterr().out
    check_value(5, 6, name="count", hints={4: "count both ends."}, ladder=Hints("not quite.", "n + 1 fence posts."))
    assert "Hint: not quite." in capsys.readouterr().out                # outside the catalogue: the ladder
    check_value(4, 6, name="count", hints={4: "count both ends."}, ladder=Hints("not quite.", "n + 1 fence posts."))
    out = capsys.readouterr().out                                          # a known mistake, second failure
    assert "Hint: count both ends." in out and "Concept: n + 1 fence posts." in out
    check_value("6", 6, name="count2")
    assert "your answer is a string; expected an int" in capsys.readouterr().out


# --- every exercise of the course uses the ladder ----------------------------------------------------------------

import ast  # noqa: E402
from pathlib import Path  # noqa: E402

EXERCISES = sorted((Path(__file__).resolve().parents[1] / "helpers" / "teaching" / "exercises").glob("nb*.py"))


def _text(node) -> str:
    """The literal text of a string expression (constants, f-strings and + joins; names count as empty)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) if not isinstance(v, ast.FormattedValue) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp):
        return _text(node.left) + _text(node.right)
    return ""


def _calls(tree, name):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == name]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_every_checker_has_a_ladder(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("check_")):
        names = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
        assert "hint" in names, f"{path.name}: {fn.name} takes no hint= (the learner asks for the next level with it)"
    for call in _calls(tree, "check_function"):
        kw = {k.arg for k in call.keywords}
        assert {"hints", "hint"} <= kw, f"{path.name}:{call.lineno}: check_function needs hints= and hint="
    for call in _calls(tree, "check_value"):
        kw = {k.arg for k in call.keywords}
        assert {"ladder", "hint"} <= kw, f"{path.name}:{call.lineno}: check_value needs ladder= and hint="
    for call in _calls(tree, "Mistake") + _calls(tree, "Hints"):
        kw = {k.arg: k.value for k in call.keywords}
        concept = kw.get("concept", call.args[2] if len(call.args) > 2 and call.func.id == "Mistake" else
                         call.args[1] if len(call.args) > 1 and call.func.id == "Hints" else None)
        assert concept is not None and (_text(concept) or not isinstance(concept, ast.Constant)), \
            f"{path.name}:{call.lineno}: {call.func.id} needs a second level (concept)"
        first = kw.get("hint", kw.get("nudge", call.args[1 if call.func.id == "Mistake" else 0]
                                      if len(call.args) > (1 if call.func.id == "Mistake" else 0) else None))
        nudge = _text(first) if first is not None else ""
        assert "`" not in nudge and "torch." not in nudge and ".masked_fill" not in nudge, \
            f"{path.name}:{call.lineno}: the first hint gives code away: {nudge!r}"
