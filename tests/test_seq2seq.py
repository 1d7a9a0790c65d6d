"""helpers.rnn, helpers.generate, helpers.train and helpers.metrics on a tiny synthetic task.

The task (reverse a sequence of symbols) needs no corpus, so these tests run in seconds.
"""

from __future__ import annotations

import pytest
import torch

import helpers
from helpers import metrics
from helpers.generate import Decoded, beam_search, greedy_decode, sample_next
from helpers.rnn import RNNConfig, Seq2Seq
from helpers.train import History, count_parameters, seq2seq_loss, train
from toy_tasks import V, reversal_batches


@pytest.fixture(scope="module", params=[True, False], ids=["attention", "no-attention"])
def model(request):
    helpers.seed_everything(0)
    return Seq2Seq(RNNConfig(V, V, emb_dim=16, hidden_dim=32, attn_dim=16, attention=request.param, dropout=0.0))


def test_forward_shapes(model):
    b = reversal_batches(1, 5)[0]
    logits, attn = model(b.src, b.src_mask, b.tgt_in, return_attention=True)
    assert logits.shape == (5, b.tgt_in.size(1), V)
    if model.config.attention:
        assert attn.shape == (5, b.tgt_in.size(1), b.src.size(1))
        assert torch.allclose(attn.sum(-1), torch.ones(5, b.tgt_in.size(1)), atol=1e-5)
        assert (attn.masked_select(~b.src_mask[:, None, :].expand_as(attn)) == 0).all(), "padding got attention"
    else:
        assert attn is None


def test_step_by_step_decoding_equals_teacher_forcing(model):
    """decode_step (used for generation) must compute what forward (used for training) computes."""
    model.eval()
    b = reversal_batches(1, 4)[0]
    full = model(b.src, b.src_mask, b.tgt_in)
    memory = model.encode(b.src, b.src_mask)
    state = model.init_state(memory, b.src_mask)
    for t in range(b.tgt_in.size(1)):
        logits, state, _ = model.decode_step(b.tgt_in[:, t], state, memory, b.src_mask)
        assert torch.allclose(logits, full[:, t], atol=1e-5), f"step {t} differs"


def test_padding_does_not_change_a_sentence(model):
    model.eval()
    b = reversal_batches(1, 6)[0]
    alone = model(b.src[:1, : int(b.src_lengths[0])], b.src_mask[:1, : int(b.src_lengths[0])], b.tgt_in[:1])
    together = model(b.src, b.src_mask, b.tgt_in)[:1]
    assert torch.allclose(alone, together, atol=1e-5)


def test_clear_errors_on_bad_input(model):
    b = reversal_batches(1, 2)[0]
    with pytest.raises(ValueError, match="src must have shape"):
        model(b.src[0], b.src_mask[0], b.tgt_in)
    with pytest.raises(ValueError, match="bool tensor"):
        model(b.src, b.src_mask.long(), b.tgt_in)
    empty = b.src_mask.clone()
    empty[0] = False
    with pytest.raises(ValueError, match="empty sentence"):
        model(b.src, empty, b.tgt_in)


def test_training_learns_reversal_and_decoders_agree():
    helpers.seed_everything(0)
    net = Seq2Seq(RNNConfig(V, V, emb_dim=32, hidden_dim=64, attn_dim=32, attention=True, dropout=0.0))
    data = reversal_batches(60, 32, seed=1)
    evals = []
    hist = train(net, data, steps=300, lr=5e-3, log_every=50, progress=False,
                 eval_fn=lambda m: {"valid_loss": seq2seq_loss(m, data[0])[0].item()}, eval_every=100)
    evals = hist.metric("valid_loss")[1]
    assert isinstance(hist, History) and hist.n_steps == 300 and len(hist.steps) == 6
    assert hist.loss[-1] < 0.5 * hist.loss[0], hist.loss
    assert len(evals) == 3 and evals[-1] < evals[0]
    assert hist.tokens_seen > 0 and hist.total_seconds > 0

    test = reversal_batches(1, 16, seed=99)[0]
    greedy = greedy_decode(net, test.src, test.src_mask, max_len=12)
    refs = [test.tgt_out[i, : int(test.tgt_lengths[i]) - 1].tolist() for i in range(16)]
    correct = sum(g == r for g, r in zip(greedy.tokens, refs))
    assert correct >= 12, f"only {correct}/16 reversed exactly"
    assert greedy.attention[0].shape == (len(greedy.tokens[0]) + 1, int(test.src_lengths[0]))

    beam1 = beam_search(net, test.src, test.src_mask, beam_size=1, max_len=12, length_penalty=0.0)
    assert beam1.tokens == greedy.tokens, "beam 1 without length normalisation must equal greedy decoding"
    beam4 = beam_search(net, test.src, test.src_mask, beam_size=4, max_len=12)
    assert sum(g == r for g, r in zip(beam4.tokens, refs)) >= correct - 1


def test_training_repeats_exactly():
    def run():
        helpers.seed_everything(3)
        net = Seq2Seq(RNNConfig(V, V, emb_dim=8, hidden_dim=16, attn_dim=8, dropout=0.1))
        return train(net, reversal_batches(5, 8), steps=12, log_every=4, progress=False).loss

    assert run() == run()


def test_train_rejects_bad_budgets():
    net = Seq2Seq(RNNConfig(V, V, emb_dim=8, hidden_dim=16, attn_dim=8))
    with pytest.raises(ValueError, match="positive int"):
        train(net, reversal_batches(1, 2), steps=0, progress=False)
    with pytest.raises(ValueError, match="no batches"):
        train(net, [], steps=1, progress=False)
    assert count_parameters(net) == sum(p.numel() for p in net.parameters())


def test_sample_next():
    logits = torch.tensor([[3.0, 2.0, 1.0, -5.0]] * 2000)
    g = torch.Generator().manual_seed(0)
    assert sample_next(logits[:2], temperature=0).tolist() == [0, 0]
    top1 = sample_next(logits, top_k=1, generator=g)
    assert (top1 == 0).all()
    nucleus = sample_next(logits, top_p=0.7, generator=g)
    assert set(nucleus.tolist()) == {0, 1}, "p=0.7 keeps the two most likely tokens (0.67 + 0.24)"
    free = sample_next(logits, temperature=1.0, generator=g)
    assert abs((free == 0).float().mean().item() - 0.665) < 0.04
    with pytest.raises(ValueError, match="top_p"):
        sample_next(logits, top_p=0)
    with pytest.raises(ValueError, match=r"\(batch, vocab\)"):
        sample_next(logits[0])


# --- metrics -----------------------------------------------------------------------------

def test_bleu_and_chrf_through_sacrebleu():
    refs = ["I read a book in the park yesterday.", "She has never seen a cat."]
    assert metrics.bleu(refs, refs) == pytest.approx(100.0)
    worse = ["I read a book yesterday.", "She never saw cats."]
    assert 0 < metrics.bleu(worse, refs) < 60 and metrics.chrf(worse, refs) > metrics.bleu(worse, refs)
    assert metrics.exact_match(worse[:1] + refs[1:], refs) == 50.0
    with pytest.raises(ValueError, match="pair up one to one"):
        metrics.bleu(refs, refs[:1])
    with pytest.raises(TypeError, match="lists of sentences"):
        metrics.bleu("a b c", "a b c")


def test_quality_by_length_buckets():
    refs = ["a b c d .", "a b .", "a b c d e f g h .", "x y ."]
    hyps = ["a b c d .", "a b .", "a b c .", "x z ."]
    rows = metrics.quality_by_length([5, 3, 9, 3], hyps, refs, edges=[4, 10])
    assert [(r.low, r.high, r.count) for r in rows] == [(3, 4, 2), (5, 10, 2)]
    assert rows[0].exact == 50.0 and rows[1].exact == 50.0
    auto = metrics.quality_by_length([5, 3, 9, 3], hyps, refs, n_buckets=2)
    assert sum(r.count for r in auto) == 4


def test_alignment_error_rate():
    gold = [{(0, 0), (3, 1), (4, 1), (1, 2)}]             # target 1 has two possible source positions
    assert metrics.alignment_error_rate([{(0, 0), (4, 1), (1, 2)}], gold) == pytest.approx(0.0)
    assert metrics.alignment_error_rate([{(1, 0), (0, 1), (0, 2)}], gold) == pytest.approx(100.0)
    diag = metrics.diagonal_alignment(5, 3)
    assert diag == {(0, 0), (2, 1), (4, 2)}
    attn = torch.tensor([[0.9, 0.1, 0, 0, 0], [0, 0, 0.2, 0.1, 0.7], [0.1, 0.8, 0.1, 0, 0]])
    assert metrics.attention_links(attn, 5, 3) == {(0, 0), (4, 1), (1, 2)}
    with pytest.raises(ValueError, match="no alignments"):
        metrics.alignment_error_rate([], [])
