"""The exercises that issue 21 added to notebooks 02 and 03, and their self-contained checks.

- The build-a-piece checkers (02: one decoder step with its GRU by hand; 03: the attention decoder over a whole
  target) accept the reference, recognise every catalogued mistake by its own hint, say a wrong shape in words and
  show the line of a learner's exception.
- The prediction checkers grade right and wrong predictions, follow the measurement they are given (not a fixed
  letter), say "not answered yet" to ``...`` and climb the hint ladder.
- Exercises 3 and 4 of notebook 02 are checked without a trained model (an untrained stand-in of the course's sizes).
"""

from __future__ import annotations

import pytest
import torch

from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb02, nb02_build, nb03, nb03_build


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """Every test starts at the first hint level, whatever ran before."""
    reset_attempts()
    yield
    reset_attempts()


# --- notebook 02, exercise 5: one decoder step -------------------------------------------------------------

def _step_by_hand(dec, prev, state, context):
    """The notebook's solution: the GRU step from the four equations, then the output layer."""
    e = dec.embed(prev)
    x = torch.cat([e, context], dim=-1)
    H = state.shape[-1]
    W_r, W_z, W_n = dec.gru.weight_ih_l0.split(H)
    U_r, U_z, U_n = dec.gru.weight_hh_l0.split(H)
    b_r, b_z, b_n = dec.gru.bias_ih_l0.split(H)
    c_r, c_z, c_n = dec.gru.bias_hh_l0.split(H)
    r = torch.sigmoid(x @ W_r.T + b_r + state @ U_r.T + c_r)
    z = torch.sigmoid(x @ W_z.T + b_z + state @ U_z.T + c_z)
    n = torch.tanh(x @ W_n.T + b_n + r * (state @ U_n.T + c_n))
    new_state = (1 - z) * n + z * state
    return dec.out(torch.cat([new_state, context, e], dim=-1)), new_state


def test_decoder_step_reference_is_the_tested_decoder_and_the_equations_match_it():
    for dec, prev, state, context in nb02_build._decoder_step_cases():
        logits, new_state = nb02.decoder_step(dec, prev, state, context)
        model_logits, model_state, _ = dec(prev[:, None], state, context)          # helpers.rnn.Decoder itself
        torch.testing.assert_close(logits, model_logits[:, 0])
        torch.testing.assert_close(new_state, model_state)
        cell = torch.nn.GRUCell(dec.gru.input_size, dec.gru.hidden_size)           # PyTorch's own GRU step
        cell.load_state_dict({k.replace("_l0", ""): v for k, v in dec.gru.state_dict().items()})
        with torch.no_grad():
            torch.testing.assert_close(cell(torch.cat([dec.embed(prev), context], -1), state), new_state)
            torch.testing.assert_close(_step_by_hand(dec, prev, state, context), (logits, new_state))
            torch.testing.assert_close(nb02_build._step_variant(dec, prev, state, context), (logits, new_state))


def test_decoder_step_accepts_the_solution(capsys):
    assert nb02.check_decoder_step(_step_by_hand)
    assert "✅" in capsys.readouterr().out
    nb02.check_decoder_step(_step_by_hand, strict=True)


@pytest.mark.parametrize(("mistake", "hint"), [
    ("z_swapped", "the update gate works the other way round"),
    ("c_n_outside", "its bias from the state side included"),
    ("old_state_out", "must read the new state"),
    ("zr_order", "the reset and update gates are swapped"),
])
def test_decoder_step_mistakes_get_their_own_hint(mistake, hint, capsys):
    hints = {"the update gate works the other way round", "its bias from the state side included",
             "must read the new state", "the reset and update gates are swapped"}
    assert not nb02.check_decoder_step(lambda *a: nb02_build._step_variant(*a, **{mistake: True}))
    out = capsys.readouterr().out
    assert "❌" in out and hint in out
    assert not any(other in out for other in hints - {hint}), out
    assert "Concept:" not in out and "hint=2" in out


def test_decoder_step_ladder_shape_exception_and_stub(capsys):
    def wrong_shape(dec, prev, state, context):
        logits, new_state = _step_by_hand(dec, prev, state, context)
        return logits[:, None], new_state                                          # (B, 1, V)

    assert not nb02.check_decoder_step(wrong_shape)
    out = capsys.readouterr().out
    assert "item 0 of your output has shape (3, 1, 23); expected (3, 23)" in out

    def raises(dec, prev, state, context):
        x = torch.cat([context, dec.embed(prev)], dim=-1)
        return x @ dec.gru.weight_hh_l0.T, state                                   # (B, E + H) @ (H, 3H): fails

    assert not nb02.check_decoder_step(raises)
    out = capsys.readouterr().out
    assert "your function raised RuntimeError" in out and "x @ dec.gru.weight_hh_l0.T" in out
    assert "Decoder(emb_dim=6, hidden_dim=10, tgt_vocab=23)" in out                 # the inputs, in one line each

    def stub(dec, prev, state, context):
        raise NotImplementedError

    assert not nb02.check_decoder_step(stub)
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb02.check_decoder_step(stub, strict=True)

    def no_output_layer(dec, prev, state, context):
        return torch.zeros(prev.size(0), dec.out.out_features), state

    reset_attempts()
    assert not nb02.check_decoder_step(no_output_layer)
    out = capsys.readouterr().out
    assert "Hint: compare your step with the four GRU equations" in out and "Concept:" not in out
    assert not nb02.check_decoder_step(no_output_layer)
    out = capsys.readouterr().out
    assert "Concept: with x = [Embed(prev); context]" in out and "Code:" not in out
    assert not nb02.check_decoder_step(no_output_layer, hint=3)
    assert "Code: e = dec.embed(prev)" in capsys.readouterr().out


# --- notebook 02, exercises 3 and 4 without a trained model -----------------------------------------------

def test_greedy_is_checked_on_a_stand_in_that_ends_its_sentences(capsys):
    assert nb02.check_greedy(nb02.greedy)
    stand_in = nb02._greedy_stand_in()
    from helpers.tokenize import encode_sentence

    ids = encode_sentence(nb02._course_data().src_vocab, "他不喜欢喝咖啡。", "zh")
    assert 0 < len(nb02.greedy(stand_in, ids, 40)) < 40                       # it stops before max_len
    for mistake, hint in [({"feed_back": False}, "feed the token you just chose back in"),
                          ({"stop": False}, "stop when the model outputs <eos>"),
                          ({"keep_eos": True}, "don't include it in the output")]:
        capsys.readouterr()
        assert not nb02.check_greedy(lambda m, s, n, kw=mistake: nb02._greedy_variant(m, s, n, **kw))
        assert hint in capsys.readouterr().out


def test_context_size_comes_from_the_course_config(capsys):
    from helpers.recipes import rnn_config

    cfg = rnn_config(nb02._course_data(), attention=False)
    assert nb02.check_context_size(cfg.hidden_dim)
    assert not nb02.check_context_size(cfg.emb_dim)
    assert "embedding" in capsys.readouterr().out
    assert not nb02.check_context_size(...)
    assert "not answered yet" in capsys.readouterr().out


# --- notebook 02, exercise 6: predict, then measure --------------------------------------------------------

MEASURED_02 = {"first": 0.82, "middle": 0.024, "last": 0.79}       # what the notebook's check cell printed


def test_bottleneck_prediction_is_graded(capsys):
    assert nb02.bottleneck_answer(MEASURED_02) == "B"
    assert nb02.check_prediction_bottleneck("B", MEASURED_02)
    out = capsys.readouterr().out
    assert "✅" in out and "the measurement says B" in out and "right-to-left GRU reads the first character last" in out
    assert nb02.check_prediction_bottleneck(" b ", MEASURED_02)                   # case and spaces do not matter
    for wrong, hint in [("A", "for that direction the first character is the newest"),
                        ("C", "reads the last character last"), ("D", "times the smallest")]:
        capsys.readouterr()
        assert not nb02.check_prediction_bottleneck(wrong, MEASURED_02)
        out = capsys.readouterr().out
        assert "❌" in out and hint in out and "the measurement says" not in out
    assert not nb02.check_prediction_bottleneck(..., MEASURED_02)
    assert "not answered yet" in capsys.readouterr().out
    assert not nb02.check_prediction_bottleneck("E", MEASURED_02)
    assert 'answer with one letter in quotes: "A", "B", "C", "D"' in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb02.check_prediction_bottleneck("A", MEASURED_02, strict=True)


def test_bottleneck_prediction_follows_the_measurement(capsys):
    first_least = {"first": 0.1, "middle": 0.5, "last": 0.6}
    assert nb02.bottleneck_answer(first_least) == "A"
    assert nb02.check_prediction_bottleneck("A", first_least)
    assert not nb02.check_prediction_bottleneck("B", first_least)
    assert "the middle one is not the smallest" in capsys.readouterr().out
    close = {"first": 0.5, "middle": 0.4, "last": 0.45}                          # largest < 1.5 × smallest
    assert nb02.bottleneck_answer(close) == "D"
    assert nb02.check_prediction_bottleneck("D", close)
    assert "about equally" in capsys.readouterr().out
    assert not nb02.check_prediction_bottleneck("B", close)
    assert "count as about the same" in capsys.readouterr().out
    assert nb02.bottleneck_answer({"first": 0.5, "middle": 0.6, "last": 0.2}) == "C"


def test_bottleneck_prediction_ladder(capsys):
    assert not nb02.check_prediction_bottleneck("E", MEASURED_02)             # not a letter: no step on the ladder
    assert not nb02.check_prediction_bottleneck("D", MEASURED_02)
    out = capsys.readouterr().out
    assert "Hint: the measured shifts are" in out and "Concept:" not in out
    assert not nb02.check_prediction_bottleneck("D", MEASURED_02)
    out = capsys.readouterr().out
    assert "Concept: each direction of the encoder keeps its newest input" in out and "Code:" not in out
    assert not nb02.check_prediction_bottleneck("A", MEASURED_02, hint=3)
    assert 'Code: prediction_bottleneck = "B"' in capsys.readouterr().out


# --- notebook 03, exercise 5: the attention decoder over a whole target ------------------------------------

def _forward_by_hand(dec, tgt_in, state, enc_out, src_mask):
    """The notebook's solution."""
    from helpers.attention import masked_softmax

    x = dec.embed(tgt_in)
    s, _ = dec.gru(x, state[None])
    att = dec.attention
    scores = att.score_proj(torch.tanh(att.query_proj(s)[:, :, None, :] + att.key_proj(enc_out)[:, None])).squeeze(-1)
    weights = masked_softmax(scores, src_mask[:, None, :])
    mixed = torch.tanh(dec.combine(torch.cat([s, weights @ enc_out], dim=-1)))
    return dec.out(torch.cat([mixed, x], dim=-1)), weights


def test_decoder_forward_reference_is_the_tested_decoder_and_agrees_with_decode_step():
    from helpers.rnn import RNNConfig, Seq2Seq

    for dec, tgt_in, state, enc_out, src_mask in nb03_build._decoder_forward_cases():
        logits, weights = nb03.decoder_forward(dec, tgt_in, state, enc_out, src_mask)
        assert logits.shape == (*tgt_in.shape, dec.out.out_features) and weights.shape == (*tgt_in.shape,
                                                                                          enc_out.size(1))
        assert (weights[~src_mask[:, None, :].expand_as(weights)] == 0).all()       # the padding gets 0
        with torch.no_grad():
            torch.testing.assert_close(_forward_by_hand(dec, tgt_in, state, enc_out, src_mask), (logits, weights))
            torch.testing.assert_close(nb03_build._forward_variant(dec, tgt_in, state, enc_out, src_mask),
                                       (logits, weights))
    # the whole target at once is the same as one step at a time (what the notebook's statement says)
    torch.manual_seed(0)
    model = Seq2Seq(RNNConfig(src_vocab=12, tgt_vocab=15, emb_dim=6, hidden_dim=8, attn_dim=5, dropout=0.0)).eval()
    src = torch.tensor([[4, 5, 6, 7], [8, 9, 0, 0]])
    src_mask = src != 0
    tgt_in = torch.tensor([[1, 5, 6], [1, 7, 8]])
    with torch.no_grad():
        memory = model.encode(src, src_mask)
        all_logits, all_weights = nb03.decoder_forward(model.decoder, tgt_in, memory["summary"], memory["enc_out"],
                                                       src_mask)
        state = model.init_state(memory, src_mask)
        for t in range(tgt_in.size(1)):
            logits, state, weights = model.decode_step(tgt_in[:, t], state, memory, src_mask)
            torch.testing.assert_close(logits, all_logits[:, t])
            torch.testing.assert_close(weights, all_weights[:, t])


def test_decoder_forward_accepts_the_solution(capsys):
    assert nb03.check_decoder_forward(_forward_by_hand)
    assert "✅" in capsys.readouterr().out
    nb03.check_decoder_forward(_forward_by_hand, strict=True)


FORWARD_HINTS = {"use_mask": "your weights put some attention on the padding",
                 "dim": "Yours sum to 1 over the target steps",
                 "combine": "first mix each state with its context vector",
                 "tanh": "goes through a tanh before the output layer"}


@pytest.mark.parametrize(("mistake", "value"), [("use_mask", False), ("dim", 1), ("combine", False),
                                                ("tanh", False)])
def test_decoder_forward_mistakes_get_their_own_hint(mistake, value, capsys):
    assert not nb03.check_decoder_forward(lambda *a: nb03_build._forward_variant(*a, **{mistake: value}))
    out = capsys.readouterr().out
    assert "❌" in out and FORWARD_HINTS[mistake] in out
    assert not any(h in out for k, h in FORWARD_HINTS.items() if k != mistake), out


def test_decoder_forward_ladder_shape_exception_and_stub(capsys):
    def one_step_only(dec, tgt_in, state, enc_out, src_mask):
        return _forward_by_hand(dec, tgt_in[:, :1], state, enc_out, src_mask)

    assert not nb03.check_decoder_forward(one_step_only)
    out = capsys.readouterr().out
    assert "item 0 of your output has shape (2, 1, 19); expected (2, 4, 19)" in out
    assert "Hint: follow the seven steps of section 2" in out

    def raises(dec, tgt_in, state, enc_out, src_mask):
        x = dec.embed(tgt_in)
        return dec.out(x), None                                               # (B, T, E) into a (H + E) layer

    assert not nb03.check_decoder_forward(raises)
    out = capsys.readouterr().out
    assert "your function raised RuntimeError" in out and "return dec.out(x), None" in out
    assert "AttentionDecoder(emb_dim=6, hidden_dim=10, attn_dim=7, tgt_vocab=19)" in out

    def stub(dec, tgt_in, state, enc_out, src_mask):
        raise NotImplementedError

    assert not nb03.check_decoder_forward(stub)
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb03.check_decoder_forward(stub, strict=True)

    def zeros(dec, tgt_in, state, enc_out, src_mask):
        B, T = tgt_in.shape
        return torch.zeros(B, T, dec.out.out_features), torch.zeros(B, T, enc_out.size(1))

    reset_attempts()
    assert not nb03.check_decoder_forward(zeros)
    assert not nb03.check_decoder_forward(zeros)
    out = capsys.readouterr().out
    assert "Concept: x = Embed(tgt_in) (B, T, E)" in out and "Code:" not in out
    assert not nb03.check_decoder_forward(zeros, hint=3)
    assert "Code: x = dec.embed(tgt_in)" in capsys.readouterr().out


# --- notebook 03, exercise 6: predict, then measure --------------------------------------------------------

def test_padding_prediction_is_graded(capsys):
    mass, share = 0.876, 0.875                                                # what the notebook's check cell printed
    assert nb03.padding_answer(mass, share) == "C"
    assert nb03.check_prediction_padding("C", mass, share)
    out = capsys.readouterr().out
    assert "✅" in out and "the measurement says C" in out and "not minus infinity" in out
    assert nb03.check_prediction_padding(" c", mass, share)
    capsys.readouterr()
    assert not nb03.check_prediction_padding("A", mass, share)
    out = capsys.readouterr().out
    assert "zero is not minus infinity" in out and "the measurement says" not in out
    assert not nb03.check_prediction_padding("B", mass, share)
    assert "87.6% of the weight and holds 87.5% of the positions" in capsys.readouterr().out
    assert not nb03.check_prediction_padding(..., mass, share)
    assert "not answered yet" in capsys.readouterr().out
    assert not nb03.check_prediction_padding("D", mass, share)
    assert 'answer with one letter in quotes: "A", "B", "C"' in capsys.readouterr().out
    assert not nb03.check_prediction_padding("B", mass, share)
    assert "Concept: at a padded position" in capsys.readouterr().out             # a later failure: the concept
    assert not nb03.check_prediction_padding("A", mass, share, hint=3)
    assert 'Code: prediction_padding = "C"' in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        nb03.check_prediction_padding("B", mass, share, strict=True)


def test_padding_prediction_follows_the_measurement(capsys):
    assert nb03.padding_answer(0.0, 0.5) == "A" and nb03.check_prediction_padding("A", 0.0, 0.5)
    assert nb03.padding_answer(0.1, 0.5) == "B" and nb03.check_prediction_padding("B", 0.1, 0.5)
    assert not nb03.check_prediction_padding("C", 0.1, 0.5)
    assert "the answer is not 'half of the padding's share" in capsys.readouterr().out
    assert nb03.padding_answer(0.3, 0.5) == "C"
