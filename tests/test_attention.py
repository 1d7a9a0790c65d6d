"""helpers/attention.py: agreement with torch's own attention, masks, shapes, clear errors."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers.attention import (
    AdditiveAttention,
    MultiHeadAttention,
    causal_mask,
    dot_product_scores,
    masked_softmax,
    merge_heads,
    scaled_dot_product_attention,
    split_heads,
)

ATOL = 1e-5


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def padding_mask(lengths, max_len):
    """(B, Lk) True = real token (may attend)."""
    return torch.arange(max_len)[None, :] < torch.as_tensor(lengths)[:, None]


# --- masked_softmax ----------------------------------------------------------------------

def test_masked_softmax_without_mask_is_softmax():
    s = torch.randn(2, 3, 5)
    assert torch.allclose(masked_softmax(s), torch.softmax(s, -1))
    assert torch.allclose(masked_softmax(s, dim=1), torch.softmax(s, 1))


def test_masked_softmax_zero_weight_on_masked_and_rows_sum_to_one():
    s = torch.randn(3, 4, 6) * 5
    mask = padding_mask([6, 2, 4], 6)[:, None, :]  # (3, 1, 6) broadcasts over queries
    w = masked_softmax(s, mask)
    assert w.shape == s.shape
    assert torch.all(w[~mask.expand_as(w)] == 0)  # exactly zero, not just small
    assert torch.allclose(w.sum(-1), torch.ones(3, 4))
    # the unmasked part equals a softmax over the unmasked scores only
    assert torch.allclose(w[1, :, :2], torch.softmax(s[1, :, :2], -1))


def test_masked_softmax_fully_masked_row_gives_zeros_and_finite_gradient():
    s = torch.randn(2, 3, requires_grad=True)
    mask = torch.tensor([[True, False, True], [False, False, False]])
    w = masked_softmax(s, mask)
    assert torch.equal(w[1], torch.zeros(3))
    assert not torch.isnan(w).any()
    assert torch.isclose(w[0].sum(), torch.tensor(1.0))
    (w * torch.randn(2, 3)).sum().backward()
    assert torch.isfinite(s.grad).all()
    assert torch.equal(s.grad[1], torch.zeros(3))


def test_masked_softmax_handles_huge_scores():
    s = torch.tensor([[1e4, 0.0, -1e4]])
    w = masked_softmax(s, torch.tensor([[True, True, True]]))
    assert torch.allclose(w, torch.tensor([[1.0, 0.0, 0.0]]))


def test_masked_softmax_errors():
    s = torch.randn(2, 3, 4)
    with pytest.raises(TypeError, match="boolean"):
        masked_softmax(s, torch.ones(2, 3, 4))
    with pytest.raises(ValueError, match=r"does not broadcast"):
        masked_softmax(s, torch.ones(2, 5, dtype=torch.bool))


# --- scores and scaled dot-product attention -----------------------------------------------

def test_dot_product_scores_scaling():
    q, k = torch.randn(2, 3, 8), torch.randn(2, 5, 8)
    raw = dot_product_scores(q, k, scale=False)
    assert raw.shape == (2, 3, 5)
    assert torch.allclose(raw, torch.einsum("bqd,bkd->bqk", q, k), atol=ATOL)
    assert torch.allclose(dot_product_scores(q, k), raw / math.sqrt(8), atol=ATOL)
    assert torch.allclose(dot_product_scores(q, k, scale=0.5), raw * 0.5, atol=ATOL)


@pytest.mark.parametrize("shape", [(5, 8), (2, 5, 8), (2, 3, 5, 8)])
def test_sdpa_equals_torch_without_mask(shape):
    lq = 4
    q = torch.randn(*shape[:-2], lq, shape[-1])
    k, v = torch.randn(*shape), torch.randn(*shape[:-1], 6)
    out, w = scaled_dot_product_attention(q, k, v)
    assert out.shape == (*shape[:-2], lq, 6)
    assert w.shape == (*shape[:-2], lq, shape[-2])
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=ATOL)
    assert torch.allclose(w.sum(-1), torch.ones(w.shape[:-1]), atol=ATOL)


def test_sdpa_equals_torch_with_boolean_masks():
    b, h, lq, lk, d = 3, 2, 4, 6, 8
    q, k, v = torch.randn(b, h, lq, d), torch.randn(b, h, lk, d), torch.randn(b, h, lk, d)
    pad = padding_mask([6, 3, 1], lk)[:, None, None, :]  # (B, 1, 1, Lk)
    full = torch.rand(b, h, lq, lk) > 0.3
    full[..., 0] = True  # every query may attend to something
    for mask in (pad, full, causal_mask(lq, lk)):
        out, w = scaled_dot_product_attention(q, k, v, mask)
        ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        assert torch.allclose(out, ref, atol=ATOL)
        assert torch.all(w[~mask.expand_as(w)] == 0)
        assert torch.allclose(w.sum(-1), torch.ones(b, h, lq), atol=ATOL)


def test_sdpa_causal_equals_torch():
    q, k, v = torch.randn(2, 5, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 3)
    out, w = scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=ATOL)
    assert torch.all(w.triu(1) == 0)
    # is_causal combined with a padding mask
    pad = padding_mask([5, 3], 5)[:, None, :]
    out2, w2 = scaled_dot_product_attention(q, k, v, pad, is_causal=True)
    ref2 = F.scaled_dot_product_attention(q, k, v, attn_mask=pad & causal_mask(5))
    assert torch.allclose(out2, ref2, atol=ATOL)
    assert torch.all(w2[1, :, 3:] == 0)


def test_sdpa_custom_scale_and_fully_masked_query():
    q, k, v = torch.randn(1, 3, 4), torch.randn(1, 5, 4), torch.randn(1, 5, 2)
    out, _ = scaled_dot_product_attention(q, k, v, scale=0.3)
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v, scale=0.3), atol=ATOL)
    mask = torch.ones(1, 3, 5, dtype=torch.bool)
    mask[0, 1] = False
    out, w = scaled_dot_product_attention(q, k, v, mask)
    assert torch.equal(w[0, 1], torch.zeros(5))
    assert torch.equal(out[0, 1], torch.zeros(2))
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=ATOL)


def test_sdpa_dropout_only_in_training():
    q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 8)
    eval_out, _ = scaled_dot_product_attention(q, k, v, dropout_p=0.5, training=False)
    assert torch.allclose(eval_out, scaled_dot_product_attention(q, k, v)[0])
    train_out, w = scaled_dot_product_attention(q, k, v, dropout_p=0.5, training=True)
    assert not torch.allclose(train_out, eval_out)
    assert torch.allclose(w.sum(-1), torch.ones(2, 4), atol=ATOL)  # weights returned before dropout


def test_sdpa_gradients_flow():
    q = torch.randn(2, 3, 4, requires_grad=True)
    k = torch.randn(2, 5, 4, requires_grad=True)
    v = torch.randn(2, 5, 4, requires_grad=True)
    out, _ = scaled_dot_product_attention(q, k, v, padding_mask([5, 2], 5)[:, None, :])
    out.sum().backward()
    for t in (q, k, v):
        assert torch.isfinite(t.grad).all()
    assert torch.all(k.grad[1, 2:] == 0) and torch.all(v.grad[1, 2:] == 0)  # padding gets no gradient


def test_sdpa_clear_errors():
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 4)
    with pytest.raises(ValueError, match="same last dimension"):
        scaled_dot_product_attention(q, torch.randn(2, 5, 7), v)
    with pytest.raises(ValueError, match="same number of positions"):
        scaled_dot_product_attention(q, k, torch.randn(2, 4, 4))
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(q, k, v, torch.ones(2, 5, dtype=torch.bool))  # (B, Lk) not unsqueezed
    with pytest.raises(TypeError, match="boolean"):
        scaled_dot_product_attention(q, k, v, torch.ones(2, 3, 5))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        scaled_dot_product_attention(torch.randn(8), k, v)
    with pytest.raises(ValueError, match="leading"):
        scaled_dot_product_attention(q, torch.randn(3, 5, 8), torch.randn(3, 5, 4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        scaled_dot_product_attention(q.tolist(), k, v)


def test_causal_mask_and_heads():
    m = causal_mask(3)
    assert m.dtype == torch.bool
    assert torch.equal(m, torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=torch.bool))
    assert causal_mask(2, 4).shape == (2, 4)
    x = torch.randn(2, 5, 12)
    assert split_heads(x, 3).shape == (2, 3, 5, 4)
    assert torch.equal(merge_heads(split_heads(x, 3)), x)
    with pytest.raises(ValueError, match="divisible"):
        split_heads(x, 5)


# --- additive attention ------------------------------------------------------------------

def test_additive_attention_shapes_mask_and_sums():
    att = AdditiveAttention(query_dim=6, key_dim=10, hidden_dim=8)
    b, lq, lk = 3, 4, 7
    query, keys, values = torch.randn(b, lq, 6), torch.randn(b, lk, 10), torch.randn(b, lk, 5)
    mask = padding_mask([7, 4, 1], lk)
    ctx, w = att(query, keys, values, mask)
    assert ctx.shape == (b, lq, 5) and w.shape == (b, lq, lk)
    assert torch.allclose(w.sum(-1), torch.ones(b, lq), atol=ATOL)
    assert torch.all(w[1, :, 4:] == 0) and torch.all(w[2, :, 1:] == 0)
    assert torch.allclose(w[2, :, 0], torch.ones(lq))
    assert torch.allclose(ctx, w @ values, atol=ATOL)


def test_additive_attention_matches_formula_and_single_query():
    att = AdditiveAttention(4, 3, 5)
    query, keys, values = torch.randn(2, 4), torch.randn(2, 6, 3), torch.randn(2, 6, 2)
    ctx, w = att(query, keys, values)
    assert ctx.shape == (2, 2) and w.shape == (2, 6)
    # by the formula: score_j = v^T tanh(W_q q + W_k k_j)
    wq, wk, vv = att.query_proj.weight, att.key_proj.weight, att.score_proj.weight[0]
    scores = torch.stack([
        torch.stack([vv @ torch.tanh(wq @ query[b] + wk @ keys[b, j]) for j in range(6)]) for b in range(2)
    ])
    assert torch.allclose(w, torch.softmax(scores, -1), atol=ATOL)
    # precomputed keys give the same result (the RNN decoder's shortcut)
    pk = att.project_keys(keys)
    ctx2, w2 = att(query, None, values, projected_keys=pk)
    assert torch.allclose(ctx, ctx2) and torch.allclose(w, w2)
    # a (B, Lq, Lk) mask
    mask = torch.ones(2, 1, 6, dtype=torch.bool)
    mask[:, :, -2:] = False
    _, w3 = att(query, keys, values, mask)
    assert torch.all(w3[:, -2:] == 0)


def test_additive_attention_errors():
    att = AdditiveAttention(4, 3, 5)
    q, k, v = torch.randn(2, 4), torch.randn(2, 6, 3), torch.randn(2, 6, 2)
    with pytest.raises(ValueError, match="query must have shape"):
        att(torch.randn(2, 5), k, v)
    with pytest.raises(ValueError, match="keys must have shape"):
        att(q, torch.randn(2, 6, 4), v)
    with pytest.raises(ValueError, match="values must have shape"):
        att(q, k, torch.randn(2, 5, 2))
    with pytest.raises(ValueError, match="same batch size"):
        att(q, k, torch.randn(3, 6, 2))
    with pytest.raises(ValueError, match="does not broadcast"):
        att(q, k, v, torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="projected_keys"):
        att(q, None, v, projected_keys=torch.randn(2, 6, 3))


# --- multi-head attention ----------------------------------------------------------------

def _pair(d_model=16, n_heads=4, bias=True, kdim=None):
    torch_mha = nn.MultiheadAttention(d_model, n_heads, batch_first=True, bias=bias, kdim=kdim, vdim=kdim)
    ours = MultiHeadAttention(d_model, n_heads, bias=bias).load_from_torch(torch_mha) if kdim is None else None
    return torch_mha.eval(), ours


@pytest.mark.parametrize("bias", [True, False])
def test_mha_equals_torch_with_key_padding_mask(bias):
    torch_mha, ours = _pair(bias=bias)
    query, memory = torch.randn(3, 5, 16), torch.randn(3, 7, 16)
    keep = padding_mask([7, 4, 2], 7)  # True = real token (our convention)
    out, w = ours(query, memory, memory, keep[:, None, :])
    ref, ref_w = torch_mha(query, memory, memory, key_padding_mask=~keep, average_attn_weights=False)
    assert out.shape == (3, 5, 16) and w.shape == (3, 4, 5, 7)
    assert torch.allclose(out, ref, atol=ATOL)
    assert torch.allclose(w, ref_w, atol=ATOL)
    assert torch.all(w[2, :, :, 2:] == 0)
    fast, none = ours(query, memory, memory, keep[:, None, :], need_weights=False)
    assert none is None and torch.allclose(fast, ref, atol=ATOL)


def test_mha_equals_torch_with_causal_mask():
    torch_mha, ours = _pair()
    x = torch.randn(2, 6, 16)
    causal = causal_mask(6)
    ref, ref_w = torch_mha(x, x, x, attn_mask=~causal, average_attn_weights=False)
    for kwargs in ({"mask": causal}, {"is_causal": True}):
        out, w = ours(x, x, x, **kwargs)
        assert torch.allclose(out, ref, atol=ATOL)
        assert torch.allclose(w, ref_w, atol=ATOL)
        fast, _ = ours(x, x, x, need_weights=False, **kwargs)
        assert torch.allclose(fast, ref, atol=ATOL)
    # causal and padding together, as a decoder-only model with padded batches needs
    keep = padding_mask([6, 4], 6)
    out, w = ours(x, x, x, keep[:, None, :], is_causal=True)
    ref, _ = torch_mha(x, x, x, attn_mask=~causal, key_padding_mask=~keep)
    assert torch.allclose(out[:, :4], ref[:, :4], atol=ATOL)
    assert torch.all(w.triu(1) == 0) and torch.all(w[1, :, :, 4:] == 0)


def test_mha_loads_separate_projections_and_3d_mask():
    torch_mha = nn.MultiheadAttention(8, 2, batch_first=True, kdim=8, vdim=8)
    torch_mha._qkv_same_embed_dim = False  # exercise the separate-weight branch
    torch_mha.q_proj_weight = nn.Parameter(torch.randn(8, 8) * 0.3)
    torch_mha.k_proj_weight = nn.Parameter(torch.randn(8, 8) * 0.3)
    torch_mha.v_proj_weight = nn.Parameter(torch.randn(8, 8) * 0.3)
    ours = MultiHeadAttention(8, 2).load_from_torch(torch_mha)
    wq, wk, wv = torch_mha.q_proj_weight, torch_mha.k_proj_weight, torch_mha.v_proj_weight
    assert torch.equal(ours.q_proj.weight, wq) and torch.equal(ours.k_proj.weight, wk)
    assert torch.equal(ours.v_proj.weight, wv)
    x = torch.randn(2, 3, 8)
    mask3 = torch.rand(2, 3, 3) > 0.4
    mask3[..., 0] = True
    out, w = ours(x, x, x, mask3)
    assert w.shape == (2, 2, 3, 3) and torch.all(w[~mask3[:, None].expand_as(w)] == 0)


def test_mha_errors():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)
    ours = MultiHeadAttention(8, 2)
    x = torch.randn(2, 3, 8)
    with pytest.raises(ValueError, match=r"query must have shape \(B, L, d_model=8\)"):
        ours(torch.randn(2, 3, 6), x, x)
    with pytest.raises(ValueError, match="key and value"):
        ours(x, x, torch.randn(2, 4, 8))
    with pytest.raises(ValueError, match=r"mask\[:, None, :\]"):
        ours(x, torch.randn(2, 5, 8), torch.randn(2, 5, 8), torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="size mismatch"):
        ours.load_from_torch(nn.MultiheadAttention(8, 4))
    with pytest.raises(ValueError, match="bias mismatch"):
        ours.load_from_torch(nn.MultiheadAttention(8, 2, bias=False))
    with pytest.raises(TypeError, match="MultiheadAttention"):
        ours.load_from_torch(nn.Linear(8, 8))


def test_mha_dropout_only_in_training():
    ours = MultiHeadAttention(8, 2, dropout=0.5)
    x = torch.randn(2, 4, 8)
    ours.eval()
    a, _ = ours(x, x, x)
    b, _ = ours(x, x, x, need_weights=False)
    assert torch.allclose(a, b, atol=ATOL)
    ours.train()
    c, _ = ours(x, x, x)
    assert not torch.allclose(a, c)
