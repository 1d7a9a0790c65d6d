"""helpers.experiments.long_range: distances from the alignment, teacher-forced scores that agree with the
models' own losses and do not depend on batching, and the distance buckets."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import corpus, seed_everything
from helpers.experiments import long_range as lr
from helpers.experiments import text_tasks as tt
from helpers.experiments.task_models import TranslationTextLoader, lm_task_loss, task_gpt_config
from helpers.gpt import GPT
from helpers.recipes import TranslationData, build_vocabs, transformer_config
from helpers.train import seq2seq_loss
from helpers.transformer import Transformer


@pytest.fixture(scope="module")
def setup():
    pairs = corpus.generate_pairs(120, seed=3)
    src, tgt = build_vocabs(pairs)
    data = TranslationData(pairs, pairs[:24], pairs[:24], [], [], src, tgt, "test")
    vocab = tt.TaskVocab.from_pairs(pairs)
    seed_everything(0)
    ed = Transformer(transformer_config(data, d_model=32, d_ff=64, n_heads=2)).eval()
    gpt = GPT(task_gpt_config(vocab, d_model=32, d_ff=64, n_head=2)).eval()
    return data, vocab, ed, gpt


def test_distances_follow_the_decoder_only_text():
    # 我 看 书 。 -> "books i read ." : books<-书 (i=2, j=0), i<-我 (0, 1), read<-看 (1, 2), .<-。 (3, 3)
    pair = corpus.Pair("我看书。", "books i read .", ((0, 1), (1, 2), (2, 0), (3, 3)))
    # S = 4 characters: distance = S + 1 + j - i
    assert lr.linked_distances(pair) == [3, 6, 6, 5]
    unlinked = corpus.Pair("我看书。", "i read the books .", ((0, 0), (1, 1), (2, 3), (3, 4)))
    assert lr.linked_distances(unlinked)[2] is None
    with pytest.raises(ValueError, match="outside the pair"):
        lr.linked_distances(corpus.Pair("我看", "i read", ((0, 0), (5, 1))))


def test_scores_agree_with_the_training_loss_and_ignore_batching(setup):
    data, vocab, ed, gpt = setup
    pairs = data.test
    for model, kw in ((ed, {}), (gpt, {"vocab": vocab}), (gpt, {"vocab": vocab, "prefix_lm": True})):
        one = lr.token_scores(model, pairs, data, batch_size=1, **kw)
        many = lr.token_scores(model, pairs, data, batch_size=16, **kw)
        assert len(one) == len(pairs)
        for (la, ra), (lb, rb), p in zip(one, many, pairs):
            assert len(la) == len(tt.tokenize_en(p.en)) and ra == rb
            assert la == pytest.approx(lb, abs=1e-4)
        # the training loss averages the same tokens plus each pair's <eos>: remove <eos> from it and compare
        batch = next(iter(data.loader(len(pairs), 0, split="test")))
        with torch.no_grad():
            if "vocab" in kw:
                idx, targets, prompt = TranslationTextLoader(data, vocab, 1, split="test").convert(batch)
                rows = torch.arange(len(targets))
                targets[rows, prompt - 1 + batch.tgt_lengths - 1] = -100              # drop <eos>
                loss, count = lm_task_loss(model, (idx, targets, prompt), prefix_lm=kw.get("prefix_lm", False))
            else:
                batch.tgt_out[torch.arange(len(batch)), batch.tgt_lengths - 1] = 0     # <eos> -> padding
                loss, count = seq2seq_loss(model, batch)
        flat = [x for losses, _ in one for x in losses]
        assert count == len(flat)
        assert float(loss) == pytest.approx(sum(flat) / len(flat), rel=1e-4)


def test_buckets_and_growth():
    pair = corpus.Pair("我看书。", "books i read .", ((0, 1), (1, 2), (2, 0), (3, 3)))   # distances 3, 6, 6, 5
    scores = [([1.0, 2.0, 4.0, 3.0], [True, False, False, True])]
    b = lr.by_distance([pair], scores, edges=(1, 5, 6))
    assert [x.label for x in b] == ["1–4", "5–5", "6+"]
    assert [x.tokens for x in b] == [1, 1, 2]
    assert [x.loss for x in b] == [1.0, 3.0, 3.0] and [x.accuracy for x in b] == [1.0, 1.0, 0.0]
    assert lr.growth(b) == 2.0 and lr.growth(b, "accuracy") == -1.0
    assert lr.growth(b, log=True) == pytest.approx(math.log(3.0))             # the furthest cost 3x the nearest
    with pytest.raises(ValueError, match="positive"):
        lr.growth(b, "accuracy", log=True)                                   # the furthest bucket's accuracy is 0
    empty = lr.by_distance([pair], scores, edges=(1, 50))
    assert empty[1].tokens == 0 and math.isnan(empty[1].loss)
    with pytest.raises(ValueError, match="two buckets"):
        lr.growth(empty)
    with pytest.raises(ValueError, match="increasing"):
        lr.by_distance([pair], scores, edges=(5, 1))
    with pytest.raises(ValueError, match="score lists"):
        lr.by_distance([pair, pair], scores)
