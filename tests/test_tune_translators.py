"""scripts/tune_translators.py at tiny size: every arm runs the same plan, picks the recipe with the lowest valid
loss, logs finite numbers, resumes instead of repeating, and its report has a complete provenance.
And the two recipe options it tunes: ``lr_factor`` (warm-up, cosine) and label smoothing in ``seq2seq_loss``."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch

from helpers.train import lr_factor

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("tune_translators", ROOT / "scripts" / "tune_translators.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_lr_factor_warms_up_then_holds_or_decays():
    assert [lr_factor(s, 10, warmup=4) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    cos = [lr_factor(s, 10, warmup=2, decay="cosine") for s in range(11)]
    assert cos[:3] == [0.5, 1.0, 1.0] and cos[-1] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(cos[2:], cos[3:])), "the cosine only goes down"
    with pytest.raises(ValueError, match="constant' or 'cosine"):
        lr_factor(0, 10, decay="linear")


def test_label_smoothing_changes_the_loss_and_zero_is_plain_cross_entropy():
    from types import SimpleNamespace

    from helpers.train import seq2seq_loss

    class Fixed(torch.nn.Module):
        def forward(self, src, src_mask, tgt_in):
            return torch.log_softmax(torch.tensor([[[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]]]), -1)

    tgt = torch.tensor([[1, 2]])
    batch = SimpleNamespace(src=tgt, src_mask=tgt > 0, tgt_in=tgt, tgt_out=torch.tensor([[1, 1]]))
    plain, n = seq2seq_loss(Fixed(), batch)
    smooth, _ = seq2seq_loss(Fixed(), batch, label_smoothing=0.1)
    assert n == 2 and plain.item() > 0 and smooth.item() != pytest.approx(plain.item())


def test_the_tiny_plan_picks_the_best_valid_loss_and_resumes(tmp_path, monkeypatch):
    mod = _script()
    monkeypatch.setattr(mod, "STAGE1", [{"lr": 1e-3, "warmup": 0}, {"lr": 3e-3, "warmup": 0}])
    monkeypatch.setattr(mod, "STAGE2", [{"label_smoothing": 0.1, "dropout": 0.1}])
    monkeypatch.setattr(mod, "STAGE3", [{"decay": "cosine"}])
    monkeypatch.setattr(mod, "FINAL_SEEDS", (1,))
    torch.set_num_threads(1)
    runner = mod.Runner("transformer", True, tmp_path)
    best = mod.plan(runner, long_steps=10, budget_steps=4)
    rows = [json.loads(line) for line in (tmp_path / "transformer-tiny.jsonl").read_text().splitlines()]
    tune = [r for r in rows if r["stage"] == "tune"]
    stage1 = [r for r in tune if r["recipe"]["label_smoothing"] == 0 and r["recipe"]["decay"] == "constant"]
    lrs = sorted({r["recipe"]["lr"] for r in stage1})
    n_extra = len(lrs) - 3
    assert 0 <= n_extra <= mod.MAX_EXTEND
    assert len(tune) == 5 + 2 * n_extra, "the base recipe, two rates, two per grid extension, smoothing, decay"
    best_lr = min(stage1, key=lambda r: r["valid_loss"])["recipe"]["lr"]
    assert best_lr not in (lrs[0], lrs[-1]) or n_extra == mod.MAX_EXTEND, "a best rate on the grid's edge extends it"
    assert best == min(tune, key=lambda r: r["valid_loss"])["recipe"]
    long = [r for r in rows if r["stage"] == "long"][0]
    assert [e["step"] for e in long["evals"]] == list(range(1, 11)), "a long run is scored ten times on the way"
    assert "bleu_test_long" in long["evals"][-1] and "bleu_test_long3" in long["evals"][3]
    again = mod.Runner("transformer", True, tmp_path)
    assert mod.plan(again, long_steps=10, budget_steps=4) == best
    assert len((tmp_path / "transformer-tiny.jsonl").read_text().splitlines()) == len(rows), "nothing re-run"


def test_longest_third_keeps_the_longest_sources_in_order():
    from helpers.corpus import Pair

    mod = _script()
    pairs = [Pair(zh="一" * n, en=str(n), alignment=()) for n in (3, 9, 1, 7, 5, 8)]
    assert [p.en for p in mod.longest_third(pairs)] == ["9", "8"]
