"""helpers.gpt: the decoder-only model, its two attention paths, the KV cache and sampling."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import helpers
from helpers.gpt import GPT, GPTConfig, KVCache, attention_mask, lm_loss
from helpers.train import train

ROOT = Path(__file__).resolve().parents[1]


def tiny(block_size=32, vocab_size=20, **kw) -> GPT:
    helpers.seed_everything(0)
    cfg = GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=2, n_head=2, d_model=32, **kw)
    return GPT(cfg).eval()


@pytest.fixture(scope="module")
def model():
    m = tiny()
    with torch.no_grad():  # larger weights than the init, so that logits differ clearly between tokens
        for p in m.parameters():
            p.mul_(8 if p.dim() > 1 else 1)
    return m


def ids(b, t, v=20, seed=0):
    return torch.randint(0, v, (b, t), generator=torch.Generator().manual_seed(seed))


# --- config and shapes -------------------------------------------------------------------

def test_config_defaults_and_validation():
    cfg = GPTConfig()
    assert (cfg.vocab_size, cfg.block_size, cfg.n_layer, cfg.n_head, cfg.d_model, cfg.dropout) == (512, 128, 4, 4, 128, 0.0)
    assert cfg.d_ff == 4 * cfg.d_model
    assert GPTConfig(65, 64, 2, 2, 32).block_size == 64, "positional order of the public API"
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(d_model=30, n_head=4)
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        GPTConfig(vocab_size=0)
    with pytest.raises(ValueError, match="dropout"):
        GPTConfig(dropout=1.5)
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"vocab_size": 10})


def test_shapes_loss_and_tied_weights(model):
    x, y = ids(3, 10), ids(3, 10, seed=1)
    logits = model(x)
    assert logits.shape == (3, 10, 20)
    logits2, loss = model(x, y)
    assert torch.equal(logits, logits2)
    assert loss.item() == pytest.approx(F.cross_entropy(logits.reshape(-1, 20), y.reshape(-1)).item(), rel=1e-6)
    y_masked = y.clone()
    y_masked[:, :4] = -100                                                  # e.g. a prompt the loss ignores
    _, masked = model(x, y_masked)
    expected = F.cross_entropy(logits[:, 4:].reshape(-1, 20), y[:, 4:].reshape(-1))
    assert masked.item() == pytest.approx(expected.item(), rel=1e-6)
    assert model.lm_head.weight is model.wte.weight, "output layer tied to the token embedding"
    n = model.num_parameters()
    assert n == sum(p.numel() for p in model.parameters())


def test_gpt2_init_scales_residual_projections():
    m = GPT(GPTConfig(vocab_size=100, n_layer=8, d_model=256, n_head=4))
    std = lambda p: p.detach().std().item()  # noqa: E731
    assert std(m.blocks[0].attn.qkv.weight) == pytest.approx(0.02, rel=0.05)
    assert std(m.blocks[0].attn.proj.weight) == pytest.approx(0.02 / math.sqrt(16), rel=0.05)
    assert std(m.blocks[0].mlp.proj.weight) == pytest.approx(0.02 / math.sqrt(16), rel=0.05)
    assert (m.blocks[0].mlp.fc.bias == 0).all()


# --- attention: causality, the two paths, prefix-LM ------------------------------------

@pytest.mark.parametrize("explicit", [False, True], ids=["fast", "explicit"])
def test_a_future_token_never_changes_the_past(model, explicit):
    x = ids(2, 16)
    base = model(x, return_attention=True)[0] if explicit else model(x)
    for t in (0, 5, 15):
        changed = x.clone()
        changed[:, t] = (changed[:, t] + 1) % 20
        out = model(changed, return_attention=True)[0] if explicit else model(changed)
        assert torch.equal(out[:, :t], base[:, :t]), f"changing token {t} changed earlier logits"
        assert not torch.allclose(out[:, t], base[:, t]), "the changed position itself must change"


def test_explicit_masked_attention_equals_the_fast_path(model):
    x, y = ids(3, 12), ids(3, 12, seed=1)
    fast_logits, fast_loss = model(x, y)
    logits, loss, attn = model(x, y, return_attention=True)
    assert torch.allclose(logits, fast_logits, atol=1e-5)
    assert loss.item() == pytest.approx(fast_loss.item(), abs=1e-5)
    assert len(attn) == 2 and all(a.shape == (3, 2, 12, 12) for a in attn)
    for a in attn:
        assert (a.triu(1) == 0).all(), "weight on a future position"
        assert torch.allclose(a.sum(-1), torch.ones(3, 2, 12), atol=1e-5)
    assert torch.equal(attention_mask(3), torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]]).bool())


def test_prefix_lm_reads_the_prefix_both_ways(model):
    x = ids(2, 12)
    p = 5
    base, attn = model(x, prefix_len=p, return_attention=True)
    assert torch.allclose(model(x, prefix_len=p), base, atol=1e-5), "fast and explicit prefix paths differ"
    assert (attn[0][:, :, :p, :p] > 0).all(), "the prefix attends to itself in both directions"
    assert (attn[0][:, :, :, p:].triu(1) == 0).all(), "after the prefix, attention stays causal"
    changed = x.clone()
    changed[:, p - 1] = (changed[:, p - 1] + 1) % 20
    assert not torch.allclose(model(changed, prefix_len=p)[:, 0], base[:, 0]), "position 0 sees the whole prefix"
    changed = x.clone()
    changed[:, 8] = (changed[:, 8] + 1) % 20
    # (allclose, not equal: with a mask the fused kernel's float rounding may differ in the last bit)
    assert torch.allclose(model(changed, prefix_len=p)[:, :8], base[:, :8], atol=1e-5), "a token after the prefix leaked"
    assert not torch.allclose(model(changed, prefix_len=p)[:, 8], base[:, 8])
    assert torch.allclose(model(x, prefix_len=0), model(x), atol=1e-5), "an empty prefix is plain causal"
    per_row = model(x, prefix_len=torch.tensor([p, 0]))
    assert torch.allclose(per_row[0], base[0], atol=1e-5) and torch.allclose(per_row[1], model(x)[1], atol=1e-5)


# --- the KV cache and generation -----------------------------------------------------------

def test_cached_forward_equals_the_full_forward(model):
    x = ids(2, 14)
    full = model(x)
    for preallocate in (True, False):
        cache = model.new_cache(2, preallocate=preallocate)
        with torch.no_grad():
            first = model(x[:, :9], cache=cache)                            # a prompt ...
            rest = [model(x[:, t:t + 1], cache=cache) for t in range(9, 14)]  # ... then one token at a time
        assert cache.length == 14
        assert torch.allclose(torch.cat([first, *rest], dim=1), full, atol=1e-5)
    cache = model.new_cache(2)
    with torch.no_grad():
        model(x[:, :6], cache=cache)
        chunk = model(x[:, 6:], cache=cache)                                # several tokens after a cache
    assert torch.allclose(chunk, full[:, 6:], atol=1e-5)


@pytest.mark.parametrize("batch,prompt,new", [(1, 1, 20), (3, 5, 12), (2, 20, 30), (4, 32, 5), (2, 40, 8)])
def test_kv_cache_generation_equals_recomputation(model, batch, prompt, new):
    """Greedy tokens with the cache are exactly those of recomputation, also once the window slides."""
    x = ids(batch, prompt, seed=prompt)
    cached = model.generate(x, new, temperature=0)
    for kw in (dict(use_cache=False), dict(preallocate=False)):
        assert torch.equal(model.generate(x, new, temperature=0, **kw), cached), kw
    assert cached.shape == (batch, prompt + new) and torch.equal(cached[:, :prompt], x)
    for t in range(prompt, prompt + new):                                   # greedy = argmax of the cropped window
        window = cached[:, max(0, t - 32):t]
        assert torch.equal(model(window)[:, -1].argmax(-1), cached[:, t])


def test_sampling_respects_top_k_and_top_p(model):
    x = ids(8, 4)
    for kw in (dict(top_k=3), dict(top_p=0.6), dict(top_k=5, top_p=0.9, temperature=0.7)):
        g = torch.Generator().manual_seed(1)
        out = model.generate(x, 12, temperature=kw.pop("temperature", 1.0), generator=g, **kw)
        logits = model(out[:, :-1])[:, 3:]                                  # (B, 12, V): what each step saw
        chosen = out[:, 4:]
        if "top_k" in kw:
            allowed = logits.topk(kw["top_k"], dim=-1).indices
            assert (allowed == chosen[..., None]).any(-1).all(), f"a token outside the top {kw['top_k']} ({kw})"
        if "top_p" in kw:
            probs = logits.softmax(-1)
            better = (probs > probs.gather(-1, chosen[..., None])).float().mul(probs).sum(-1)  # mass of better tokens
            assert (better < kw["top_p"] + 1e-6).all(), f"a token outside the nucleus ({kw})"
    a = model.generate(x, 10, generator=torch.Generator().manual_seed(3))
    b = model.generate(x, 10, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b), "a seeded generator repeats the samples"


def test_generate_eos_modes_and_errors(model):
    model.train()
    x = ids(2, 3)
    greedy = model.generate(x, 10, temperature=0)
    assert model.training, "generate restores training mode"
    model.eval()
    eos = int(greedy[0, 5])                                                 # row 0 emits it by its 3rd new token
    stopped = model.generate(x, 10, temperature=0, eos_id=eos)
    firsts = []
    for r in range(2):
        hits = (greedy[r, 3:] == eos).nonzero()
        first = int(hits[0]) if len(hits) else 9                            # index of the first eos among new tokens
        firsts.append(first)
        n = min(first + 1, stopped.shape[1] - 3)
        assert torch.equal(stopped[r, : 3 + n], greedy[r, : 3 + n]), "eos_id must not change the tokens before it"
        if len(hits):
            assert (stopped[r, 3 + first:] == eos).all(), "after eos a row only repeats eos"
    assert stopped.shape[1] == 3 + max(firsts) + 1, "generation stops once every row has ended"
    assert model.generate(x, 0).shape == (2, 3)
    with pytest.raises(ValueError, match="max_new_tokens"):
        model.generate(x, -1)
    with pytest.raises(ValueError, match="prefix_len"):
        model.generate(x, 40, prefix_len=2)
    prefixed = model.generate(ids(2, 6), 10, temperature=0, prefix_len=4)
    assert torch.equal(model.generate(ids(2, 6), 10, temperature=0, prefix_len=4, use_cache=False), prefixed)


def test_the_input_check_does_not_read_ids_back_from_a_device(model):
    """On a GPU, ``int(idx.min())`` would stall every step until the device catches up. A "meta" tensor (shapes
    only, no data) stands in for one: reading a value back from it raises, so the check must not try."""
    on_device = ids(2, 4).to("meta")
    model._check_idx(on_device)                                  # no host read: passes without looking at values
    with pytest.raises(RuntimeError):
        int(on_device.min())                                     # what a host read would have done
    with pytest.raises(ValueError, match="block_size"):
        model._check_idx(ids(1, 40).to("meta"))                  # shape errors are still caught at once


def test_clear_errors(model):
    with pytest.raises(ValueError, match=r"a sequence of 40 tokens is longer than block_size=32"):
        model(ids(1, 40))
    with pytest.raises(ValueError, match=r"token ids must lie in 0\.\.19"):
        model(ids(1, 4) + 30)
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        model(ids(1, 4)[0])
    with pytest.raises(TypeError, match="integer token ids"):
        model(ids(1, 4).float())
    with pytest.raises(ValueError, match="targets must have the shape"):
        model(ids(2, 4), ids(2, 5))
    cache = model.new_cache(1)
    with torch.no_grad():
        model(ids(1, 30), cache=cache)
        with pytest.raises(ValueError, match="after 30 cached tokens"):
            model(ids(1, 3), cache=cache)
    with pytest.raises(ValueError, match="at most 4 positions"):
        KVCache(1, 1, 1, 2, 4).update(0, torch.zeros(1, 1, 5, 2), torch.zeros(1, 1, 5, 2))


# --- training -------------------------------------------------------------------------------

def test_a_tiny_gpt_learns_to_copy():
    """Sequences "a b c d | a b c d": the second half is predictable only by attending back."""
    helpers.seed_everything(0)
    model = GPT(GPTConfig(vocab_size=12, block_size=16, n_layer=2, n_head=2, d_model=32)).train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(150):
        half = torch.randint(2, 12, (32, 7), generator=g)
        seq = torch.cat([half, torch.ones(32, 1, dtype=torch.long), half], dim=1)   # (32, 15), 1 = separator
        targets = seq[:, 1:].clone()
        targets[:, :7] = -100                                               # learn only the copied half
        _, loss = model(seq[:, :-1], targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert sum(losses[-10:]) / 10 < 0.25 * sum(losses[:10]) / 10, losses[::15]
    prompt = torch.tensor([[3, 7, 5, 9, 2, 11, 4, 1]])
    assert model.generate(prompt, 7, temperature=0)[0, 8:].tolist() == [3, 7, 5, 9, 2, 11, 4]


def test_lm_loss_plugs_into_the_training_loop():
    helpers.seed_everything(0)
    model = GPT(GPTConfig(vocab_size=8, block_size=12, n_layer=1, n_head=2, d_model=16))
    cycle = torch.arange(13) % 4 + 2                                        # 2 3 4 5 2 3 4 5 ...: easy to predict
    data = [cycle.repeat(8, 1)] * 4                                         # (8, 13) tensors: idx and targets in one
    hist = train(model, data, steps=40, lr=1e-2, log_every=10, progress=False, loss_fn=lm_loss)
    assert hist.loss[-1] < 0.3 * hist.loss[0] and hist.tokens_seen == 40 * 8 * 12
    loss, n = lm_loss(model, (data[0][:, :-1], torch.full((8, 12), -100).index_fill(1, torch.tensor([3]), 5)))
    assert n == 8 and loss.item() > 0
    with pytest.raises(ValueError, match="lm_loss expects"):
        lm_loss(model, {"idx": data[0]})


def test_benchmark_script_quick(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_gpt.py"), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ours / torch" in proc.stdout and "speed-up of the cache" in proc.stdout
    res = json.loads(out.read_text())
    assert res["generation"]["identical_tokens"] is True
    assert res["training"]["ours"]["tokens_per_s"] > 0 and res["threads"] >= 1 and res["torch"] == torch.__version__
