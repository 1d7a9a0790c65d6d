"""Attention, the building block of every model in the course.

Everything here is batch-first, and there is **one mask convention**: a boolean mask where
``True`` means "this query may attend to this key" (the convention of
``torch.nn.functional.scaled_dot_product_attention``). Positions where the mask is ``False``
get an attention weight of exactly 0.

- ``masked_softmax(scores, mask)``: softmax that gives masked positions weight 0.
- ``dot_product_scores(q, k)``: ``q @ k^T``, divided by ``sqrt(d)`` unless asked not to.
- ``scaled_dot_product_attention(q, k, v, mask)``: returns ``(output, weights)``.
- ``causal_mask(lq, lk)``: the lower-triangular "no peeking at the future" mask.
- ``AdditiveAttention``: Bahdanau's ``v^T tanh(W_q q + W_k k)`` scoring, for RNN decoders.
- ``MultiHeadAttention``: the Transformer's multi-head attention, weight-compatible with
  ``torch.nn.MultiheadAttention`` (see ``load_from_torch``).

Shapes use: ``B`` batch, ``H`` heads, ``Lq`` queries (target positions), ``Lk`` keys
(source positions), ``d`` / ``d_k`` / ``d_v`` feature sizes; ``...`` any leading dimensions.
This module imports nothing else from the course.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "masked_softmax",
    "dot_product_scores",
    "scaled_dot_product_attention",
    "causal_mask",
    "split_heads",
    "merge_heads",
    "AdditiveAttention",
    "MultiHeadAttention",
]


# --- checks that turn a shape mistake into a sentence --------------------------------

def _shape(x: torch.Tensor) -> tuple[int, ...]:
    return tuple(x.shape)


def _require_tensor(x, name: str, min_dim: int) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() < min_dim:
        raise ValueError(f"{name} must have at least {min_dim} dimensions, got shape {_shape(x)}")


def _check_mask(mask, target_shape: tuple[int, ...], what: str) -> torch.Tensor:
    """Check that ``mask`` is boolean and broadcasts to ``target_shape``; return it expanded."""
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask must be a boolean torch.Tensor (True = may attend), got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(
            f"mask must be a boolean tensor (True = may attend), got dtype {mask.dtype}; "
            "build it with a comparison, e.g. `positions < lengths[:, None]`, or call .bool()"
        )
    try:
        shape = torch.broadcast_shapes(mask.shape, target_shape)
    except RuntimeError:
        shape = None
    if shape != tuple(target_shape):
        raise ValueError(
            f"mask of shape {_shape(mask)} does not broadcast to the {what} shape {tuple(target_shape)}; "
            "its last two dimensions should be (Lq, Lk), (1, Lk) or (Lq, 1)"
        )
    return mask.expand(target_shape)


# --- the functions -------------------------------------------------------------------

def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None, dim: int = -1) -> torch.Tensor:
    """Softmax over ``dim`` in which positions with ``mask == False`` get weight exactly 0.

    Args:
        scores: any shape, e.g. ``(..., Lq, Lk)`` attention scores.
        mask: boolean, broadcastable to ``scores.shape``; ``True`` = may attend. ``None`` = no mask.
        dim: the dimension to normalise over (the keys, ``-1``, for attention).

    Returns:
        weights of the same shape as ``scores``; along ``dim`` they are >= 0 and sum to 1.

    A row whose positions are *all* masked (e.g. a query that may attend to nothing) has
    nothing to normalise over: its weights are all 0 (not NaN), so its attention output is
    the zero vector. ``torch.nn.functional.scaled_dot_product_attention`` does the same.
    """
    _require_tensor(scores, "scores", 1)
    if mask is None:
        return torch.softmax(scores, dim=dim)
    mask = _check_mask(mask, _shape(scores), "scores")
    scores = scores.masked_fill(~mask, float("-inf"))  # masked scores -> -inf -> exp(-inf) = 0
    # A fully masked row would be softmax(-inf, ..., -inf) = NaN: give it finite scores instead,
    # and zero its weights below (this also keeps its gradient at 0 rather than NaN).
    anything_allowed = mask.any(dim=dim, keepdim=True)
    scores = scores.masked_fill(~anything_allowed, 0.0)
    weights = torch.softmax(scores, dim=dim)
    return weights.masked_fill(~mask, 0.0)


def dot_product_scores(q: torch.Tensor, k: torch.Tensor, scale: bool | float = True) -> torch.Tensor:
    """Attention scores ``q @ k^T``, one per (query, key) pair.

    Args:
        q: ``(..., Lq, d)`` queries.
        k: ``(..., Lk, d)`` keys (same ``d``; leading dimensions must broadcast with ``q``'s).
        scale: ``True`` divides by ``sqrt(d)`` (scaled dot product, the Transformer's choice),
            ``False`` leaves the raw dot products, a float multiplies by that factor.

    Returns:
        scores ``(..., Lq, Lk)``.
    """
    _require_tensor(q, "q", 2)
    _require_tensor(k, "k", 2)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same last dimension d (each score is a dot product of a query "
            f"with a key): got q {_shape(q)} and k {_shape(k)}"
        )
    try:
        torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"the leading (batch/head) dimensions of q {_shape(q)} and k {_shape(k)} do not match"
        ) from None
    scores = q @ k.transpose(-2, -1)  # (..., Lq, Lk)
    if isinstance(scale, bool):
        return scores / math.sqrt(q.shape[-1]) if scale else scores
    return scores * float(scale)


def causal_mask(lq: int, lk: int | None = None, *, device=None) -> torch.Tensor:
    """Boolean ``(lq, lk)`` mask, True = may attend: query ``i`` sees keys ``0..i`` only.

    Aligned at the top left like ``is_causal=True`` in torch (``lk`` defaults to ``lq``).
    """
    lk = lq if lk is None else lk
    return torch.ones(lq, lk, dtype=torch.bool, device=device).tril()


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    scale: float | None = None,
    dropout_p: float = 0.0,
    training: bool = False,
    is_causal: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``softmax(q @ k^T / sqrt(d_k)) @ v``, returning the output *and* the weights.

    Args:
        q: ``(..., Lq, d_k)`` queries.
        k: ``(..., Lk, d_k)`` keys.
        v: ``(..., Lk, d_v)`` values, one per key.
        mask: boolean, broadcastable to ``(..., Lq, Lk)``; True = may attend. A padding mask
            of shape ``(B, Lk)`` is passed as ``mask[:, None, :]`` (or ``[:, None, None, :]``
            with a head dimension).
        scale: factor applied to the scores; ``None`` means ``1 / sqrt(d_k)``.
        dropout_p: dropout on the weights, applied only when ``training`` is True.
        is_causal: also apply ``causal_mask(Lq, Lk)`` (combined with ``mask`` if given).

    Returns:
        ``(output, weights)`` of shapes ``(..., Lq, d_v)`` and ``(..., Lq, Lk)``. The weights
        returned are those before dropout; a query whose keys are all masked gets zero weights
        and a zero output.
    """
    _require_tensor(v, "v", 2)
    scores = dot_product_scores(q, k, scale=True if scale is None else scale)  # (..., Lq, Lk)
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must hold the same number of positions Lk: got k {_shape(k)} and v {_shape(v)}")
    if is_causal:
        causal = causal_mask(q.shape[-2], k.shape[-2], device=q.device)
        mask = causal if mask is None else (_check_mask(mask, _shape(scores), "scores (..., Lq, Lk)") & causal)
    if mask is not None:
        mask = _check_mask(mask, _shape(scores), "scores (..., Lq, Lk)")
    weights = masked_softmax(scores, mask, dim=-1)  # (..., Lq, Lk)
    dropped = F.dropout(weights, p=dropout_p, training=training) if dropout_p > 0 else weights
    try:
        output = dropped @ v  # (..., Lq, d_v)
    except RuntimeError:
        raise ValueError(
            f"the leading (batch/head) dimensions of v {_shape(v)} do not match those of q and k"
        ) from None
    return output, weights


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """``(B, L, H * d_head)`` -> ``(B, H, L, d_head)``: one slice of the features per head."""
    b, length, d = x.shape
    if d % n_heads:
        raise ValueError(f"the feature size {d} is not divisible by n_heads={n_heads}")
    return x.view(b, length, n_heads, d // n_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """``(B, H, L, d_head)`` -> ``(B, L, H * d_head)``: the inverse of ``split_heads``."""
    b, h, length, d_head = x.shape
    return x.transpose(1, 2).reshape(b, length, h * d_head)


# --- modules ---------------------------------------------------------------------------

class AdditiveAttention(nn.Module):
    """Bahdanau (additive) attention: ``score(q, k) = v^T tanh(W_q q + W_k k)``.

    Queries and keys may have different sizes (``query_dim`` vs ``key_dim``): each is
    projected to ``hidden_dim`` first. In an RNN decoder the query is the decoder state and
    the keys/values are the encoder outputs; compute ``project_keys(keys)`` once per
    sentence and pass it as ``projected_keys`` at every decoding step.

    Shapes of ``forward(query, keys, values, mask=None, projected_keys=None)``:
        query: ``(B, Lq, query_dim)``, or ``(B, query_dim)`` for one query per batch row.
        keys: ``(B, Lk, key_dim)``; values: ``(B, Lk, d_v)``.
        mask: boolean, True = may attend: ``(B, Lk)`` (padding) or ``(B, Lq, Lk)``.
        returns ``(context, weights)``: ``(B, Lq, d_v)`` and ``(B, Lq, Lk)``, or
        ``(B, d_v)`` and ``(B, Lk)`` for a 2-D query.
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int):
        super().__init__()
        self.query_dim, self.key_dim, self.hidden_dim = query_dim, key_dim, hidden_dim
        self.query_proj = nn.Linear(query_dim, hidden_dim, bias=False)  # W_q
        self.key_proj = nn.Linear(key_dim, hidden_dim, bias=False)  # W_k
        self.score_proj = nn.Linear(hidden_dim, 1, bias=False)  # v^T

    def project_keys(self, keys: torch.Tensor) -> torch.Tensor:
        """``W_k k`` for every key: ``(B, Lk, key_dim)`` -> ``(B, Lk, hidden_dim)``."""
        _require_tensor(keys, "keys", 3)
        if keys.dim() != 3 or keys.shape[-1] != self.key_dim:
            raise ValueError(f"keys must have shape (B, Lk, key_dim={self.key_dim}), got {_shape(keys)}")
        return self.key_proj(keys)

    def scores(self, query: torch.Tensor, projected_keys: torch.Tensor) -> torch.Tensor:
        """Raw additive scores: query ``(B, Lq, query_dim)``, projected keys ``(B, Lk, hidden)`` -> ``(B, Lq, Lk)``."""
        pq = self.query_proj(query)  # (B, Lq, hidden)
        features = torch.tanh(pq.unsqueeze(2) + projected_keys.unsqueeze(1))  # (B, Lq, Lk, hidden)
        return self.score_proj(features).squeeze(-1)  # (B, Lq, Lk)

    def forward(
        self,
        query: torch.Tensor,
        keys: torch.Tensor,
        values: torch.Tensor,
        mask: torch.Tensor | None = None,
        projected_keys: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        _require_tensor(query, "query", 2)
        _require_tensor(values, "values", 3)
        single = query.dim() == 2
        if single:
            query = query.unsqueeze(1)  # (B, 1, query_dim)
        if query.dim() != 3 or query.shape[-1] != self.query_dim:
            raise ValueError(
                f"query must have shape (B, Lq, query_dim={self.query_dim}) or (B, query_dim), "
                f"got {_shape(query) if not single else _shape(query.squeeze(1))}"
            )
        if projected_keys is None:
            projected_keys = self.project_keys(keys)
        elif projected_keys.dim() != 3 or projected_keys.shape[-1] != self.hidden_dim:
            raise ValueError(
                f"projected_keys must have shape (B, Lk, hidden_dim={self.hidden_dim}) "
                f"(the output of project_keys), got {_shape(projected_keys)}"
            )
        b, lq = query.shape[0], query.shape[1]
        lk = projected_keys.shape[1]
        if projected_keys.shape[0] != b or values.shape[0] != b:
            raise ValueError(
                f"query, keys and values must have the same batch size: got query {_shape(query)}, "
                f"keys {_shape(keys) if keys is not None else _shape(projected_keys)}, values {_shape(values)}"
            )
        if values.dim() != 3 or values.shape[1] != lk:
            raise ValueError(f"values must have shape (B, Lk={lk}, d_v), got {_shape(values)}")
        if mask is not None:
            if isinstance(mask, torch.Tensor) and mask.dim() == 2:
                mask = mask.unsqueeze(1)  # (B, Lk) padding mask -> (B, 1, Lk)
            mask = _check_mask(mask, (b, lq, lk), "weights (B, Lq, Lk)")
        scores = self.scores(query, projected_keys)  # (B, Lq, Lk)
        weights = masked_softmax(scores, mask, dim=-1)  # (B, Lq, Lk)
        context = weights @ values  # (B, Lq, d_v)
        if single:
            return context.squeeze(1), weights.squeeze(1)
        return context, weights


class MultiHeadAttention(nn.Module):
    """Multi-head attention with separate ``q_proj``, ``k_proj``, ``v_proj`` and ``out_proj``.

    Each head attends in its own ``d_model // n_heads``-sized slice of the projected
    features; the heads' outputs are concatenated and mixed by ``out_proj``.

    ``forward(query, key, value, mask=None, need_weights=True, is_causal=False)``:
        query: ``(B, Lq, d_model)``; key and value: ``(B, Lk, d_model)``.
        mask: boolean, True = may attend, broadcastable to ``(B, H, Lq, Lk)``. A 2-D mask is
            ``(Lq, Lk)`` (same for every sentence); a 3-D mask is ``(B, Lq, Lk)``; a key-padding
            mask ``(B, Lk)`` is passed as ``mask[:, None, :]``.
        is_causal: also forbid attending to later positions (combined with ``mask``).
        need_weights: return the per-head weights; with ``False`` the call goes through
            ``torch.nn.functional.scaled_dot_product_attention`` (fast, fused) and returns ``None``.
        returns ``(output (B, Lq, d_model), weights (B, H, Lq, Lk) or None)``.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.dropout = dropout
        self.bias = bias
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def _check_inputs(self, query, key, value) -> None:
        for name, x in (("query", query), ("key", key), ("value", value)):
            _require_tensor(x, name, 3)
            if x.dim() != 3 or x.shape[-1] != self.d_model:
                raise ValueError(f"{name} must have shape (B, L, d_model={self.d_model}), got {_shape(x)}")
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(f"key and value must have the same (B, Lk): got key {_shape(key)} and value {_shape(value)}")
        if query.shape[0] != key.shape[0]:
            raise ValueError(f"query and key must have the same batch size: got {_shape(query)} and {_shape(key)}")

    def _full_mask(self, mask, is_causal: bool, b: int, lq: int, lk: int, device) -> torch.Tensor | None:
        """Combine ``mask`` and ``is_causal`` into one boolean mask broadcastable to (B, H, Lq, Lk)."""
        if mask is not None:
            if isinstance(mask, torch.Tensor) and mask.dim() == 2 and tuple(mask.shape) != (lq, lk):
                raise ValueError(
                    f"a 2-D mask must have shape (Lq, Lk) = {(lq, lk)}, got {_shape(mask)}; "
                    "for a key-padding mask of shape (B, Lk) pass mask[:, None, :]"
                )
            if isinstance(mask, torch.Tensor) and mask.dim() == 3:
                mask = mask.unsqueeze(1)  # (B, Lq, Lk) -> (B, 1, Lq, Lk): the same for every head
            mask = _check_mask(mask, (b, self.n_heads, lq, lk), "weights (B, H, Lq, Lk)")
        if is_causal:
            causal = causal_mask(lq, lk, device=device)  # (Lq, Lk)
            mask = causal if mask is None else mask & causal
        return mask

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        mask: torch.Tensor | None = None,
        need_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        self._check_inputs(query, key, value)
        b, lq, lk = query.shape[0], query.shape[1], key.shape[1]
        mask = self._full_mask(mask, is_causal, b, lq, lk, query.device)
        q = split_heads(self.q_proj(query), self.n_heads)  # (B, H, Lq, d_head)
        k = split_heads(self.k_proj(key), self.n_heads)  # (B, H, Lk, d_head)
        v = split_heads(self.v_proj(value), self.n_heads)  # (B, H, Lk, d_head)
        p = self.dropout if self.training else 0.0
        if need_weights:
            out, weights = scaled_dot_product_attention(q, k, v, mask, dropout_p=p, training=self.training)
        else:  # the fused kernel; it never materialises the weights
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
            weights = None
        return self.out_proj(merge_heads(out)), weights  # (B, Lq, d_model), (B, H, Lq, Lk)

    @torch.no_grad()
    def load_from_torch(self, mha: nn.MultiheadAttention) -> "MultiHeadAttention":
        """Copy the weights of a ``torch.nn.MultiheadAttention`` into this module; returns self.

        Both modules then compute the same function (torch's ``key_padding_mask`` uses the
        opposite convention, True = ignore: pass ``~our_mask`` there).
        """
        if not isinstance(mha, nn.MultiheadAttention):
            raise TypeError(f"expected a torch.nn.MultiheadAttention, got {type(mha).__name__}")
        if mha.embed_dim != self.d_model or mha.num_heads != self.n_heads:
            raise ValueError(
                f"size mismatch: torch module has embed_dim={mha.embed_dim}, num_heads={mha.num_heads}; "
                f"this one d_model={self.d_model}, n_heads={self.n_heads}"
            )
        if mha.bias_k is not None or mha.add_zero_attn:
            raise ValueError("add_bias_kv / add_zero_attn are not supported")
        if (mha.in_proj_bias is not None) != self.bias:
            raise ValueError(f"bias mismatch: this module has bias={self.bias}, the torch module "
                             f"{'has' if mha.in_proj_bias is not None else 'has no'} bias")
        if mha._qkv_same_embed_dim:
            wq, wk, wv = mha.in_proj_weight.chunk(3, dim=0)
        else:
            wq, wk, wv = mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight
        for layer, w in ((self.q_proj, wq), (self.k_proj, wk), (self.v_proj, wv)):
            if w.shape != layer.weight.shape:
                raise ValueError(f"torch projection of shape {tuple(w.shape)} does not fit {tuple(layer.weight.shape)}")
            layer.weight.copy_(w)
        if self.bias:
            for layer, bias in zip((self.q_proj, self.k_proj, self.v_proj), mha.in_proj_bias.chunk(3)):
                layer.bias.copy_(bias)
            self.out_proj.bias.copy_(mha.out_proj.bias)
        self.out_proj.weight.copy_(mha.out_proj.weight)
        return self
