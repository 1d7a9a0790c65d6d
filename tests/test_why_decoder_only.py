"""Unit tests of the notebook-06 helpers: text tasks, task models, serving cost, faithfulness, claims."""

import random

import pytest
import torch

from helpers.experiments import claims, faithfulness, inference_cost
from helpers.experiments import task_models as tm
from helpers.experiments import text_tasks as tt
from helpers.corpus import Pair, load_split
from helpers.gpt import GPT, GPTConfig
from helpers.transformer import Transformer, TransformerConfig


@pytest.fixture(scope="module")
def pairs():
    return load_split("valid")[:300]


@pytest.fixture(scope="module")
def vocab(pairs):
    return tt.TaskVocab.from_pairs(pairs)


def test_labels_read_off_the_english():
    p = Pair("我没看书。", "I didn't read a book.", ())
    assert tt.polarity_label(p) == "negative"
    assert tt.polarity_label(Pair("我看了书。", "I read a book.", ())) == "affirmative"
    assert tt.polarity_label(Pair("我看了书，然后他睡觉了。", "I read a book, and then he slept.", ())) is None
    assert tt.kind_label(Pair("你看书吗？", "Do you read books?", ())) == "yes-no"
    assert tt.kind_label(Pair("你为什么看书？", "Why do you read books?", ())) == "wh-question"
    assert tt.kind_label(p) == "statement"


def test_every_task_has_examples(pairs):
    for task in tt.TASKS + tt.MONOLINGUAL:
        exs = tt.make_examples(pairs, task)
        assert exs and all(ex.task == task for ex in exs)
    with pytest.raises(ValueError, match="unknown task"):
        tt.make_examples(pairs, "summarise")
    with pytest.raises(ValueError, match="fim_example"):
        tt.make_examples(pairs, "fim")


def test_lm_sequence_learns_only_the_answer(vocab, pairs):
    ex = tt.make_examples(pairs[:1], "zh2en")[0]
    ids, targets, n = tt.lm_sequence(vocab, ex)
    assert len(ids) == len(targets) == len(ex.source) + len(ex.target) + 2
    assert n == len(ex.source) + 2
    assert ids[0] == vocab.token_to_id("<zh>") and ids[n - 1] == vocab.token_to_id("<en>")
    assert targets[: n - 1] == [tt.IGNORE_INDEX] * (n - 1)
    assert targets[n - 1:] == [vocab.token_to_id(t) for t in ex.target] + [2]
    _, all_targets, _ = tt.lm_sequence(vocab, ex, loss_on="all")
    assert tt.IGNORE_INDEX not in all_targets
    with pytest.raises(ValueError, match="loss_on"):
        tt.lm_sequence(vocab, ex, loss_on="prompt")


def test_fim_example_puts_the_suffix_first(vocab):
    ex = tt.fim_example(["i", "read", "a", "book", "."], 1)
    assert ex.source == ("i", "<suf>", "a", "book", ".") and ex.target == ("read",)
    ids = tt.prompt_ids(vocab, "fim", ex.source)
    assert ids[0] == vocab.token_to_id("<pre>") and ids[-1] == vocab.token_to_id("<mid>")
    with pytest.raises(ValueError):
        tt.fim_example(["i"], 3)


def test_batches_are_padded_and_repeatable(vocab, pairs):
    exs = tt.make_examples(pairs[:20], "zh2en")
    loader = tt.lm_batches(vocab, exs, batch_size=8, seed=3)
    first = [b[0].tolist() for b in loader]
    assert first == [b[0].tolist() for b in loader]                    # same epoch, same order
    loader.set_epoch(1)
    assert first != [b[0].tolist() for b in loader]                    # a new epoch reshuffles
    idx, targets, n = next(iter(loader))
    assert idx.shape == targets.shape and n.shape == (idx.shape[0],)
    assert bool((targets[idx == 0] == tt.IGNORE_INDEX).all())         # padding is never learned
    with pytest.raises(ValueError, match="block_size"):
        tt.collate_lm(vocab, exs, block_size=5)
    with pytest.raises(ValueError, match="no examples"):
        tt.lm_batches(vocab, [], batch_size=4)
    batch = next(iter(tt.seq2seq_batches(vocab, vocab, exs, batch_size=4)))
    assert batch.src.shape[0] == 4


def test_task_models_train_and_answer(vocab, pairs, tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.checkpoints.CHECKPOINT_DIR", tmp_path)
    exs = tt.make_examples(pairs[:64], "kind")
    small = dict(d_model=32, n_layer=1, n_head=2, d_ff=64, block_size=64)
    gpt, info = tm.train_task_gpt("t-gpt", vocab, exs, steps=3, batch_size=16, progress=False, **small)
    assert info["steps"] == 3 and not info["loaded"] and len(info["loss_seconds"]) == len(info["loss"])
    again, info2 = tm.train_task_gpt("t-gpt", vocab, exs, steps=3, batch_size=16, progress=False, **small)
    assert info2["loaded"] and all(torch.equal(a, b) for a, b in zip(gpt.state_dict().values(),
                                                                        again.state_dict().values()))
    tuned, info3 = tm.train_task_gpt("t-gpt", vocab, exs, steps=3, batch_size=16, progress=False, init=gpt, **small)
    assert not info3["loaded"]                                        # a different start is a different run
    answers = tm.gpt_answers(gpt, vocab, "kind", [ex.source for ex in exs[:5]], max_new=3)
    assert len(answers) == 5 and all(0.0 <= a.confidence <= 1.0 for a in answers)
    acc = tm.score("kind", answers, exs[:5])
    assert 0.0 <= acc <= 100.0
    tf, _ = tm.train_task_transformer("t-tf", vocab, vocab, exs, steps=2, batch_size=16, progress=False,
                                      d_model=32, n_heads=2, d_ff=64, n_enc_layers=1, n_dec_layers=1)
    out = tm.seq2seq_answers(tf, vocab, vocab, [ex.source for ex in exs[:4]], max_len=3)
    assert len(out) == 4 and all(len(a.tokens) <= 3 for a in out)
    with pytest.raises(ValueError, match="pair up"):
        tm.score("kind", answers, exs[:4])
    with pytest.raises(ValueError, match="empty"):
        tm.seq2seq_answers(tf, vocab, vocab, [()])


def test_prompt_too_long_for_the_block_is_refused(vocab):
    gpt = GPT(tm.task_gpt_config(vocab, d_model=32, n_layer=1, n_head=2, d_ff=64, block_size=8))
    with pytest.raises(ValueError, match="block_size"):
        tm.gpt_answers(gpt, vocab, "zh2en", [list("我们昨天在公园看了书。")])


def test_score_perfect_answers(vocab, pairs):
    exs = tt.make_examples(pairs[:30], "zh2en")
    perfect = [tm.Answer(list(ex.target), 1.0) for ex in exs]
    assert tm.score("zh2en", perfect, exs, vocab) == pytest.approx(100.0)
    exs_zh = tt.make_examples(pairs[:30], "en2zh")
    assert tm.score("en2zh", [tm.Answer(list(e.target), 1.0) for e in exs_zh], exs_zh) == pytest.approx(100.0)


def test_sinusoidal_gpt_has_no_position_parameters():
    learned = GPT(GPTConfig(vocab_size=50, block_size=16, d_model=32, n_layer=1, n_head=2))
    fixed = GPT(GPTConfig(vocab_size=50, block_size=16, d_model=32, n_layer=1, n_head=2, pos="sinusoidal"))
    assert learned.num_parameters() - fixed.num_parameters() == 16 * 32
    assert fixed.num_parameters(non_embedding=True) == learned.num_parameters(non_embedding=True)
    with pytest.raises(ValueError, match="pos"):
        GPTConfig(pos="rotary")


def test_conversation_costs_grow_for_the_encoder_decoder():
    torch.manual_seed(0)
    gpt = GPT(GPTConfig(vocab_size=60, block_size=96, d_model=32, n_layer=2, n_head=2)).eval()
    tf = Transformer(TransformerConfig(src_vocab=60, tgt_vocab=60, d_model=32, n_heads=2, d_ff=128,
                                       n_enc_layers=1, n_dec_layers=1, max_len=96)).eval()
    g = inference_cost.gpt_conversation(gpt, turns=4, user_len=8, reply_len=4)
    s = inference_cost.seq2seq_conversation(tf, turns=4, user_len=8, reply_len=4)
    assert g.context == [12, 24, 36, 48] and s.context == [8, 20, 32, 44]
    assert s.flops[-1] > 2.5 * s.flops[0]                 # re-encoding a growing input
    assert g.flops[-1] < 1.5 * g.flops[0]                 # the cache keeps a turn's work about constant
    with pytest.raises(ValueError, match="block_size"):
        inference_cost.gpt_conversation(gpt, turns=10, user_len=8, reply_len=4)
    with pytest.raises(ValueError, match="turns"):
        inference_cost.seq2seq_conversation(tf, turns=0, user_len=8, reply_len=4)


def test_faithfulness_flags_unsupported_words():
    train = load_split("valid")
    lex = faithfulness.SupportLexicon.from_pairs(train)
    assert lex.unsupported("我在公园看了书。", ["i", "read", "a", "book", "in", "the", "park", "."]) == []
    assert lex.unsupported("我看了书。", ["i", "read", "a", "book", "in", "the", "park", "."]) == ["in", "park"]
    assert lex.hallucination_rate(["我看了书。", "我看了书。"], [["i", "read"], ["park"]]) == 50.0
    rng = random.Random(0)
    assert faithfulness.perturb("我看了书。", "none", rng) == "我看了书。"
    scrambled = faithfulness.perturb("我昨天看了书。", "scrambled", rng)
    assert sorted(scrambled) == sorted("我昨天看了书。") and scrambled.endswith("。")
    unknown = faithfulness.perturb("我看了书。", "unknown", rng, content=["书"])
    assert "书" not in unknown and any(w in unknown for w in faithfulness.UNSEEN_WORDS)
    assert faithfulness.perturb("我看了书。", "empty", rng) in faithfulness.EMPTY_SOURCES
    with pytest.raises(ValueError, match="perturbation"):
        faithfulness.perturb("我看了书。", "reverse", rng)
    with pytest.raises(ValueError, match="alignments"):
        faithfulness.SupportLexicon.from_pairs([Pair("我。", "I.", ())])


def _full_results():
    return {
        "translation": {"tf_bleu": 80.0, "gpt_bleu": 70.0, "tf_bleu_long": 40.0, "gpt_bleu_long": 20.0,
                        "gpt_seconds_per_step": 0.3, "tf_seconds_per_step": 0.2, "gpt_seconds_to_loss": 90.0,
                        "tf_seconds_to_loss": 30.0},
        "unpaired": {"k": [250], "gpt_pretrained": [20.0], "gpt_scratch": [5.0]},
        "unpaired_sweep": {"k": [250, 4000], "gpt_pretrained": [20.0, 72.0], "gpt_scratch": [5.0, 55.0],
                           "tf_scratch": [30.0, 70.0]},
        "multitask": {"tasks": ["zh2en", "kind"], "tf_single": {"zh2en": 80.0, "kind": 90.0},
                      "tf_multi": {"zh2en": 79.0, "kind": 90.0}, "gpt_multi": {"zh2en": 70.0, "kind": 88.0},
                      "gpt_params": 1.0e6, "tf_single_params": 4.0e6, "novel_of": "kind", "novel_accuracy": 35.0,
                      "novel_chance": 33.3},
        "infill": {"as_posed_accuracy": 20.0, "fim_accuracy": 60.0},
        "hallucination": {"gpt_ood": 50.0, "tf_ood": 48.0},
        "rank": {"causal_relative_rank": 1.0, "bidirectional_relative_rank": 0.6},
        "serving": {"turns": 8, "tf_flops_last": 8e6, "gpt_flops_last": 1e6, "tf_seconds_total": 4.0,
                    "gpt_seconds_total": 1.0},
    }


def test_verdicts_follow_their_rules():
    rows = {v.claim_id: v for v in claims.verdicts(_full_results())}
    assert rows["E1"].verdict == claims.NOT_SUPPORTED and rows["E1"].robust        # BLEU 80 without alignments
    assert rows["E2"].verdict == claims.NOT_SUPPORTED and rows["E2"].robust       # 20 vs 30 at K=250
    assert rows["E3"].verdict == claims.NOT_SUPPORTED and rows["E3"].robust       # 3x the time
    assert rows["E4"].verdict == claims.NOT_SUPPORTED                             # 79/70 and 90/88: ~1.07x
    assert rows["D1"].verdict == claims.NOT_SUPPORTED                             # 35% vs chance 33%
    assert rows["D3"].verdict == claims.SUPPORTED
    assert rows["W1"].verdict == claims.SUPPORTED and rows["W1"].robust
    assert rows["W2"].verdict == claims.SUPPORTED                                 # 29% vs 50% kept
    assert rows["W3"].verdict == claims.UNDECIDED and not rows["W3"].robust       # 2 points: inside the margin
    assert rows["A1"].verdict == claims.SUPPORTED and rows["I1"].verdict == claims.SUPPORTED
    assert rows["R1"].verdict == claims.SUPPORTED                                 # deficit 10 → -2
    partial = claims.verdicts({"translation": _full_results()["translation"]})
    assert {v.claim_id for v in partial if v.verdict == claims.NOT_RUN} >= {"E2", "W3", "D3"}
    table = claims.verdict_markdown(partial, asserted={"E1"})
    assert "| E1 |" in table and table.count("| yes |") >= 1


def test_results_store_round_trip_and_corruption(tmp_path):
    path = tmp_path / "r.json"
    claims.record("a", {"x": 1}, path)
    claims.record("b", {"y": [1, 2]}, path)
    assert claims.load_results(path) == {"a": {"x": 1}, "b": {"y": [1, 2]}}
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        claims.load_results(path)


def test_translation_text_loader_matches_the_seq2seq_batches():
    from helpers.recipes import translation_data

    data = translation_data()
    vocab = tt.TaskVocab.from_pairs(data.train)
    loader = tm.TranslationTextLoader(data, vocab, batch_size=8, seed=0)
    idx, targets, prompt_len = next(iter(loader))
    batch = next(iter(data.loader(8, 0)))
    for b in range(8):
        zh = data.src_vocab.decode(batch.src[b].tolist())
        en = data.tgt_vocab.decode(batch.tgt_out[b].tolist())
        n = int(prompt_len[b])
        assert vocab.decode(idx[b, 1:n - 1].tolist()) == zh                  # the same pair, in the same place
        learned = [t for t in targets[b].tolist() if t != tt.IGNORE_INDEX]
        assert vocab.decode(learned) == en and learned[-1] == 2              # the English and its <eos>
    full = tm.TranslationTextLoader(data, vocab, batch_size=8, seed=0, loss_on="all")   # the "full LM" recipe
    f_idx, f_targets, _ = next(iter(full))
    assert torch.equal(f_idx, idx)                                            # the same text ...
    for b in range(8):                                                         # ... every next token learned
        n = int((f_idx[b] != 0).sum())
        assert f_targets[b, :n - 1].tolist() == f_idx[b, 1:n].tolist() and int((f_targets[b] >= 0).sum()) == n
    with pytest.raises(ValueError, match="'target' or 'all'"):
        tm.TranslationTextLoader(data, vocab, loss_on="source")


def test_time_to_loss():
    assert tm.time_to_loss([1, 2, 3], [3.0, 2.0, 1.0], 2.0) == 2.0
    assert tm.time_to_loss([1, 2, 3], [3.0, 2.5, 2.2], 2.0) is None
    with pytest.raises(ValueError, match="one of each"):
        tm.time_to_loss([1, 2], [1.0], 1.0)


def test_sweep_script_runs_tiny(tmp_path, monkeypatch):
    import importlib.util
    import json
    from pathlib import Path

    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "ck"))
    monkeypatch.setattr("helpers.checkpoints.CHECKPOINT_DIR", tmp_path / "ck")
    path = Path(__file__).resolve().parents[1] / "scripts" / "why_decoder_only.py"
    spec = importlib.util.spec_from_file_location("why_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "sweep.json"
    assert module.main(["--tiny", "--ks", "8", "16", "--seeds", "0", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert [r["k"] for r in result["rows"]] == [8, 16]
    assert result["setup"]["d_model"] == 16 and result["provenance"]["torch"]
    for row in result["rows"]:
        for arm in ("gpt_pretrained", "gpt_scratch", "tf_scratch"):
            assert 0.0 <= row[arm] <= 100.0
    from helpers.experiments.unpaired import mean_by_k
    assert len(mean_by_k(result, "tf_scratch")) == 2
    from helpers.results import check_provenance

    check_provenance(result)                                 # command, seeds, config, code hashes: a storable result
    assert result["provenance"]["seeds"] == [0] and result["provenance"]["config"]["ks"] == [8, 16]


def test_curves_script_runs_tiny_and_writes_a_model_the_notebooks_load(tmp_path, monkeypatch):
    """`why_decoder_only.py curves` at a tiny budget: finite valid losses that the logs can plot, a checkpoint
    that `load_long_gpt` (notebooks 06a and 06c) accepts, and a result with its provenance."""
    import importlib.util
    import json
    import math
    from pathlib import Path

    from helpers.recipes import translation_data
    from helpers.results import check_provenance

    monkeypatch.setattr("helpers.checkpoints.CHECKPOINT_DIR", tmp_path / "ck")
    path = Path(__file__).resolve().parents[1] / "scripts" / "why_decoder_only.py"
    spec = importlib.util.spec_from_file_location("why_script_curves", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out, ckpt = tmp_path / "curves.json", tmp_path / "gpt.pt"
    assert module.main(["curves", "--gpt-steps", "3", "--tf-steps", "3", "--eval-every", "3", "--n-score", "4",
                        "--out", str(out), "--checkpoint", str(ckpt)]) == 0
    result = check_provenance(json.loads(out.read_text()))
    for family in ("tf", "gpt"):
        losses = [e["valid_loss"] for e in result[family]["evals"]]
        assert losses and all(math.isfinite(x) and x > 0 for x in losses), (family, losses)
    assert 0.0 <= result["gpt"]["test_bleu"] <= 100.0
    full_vocab = tt.TaskVocab.from_pairs(translation_data().train)
    model, extra = tm.load_long_gpt(full_vocab, ckpt)
    assert extra["test_bleu"] == result["gpt"]["test_bleu"] and not model.training


def test_long_gpt_loader_checks_the_file(tmp_path, vocab):
    from helpers import checkpoints

    gpt = GPT(tm.task_gpt_config(vocab, d_model=32, n_layer=1, n_head=2, d_ff=64, block_size=32))
    path = tmp_path / "long.pt"
    cfg = {k: v for k, v in vars(gpt.config).items()}
    checkpoints.save_checkpoint(path, gpt, {"gpt_config": cfg, "steps": 1, "vocab_size": len(vocab)}, {"test_bleu": 1.0})
    model, extra = tm.load_long_gpt(vocab, path)
    assert extra["test_bleu"] == 1.0 and all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                                                 gpt.state_dict().values()))
    small = tt.TaskVocab(list(vocab.tokens)[:20])
    with pytest.raises(checkpoints.CheckpointError, match="vocabulary"):
        tm.load_long_gpt(small, path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(checkpoints.CheckpointError, match="corrupt"):
        tm.load_long_gpt(vocab, path)
    with pytest.raises(checkpoints.CheckpointError, match="no checkpoint"):
        tm.load_long_gpt(vocab, tmp_path / "missing.pt")


def test_multitask_rules_use_the_geometric_mean():
    r = _full_results()
    r["multitask"]["tf_multi"] = {"zh2en": 20.0, "kind": 40.0}          # half the decoder-only on both tasks
    rows = {v.claim_id: v for v in claims.verdicts(r)}
    assert rows["E4"].verdict == claims.SUPPORTED and rows["E4"].robust
    r["multitask"]["gpt_multi"] = {"zh2en": 40.0, "kind": 45.0}         # half the specialists
    assert {v.claim_id: v for v in claims.verdicts(r)}["D2"].verdict == claims.NOT_SUPPORTED
    assert claims._geo_ratio({"a": 4.0, "b": 1.0}, {"a": 1.0, "b": 4.0}, ["a", "b"]) == pytest.approx(1.0)


def test_the_crossover_turn_of_serving_costs():
    from helpers.experiments.inference_cost import crossover

    cached = [90, 92, 94, 96, 98]                  # a KV cache: each turn costs about the same
    re_encoded = [50, 80, 110, 140, 170]           # re-reading the whole conversation: each turn costs more
    assert crossover(cached, re_encoded) == 3      # turns 1-2 are cheaper for the encoder–decoder, 3 on are not
    # the running totals cross later: 90, 182, 276 are above 50, 130, 240; 372 < 380 and 470 < 550
    assert crossover(cached, re_encoded, cumulative=True) == 4
    assert crossover(re_encoded, cached) is None   # never cheaper from some turn on
    assert crossover([1, 3, 1], [2, 2, 2]) == 3    # a dip back above resets the crossover
    with pytest.raises(ValueError, match="same non-zero length"):
        crossover([1, 2], [1])
