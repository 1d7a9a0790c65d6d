"""Notebook 03, exercise 5 (``nb03.py`` re-exports it): ``decoder_forward(dec, tgt_in, state, enc_out, src_mask)``,
the attention decoder's teacher-forced pass over a whole target, checked against ``helpers.rnn.AttentionDecoder``.

The checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only with ``strict=True``. Hints
come in steps: a nudge in words, then the equations, the code only with ``hint=3``. Its mistakes are functions
that make a typical error on purpose, so the checker can recognise it.
"""

from __future__ import annotations

import torch

from helpers.rnn import AttentionDecoder, RNNConfig
from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function

__all__ = ["decoder_forward", "check_decoder_forward"]


# --- exercise 5: the attention decoder over a whole target at once ----------------------------------

@torch.no_grad()
def decoder_forward(dec, tgt_in: torch.Tensor, state: torch.Tensor, enc_out: torch.Tensor, src_mask: torch.Tensor):
    """Reference: ``helpers.rnn.AttentionDecoder``'s teacher-forced pass. ``tgt_in (B, T)``, ``state (B, H)``,
    ``enc_out (B, S, H)``, ``src_mask (B, S)`` -> ``(logits (B, T, V), weights (B, T, S))``."""
    logits, _, weights = dec(tgt_in, state, None, enc_out, src_mask)
    return logits, weights


def _forward_variant(dec, tgt_in, state, enc_out, src_mask, *, use_mask=True, dim=-1, combine=True, tanh=True):
    """The pass written out step by step, with one mistake switched on."""
    x = dec.embed(tgt_in)                                                    # (B, T, E)
    s, _ = dec.gru(x, state[None].contiguous())                              # (B, T, H)
    att = dec.attention
    scores = att.score_proj(torch.tanh(att.query_proj(s)[:, :, None] + att.key_proj(enc_out)[:, None])).squeeze(-1)
    if use_mask:
        scores = scores.masked_fill(~src_mask[:, None, :], float("-inf"))   # (B, T, S)
    weights = torch.softmax(scores, dim=dim)
    mixed = dec.combine(torch.cat([s, weights @ enc_out], dim=-1)) if combine else s
    mixed = torch.tanh(mixed) if tanh and combine else mixed
    return dec.out(torch.cat([mixed, x], dim=-1)), weights


class _SmallDecoder(AttentionDecoder):
    """A ``helpers.rnn.AttentionDecoder`` that a failed check names in one line (not its whole printout)."""

    def __repr__(self) -> str:
        return (f"AttentionDecoder(emb_dim={self.embed.embedding_dim}, hidden_dim={self.gru.hidden_size}, "
                f"attn_dim={self.attention.hidden_dim}, tgt_vocab={self.out.out_features})")


def _decoder_forward_cases():
    cases = []
    for seed, (emb, hidden, attn, vocab, lengths, T) in enumerate([(6, 10, 7, 19, [5, 3], 4),
                                                                  (8, 12, 5, 23, [7, 2, 4], 6)]):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(30 + seed)
            dec = _SmallDecoder(RNNConfig(src_vocab=5, tgt_vocab=vocab, emb_dim=emb, hidden_dim=hidden,
                                          attn_dim=attn, dropout=0.0)).eval()
            B, S = len(lengths), max(lengths)
            src_mask = torch.arange(S)[None, :] < torch.tensor(lengths)[:, None]        # (B, S)
            enc_out = torch.tanh(torch.randn(B, S, hidden)) * src_mask[:, :, None]    # 0 at padding, like the encoder
            state = torch.tanh(torch.randn(B, hidden))
            tgt_in = torch.randint(1, vocab, (B, T))
        cases.append((dec, tgt_in, state, enc_out, src_mask))
    return cases


_FORWARD_CONCEPT = ("x = Embed(tgt_in) (B, T, E); one GRU call from the first state gives every step's state s "
                    "(B, T, H); scores e[b, t, j] = v · tanh(W_q s[b, t] + W_k h[b, j]) (B, T, S); weights = the "
                    "softmax over S with the padding masked; contexts = weights @ enc_out (B, T, H); "
                    "m = tanh(W_c [s; context] + b_c); logits = W_o [m; x] + b_o (B, T, V).")
_FORWARD_CODE = (
    "x = dec.embed(tgt_in)                                          # (B, T, E)\n"
    "         s, _ = dec.gru(x, state[None])                                 # (B, T, H): every step's state\n"
    "         att = dec.attention\n"
    "         scores = att.score_proj(torch.tanh(att.query_proj(s)[:, :, None]\n"
    "                                            + att.key_proj(enc_out)[:, None])).squeeze(-1)   # (B, T, S)\n"
    "         weights = masked_softmax(scores, src_mask[:, None, :])          # (B, T, S)\n"
    "         mixed = torch.tanh(dec.combine(torch.cat([s, weights @ enc_out], dim=-1)))   # (B, T, H)\n"
    "         return dec.out(torch.cat([mixed, x], dim=-1)), weights")


def check_decoder_forward(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 5: ``fn(dec, tgt_in, state, enc_out, src_mask)`` must give ``helpers.rnn.AttentionDecoder``'s
    logits and weights (two small seeded decoders, padded batches)."""
    return check_function(
        fn, decoder_forward, _decoder_forward_cases(), name="exercise 5 (the decoder over a whole target)",
        strict=strict, hint=hint,
        mistakes=[
            Mistake(lambda *a: _forward_variant(*a, use_mask=False),
                    "your weights put some attention on the padding. Padded source positions must get weight 0.",
                    concept="mask before the softmax: the mask (B, S) becomes (B, 1, S), so that it applies to all T "
                            "target steps, and masked scores become -inf (weight exactly 0).",
                    code="weights = masked_softmax(scores, src_mask[:, None, :])   # (B, T, S)"),
            Mistake(lambda *a: _forward_variant(*a, dim=1),
                    "the weights of one target step must sum to 1 over the source positions. Yours sum to 1 over "
                    "the target steps.",
                    concept="scores have shape (B, T, S): row t holds target step t's score for every source "
                            "position. The softmax runs along the last axis, S.",
                    code="weights = masked_softmax(scores, src_mask[:, None, :])   # softmax over dim=-1, the S axis"),
            Mistake(lambda *a: _forward_variant(*a, combine=False),
                    "the output layer does not read the GRU's state directly: first mix each state with its "
                    "context vector.",
                    concept="m_t = tanh(W_c [s_t; c_t] + b_c), with c_t = the weighted sum of the encoder's outputs; "
                            "then logits = W_o [m_t; x_t] + b_o.",
                    code="mixed = torch.tanh(dec.combine(torch.cat([s, weights @ enc_out], dim=-1)))   # (B, T, H)"),
            Mistake(lambda *a: _forward_variant(*a, tanh=False),
                    "the mix of state and context goes through a tanh before the output layer reads it.",
                    concept="m_t = tanh(W_c [s_t; c_t] + b_c): the linear layer, then the tanh.",
                    code="mixed = torch.tanh(dec.combine(torch.cat([s, context], dim=-1)))"),
        ],
        hints=Hints(
            nudge="follow the seven steps of section 2 for all target steps at once: one GRU call over the whole "
                  "target, then scores, weights and contexts with a T axis.",
            concept=_FORWARD_CONCEPT,
            code=_FORWARD_CODE,
        ),
    )
