"""The exercises that issue 21 added to notebooks 04 and 05: build the decoder layer (04), greedy generation with the
KV cache (05), and the two "predict, then measure" checkers. Each build checker accepts the reference, names every
catalogued mistake with its own hint, says a wrong shape in words and reports an exception with the learner's line;
each prediction checker grades right and wrong letters and follows the measurement it is given."""

from __future__ import annotations

import pytest
import torch

from helpers.attention import MultiHeadAttention
from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb04, nb04_build, nb05, nb05_build
from helpers.transformer import FeedForward


@pytest.fixture(autouse=True)
def _fresh_ladder():
    reset_attempts()
    yield
    reset_attempts()


def _out(capsys) -> str:
    return capsys.readouterr().out


# --- notebook 04, exercise 5: the decoder layer ------------------------------------------------------------

def test_decoder_layer_reference_passes(capsys):
    assert bool(nb04.check_decoder_layer(nb04_build.DecoderLayerAnswer, strict=True)) is True
    assert "✅" in _out(capsys)


class _Given(torch.nn.Module):
    """The stub's __init__ as the notebook gives it; the tests fill in forward."""

    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.norm2 = torch.nn.LayerNorm(d_model)
        self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.norm3 = torch.nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, d_ff)


def test_decoder_layer_written_another_way_passes():
    class Mine(_Given):
        def forward(self, x, memory, src_mask):
            for norm, sub in ((self.norm1, "self"), (self.norm2, "cross"), (self.norm3, "ffn")):
                h = norm(x)
                if sub == "self":
                    x = x + self.self_attn(h, h, h, mask=torch.ones(h.shape[1], h.shape[1]).tril().bool())[0]
                elif sub == "cross":
                    x = x + self.cross_attn(h, memory, memory, mask=src_mask.unsqueeze(1), need_weights=False)[0]
                else:
                    x = x + self.ffn(h)
            return x
    assert nb04.check_decoder_layer(Mine)


@pytest.mark.parametrize(("wrong", "hint"), [
    (nb04_build._PostNorm, "post-norm layer of the 2017 paper"),
    (nb04_build._NoResidual, "keep the residual connections"),
    (nb04_build._NoPaddingMask, "give the cross-attention the source's padding mask"),
    (nb04_build._NotCausal, "must be causal"),
])
def test_decoder_layer_mistakes_get_their_own_hint(capsys, wrong, hint):
    assert not nb04.check_decoder_layer(wrong)
    out = _out(capsys)
    assert "❌" in out and hint in out, out
    others = [m for m in nb04_build._MISTAKES if m.hint.split(":")[0] not in out]
    assert len(others) == len(nb04_build._MISTAKES) - 1, "exactly one catalogued hint"
    with pytest.raises(CheckFailed):
        nb04.check_decoder_layer(wrong, strict=True)


def test_decoder_layer_hints_come_in_steps(capsys):
    nb04.check_decoder_layer(nb04_build._PostNorm)
    first = _out(capsys)
    assert "Concept:" not in first and "hint=2" in first
    nb04.check_decoder_layer(nb04_build._PostNorm)
    assert "Concept: each sublayer f does x ← x + f(LN(x))" in _out(capsys)
    nb04.check_decoder_layer(nb04_build._PostNorm, hint=3)
    assert "Code: h = self.norm1(x)" in _out(capsys)


def test_decoder_layer_stub_shape_and_exception_are_said_in_words(capsys):
    class Stub(_Given):
        def forward(self, x, memory, src_mask):
            raise NotImplementedError
    assert not nb04.check_decoder_layer(Stub)
    assert "not written yet" in _out(capsys)

    class Short(_Given):
        def forward(self, x, memory, src_mask):
            h = self.norm1(x)
            return (x + self.self_attn(h, h, h, is_causal=True)[0])[:, :-1]     # one position short
    assert not nb04.check_decoder_layer(Short)
    out = _out(capsys)
    assert "your output has shape (2, 4, 16); expected (2, 5, 16)" in out and "Hint: three sublayers" in out

    class KeepsTheTuple(_Given):
        def forward(self, x, memory, src_mask):
            h = self.norm1(x)
            return x + self.self_attn(h, h, h, is_causal=True)       # (output, weights): the tuple kept
    assert not nb04.check_decoder_layer(KeepsTheTuple)
    out = _out(capsys)
    assert "raised TypeError" in out and "return x + self.self_attn(h, h, h, is_causal=True)" in out, out
    assert "Tensor of shape (2, 5, 16)" in out and "Traceback" not in out


def test_decoder_layer_refuses_an_instance_or_renamed_modules(capsys):
    assert not nb04.check_decoder_layer(nb04_build.DecoderLayerAnswer(16, 4, 32))
    assert "pass the class itself" in _out(capsys)

    class Renamed(torch.nn.Module):
        def __init__(self, d_model, n_heads, d_ff):
            super().__init__()
            self.attention = torch.nn.Linear(d_model, d_model)
    assert not nb04.check_decoder_layer(Renamed)
    assert "Keep the __init__ as it was given" in _out(capsys)


def test_decoder_layer_checker_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    nb04.check_decoder_layer(nb04_build.DecoderLayerAnswer)
    assert torch.equal(torch.rand(3), expected)


# --- notebook 04, exercise 6: heads without the scaling -----------------------------------------------------

MEASURED_04 = {"unscaled": {1: 0.91, 4: 0.81, 16: 0.63}, "scaled": {1: 0.16, 4: 0.17, 16: 0.16}}


def test_prediction_scaling_grades_letters(capsys):
    assert bool(nb04.check_prediction_scaling("A", MEASURED_04, strict=True)) is True
    out = _out(capsys)
    assert "✅" in out and "√d_head" in out and "0.91" in out and "0.63" in out
    assert nb04.check_prediction_scaling(" a ", MEASURED_04)             # case and spaces do not matter
    for wrong, hint in (("B", "more heads means narrower heads"), ("C", "adds up d_head products, not D")):
        assert not nb04.check_prediction_scaling(wrong, MEASURED_04)
        assert hint in _out(capsys)
        with pytest.raises(CheckFailed):
            nb04.check_prediction_scaling(wrong, MEASURED_04, strict=True)
    assert not nb04.check_prediction_scaling(..., MEASURED_04)
    assert "not answered yet" in _out(capsys)
    assert not nb04.check_prediction_scaling("sharper", MEASURED_04)
    assert 'answer with one letter in quotes: "A", "B", "C"' in _out(capsys)


def test_prediction_scaling_follows_the_measurement(capsys):
    flat = {"unscaled": {1: 0.30, 4: 0.28, 16: 0.27}, "scaled": MEASURED_04["scaled"]}
    reversed_ = {"unscaled": {1: 0.5, 4: 0.7, 16: 0.9}, "scaled": MEASURED_04["scaled"]}
    assert nb04.scaling_answer(MEASURED_04) == "A"
    assert nb04.scaling_answer(flat) == "C" and nb04.check_prediction_scaling("C", flat)
    assert not nb04.check_prediction_scaling("A", flat)
    assert nb04.scaling_answer(reversed_) == "B" and nb04.check_prediction_scaling("B", reversed_)
    middle = {"unscaled": {1: 0.5, 4: 0.9, 16: 0.6}, "scaled": MEASURED_04["scaled"]}
    assert nb04.scaling_answer(middle) is None and not nb04.check_prediction_scaling("A", middle)
    assert "fit none of the options" in _out(capsys)


def test_prediction_scaling_hints_come_in_steps(capsys):
    nb04.check_prediction_scaling("C", MEASURED_04)
    first = _out(capsys)
    assert "Concept:" not in first and "hint=2" in first
    nb04.check_prediction_scaling("C", MEASURED_04)
    assert "Concept: with entries of mean 0 and variance 1" in _out(capsys)
    nb04.check_prediction_scaling("C", MEASURED_04, hint=3)
    assert "Code: for d in (16, 64, 256)" in _out(capsys)


# --- notebook 05, exercise 5: greedy generation with the KV cache --------------------------------------------

def test_generate_greedy_reference_passes(capsys):
    assert bool(nb05.check_generate_greedy(nb05_build.generate_greedy, strict=True)) is True
    out = _out(capsys)
    assert out.count("✅") == 1 and "❌" not in out


def test_generate_greedy_prompt_token_by_token_also_passes():
    @torch.no_grad()
    def section_9_style(model, prompt, n):                      # each prompt token once, one call each
        cache = model.new_cache(prompt.shape[0])
        for i in range(prompt.shape[1] - 1):
            model(prompt[:, i:i + 1], cache=cache)
        out = prompt
        for _ in range(n):
            out = torch.cat([out, model(out[:, -1:], cache=cache)[:, -1].argmax(-1, keepdim=True)], dim=1)
        return out
    assert nb05.check_generate_greedy(section_9_style)


@pytest.mark.parametrize(("wrong", "hint"), [
    (nb05_build._gen_no_prompt, "the model never read the prompt"),
    (nb05_build._gen_first_position, "after the prompt's *first* token"),
    (nb05_build._gen_last_token_twice, "went into the cache twice"),
    (nb05_build._gen_whole_text, "feeds the whole text again"),
])
def test_generate_greedy_mistakes_get_their_own_hint(capsys, wrong, hint):
    assert not nb05.check_generate_greedy(wrong)
    out = _out(capsys)
    assert "❌" in out and hint in out and "✅" not in out, out
    assert sum(m.hint in out for m in nb05_build._MISTAKES) == 1
    with pytest.raises(CheckFailed):
        nb05.check_generate_greedy(wrong, strict=True)


def test_generate_greedy_right_tokens_but_no_cache_fail(capsys):
    @torch.no_grad()
    def recompute(model, prompt, n):
        out = prompt
        for _ in range(n):
            out = torch.cat([out, model(out)[:, -1].argmax(-1, keepdim=True)], dim=1)
        return out
    assert not nb05.check_generate_greedy(recompute)
    out = _out(capsys)
    assert "your tokens are right, but call 1 of the model went without the cache" in out and "✅" not in out
    with pytest.raises(CheckFailed):
        nb05.check_generate_greedy(recompute, strict=True)

    assert not nb05.check_generate_greedy(lambda model, prompt, n: model.generate(prompt, n, temperature=0))
    assert "never called the model itself" in _out(capsys)


def test_generate_greedy_stub_shape_and_exception_are_said_in_words(capsys):
    def stub(model, prompt, n):
        raise NotImplementedError
    assert not nb05.check_generate_greedy(stub)
    assert "not written yet" in _out(capsys)

    assert not nb05.check_generate_greedy(lambda model, prompt, n: nb05_build.generate_greedy(model, prompt, n - 1))
    assert "your output has shape (1, 11); expected (1, 12)" in _out(capsys)

    def crashes(model, prompt, n):
        logits = model(prompt)
        return logits.argmax(dim=3)                               # there is no dimension 3
    assert not nb05.check_generate_greedy(crashes)
    out = _out(capsys)
    assert "raised IndexError" in out and "return logits.argmax(dim=3)" in out and "Traceback" not in out


def test_generate_greedy_test_models_have_no_near_ties():
    """Greedy tokens must not depend on float rounding: cached and recomputed generation agree on every case."""
    for model, prompt, n in nb05_build._cases():
        assert torch.equal(model.generate(prompt, n, temperature=0, use_cache=False),
                           model.generate(prompt, n, temperature=0))


# --- notebook 05, exercise 4: the cache size, from the config alone ------------------------------------------

def test_cache_size_check_needs_only_the_config(capsys):
    from helpers.lm_data import gpt_config

    class Sizes:                                                  # gpt_config reads only the vocabulary size
        vocab_size = 1024

    config = gpt_config(Sizes())
    assert nb05.check_cache_size(2 * config.n_layer * 50 * config.d_model, config, t=50, strict=True)
    assert not nb05.check_cache_size(..., config, t=50)
    assert "not answered yet" in _out(capsys)
    nb05.check_cache_size(1, config, t=50, hint=3)
    assert "# or c = gpt_config(data)" in _out(capsys)


# --- notebook 05, exercise 6: training without the causal mask ----------------------------------------------

TRAIN_05 = {"causal": 2.27, "no mask": 0.15}
MASKED_05 = {"causal": 2.17, "no mask": 8.55}


def test_prediction_mask_grades_letters(capsys):
    assert bool(nb05.check_prediction_mask("A", TRAIN_05, MASKED_05, 1024, strict=True)) is True
    out = _out(capsys)
    assert "✅" in out and "learns to copy it" in out and "worse even than a uniform guess" in out
    for wrong, hint in (("B", "which is exactly its target"), ("C", "does not exist yet")):
        assert not nb05.check_prediction_mask(wrong, TRAIN_05, MASKED_05, 1024)
        assert hint in _out(capsys)
        with pytest.raises(CheckFailed):
            nb05.check_prediction_mask(wrong, TRAIN_05, MASKED_05, 1024, strict=True)
    assert not nb05.check_prediction_mask(..., TRAIN_05, MASKED_05, 1024)
    assert "not answered yet" in _out(capsys)


def test_prediction_mask_follows_the_measurement(capsys):
    assert nb05.mask_answer(TRAIN_05, MASKED_05) == "A"
    assert "uniform guess" not in (nb05.check_prediction_mask("A", TRAIN_05, {"causal": 2.17, "no mask": 5.0}, 1024)
                                   .message)
    same = ({"causal": 2.3, "no mask": 2.2}, {"causal": 2.2, "no mask": 2.4})
    better = ({"causal": 2.3, "no mask": 1.0}, {"causal": 2.2, "no mask": 1.5})
    assert nb05.mask_answer(*same) == "B" and nb05.check_prediction_mask("B", *same, 1024)
    assert not nb05.check_prediction_mask("A", *same, 1024)
    assert nb05.mask_answer(*better) == "C" and nb05.check_prediction_mask("C", *better, 1024)
    odd = ({"causal": 2.3, "no mask": 3.5}, {"causal": 2.2, "no mask": 2.2})
    assert nb05.mask_answer(*odd) is None and not nb05.check_prediction_mask("A", *odd, 1024)
    assert "fit none of the options" in _out(capsys)


def test_prediction_mask_hints_come_in_steps(capsys):
    nb05.check_prediction_mask("B", TRAIN_05, MASKED_05, 1024)
    first = _out(capsys)
    assert "Concept:" not in first and "hint=2" in first
    nb05.check_prediction_mask("B", TRAIN_05, MASKED_05, 1024)
    assert "Concept: the target at position t is input token t + 1" in _out(capsys)
    nb05.check_prediction_mask("B", TRAIN_05, MASKED_05, 1024, hint=3)
    assert "Code: x = torch.arange(6)[None]" in _out(capsys)
