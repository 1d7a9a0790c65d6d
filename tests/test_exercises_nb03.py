"""Every notebook-03 checker accepts the reference and rejects typical mistakes with the right hint."""

from __future__ import annotations

import pytest
import torch

from helpers.teaching.checks import CheckFailed
from helpers.teaching.exercises import nb03


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
    (nb03._as_no_tanh, "without the tanh"),
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
                        (nb03._ha_wrong_dim_swapped, "dim=1: along a row"), (nb03._ha_all_above_mean, "single most")]:
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
    for wrong, hint in [(nb03._ln_ignores_alpha, "use alpha"), (nb03._ln_multiplies, "divide by length ** alpha"),
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
