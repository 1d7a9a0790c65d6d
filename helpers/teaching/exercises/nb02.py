"""Notebook 02 (seq2seq without attention): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``teacher_forcing(ids)`` -> ``(tgt_in, tgt_out)``      -> ``check_teacher_forcing(fn)``
2. ``pad_batch(seqs, pad_id=0)`` -> ``(B, L)`` tensor      -> ``check_pad_batch(fn)``
3. ``greedy(model, src_ids, max_len)`` -> output ids      -> ``check_greedy(fn, model, src_vocab)``
4. the size of the one vector the decoder receives        -> ``check_context_size(answer, model)``

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only
with ``strict=True`` (the Solutions section and the tests use that).
"""

from __future__ import annotations

import torch

from helpers.teaching.checks import CheckResult, Mistake, check_function, check_value

BOS_ID, EOS_ID, PAD_ID = 1, 2, 0


# --- exercise 1: teacher forcing ---------------------------------------------------------------

def teacher_forcing(ids: list[int]) -> tuple[list[int], list[int]]:
    """Reference: the decoder reads ``<bos> y1 … yn`` and must predict ``y1 … yn <eos>``."""
    return [BOS_ID, *ids], [*ids, EOS_ID]


def _tf_same(ids):
    return [BOS_ID, *ids], [BOS_ID, *ids]


def _tf_swapped(ids):
    return [*ids, EOS_ID], [BOS_ID, *ids]


def _tf_no_specials(ids):
    return list(ids[:-1]), list(ids[1:])


def _tf_both_specials(ids):
    return [BOS_ID, *ids, EOS_ID], [BOS_ID, *ids, EOS_ID]


def check_teacher_forcing(fn, *, strict: bool = False) -> CheckResult:
    cases = [([7, 8, 9],), ([5],), ([11, 4, 4, 20, 6],)]
    mistakes = [
        Mistake(_tf_same, "the target is the input shifted by one: the decoder must predict the *next* word"),
        Mistake(_tf_swapped, "the input starts with <bos> (id 1); the target ends with <eos> (id 2)"),
        Mistake(_tf_no_specials, "use the special tokens: <bos> starts the input, <eos> ends the target, so the "
                                 "model learns where to start and when to stop"),
        Mistake(_tf_both_specials, "the two lists must have the same length: <bos> only in the input, <eos> only "
                                   "in the target"),
    ]
    return check_function(fn, teacher_forcing, cases, mistakes=mistakes, name="exercise 1 (teacher forcing)",
                          strict=strict)


# --- exercise 2: padding -------------------------------------------------------------------

def pad_batch(seqs: list[list[int]], pad_id: int = PAD_ID) -> torch.Tensor:
    """Reference: a ``(B, L)`` long tensor, each row padded on the right to the longest length ``L``."""
    longest = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [pad_id] * (longest - len(s)) for s in seqs], dtype=torch.long)


def _pad_left(seqs, pad_id=PAD_ID):
    longest = max(len(s) for s in seqs)
    return torch.tensor([[pad_id] * (longest - len(s)) + list(s) for s in seqs], dtype=torch.long)


def _pad_float(seqs, pad_id=PAD_ID):
    return pad_batch(seqs, pad_id).float()


def _pad_one_extra(seqs, pad_id=PAD_ID):
    longest = max(len(s) for s in seqs) + 1
    return torch.tensor([list(s) + [pad_id] * (longest - len(s)) for s in seqs], dtype=torch.long)


def _pad_transposed(seqs, pad_id=PAD_ID):
    return pad_batch(seqs, pad_id).T


def check_pad_batch(fn, *, strict: bool = False) -> CheckResult:
    cases = [([[5, 6, 7], [8], [9, 10]],), ([[4, 4]],), ([[12], [13, 14, 15, 16]], 0)]
    mistakes = [
        Mistake(_pad_left, "pad on the right: position 0 must hold each sentence's first token"),
        Mistake(_pad_float, "token ids are integers: build the tensor with dtype=torch.long (embeddings need it)"),
        Mistake(_pad_one_extra, "pad to the longest sentence in the batch, not one more"),
        Mistake(_pad_transposed, "batch first: the shape is (batch, length), one row per sentence"),
    ]
    return check_function(fn, pad_batch, cases, mistakes=mistakes, name="exercise 2 (padding)", strict=strict)


# --- exercise 3: greedy decoding -------------------------------------------------------------

@torch.no_grad()
def greedy(model, src_ids: list[int], max_len: int = 40) -> list[int]:
    """Reference: encode once, then feed back the most likely token until ``<eos>`` (not returned)."""
    src = torch.tensor([src_ids])                                  # (1, S)
    src_mask = torch.ones_like(src, dtype=torch.bool)              # (1, S): every position is real
    memory = model.encode(src, src_mask)
    state = model.init_state(memory, src_mask)
    prev = torch.tensor([BOS_ID])
    out = []
    for _ in range(max_len):
        logits, state, _ = model.decode_step(prev, state, memory, src_mask)   # (1, V)
        prev = logits.argmax(dim=-1)                               # (1,)
        if prev.item() == EOS_ID:
            break
        out.append(prev.item())
    return out


@torch.no_grad()
def _greedy_variant(model, src_ids, max_len=40, *, feed_back=True, stop=True, keep_eos=False):
    src = torch.tensor([src_ids])
    src_mask = torch.ones_like(src, dtype=torch.bool)
    memory = model.encode(src, src_mask)
    state = model.init_state(memory, src_mask)
    prev = torch.tensor([BOS_ID])
    out = []
    for _ in range(max_len):
        logits, state, _ = model.decode_step(prev, state, memory, src_mask)
        token = logits.argmax(dim=-1)
        if feed_back:
            prev = token
        if stop and token.item() == EOS_ID:
            if keep_eos:
                out.append(EOS_ID)
            break
        out.append(token.item())
    return out


def check_greedy(fn, model, src_vocab, sentences=("我昨天在公园看了书。", "他不喜欢喝咖啡。", "你买了什么？"), *,
                 strict: bool = False) -> CheckResult:
    """Compare ``fn(model, src_ids, max_len)`` with the reference on a few sentences."""
    from helpers.tokenize import encode_sentence

    model.eval()
    cases = [(model, encode_sentence(src_vocab, s, "zh", on_unknown="ignore"), 40) for s in sentences]
    mistakes = [
        Mistake(lambda m, s, n: _greedy_variant(m, s, n, feed_back=False),
                "feed the token you just chose back in as the next input; the decoder must see its own output"),
        Mistake(lambda m, s, n: _greedy_variant(m, s, n, stop=False),
                "stop when the model emits <eos> (id 2); otherwise it keeps writing until max_len"),
        Mistake(lambda m, s, n: _greedy_variant(m, s, n, keep_eos=True),
                "stop at <eos> but don't include it in the output: it is a signal, not a word"),
    ]
    return check_function(fn, greedy, cases, mistakes=mistakes, name="exercise 3 (greedy decoding)", strict=strict)


# --- exercise 4: the bottleneck's size -------------------------------------------------------------

def check_context_size(answer, model, *, strict: bool = False) -> CheckResult:
    cfg = model.config
    hints = {cfg.emb_dim: "that is the size of one word's embedding; the decoder gets the encoder's summary",
             2 * cfg.hidden_dim: "the encoder's two directions are concatenated and projected back to hidden_dim"}
    return check_value(answer, cfg.hidden_dim, name="exercise 4 (the one vector)", hints=hints, strict=strict)
