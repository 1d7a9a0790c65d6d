"""helpers.experiments.denoising: BART-style text infilling (spans of Poisson length, one mask each, about 30 %
hidden), the pre-training and translation examples of the shared-vocabulary encoder–decoder, and fine-tuning it
from its pre-trained weights."""

from __future__ import annotations

import random

import pytest
import torch

from helpers import corpus
from helpers.experiments import denoising as dn
from helpers.experiments import task_models as tm
from helpers.experiments import text_tasks as tt


def test_infill_hides_spans_behind_single_masks():
    rng = random.Random(0)
    words = tuple(f"w{i}" for i in range(40))
    for _ in range(50):
        out = dn.infill(words, rng)
        kept = [t for t in out if t != dn.MASK]
        assert kept == [w for w in words if w in kept], "the shown tokens keep their order"
        assert len(words) - len(kept) == round(0.3 * len(words)), "30 % of the tokens hidden"
        assert all(not (a == b == dn.MASK) for a, b in zip(out, out[1:])), "a hidden run is one mask"
        assert 1 <= out.count(dn.MASK) <= len(words) - len(kept)
    spans = []
    for _ in range(300):                                 # span lengths average about the Poisson mean (3)
        out = dn.infill(words, rng, ratio=0.1)
        spans.append((len(words) - sum(t != dn.MASK for t in out)) / out.count(dn.MASK))
    assert 1.8 < sum(spans) / len(spans) < 4.0
    assert dn.infill(("a",), rng) == ("a",) and dn.infill(("a", "b"), rng).count(dn.MASK) == 1
    assert dn.infill(words, random.Random(7)) == dn.infill(words, random.Random(7))
    with pytest.raises(ValueError, match="ratio"):
        dn.infill(words, rng, ratio=1.5)


def test_examples_for_pre_training_and_translation():
    pairs = corpus.generate_pairs(20, seed=2)
    mono = tt.make_examples(pairs[:10], "zh") + tt.make_examples(pairs[10:], "en")
    ex = dn.denoising_examples(mono, seed=1)
    assert [e.target for e in ex] == [m.source for m in mono]
    assert all(e.source[-1] == ("<zh>" if m.task == "zh" else "<en>") and dn.MASK in e.source for e, m in zip(ex, mono))
    assert dn.denoising_examples(mono, seed=1) == ex and dn.denoising_examples(mono, seed=2) != ex
    tr = dn.translation_examples(tt.make_examples(pairs, "zh2en"))
    assert all(e.source[-1] == "<en>" and e.target == tuple(tt.tokenize_en(p.en)) for e, p in zip(tr, pairs))
    with pytest.raises(ValueError, match="monolingual"):
        dn.denoising_examples(tt.make_examples(pairs, "zh2en"))
    with pytest.raises(ValueError, match="zh2en"):
        dn.translation_examples(mono)
    assert dn.ed_sizes(64, 4) == dict(d_model=64, n_heads=4, d_ff=256, n_enc_layers=2, n_dec_layers=2)
    with pytest.raises(ValueError, match="even"):
        dn.ed_sizes(64, 3)


def test_pre_train_then_fine_tune_from_the_weights(tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.checkpoints.CHECKPOINT_DIR", tmp_path)
    pairs = corpus.generate_pairs(80, seed=4)
    vocab = tt.TaskVocab.from_pairs(pairs)
    assert vocab.token_to_id(dn.MASK) == vocab.token_to_id("<unk>")
    mono = tt.make_examples(pairs[:40], "zh") + tt.make_examples(pairs[40:], "en")
    sizes = dict(d_model=32, n_heads=2, d_ff=64, n_enc_layers=1, n_dec_layers=1)
    common = dict(steps=4, batch_size=16, progress=False)
    base, info = tm.train_task_transformer("t-bart", vocab, vocab, dn.denoising_examples(mono), steps=30,
                                           batch_size=16, progress=False, **sizes)
    assert info["loss"][-1] < info["loss"][0] - 0.5, "it learns to write the sentences back"
    trans = dn.translation_examples(tt.make_examples(pairs, "zh2en"))
    tuned, tinfo = tm.train_task_transformer("t-bart-ft", vocab, vocab, trans, init=base, **common, **sizes)
    scratch, sinfo = tm.train_task_transformer("t-bart-ft", vocab, vocab, trans, **common, **sizes)
    assert not sinfo["loaded"], "a different start is a different run, not a cache hit"
    assert not all(torch.equal(a, b) for a, b in zip(tuned.state_dict().values(), scratch.state_dict().values()))
    assert tinfo["loss"][0] != sinfo["loss"][0]
    out = tm.seq2seq_answers(tuned, vocab, vocab, [e.source for e in trans[:3]], max_len=4)
    assert len(out) == 3
    with pytest.raises(ValueError, match="same config"):
        tm.train_task_transformer("t-bart-ft", vocab, vocab, trans, init=base, **common, **{**sizes, "d_model": 64})
