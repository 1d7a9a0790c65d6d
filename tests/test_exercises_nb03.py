"""Every notebook-03 checker accepts the reference and rejects typical mistakes with the right hint."""

from __future__ import annotations

import pytest
import torch

from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb03


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """Every test starts at the first hint level, whatever ran before."""
    reset_attempts()
    yield
    reset_attempts()


def test_additive_scores_reference_matches_the_course_module():
    """The reference formula is what helpers.attention.AdditiveAttention computes."""
    from helpers.attention import AdditiveAttention

    torch.manual_seed(0)
    att = AdditiveAttention(6, 5, 8)
    query, keys = torch.randn(3, 6), torch.randn(3, 7, 5)
    expected = att.scores(query[:, None, :], att.project_keys(keys))[:, 0]          # (B, S)
    got = nb03.additive_scores(query, keys, att.query_proj.weight, att.key_proj.weight, att.score_proj.weight[0])
    assert torch.allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize(("wrong", "hint"), [
    (nb03._as_no_tanh, "the tanh is missing"),
    (nb03._as_softmax, "return the raw scores"),
    (nb03._as_no_W_k, "project the keys too"),
    (nb03._as_no_W_q, "project the query too"),
    (nb03._as_tanh_outside, "the tanh goes inside"),
])
def test_additive_scores_mistakes(wrong, hint, capsys):
    assert nb03.check_additive_scores(nb03.additive_scores)
    capsys.readouterr()
    assert not nb03.check_additive_scores(wrong)
    out = capsys.readouterr().out
    assert "❌" in out and hint in out


def test_additive_scores_stub_and_strict(capsys):
    def stub(query, keys, W_q, W_k, v):
        raise NotImplementedError

    assert not nb03.check_additive_scores(stub)
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb03.check_additive_scores(stub, strict=True)


def test_hard_alignment(capsys):
    assert nb03.check_hard_alignment(nb03.hard_alignment)
    # NumPy or tensor items, or a list instead of a set, are accepted
    assert nb03.check_hard_alignment(lambda w: [(s, t) for t, s in enumerate(torch.as_tensor(w).argmax(dim=1))])
    capsys.readouterr()
    for wrong, hint in [(nb03._ha_wrong_dim, "rows are target words"), (nb03._ha_swapped, "(source index, target"),
                        (nb03._ha_wrong_dim_swapped, "along each row"), (nb03._ha_all_above_mean, "single most")]:
        assert not nb03.check_hard_alignment(wrong)
        out = capsys.readouterr().out
        assert "❌" in out and hint in out, (wrong.__name__, out)


def test_hard_alignment_agrees_with_the_metric():
    """The exercise's answer is the hard alignment helpers.metrics scores for AER."""
    from helpers.metrics import attention_links

    w = torch.softmax(torch.randn(6, 9, generator=torch.Generator().manual_seed(1)) * 3, dim=1)
    assert nb03.hard_alignment(w) == attention_links(w, 9, 6)


def test_hard_alignment_stub(capsys):
    def stub(weights):
        raise NotImplementedError

    assert not nb03.check_hard_alignment(stub)
    assert "not written yet" in capsys.readouterr().out


def test_length_normalised(capsys):
    assert nb03.check_length_normalised(nb03.length_normalised)
    capsys.readouterr()
    for wrong, hint in [(nb03._ln_ignores_alpha, "use alpha"), (nb03._ln_multiplies, "divide, do not multiply"),
                        (nb03._ln_alpha_times_length, "alpha is an exponent"), (nb03._ln_exp, "stay in log space")]:
        assert not nb03.check_length_normalised(wrong)
        out = capsys.readouterr().out
        assert "❌" in out and hint in out, (wrong.__name__, out)


def test_beam_winner(capsys):
    assert nb03.check_beam_winner(("A", "B"))
    assert nb03.check_beam_winner(["a", "b"])                       # case and list are forgiven
    capsys.readouterr()
    for wrong, hint in [(("A", "A"), "per token"), (("B", "B"), "no normalisation"), (("B", "A"), "wrong way round")]:
        assert not nb03.check_beam_winner(wrong)
        out = capsys.readouterr().out
        assert "❌" in out and hint in out
    assert not nb03.check_beam_winner(...)
    assert "not answered yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb03.check_beam_winner(("B", "B"), strict=True)


def test_the_hints_come_in_steps(capsys):
    """A nudge in words first, then the concept on the next failure, the code only with hint=3."""
    reset_attempts()
    assert not nb03.check_additive_scores(nb03._as_no_W_k)
    out = capsys.readouterr().out
    assert "Hint: project the keys too" in out
    assert "Concept:" not in out and "Code:" not in out and "W_k.T" not in out and "hint=2" in out
    assert not nb03.check_additive_scores(nb03._as_no_W_k)
    out = capsys.readouterr().out
    assert "Concept: W_k k_j maps each key from d_k to h numbers: keys (B, S, d_k) become (B, S, h)." in out
    assert "Code:" not in out and "hint=3" in out
    assert not nb03.check_additive_scores(nb03._as_no_W_k, hint=3)
    assert "Code: projected_keys = keys @ W_k.T" in capsys.readouterr().out
    with pytest.raises(ValueError, match="hint must be"):
        nb03.check_additive_scores(nb03._as_no_W_k, hint=4)


def test_hint_levels_for_a_value_answer(capsys):
    assert not nb03.check_beam_winner(("A", "A"))
    out = capsys.readouterr().out
    assert "per token" in out and "Concept:" not in out
    assert not nb03.check_beam_winner(("A", "A"))
    assert "Concept: score = logprob / length^alpha" in capsys.readouterr().out
    assert not nb03.check_beam_winner(("A", "A"), hint=3)
    assert 'Code: winners = ("A", "B")' in capsys.readouterr().out


def test_hard_alignment_not_a_function(capsys):
    assert not nb03.check_hard_alignment({(0, 0)})
    assert "expected a function" in capsys.readouterr().out
