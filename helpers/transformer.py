"""The encoder–decoder Transformer of notebook 04 (Vaswani et al., 2017), pre-norm.

- ``sinusoidal_encoding`` / ``SinusoidalPositionalEncoding``: the fixed sine/cosine waves
  that tell the model where each token sits; ``LearnedPositionalEmbedding``: one learned
  vector per position instead.
- ``EncoderLayer``: self-attention over the source, then a feed-forward layer.
- ``DecoderLayer``: causal self-attention over the target so far, cross-attention to the
  encoder's output, then a feed-forward layer.
- ``Transformer``: embeddings + positions, ``n_enc_layers`` encoder layers,
  ``n_dec_layers`` decoder layers, a final LayerNorm and the output layer. It has the
  interface ``helpers.train`` and ``helpers.generate`` expect, like ``helpers.rnn.Seq2Seq``:
  ``forward(src, src_mask, tgt_in) -> logits`` and ``encode`` / ``init_state`` / ``decode_step``.

Every layer is **pre-norm**: ``x + sublayer(LayerNorm(x))`` (the original paper normalised
after the residual sum; normalising first trains more stably without a learning-rate warm-up).
All attention goes through ``helpers.attention.MultiHeadAttention``. Without
``return_attention`` it runs the fused ``scaled_dot_product_attention`` kernel (training);
with it, the explicit version that returns every map, for drawing.

Tensors are batch-first; masks are bool with **True = may attend** (a real source token).
Shapes: ``B`` batch, ``S`` source length, ``T`` target length, ``H`` heads, ``D`` d_model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .attention import MultiHeadAttention, merge_heads, scaled_dot_product_attention, split_heads

__all__ = [
    "sinusoidal_encoding", "SinusoidalPositionalEncoding", "LearnedPositionalEmbedding", "FeedForward",
    "EncoderLayer", "DecoderLayer", "TransformerConfig", "Transformer",
]


# --- positions -------------------------------------------------------------------------

def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """The fixed positional encodings ``(max_len, d_model)`` of the original Transformer.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))`` and ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``:
    each pair of features is a clock ticking at its own speed, from one turn every ~6
    positions (i = 0) to one every ~60,000 (the last pair).
    """
    if max_len < 1 or d_model < 2 or d_model % 2:
        raise ValueError(f"need max_len >= 1 and an even d_model >= 2, got max_len={max_len}, d_model={d_model}")
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]                           # (L, 1)
    freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))  # (D/2,)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(pos * freq)                                                 # (L, D/2)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe


def _check_length(length: int, start: int, max_len: int, what: str = "sequence") -> None:
    if start + length > max_len:
        raise ValueError(f"a {what} of {start + length} positions is longer than max_len={max_len}: "
                         f"shorten the input or build the model with a larger max_len")


class SinusoidalPositionalEncoding(nn.Module):
    """Adds ``sinusoidal_encoding`` to ``x (B, L, D)``: ``forward(x, start=0) -> (B, L, D)``.

    ``start`` is the position of ``x``'s first row (used when decoding one token at a time).
    """

    def __init__(self, d_model: int, max_len: int = 256):
        super().__init__()
        self.max_len = max_len
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), persistent=False)  # (max_len, D)

    def forward(self, x: torch.Tensor, start: int = 0) -> torch.Tensor:
        _check_length(x.shape[1], start, self.max_len)
        return x + self.pe[start:start + x.shape[1]]


class LearnedPositionalEmbedding(nn.Module):
    """Adds one learned vector per position to ``x (B, L, D)``: ``forward(x, start=0) -> (B, L, D)``."""

    def __init__(self, d_model: int, max_len: int = 256):
        super().__init__()
        self.max_len = max_len
        self.embed = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, x: torch.Tensor, start: int = 0) -> torch.Tensor:
        _check_length(x.shape[1], start, self.max_len)
        return x + self.embed(torch.arange(start, start + x.shape[1], device=x.device))


# --- layers ----------------------------------------------------------------------------

class FeedForward(nn.Module):
    """Position-wise ``Linear(D, d_ff) -> GELU -> dropout -> Linear(d_ff, D)``: ``(B, L, D) -> (B, L, D)``."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.fc = nn.Linear(d_model, d_ff)
        self.proj = nn.Linear(d_ff, d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.proj(self.drop(F.gelu(self.fc(x))))


class EncoderLayer(nn.Module):
    """Pre-norm encoder layer: ``x + SelfAttn(LN(x))``, then ``x + FFN(LN(x))``.

    ``forward(x (B, S, D), src_mask (B, S) bool or None, need_weights=False)`` returns
    ``(x (B, S, D), weights (B, H, S, S) or None)``. Every position may attend to every real
    (mask True) source position, in both directions.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, src_mask=None, need_weights: bool = False):
        h = self.norm1(x)
        mask = src_mask[:, None, :] if src_mask is not None else None        # (B, 1, S): key padding
        a, weights = self.self_attn(h, h, h, mask=mask, need_weights=need_weights)
        x = x + self.drop(a)
        x = x + self.drop(self.ffn(self.norm2(x)))
        return x, weights


class DecoderLayer(nn.Module):
    """Pre-norm decoder layer: causal self-attention, cross-attention to the encoder, FFN.

    ``forward(x (B, T, D), memory (B, S, D), src_mask (B, S), need_weights=False)`` returns
    ``(x (B, T, D), self_weights (B, H, T, T) or None, cross_weights (B, H, T, S) or None)``.
    Target position ``t`` sees target positions ``0..t`` and every real source position.

    ``step`` does the same for one new position, with a cache of earlier keys/values.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout=dropout)
        self.norm3 = nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, memory, src_mask=None, need_weights: bool = False):
        h = self.norm1(x)
        a, self_w = self.self_attn(h, h, h, need_weights=need_weights, is_causal=True)
        x = x + self.drop(a)
        mask = src_mask[:, None, :] if src_mask is not None else None        # (B, 1, S): key padding
        a, cross_w = self.cross_attn(self.norm2(x), memory, memory, mask=mask, need_weights=need_weights)
        x = x + self.drop(a)
        x = x + self.drop(self.ffn(self.norm3(x)))
        return x, self_w, cross_w

    def memory_kv(self, memory: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The cross-attention keys and values of ``memory (B, S, D)``: two ``(B, H, S, d_head)``, computed once."""
        mha = self.cross_attn
        return split_heads(mha.k_proj(memory), mha.n_heads), split_heads(mha.v_proj(memory), mha.n_heads)

    def step(self, x, cross_kv, src_mask, cache=None):
        """One new position ``x (B, 1, D)``.

        ``cross_kv``: ``memory_kv(memory)``; ``cache``: ``(k, v)`` of the earlier target
        positions, each ``(B, H, t, d_head)``, or ``None`` (computed from nothing: ``t = 0``).
        Returns ``(x (B, 1, D), (k, v) with t + 1 positions, cross_weights (B, H, 1, S))``.
        """
        mha = self.self_attn
        h = self.norm1(x)
        q = split_heads(mha.q_proj(h), mha.n_heads)                           # (B, H, 1, d_head)
        k = split_heads(mha.k_proj(h), mha.n_heads)
        v = split_heads(mha.v_proj(h), mha.n_heads)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)  # (B, H, t + 1, d_head)
        a = F.scaled_dot_product_attention(q, k, v)                            # the newest token sees all before it
        x = x + self.drop(mha.out_proj(merge_heads(a)))
        mha = self.cross_attn
        q = split_heads(mha.q_proj(self.norm2(x)), mha.n_heads)               # (B, H, 1, d_head)
        a, cross_w = scaled_dot_product_attention(q, *cross_kv, src_mask[:, None, None, :])  # (B, H, 1, S)
        x = x + self.drop(mha.out_proj(merge_heads(a)))
        x = x + self.drop(self.ffn(self.norm3(x)))
        return x, (k, v), cross_w


# --- the model -------------------------------------------------------------------------

@dataclass
class TransformerConfig:
    """Sizes of the encoder–decoder Transformer; the defaults are the course's CPU-sized model."""

    src_vocab: int                  # size of the source (Chinese) vocabulary
    tgt_vocab: int                  # size of the target (English) vocabulary
    d_model: int = 128              # width of every token's vector (embeddings, attention, residual stream)
    n_heads: int = 4                # attention heads per layer (d_model must be divisible by it)
    n_enc_layers: int = 2           # encoder layers
    n_dec_layers: int = 2           # decoder layers
    d_ff: int = 512                 # hidden size of the feed-forward layers
    dropout: float = 0.1            # dropout on embeddings, attention weights and every sublayer's output
    max_len: int = 256              # longest source or target the position encodings cover
    pos: str = "sinusoidal"         # "sinusoidal" (fixed waves) or "learned" (one trained vector per position)
    pad_id: int = 0                 # id of <pad> in both vocabularies
    tie_embeddings: bool = True     # the output layer reuses the target embedding matrix
    share_layers: bool = False      # decoder layer i reuses encoder layer i's self-attention, feed-forward and norms

    def __post_init__(self):
        for name in ("src_vocab", "tgt_vocab", "d_model", "n_heads", "n_enc_layers", "n_dec_layers", "d_ff", "max_len"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"TransformerConfig.{name} must be a positive int, got {value!r}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_heads={self.n_heads}")
        if self.pos not in ("sinusoidal", "learned"):
            raise ValueError(f"pos must be 'sinusoidal' or 'learned', got {self.pos!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.share_layers and self.n_enc_layers != self.n_dec_layers:
            raise ValueError(f"share_layers needs as many encoder as decoder layers, got {self.n_enc_layers} "
                             f"and {self.n_dec_layers}")


class Transformer(nn.Module):
    """Encoder–decoder Transformer for translation.

    ``forward(src (B, S), src_mask (B, S) bool, tgt_in (B, T), return_attention=False)``:
    logits ``(B, T, tgt_vocab)``; with ``return_attention`` also a dict of every attention
    map, ``{"encoder": [(B, H, S, S)] * n_enc_layers, "decoder_self": [(B, H, T, T)] *
    n_dec_layers, "cross": [(B, H, T, S)] * n_dec_layers}``.

    For ``helpers.generate``: ``encode(src, src_mask) -> memory`` (a dict of batch-first
    tensors), ``init_state(memory, src_mask) -> state`` (the tokens so far ``(B, t)`` and,
    with ``use_cache``, each decoder layer's self-attention keys/values ``(B, H, t, d_head)``),
    ``decode_step(prev (B,), state, memory, src_mask) -> (logits (B, V), state, attn (B, S))``
    where ``attn`` is the last decoder layer's cross-attention averaged over heads.
    Set ``model.use_kv_cache = False`` to make ``decode_step`` recompute the whole target
    prefix at every step instead (same numbers, slower).
    """

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if not isinstance(cfg, TransformerConfig):
            raise TypeError(f"Transformer expects a TransformerConfig, got {type(cfg).__name__}")
        self.config = cfg
        self.use_kv_cache = True
        d = cfg.d_model
        self.src_embed = nn.Embedding(cfg.src_vocab, d, padding_idx=cfg.pad_id)
        self.tgt_embed = nn.Embedding(cfg.tgt_vocab, d, padding_idx=cfg.pad_id)
        for emb in (self.src_embed, self.tgt_embed):   # std 1/sqrt(d), so emb * sqrt(d) has unit size
            nn.init.normal_(emb.weight, std=d ** -0.5)
            with torch.no_grad():
                emb.weight[cfg.pad_id].zero_()
        position = SinusoidalPositionalEncoding if cfg.pos == "sinusoidal" else LearnedPositionalEmbedding
        self.src_pos, self.tgt_pos = position(d, cfg.max_len), position(d, cfg.max_len)
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder_layers = nn.ModuleList(
            EncoderLayer(d, cfg.n_heads, cfg.d_ff, cfg.dropout) for _ in range(cfg.n_enc_layers))
        self.decoder_layers = nn.ModuleList(
            DecoderLayer(d, cfg.n_heads, cfg.d_ff, cfg.dropout) for _ in range(cfg.n_dec_layers))
        if cfg.share_layers:   # one set of weights read both ways: bidirectionally over the source, causally over the target
            for enc, dec in zip(self.encoder_layers, self.decoder_layers):
                dec.norm1, dec.self_attn, dec.norm3, dec.ffn = enc.norm1, enc.self_attn, enc.norm2, enc.ffn
        self.enc_norm, self.dec_norm = nn.LayerNorm(d), nn.LayerNorm(d)   # pre-norm stacks end with a LayerNorm
        self.out = nn.Linear(d, cfg.tgt_vocab, bias=False)
        if cfg.tie_embeddings:
            self.out.weight = self.tgt_embed.weight

    # -- checks ---------------------------------------------------------------------------
    def _check_ids(self, ids, vocab: int, name: str) -> None:
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2:
            got = tuple(ids.shape) if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(f"{name} must have shape (batch, length), got {got}")
        if ids.dtype not in (torch.long, torch.int):
            raise TypeError(f"{name} must hold integer token ids (torch.long), got {ids.dtype}")
        if ids.numel() and ids.device.type != "cpu":
            # On a GPU, reading the ids back would stall every step until the device catches up: the range check
            # runs on the device, and a bad id stops the run (asynchronously) with this message.
            torch._assert_async((ids.min() >= 0) & (ids.max() < vocab), f"{name} ids must lie in 0..{vocab - 1}")
        elif ids.numel():
            lo, hi = int(ids.min()), int(ids.max())
            if lo < 0 or hi >= vocab:
                raise ValueError(f"{name} ids must lie in 0..{vocab - 1}, got ids from {lo} to {hi}")
        _check_length(ids.shape[1], 0, self.config.max_len, what=f"{name} sequence")

    def _check_src(self, src, src_mask) -> None:
        self._check_ids(src, self.config.src_vocab, "src")
        if not isinstance(src_mask, torch.Tensor) or src_mask.dtype != torch.bool or src_mask.shape != src.shape:
            is_tensor = isinstance(src_mask, torch.Tensor)
            got = f"{src_mask.dtype} {tuple(src_mask.shape)}" if is_tensor else type(src_mask).__name__
            raise ValueError(f"src_mask must be a bool tensor of shape {tuple(src.shape)} (True = real token), "
                             f"got {got}")
        empty = "every source sentence needs at least one token (empty sentence in the batch?)"
        if src.shape[1] == 0:
            raise ValueError(empty)
        if src.device.type != "cpu":
            torch._assert_async(src_mask.any(dim=1).all(), empty)    # checked on the device, without a stall
        elif not bool(src_mask.any(dim=1).all()):
            raise ValueError(empty)

    # -- teacher forcing ----------------------------------------------------------------
    def _embed(self, ids, embed, pos, start: int = 0):
        return self.drop(pos(embed(ids) * math.sqrt(self.config.d_model), start))   # (B, L, D)

    def _encode(self, src, src_mask, need_weights=False):
        x = self._embed(src, self.src_embed, self.src_pos)                    # (B, S, D)
        weights = []
        for layer in self.encoder_layers:
            x, w = layer(x, src_mask, need_weights)
            weights.append(w)
        return self.enc_norm(x), weights

    def forward(self, src, src_mask, tgt_in, return_attention: bool = False):
        self._check_src(src, src_mask)
        self._check_ids(tgt_in, self.config.tgt_vocab, "tgt_in")
        if tgt_in.shape[0] != src.shape[0] or tgt_in.shape[1] == 0:
            raise ValueError(f"tgt_in must be (batch={src.shape[0]}, tgt_len >= 1), got {tuple(tgt_in.shape)}")
        memory, enc_w = self._encode(src, src_mask, return_attention)         # (B, S, D)
        x = self._embed(tgt_in, self.tgt_embed, self.tgt_pos)                 # (B, T, D)
        self_w, cross_w = [], []
        for layer in self.decoder_layers:
            x, ws, wc = layer(x, memory, src_mask, return_attention)
            self_w.append(ws)
            cross_w.append(wc)
        logits = self.out(self.dec_norm(x))                                   # (B, T, V)
        if return_attention:
            return logits, {"encoder": enc_w, "decoder_self": self_w, "cross": cross_w}
        return logits

    # -- the step-by-step interface of helpers.generate ------------------------------------
    def encode(self, src, src_mask):
        """``src (B, S)`` -> ``{"enc_out": (B, S, D), "cross_k"/"cross_v": per decoder layer (B, H, S, d_head)}``."""
        self._check_src(src, src_mask)
        memory, _ = self._encode(src, src_mask)
        kv = [layer.memory_kv(memory) for layer in self.decoder_layers]
        return {"enc_out": memory, "cross_k": [k for k, _ in kv], "cross_v": [v for _, v in kv]}

    def init_state(self, memory, src_mask, use_cache: bool | None = None):
        """``{"tokens": (B, 0)}``; with the KV cache also ``"k"``/``"v"``: one empty ``(B, H, 0, d_head)`` per layer."""
        b = memory["enc_out"].shape[0]
        device = memory["enc_out"].device
        state = {"tokens": torch.zeros(b, 0, dtype=torch.long, device=device)}
        if self.use_kv_cache if use_cache is None else use_cache:
            empty = memory["cross_k"][0][:, :, :0]                             # (B, H, 0, d_head)
            state["k"] = [empty] * len(self.decoder_layers)
            state["v"] = [empty] * len(self.decoder_layers)
        return state

    def decode_step(self, prev, state, memory, src_mask):
        """Feed ``prev (B,)``; return ``logits (B, V)``, the new state and cross-attention ``(B, S)``.

        The attention is the last decoder layer's, averaged over its heads.
        """
        if prev.dim() != 1 or prev.shape[0] != state["tokens"].shape[0]:
            raise ValueError(f"prev must be (batch={state['tokens'].shape[0]},) token ids, got {tuple(prev.shape)}")
        tokens = torch.cat([state["tokens"], prev[:, None]], dim=1)           # (B, t + 1)
        t = tokens.shape[1] - 1
        _check_length(1, t, self.config.max_len, what="translation")
        if "k" not in state:                                                  # no cache: the whole prefix again
            x = self._embed(tokens, self.tgt_embed, self.tgt_pos)             # (B, t + 1, D)
            memory_out, wc = memory["enc_out"], None
            for layer in self.decoder_layers:
                x, _, wc = layer(x, memory_out, src_mask, need_weights=True)
            logits = self.out(self.dec_norm(x[:, -1]))                        # (B, V)
            return logits, {"tokens": tokens}, wc[:, :, -1].mean(dim=1)
        x = self._embed(prev[:, None], self.tgt_embed, self.tgt_pos, start=t)  # (B, 1, D)
        ks, vs = [], []
        for i, layer in enumerate(self.decoder_layers):
            x, (k, v), wc = layer.step(x, (memory["cross_k"][i], memory["cross_v"][i]), src_mask,
                                       (state["k"][i], state["v"][i]))
            ks.append(k)
            vs.append(v)
        logits = self.out(self.dec_norm(x[:, 0]))                             # (B, V)
        return logits, {"tokens": tokens, "k": ks, "v": vs}, wc[:, :, 0].mean(dim=1)   # attn (B, S)
