"""Every notebook-07 checker accepts the reference and rejects typical mistakes with the right hint, in steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb07


@pytest.fixture(autouse=True)
def _fresh_ladder():
    reset_attempts()                      # each test starts at hint level 1, whatever ran before
    yield
    reset_attempts()


def _stub(*args):
    raise NotImplementedError


def test_alpha(capsys):
    assert nb07.check_alpha(nb07.power_law_alpha)
    for wrong, hint in [(nb07._alpha_no_c, "subtract the floor c"), (nb07._alpha_sign, "minus the slope"),
                        (nb07._alpha_linear_n, "logarithm of the sizes"), (nb07._alpha_linear_loss, "logarithm of loss - c")]:
        assert not nb07.check_alpha(wrong)
        assert hint in capsys.readouterr().out
    assert not nb07.check_alpha(_stub)
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb07.check_alpha(_stub, strict=True)
    # the reference agrees with the course's fit when c is known
    from helpers.experiments.scaling import fit_power_law

    n = np.array([1e3, 1e4, 1e5, 1e6])
    fit = fit_power_law(n, 3.0 * n ** -0.2 + 1.0)
    assert abs(fit.alpha - nb07.power_law_alpha(n, 3.0 * n ** -0.2 + 1.0, 1.0)) < 0.01


def test_gpt3_flops(capsys):
    assert nb07.check_gpt3_flops(6 * 175e9 * 300e9)
    assert nb07.check_gpt3_flops(3.15e23)                       # rounded is fine
    for wrong, hint in [(2 * 175e9 * 300e9, "forward pass only"), (175e9 * 300e9, "2 FLOPs"),
                        (6 * 175e9, "training tokens"), (6 * 300e9, "number of parameters")]:
        assert not nb07.check_gpt3_flops(wrong)
        assert hint in capsys.readouterr().out
    assert not nb07.check_gpt3_flops(...)
    assert "not answered" in capsys.readouterr().out
    from helpers.experiments.scaling import PUBLISHED, train_flops

    gpt3 = PUBLISHED[-1]
    assert abs(train_flops(gpt3["params"], gpt3["tokens"]) / gpt3["flops"] - 1) < 0.01   # 6ND matches the paper


def test_targets(capsys):
    assert nb07.check_targets(nb07.instruction_targets)
    for wrong, hint in [(nb07._targets_no_mask, "set their targets to -100"), (nb07._targets_off_by_one, "one too many"),
                        (nb07._targets_mask_answer, "you masked the answer"), (nb07._targets_unshifted, "shifted by one"),
                        (nb07._targets_zero, "0 is a real token")]:
        assert not nb07.check_targets(wrong)
        assert hint in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb07.check_targets(_stub, strict=True)
    # the reference matches what helpers.experiments.finetune builds for training
    from helpers.experiments.finetune import Example, _ids, encode_examples
    from helpers.lm_data import CharCodec

    ex = Example("to_en", "我喜欢猫。", "I like cats.")
    codec = CharCodec.build([ex.text])
    ids, n_prompt = _ids(codec, ex)
    idx, targets = encode_examples(codec, [ex], block_size=64)
    ref_idx, ref_targets = nb07.instruction_targets(torch.tensor(ids), n_prompt)
    assert torch.equal(idx[0], ref_idx) and torch.equal(targets[0], ref_targets)


def test_image_tokens(capsys):
    assert nb07.check_image_tokens(nb07.image_tokens)
    assert nb07.check_image_tokens(lambda im, lv, fp: torch.tensor(nb07.image_tokens(im, lv, fp)))   # a tensor is fine
    for wrong, hint in [(nb07._tokens_floor, "nearest level"), (nb07._tokens_columns, "row by row"),
                        (nb07._tokens_no_offset, "start at first_pixel"), (nb07._tokens_levels, "levels - 1")]:
        assert not nb07.check_image_tokens(wrong)
        assert hint in capsys.readouterr().out
    assert not nb07.check_image_tokens(_stub)
    assert "not written yet" in capsys.readouterr().out
    # the reference matches the codec of helpers.experiments.multimodal
    from helpers.experiments.multimodal import ImageTextCodec, digit_images

    codec = ImageTextCodec(levels=4, size=8)
    images, _ = digit_images(1, seed=3)
    ids = codec.image_ids(codec.quantise(images)[0])
    assert ids[1:-1] == nb07.image_tokens(images[0], 4, codec.first_pixel)


def test_hints_come_in_steps(capsys):
    """One typical mistake (the floor c not subtracted): a nudge in words, the concept, then the code on request."""
    assert not nb07.check_alpha(nb07._alpha_no_c)
    first = capsys.readouterr().out
    assert "Hint: subtract the floor c first" in first and "hint=2" in first
    assert "Concept" not in first and "Code" not in first and "polyfit" not in first
    assert not nb07.check_alpha(nb07._alpha_no_c)
    second = capsys.readouterr().out
    assert "Concept: take the logarithm of loss - c = a·n^(-alpha)" in second and "Code" not in second
    assert "hint=3" in second
    assert not nb07.check_alpha(nb07._alpha_no_c, hint=3)
    third = capsys.readouterr().out
    assert "Code: slope, _ = np.polyfit(np.log(n), np.log(np.asarray(loss) - c), 1)" in third
    assert "return float(-slope)" in third
    # a value exercise: the catalogue's hint first, then the ladder's concept
    assert not nb07.check_gpt3_flops(2 * 175e9 * 300e9)
    assert "Concept" not in capsys.readouterr().out
    assert not nb07.check_gpt3_flops(7.0)
    out = capsys.readouterr().out
    assert "Hint: count the FLOPs" in out and "Concept: C = 6·N·D" in out and "Code" not in out
    assert not nb07.check_gpt3_flops(7.0, hint=3)
    assert "Code: gpt3_flops = 6 * 175e9 * 300e9" in capsys.readouterr().out
