"""Turning a trained model into output: greedy and beam search, and sampling.

Every encoder–decoder of the course (the RNNs of notebooks 02–03, the Transformer of
04) offers the same three methods, so one decoder serves them all::

    memory = model.encode(src, src_mask)              # src (B, S) -> anything batch-first
    state = model.init_state(memory, src_mask)        # batch-first tensors (or None)
    logits, state, attn = model.decode_step(prev, state, memory, src_mask)
        # prev (B,) last emitted token ids -> logits (B, V), new state, attention (B, S) or None

"Batch-first" matters: beam search re-orders hypotheses by indexing dimension 0 of
every tensor in ``memory`` and ``state``.

``sample_next`` (temperature, top-k, top-p) is shared with the decoder-only models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

BOS_ID, EOS_ID = 1, 2  # the ids helpers.tokenize gives <bos> and <eos>


@dataclass
class Decoded:
    """Output of a search: token ids (no <bos>/<eos>), per-step attention and scores per sentence."""

    tokens: list[list[int]]                                   # one list of ids per input sentence
    attention: list[torch.Tensor | None] = field(default_factory=list)  # (len(tokens)+1, S_i): step x source
    scores: list[float] = field(default_factory=list)         # total log-probability (beam: normalised)


def _map(obj: Any, fn) -> Any:
    """Apply ``fn`` to every tensor in a nested tuple/list/dict (the model's memory or state)."""
    if isinstance(obj, torch.Tensor):
        return fn(obj)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_map(x, fn) for x in obj)
    if isinstance(obj, dict):
        return {k: _map(v, fn) for k, v in obj.items()}
    return obj


def _check_src(src: torch.Tensor, src_mask: torch.Tensor) -> None:
    if src.dim() != 2 or src_mask.shape != src.shape:
        raise ValueError(f"src must be (batch, src_len) with a mask of the same shape; "
                         f"got src {tuple(src.shape)} and src_mask {tuple(src_mask.shape)}")
    if src_mask.dtype != torch.bool:
        raise ValueError("src_mask must be a bool tensor (True = a real token that may be attended to)")


@torch.no_grad()
def greedy_decode(model, src: torch.Tensor, src_mask: torch.Tensor, *, max_len: int = 60,
                  bos_id: int = BOS_ID, eos_id: int = EOS_ID) -> Decoded:
    """Decode a whole batch at once, always taking the most likely next token.

    ``src``: ``(B, S)`` token ids; ``src_mask``: ``(B, S)`` bool, True = real token.
    Stops when every sentence has produced ``<eos>`` or after ``max_len`` tokens.
    """
    _check_src(src, src_mask)
    model.eval()
    batch = src.size(0)
    memory = model.encode(src, src_mask)
    state = model.init_state(memory, src_mask)
    prev = torch.full((batch,), bos_id, dtype=torch.long, device=src.device)
    done = torch.zeros(batch, dtype=torch.bool, device=src.device)
    steps, attns, logps = [], [], torch.zeros(batch, device=src.device)
    for _ in range(max_len):
        logits, state, attn = model.decode_step(prev, state, memory, src_mask)  # (B, V), ..., (B, S)
        logp = torch.log_softmax(logits.float(), dim=-1)
        prev = logp.argmax(dim=-1)                                               # (B,)
        logps += torch.where(done, torch.zeros_like(logps), logp.gather(1, prev[:, None]).squeeze(1))
        steps.append(torch.where(done, torch.full_like(prev, eos_id), prev))
        attns.append(attn)
        done |= prev == eos_id
        if bool(done.all()):
            break
    ids = torch.stack(steps, dim=1).tolist()                                     # (B, steps)
    tokens, attention = [], []
    n_src = src_mask.sum(dim=1).tolist()
    for b, row in enumerate(ids):
        n = row.index(eos_id) if eos_id in row else len(row)
        tokens.append(row[:n])
        if attns[0] is None:
            attention.append(None)
        else:
            a = torch.stack([x[b] for x in attns[: n + 1]])                      # (n+1, S): incl. the <eos> step
            attention.append(a[:, : n_src[b]].cpu())
    return Decoded(tokens, attention, logps.tolist())


@torch.no_grad()
def beam_search(model, src: torch.Tensor, src_mask: torch.Tensor, *, beam_size: int = 4, max_len: int = 60,
                length_penalty: float = 1.0, bos_id: int = BOS_ID, eos_id: int = EOS_ID) -> Decoded:
    """Keep the ``beam_size`` best partial translations at each step; one sentence at a time.

    A finished hypothesis is scored by its log-probability divided by
    ``length ** length_penalty`` (0 = no normalisation, which favours short outputs);
    the search stops once ``beam_size`` hypotheses have ended and no live one can still
    beat them (or after ``max_len`` steps, when live hypotheses compete too), and returns
    the best-scored one. ``beam_size=1`` with ``length_penalty=0`` equals greedy decoding.
    """
    _check_src(src, src_mask)
    if beam_size < 1:
        raise ValueError(f"beam_size must be >= 1, got {beam_size}")
    model.eval()
    out = Decoded(tokens=[])
    for b in range(src.size(0)):
        n = int(src_mask[b].sum())
        s, m = src[b: b + 1, :n], src_mask[b: b + 1, :n]
        memory = model.encode(s, m)
        state = model.init_state(memory, m)
        k = beam_size
        memory = _map(memory, lambda t: t.expand(k, *t.shape[1:]).contiguous())
        state = _map(state, lambda t: t.expand(k, *t.shape[1:]).contiguous())
        mask_k = m.expand(k, -1)
        prev = torch.full((k,), bos_id, dtype=torch.long, device=src.device)
        beam_logp = torch.full((k,), float("-inf"), device=src.device)
        beam_logp[0] = 0.0                                                   # start from one live hypothesis
        seqs: list[list[int]] = [[] for _ in range(k)]
        attn_hist: list[list[torch.Tensor]] = [[] for _ in range(k)]
        finished: list[tuple[float, list[int], list[torch.Tensor], float]] = []
        for t in range(max_len):
            logits, state, attn = model.decode_step(prev, state, memory, mask_k)
            logp = torch.log_softmax(logits.float(), dim=-1) + beam_logp[:, None]   # (k, V)
            top, flat = logp.view(-1).topk(2 * k)
            vocab = logits.size(-1)
            new_rows, new_prev, new_logp, new_seqs, new_attn = [], [], [], [], []
            attn = attn.cpu() if attn is not None else None                 # one copy to the host per step
            for rank, (score, idx) in enumerate(zip(top.tolist(), flat.tolist())):
                row, tok = divmod(idx, vocab)
                if score == float("-inf"):
                    continue
                hist = attn_hist[row] + ([attn[row]] if attn is not None else [])
                if tok == eos_id:
                    if rank >= k:                                           # an ending outside the beam: drop it
                        continue
                    length = len(seqs[row]) + 1
                    finished.append((score / length ** length_penalty, seqs[row], hist, score))
                else:
                    new_rows.append(row)
                    new_prev.append(tok)
                    new_logp.append(score)
                    new_seqs.append(seqs[row] + [tok])
                    new_attn.append(hist)
                if len(new_rows) == k:
                    break
            if not new_rows:
                break
            if len(finished) >= k:
                # Stop once no live hypothesis can still win: its log-probability only falls,
                # and its length is at most max_len, so its best normalised score is bounded.
                best_done = max(f[0] for f in finished)
                if max(new_logp) / max_len ** length_penalty <= best_done:
                    break
            while len(new_rows) < k:                                        # pad with dead copies
                new_rows.append(new_rows[0])
                new_prev.append(new_prev[0])
                new_logp.append(float("-inf"))
                new_seqs.append(new_seqs[0])
                new_attn.append(new_attn[0])
            index = torch.tensor(new_rows, device=src.device)
            state = _map(state, lambda x: x.index_select(0, index))
            prev = torch.tensor(new_prev, device=src.device)
            beam_logp = torch.tensor(new_logp, device=src.device)
            seqs, attn_hist = new_seqs, new_attn
        else:                                                                # max_len reached: the live ones compete too
            i = int(beam_logp.argmax())
            score = float(beam_logp[i])
            finished.append((score / max(1, len(seqs[i])) ** length_penalty, seqs[i], attn_hist[i], score))
        if not finished:                                                     # nothing ended at all
            i = int(beam_logp.argmax())
            finished.append((float(beam_logp[i]), seqs[i], attn_hist[i], float(beam_logp[i])))
        norm, toks, hist, _ = max(finished, key=lambda f: f[0])
        out.tokens.append(list(toks))
        out.attention.append(torch.stack(hist) if hist else None)
        out.scores.append(norm)
    return out


def sample_next(logits: torch.Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """Pick the next token id from ``logits (B, V)``; returns ``(B,)``.

    ``temperature == 0`` is greedy (argmax). Otherwise logits are divided by the
    temperature; ``top_k`` keeps the k most likely tokens; ``top_p`` keeps the smallest
    set whose probability reaches p (nucleus sampling). Filters combine.
    """
    if logits.dim() != 2:
        raise ValueError(f"logits must be (batch, vocab); got shape {tuple(logits.shape)}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits.float() / temperature
    if top_k is not None:
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        kth = logits.topk(min(top_k, logits.size(-1)), dim=-1).values[:, -1:]       # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None:
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {top_p}")
        sorted_logits, order = logits.sort(dim=-1, descending=True)
        probs = sorted_logits.softmax(dim=-1)
        before = probs.cumsum(dim=-1) - probs                                         # mass of better tokens
        sorted_logits = sorted_logits.masked_fill(before >= top_p, float("-inf"))     # the top token always stays
        logits = torch.full_like(logits, float("-inf")).scatter(1, order, sorted_logits)
    probs = logits.softmax(dim=-1)                                                    # (B, V)
    if generator is not None and generator.device != probs.device:
        # draw where the generator lives (a CPU generator with a model on a GPU): the same seed then gives the
        # same tokens on every device; the ids come back to the logits' device
        choice = torch.multinomial(probs.to(generator.device), 1, generator=generator).to(probs.device)
    else:
        choice = torch.multinomial(probs, 1, generator=generator)                     # (B, 1)
    # never a filtered-out token (MPS's multinomial has been reported to return one, rarely): fall back to the best
    zero = probs.gather(1, choice) == 0
    return torch.where(zero, probs.argmax(dim=-1, keepdim=True), choice).squeeze(1)


@dataclass
class Translation:
    """One translated sentence, with what is needed to draw and score it."""

    source: str                          # the input sentence
    source_tokens: list[str]             # the tokens the model read (unknown characters as <unk>)
    tokens: list[str]                    # the output tokens, without <bos>/<eos>
    text: str                            # the detokenised output sentence
    attention: torch.Tensor | None       # (len(tokens) + 1, len(source_tokens)): output step x source token
    score: float                         # log-probability (normalised when beam search was used)


@torch.no_grad()
def translate(model, sentences, src_vocab, tgt_vocab, *, src_lang: str = "zh", tgt_lang: str = "en",
              beam_size: int = 1, max_len: int = 80, batch_size: int = 128, max_src_len: int | None = None,
              device=None, proper_nouns=()) -> list[Translation]:
    """Translate raw sentences with any encoder–decoder of the course.

    Sentences are tokenised and encoded with ``src_vocab`` (unknown characters become
    ``<unk>`` with a warning; an empty sentence or one longer than ``max_src_len`` tokens
    raises a ``ValueError`` that says so), sorted by length and decoded in batches
    (greedy for ``beam_size=1``, else beam search), then returned in the input order.
    """
    from .batching import pad_sequences, padding_mask
    from .tokenize import decode_sentence, encode_sentence

    if isinstance(sentences, str):
        sentences = [sentences]
    sentences = list(sentences)
    if not sentences:
        raise ValueError("translate needs at least one sentence")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    encoded = [encode_sentence(src_vocab, s, src_lang, max_len=max_src_len) for s in sentences]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    results: list[Translation | None] = [None] * len(encoded)
    for start in range(0, len(order), batch_size):
        chunk = order[start: start + batch_size]
        src = pad_sequences([encoded[i] for i in chunk]).to(device)                 # (b, S)
        mask = padding_mask(torch.tensor([len(encoded[i]) for i in chunk]), src.size(1)).to(device)
        if beam_size == 1:
            out = greedy_decode(model, src, mask, max_len=max_len)
        else:
            out = beam_search(model, src, mask, beam_size=beam_size, max_len=max_len)
        for j, i in enumerate(chunk):
            toks = tgt_vocab.decode(out.tokens[j])
            results[i] = Translation(
                source=sentences[i], source_tokens=src_vocab.decode(encoded[i], strip_special=False),
                tokens=toks, text=decode_sentence(tgt_vocab, out.tokens[j], tgt_lang,
                                                  **({"proper_nouns": proper_nouns} if tgt_lang == "en" else {})),
                attention=out.attention[j] if out.attention else None, score=out.scores[j])
    return results
