"""scripts/transformer_ablation.py: the variants are what they claim to be, and a tiny run stores finite curves
with provenance."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from helpers.results import check_provenance
from helpers.transformer import Transformer, TransformerConfig

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "transformer_ablation.py"


@pytest.fixture(scope="module")
def ablation():
    spec = importlib.util.spec_from_file_location("transformer_ablation", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cfg(**kw):
    return TransformerConfig(src_vocab=30, tgt_vocab=40, d_model=16, n_heads=4, d_ff=32, n_enc_layers=1,
                             n_dec_layers=1, dropout=0.0, max_len=32, **kw)


def _inputs():
    g = torch.Generator().manual_seed(0)
    src, tgt = torch.randint(1, 30, (2, 7), generator=g), torch.randint(1, 40, (2, 5), generator=g)
    mask = torch.ones(2, 7, dtype=torch.bool)
    mask[1, 5:] = False
    return src, mask, tgt


def test_each_variant_removes_its_piece_and_nothing_else(ablation):
    torch.manual_seed(0)
    full = ablation.build_variant(_cfg(), "full").eval()
    src, mask, tgt = _inputs()
    with torch.no_grad():
        reference = full(src, mask, tgt)
    for variant in ablation.VARIANTS:
        torch.manual_seed(0)
        model = ablation.build_variant(_cfg(), variant).eval()
        n_ln = sum(isinstance(m, nn.LayerNorm) for m in model.modules())
        assert n_ln == (0 if variant == "no_layernorm" else 2 + 3 + 2), variant   # 2 per enc layer, 3 per dec, 2 final
        heads = {m.n_heads for m in model.modules() if hasattr(m, "n_heads")}
        assert heads == ({1} if variant == "one_head" else {4}), variant
        shared = [k for k in full.state_dict() if k in model.state_dict()]
        assert all(torch.equal(full.state_dict()[k], model.state_dict()[k]) for k in shared), variant  # same start
        with torch.no_grad():
            out = model(src, mask, tgt)
        assert out.shape == reference.shape and torch.isfinite(out).all()
        assert torch.allclose(out, reference) == (variant == "full"), variant   # every ablation changes the function
    with pytest.raises(ValueError, match="unknown variant"):
        ablation.build_variant(_cfg(), "no_attention")


def test_no_residual_layers_skip_the_addition(ablation):
    torch.manual_seed(0)
    model = ablation.build_variant(_cfg(), "no_residual").eval()
    layer = model.encoder_layers[0]
    for p in layer.ffn.proj.parameters():          # the FFN outputs zero: with a residual the layer would pass x on
        nn.init.zeros_(p)
    x = torch.randn(2, 7, 16)
    out, _ = layer(x)
    assert torch.equal(out, torch.zeros_like(x))
    with pytest.raises(NotImplementedError):
        model.decoder_layers[0].step(None, None, None)


def test_no_positions_makes_the_encoder_order_blind(ablation):
    torch.manual_seed(0)
    model = ablation.build_variant(_cfg(), "no_positions").eval()
    src, _, tgt = _inputs()
    src, mask = src[:1], torch.ones(1, 7, dtype=torch.bool)
    perm = torch.tensor([3, 0, 6, 1, 5, 2, 4])
    with torch.no_grad():
        memory, _ = model._encode(src, mask)
        shuffled, _ = model._encode(src[:, perm], mask)
    assert torch.allclose(shuffled, memory[:, perm], atol=1e-5)


def test_tiny_run_stores_finite_curves_with_provenance(tmp_path):
    out = tmp_path / "ablation.json"
    run = subprocess.run([sys.executable, str(SCRIPT), "--tiny", "--seeds", "0", "--threads", "1", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = check_provenance(json.loads(out.read_text()), out.name)
    assert result["provenance"]["command"].startswith("python scripts/transformer_ablation.py --tiny")
    assert "scripts/transformer_ablation.py" in result["provenance"]["code_sha256"]
    assert sorted({r["variant"] for r in result["runs"]}) == sorted(result["variants"])
    for r in result["runs"]:
        assert r["train_loss"] and r["valid_loss"] and len(r["eval_steps"]) == len(r["valid_loss"])
        assert all(math.isfinite(x) for x in r["train_loss"] + r["valid_loss"])
    assert set(result["summary"]) == set(result["variants"])
