"""Recurrent encoder–decoders for notebooks 02–03: with and without attention.

- ``Encoder``: embeddings → bidirectional GRU. Returns every position's output (for
  attention) and one summary vector (for the no-attention decoder).
- ``Decoder``: the classic bottleneck. The whole source reaches it as one vector: the
  initial hidden state, also fed in at every step (Cho et al., 2014).
- ``AttentionDecoder``: additive (Bahdanau) attention over the encoder outputs. The query
  is the decoder's GRU state at the current step and the context joins the output layer
  (the arrangement of Luong et al., 2015, with Bahdanau's additive score). This lets
  training run the GRU over the whole teacher-forced target in one fused call instead of
  a Python loop per word, which is several times faster on a CPU; decoding one step at
  a time gives exactly the same numbers.
- ``Seq2Seq``: an encoder plus either decoder, with the interface ``helpers.train`` and
  ``helpers.generate`` expect: ``forward(src, src_mask, tgt_in) -> logits``, and
  ``encode`` / ``init_state`` / ``decode_step``.

All tensors are batch-first; masks are bool with True = a real token that may be attended.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .attention import AdditiveAttention


@dataclass
class RNNConfig:
    src_vocab: int                 # size of the source (Chinese) vocabulary
    tgt_vocab: int                 # size of the target (English) vocabulary
    emb_dim: int = 128             # embedding size, both languages
    hidden_dim: int = 256          # GRU state size (the encoder's two directions have hidden_dim // 2 each)
    attention: bool = True         # additive attention (notebook 03) or one context vector (notebook 02)
    attn_dim: int = 128            # hidden size of the additive scoring layer
    dropout: float = 0.1           # dropout on embeddings and on the output layer's input
    pad_id: int = 0                # id of <pad> in both vocabularies


def _check_batch(src: torch.Tensor, src_mask: torch.Tensor) -> None:
    if src.dim() != 2:
        raise ValueError(f"src must have shape (batch, src_len), got {tuple(src.shape)}")
    if src_mask.shape != src.shape or src_mask.dtype != torch.bool:
        raise ValueError(f"src_mask must be a bool tensor of shape {tuple(src.shape)} (True = real token); "
                         f"got {src_mask.dtype} {tuple(src_mask.shape)}")
    empty = "every source sentence needs at least one token (empty sentence in the batch?)"
    if src.device.type != "cpu":
        torch._assert_async(src_mask[:, 0].all(), empty)   # checked on the device: reading it back would stall
    elif not bool(src_mask[:, 0].all()):
        raise ValueError(empty)


class Encoder(nn.Module):
    """Bidirectional GRU over the source (H/2 units per direction, so outputs have size H).

    ``forward(src (B, S), src_mask (B, S))`` returns ``outputs (B, S, H)`` (zeros at
    padding) and ``summary (B, H)``: both directions' final states, projected.
    """

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.embed = nn.Embedding(cfg.src_vocab, cfg.emb_dim, padding_idx=cfg.pad_id)
        if cfg.hidden_dim % 2:
            raise ValueError(f"hidden_dim must be even (two directions of hidden_dim // 2), got {cfg.hidden_dim}")
        self.gru = nn.GRU(cfg.emb_dim, cfg.hidden_dim // 2, batch_first=True, bidirectional=True)
        self.summarise = nn.Linear(cfg.hidden_dim, cfg.hidden_dim)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, src: torch.Tensor, src_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_batch(src, src_mask)
        lengths = src_mask.sum(dim=1).cpu()
        x = self.dropout(self.embed(src))                                     # (B, S, E)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h = self.gru(packed)                                             # h: (2, B, H/2)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))  # (B, S, H)
        summary = torch.tanh(self.summarise(torch.cat([h[0], h[1]], dim=-1)))  # (B, H)
        return out, summary


class Decoder(nn.Module):
    """GRU decoder that sees the source only through one context vector ``c`` (B, H).

    ``c`` is the initial state and is also concatenated to every input embedding.
    """

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.embed = nn.Embedding(cfg.tgt_vocab, cfg.emb_dim, padding_idx=cfg.pad_id)
        self.gru = nn.GRU(cfg.emb_dim + cfg.hidden_dim, cfg.hidden_dim, batch_first=True)
        self.out = nn.Linear(2 * cfg.hidden_dim + cfg.emb_dim, cfg.tgt_vocab)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, tgt_in, hidden, context, enc_out=None, src_mask=None):
        """``tgt_in (B, T)``, ``hidden (B, H)``, ``context (B, H)`` -> logits ``(B, T, V)``, hidden, None."""
        e = self.dropout(self.embed(tgt_in))                                  # (B, T, E)
        c = context.unsqueeze(1).expand(-1, e.size(1), -1)                    # (B, T, H)
        out, h = self.gru(torch.cat([e, c], dim=-1), hidden.unsqueeze(0).contiguous())  # (B, T, H)
        logits = self.out(self.dropout(torch.cat([out, c, e], dim=-1)))       # (B, T, V)
        return logits, h.squeeze(0), None


class AttentionDecoder(nn.Module):
    """GRU decoder with additive attention over the encoder outputs at every step."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.embed = nn.Embedding(cfg.tgt_vocab, cfg.emb_dim, padding_idx=cfg.pad_id)
        self.gru = nn.GRU(cfg.emb_dim, cfg.hidden_dim, batch_first=True)
        self.attention = AdditiveAttention(cfg.hidden_dim, cfg.hidden_dim, cfg.attn_dim)
        self.combine = nn.Linear(2 * cfg.hidden_dim, cfg.hidden_dim)
        self.out = nn.Linear(cfg.hidden_dim + cfg.emb_dim, cfg.tgt_vocab)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, tgt_in, hidden, context, enc_out, src_mask, projected_keys=None):
        """``tgt_in (B, T)`` -> logits ``(B, T, V)``, hidden ``(B, H)``, attention ``(B, T, S)``."""
        e = self.dropout(self.embed(tgt_in))                                  # (B, T, E)
        out, h = self.gru(e, hidden.unsqueeze(0).contiguous())                # (B, T, H)
        ctx, weights = self.attention(out, enc_out, enc_out, src_mask, projected_keys=projected_keys)
        # ctx: (B, T, H) — a weighted sum of source positions for every target step
        mixed = torch.tanh(self.combine(torch.cat([out, ctx], dim=-1)))       # (B, T, H)
        logits = self.out(self.dropout(torch.cat([mixed, e], dim=-1)))        # (B, T, V)
        return logits, h.squeeze(0), weights


class Seq2Seq(nn.Module):
    """Encoder + decoder (with or without attention), ready for ``helpers.train`` and ``helpers.generate``."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.config = cfg
        self.encoder = Encoder(cfg)
        self.decoder = AttentionDecoder(cfg) if cfg.attention else Decoder(cfg)

    def forward(self, src, src_mask, tgt_in, return_attention: bool = False):
        """Teacher-forced logits ``(B, T, V)``; with ``return_attention`` also ``(B, T, S)`` weights (or None)."""
        _check_batch(src, src_mask)
        if tgt_in.dim() != 2 or tgt_in.size(0) != src.size(0):
            raise ValueError(f"tgt_in must be (batch={src.size(0)}, tgt_len); got {tuple(tgt_in.shape)}")
        enc_out, summary = self.encoder(src, src_mask)
        logits, _, attn = self.decoder(tgt_in, summary, summary, enc_out, src_mask)
        return (logits, attn) if return_attention else logits

    # -- the step-by-step interface of helpers.generate ------------------------------------
    def encode(self, src, src_mask):
        enc_out, summary = self.encoder(src, src_mask)
        keys = self.decoder.attention.project_keys(enc_out) if self.config.attention else enc_out[..., :0]
        return {"enc_out": enc_out, "summary": summary, "keys": keys}        # all batch-first

    def init_state(self, memory, src_mask):
        return memory["summary"]                                              # (B, H)

    def decode_step(self, prev, state, memory, src_mask):
        """``prev (B,)`` -> logits ``(B, V)``, new state ``(B, H)``, attention ``(B, S)`` or None."""
        keys = memory["keys"] if self.config.attention else None
        logits, h, attn = self.decoder(prev[:, None], state, memory["summary"], memory["enc_out"], src_mask,
                                       **({"projected_keys": keys} if self.config.attention else {}))
        return logits[:, 0], h, (attn[:, 0] if attn is not None else None)
