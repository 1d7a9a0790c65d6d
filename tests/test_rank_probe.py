"""The rank probe (helpers.experiments.rank_probe, scripts/rank_probe.py): causal prompt maps are triangular and
full rank, bidirectional ones are not bound to be, the scores before the softmax never exceed the head size, and
the script runs its whole plan at a tiny size."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from helpers import corpus, seed_everything
from helpers.experiments import rank_probe as rp
from helpers.experiments import text_tasks as tt
from helpers.experiments.task_models import task_gpt_config
from helpers.gpt import GPT

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small():
    pairs = corpus.generate_pairs(60, seed=5)
    vocab = tt.TaskVocab.from_pairs(pairs)
    seed_everything(0)
    model = GPT(task_gpt_config(vocab, d_model=32, d_ff=64, n_head=8, n_layer=2))      # head size 4
    sources = [ex.source for ex in tt.make_examples(pairs[:10], "zh2en")]
    return vocab, model, sources


def test_maps_causal_and_bidirectional(small):
    vocab, model, sources = small
    causal = rp.prompt_maps(model, vocab, sources, prefix_lm=False)
    bidir = rp.prompt_maps(model, vocab, sources, prefix_lm=True)
    for src, c, b in zip(sources, causal, bidir):
        p = len(src) + 2                                            # <zh> source <en>
        assert len(c) == 2 and c[0].shape == (8, p, p) == b[0].shape
        assert torch.all(c[0].triu(1) == 0), "a causal map puts no weight on later tokens"
        assert float(b[0].triu(1).sum()) > 0, "a bidirectional map does"
        assert torch.allclose(c[1].sum(-1), torch.ones(8, p), atol=1e-5)
    prof_c = rp.rank_profile(causal, min_len=12)
    prof_b = rp.rank_profile(bidir, min_len=12)
    assert prof_c["relative_rank"]["0.0001"] == 1.0 and prof_c["smallest_diagonal"] > 0
    assert prof_b["relative_rank"]["0.01"] < 1.0                   # near-uniform untrained maps: low numerical rank
    assert prof_c["maps"] == prof_c["prompts"] * 2 * 8 and prof_c["mean_length"] >= 12
    with pytest.raises(ValueError, match="no prompt"):
        rp.rank_profile(causal, min_len=500)


def test_rank_profile_counts_by_hand():
    uniform = torch.full((1, 6, 6), 1 / 6)                          # rank 1
    eye = torch.eye(6)[None]                                        # rank 6
    short = torch.eye(3)[None]                                      # left out: shorter than min_len
    prof = rp.rank_profile([[uniform, eye], [short, short]], min_len=4, rtols=(1e-4,))
    assert prof["maps"] == 2 and prof["prompts"] == 1
    assert prof["relative_rank"]["0.0001"] == pytest.approx((1 / 6 + 1) / 2)


def test_scores_before_the_softmax_have_at_most_head_size_rank(small):
    vocab, model, sources = small
    longest = max(sources, key=len)
    ranks, p = rp.logit_rank(model, vocab, longest)
    assert p > 4 and len(ranks) == 8
    assert max(ranks) <= 4 and min(ranks) >= 1


def test_script_runs_tiny_and_reports(tmp_path):
    spec = importlib.util.spec_from_file_location("rank_probe_script", ROOT / "scripts" / "rank_probe.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["run", "--tiny", "--log", str(tmp_path)]) == 0
    assert mod.main(["run", "--tiny", "--log", str(tmp_path)]) == 0                # resumes: nothing new
    rows = [json.loads(x) for x in (tmp_path / "runs-tiny.jsonl").read_text().splitlines()]
    assert len(rows) == len(mod.ARMS) * len(mod.HEAD_SIZES)
    for r in rows:
        assert r["maps"] > 0 and 0 < r["relative_rank"]["0.0001"] <= 1
        if r["arm"] == "do":
            assert r["relative_rank"]["0.0001"] == 1.0
    same = {(r["head_size"]): r["parameters"] for r in rows}
    assert len(set(same.values())) == 1, "head size changes no parameter count"
    out = tmp_path / "out.json"
    assert mod.main(["report", "--tiny", "--log", str(tmp_path), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["provenance"]["seeds"] == [1, 2, 3] and len(result["runs"]) == len(rows)
