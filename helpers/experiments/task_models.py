"""Train, run and score both model families on text tasks (notebook 06).

The same ``helpers.experiments.text_tasks`` examples feed a decoder-only GPT (as one text stream with
markers) and an encoder–decoder Transformer (as source and target), so a comparison
changes the architecture and nothing else:

* ``train_task_gpt`` / ``train_task_transformer``: fixed step budgets, seeded, cached by
  ``helpers.checkpoints.train_or_load`` (a second run with identical settings loads the
  weights instead of training). ``prefix_lm=True`` trains the GPT with a bidirectional prompt;
  ``init=`` starts from another GPT's weights (pre-train, then fine-tune).
* ``gpt_answers`` / ``seq2seq_answers``: greedy answers to a list of sources, with the
  model's confidence (the geometric-mean probability of the tokens it wrote).
* ``score(task, answers, references)``: BLEU for translation, accuracy for the label tasks.
* ``TranslationTextLoader`` / ``train_translation_gpt``: notebook 04's own zh→en batches rewritten as
  text, so the decoder-only rival of 06a sees exactly the encoder–decoder's pairs, in its order.
* ``seconds`` of a run depend on the machine's load: ``time_to_loss`` reads a learning curve;
  ``mean_loss`` scores a model on every batch of a loader (e.g. the valid pairs).
* ``load_long_gpt``: the decoder-only translator trained 5× longer, shipped in ``data/weights/``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import torch

from .. import checkpoints, count_true, metrics
from ..generate import greedy_decode
from ..gpt import GPT, GPTConfig
from ..results import WEIGHTS_DIR
from .text_tasks import (IGNORE_INDEX, LABELS, TaskExample, _ids, lm_batches, prompt_ids,
                         seq2seq_batches)
from ..tokenize import EOS_ID, Vocab, detokenize_en, detokenize_zh
from ..train import History, count_parameters, train
from ..transformer import Transformer, TransformerConfig

TASK_STEPS = 600      # optimiser steps: the budget of notebook 04's Transformer
TASK_BATCH = 64       # examples per step
TASK_LR = 2e-3        # AdamW learning rate (the course's RNN/Transformer rate)


def fingerprint(examples: Sequence[TaskExample]) -> str:
    """A short hash of a list of examples: part of every cache key."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(json.dumps([ex.task, ex.source, ex.target], ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def task_gpt_config(vocab: Vocab, **overrides) -> GPTConfig:
    """The decoder-only model matched to notebook 04's Transformer: width 128, 4 heads, d_ff 512,
    dropout 0.1, sinusoidal positions, and 4 layers (the Transformer has 2 encoder + 2 decoder
    layers). ``block_size`` 160 holds the longest test sentence with its translation."""
    settings = dict(vocab_size=len(vocab), block_size=160, n_layer=4, n_head=4, d_model=128, d_ff=512,
                    dropout=0.1, pos="sinusoidal")
    settings.update(overrides)
    return GPTConfig(**settings)


def lm_task_loss(model: GPT, batch, *, prefix_lm: bool = False) -> tuple[torch.Tensor, int]:
    """Loss of a GPT on a batch ``(idx, targets, prompt_len)`` from ``text_tasks.lm_batches``."""
    idx, targets, prompt_len = batch
    _, loss = model(idx, targets, prefix_len=prompt_len if prefix_lm else None)
    return loss, count_true(targets != IGNORE_INDEX)


def _device(device) -> torch.device:
    return torch.device(device) if device is not None else torch.device("cpu")


def _info(history: History) -> dict[str, Any]:
    return {"seconds": history.total_seconds, "loss": history.loss, "loss_steps": history.steps,
            "loss_seconds": history.seconds, "tokens_seen": history.tokens_seen}


def train_task_gpt(name: str, vocab: Vocab, examples: Sequence[TaskExample], *, steps: int = TASK_STEPS,
                   batch_size: int = TASK_BATCH, lr: float = TASK_LR, seed: int = 0, prefix_lm: bool = False,
                   loss_on: str = "target", init: GPT | None = None, device=None, live_plot: bool = False,
                   progress: bool = True, retrain: bool = False, **config_overrides) -> tuple[GPT, dict[str, Any]]:
    """Train (or reload) a GPT on text-task examples. Returns ``(model, info)``.

    ``info``: ``seconds``, ``loss`` / ``loss_steps`` / ``loss_seconds`` (the learning curve),
    ``tokens_seen`` (target tokens the loss was computed on), ``parameters``, ``steps``,
    ``loaded``. ``init``: a GPT of the same config whose weights are the starting point.
    """
    from .. import seed_everything

    device = _device(device)
    cfg = task_gpt_config(vocab, **config_overrides)
    init_print = None
    if init is not None:
        if init.config != cfg:
            raise ValueError("init must be a GPT with the same config as the one being trained")
        init_print = hashlib.sha256(b"".join(p.detach().cpu().numpy().tobytes() for p in init.parameters())
                                    ).hexdigest()[:16]
    key = {"recipe": "task-gpt", "config": asdict(cfg), "steps": steps, "batch_size": batch_size, "lr": lr,
           "seed": seed, "prefix_lm": prefix_lm, "loss_on": loss_on, "data": fingerprint(examples),
           "vocab": hashlib.sha256("\n".join(vocab.tokens).encode()).hexdigest()[:16], "init": init_print,
           "device": device.type}

    def build() -> GPT:
        seed_everything(seed)
        model = GPT(cfg)
        if init is not None:
            model.load_state_dict(init.state_dict())
        return model.to(device)

    def fit(model: GPT) -> dict[str, Any]:
        loader = lm_batches(vocab, examples, batch_size, seed, loss_on=loss_on, block_size=cfg.block_size)
        history = train(model, loader, steps=steps, lr=lr, device=device, live_plot=live_plot, progress=progress,
                        loss_fn=lambda m, b: lm_task_loss(m, b, prefix_lm=prefix_lm), title=f"{name}: training loss")
        return _info(history)

    model, info = checkpoints.train_or_load(name, key, build, fit, retrain=retrain)
    info.update(steps=steps, parameters=count_parameters(model))
    return model, info


class TranslationTextLoader:
    """Notebook 04's length-bucketed zh→en batches, rewritten as decoder-only text, batch for batch.

    Each ``helpers.batching.Batch`` from ``data.loader(batch_size, seed)`` becomes
    ``(idx, targets, prompt_len)`` holding ``<zh> source <en> target <eos>``: the GPT sees the
    same pairs, in the same order and the same length buckets, as the encoder–decoder.
    ``loss_on="target"`` learns the answer only; ``"all"`` also the source (plain language modelling
    of the whole text, the "full LM" recipe).
    """

    def __init__(self, data, vocab: Vocab, batch_size: int = TASK_BATCH, seed: int = 0, split: str = "train",
                 loss_on: str = "target"):
        if loss_on not in ("target", "all"):
            raise ValueError(f"loss_on must be 'target' or 'all', got {loss_on!r}")
        self.loss_on = loss_on
        self.loader = data.loader(batch_size, seed, split=split)
        self.batch_sampler = self.loader.batch_sampler                      # helpers.train reshuffles through it
        self.src_map = torch.tensor(_ids(vocab, data.src_vocab.tokens))    # source id -> joint id
        self.tgt_map = torch.tensor(_ids(vocab, data.tgt_vocab.tokens))    # target id -> joint id
        self.zh, self.en = vocab.token_to_id("<zh>"), vocab.token_to_id("<en>")

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            yield self.convert(batch)

    def convert(self, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One ``Batch`` of id pairs as decoder-only text: ``(idx (B, T), targets (B, T), prompt_len (B,))``."""
        rows, prompts = [], []
        for b in range(len(batch)):
            src = self.src_map[batch.src[b, :batch.src_lengths[b]]].tolist()
            tgt = self.tgt_map[batch.tgt_out[b, :batch.tgt_lengths[b]]].tolist()   # ends with <eos>
            prompt = [self.zh, *src, self.en]
            text = prompt + tgt
            learned = text[1:] if self.loss_on == "all" else [IGNORE_INDEX] * (len(prompt) - 1) + text[len(prompt):]
            rows.append((text[:-1], learned))
            prompts.append(len(prompt))
        width = max(len(ids) for ids, _ in rows)
        idx = torch.zeros(len(rows), width, dtype=torch.long)              # (B, T), right-padded
        targets = torch.full((len(rows), width), IGNORE_INDEX)             # (B, T)
        for b, (ids, tgt) in enumerate(rows):
            idx[b, :len(ids)] = torch.tensor(ids)
            targets[b, :len(tgt)] = torch.tensor(tgt)
        return idx, targets, torch.tensor(prompts)


def train_translation_gpt(data, vocab: Vocab, *, steps: int = TASK_STEPS, batch_size: int = TASK_BATCH,
                          lr: float = TASK_LR, warmup: int = 0, seed: int = 0, prefix_lm: bool = False, device=None,
                          eval_every: int | None = None, live_plot: bool = True, progress: bool = True,
                          retrain: bool = False, **config_overrides) -> tuple[GPT, dict[str, Any]]:
    """The decoder-only rival of notebook 04's Transformer: same batches, steps, batch size and rate.

    Trained (or reloaded) on ``TranslationTextLoader``; returns ``(model, info)`` like ``train_task_gpt``.
    ``warmup``: linear warm-up steps of the learning rate (``scripts/fair_arms.py`` tunes it with the rate).
    ``eval_every``: also log the loss on the valid pairs (``info["evals"]``: ``{"step", "valid_loss"}``).
    """
    from .. import seed_everything

    device = _device(device)
    cfg = task_gpt_config(vocab, **config_overrides)
    key = {"recipe": "translation-gpt", "config": asdict(cfg), "steps": steps, "batch_size": batch_size, "lr": lr,
           "seed": seed, "prefix_lm": prefix_lm, "data": data.fingerprint,
           "vocab": hashlib.sha256("\n".join(vocab.tokens).encode()).hexdigest()[:16], "device": device.type}
    if eval_every:
        key["eval_every"] = eval_every
    if warmup:
        key["warmup"] = warmup
    loss_fn = lambda m, b: lm_task_loss(m, b, prefix_lm=prefix_lm)  # noqa: E731

    def build() -> GPT:
        seed_everything(seed)
        return GPT(cfg).to(device)

    def fit(model: GPT) -> dict[str, Any]:
        kind = "prefix-LM" if prefix_lm else "decoder-only"
        valid = TranslationTextLoader(data, vocab, 256, seed, split="valid")
        history = train(model, TranslationTextLoader(data, vocab, batch_size, seed), steps=steps, lr=lr,
                        warmup=warmup, device=device, live_plot=live_plot, progress=progress, title=f"{kind}: training loss",
                        loss_fn=loss_fn, eval_every=eval_every,
                        eval_fn=(lambda m: {"valid_loss": mean_loss(m, valid, loss_fn, device)}) if eval_every else None)
        return {**_info(history), "evals": history.evals}

    name = "translation-prefixlm" if prefix_lm else "translation-gpt"
    model, info = checkpoints.train_or_load(name, key, build, fit, retrain=retrain)
    info.update(steps=steps, parameters=count_parameters(model))
    return model, info


@torch.no_grad()
def mean_loss(model, loader, loss_fn, device=None) -> float:
    """Token-weighted mean loss of ``model`` over every batch of ``loader`` (e.g. the valid pairs)."""
    from ..train import _to_device

    device = _device(device) if device is not None else next(model.parameters()).device
    total, count = 0.0, 0
    for batch in loader:
        loss, n = loss_fn(model, _to_device(batch, device))
        total, count = total + float(loss) * n, count + n
    if not count:
        raise ValueError("the loader gave no tokens to score")
    return total / count


def time_to_loss(seconds: Sequence[float], losses: Sequence[float], threshold: float) -> float | None:
    """Wall time at which a learning curve first reaches ``threshold`` (None if it never does)."""
    if len(seconds) != len(losses):
        raise ValueError(f"{len(seconds)} times but {len(losses)} losses: a curve needs one of each per point")
    for s, loss in zip(seconds, losses):
        if loss <= threshold:
            return float(s)
    return None


def train_task_transformer(name: str, src_vocab: Vocab, tgt_vocab: Vocab, examples: Sequence[TaskExample], *,
                           steps: int = TASK_STEPS, batch_size: int = TASK_BATCH, lr: float = TASK_LR, seed: int = 0,
                           init: Transformer | None = None, device=None, live_plot: bool = False, progress: bool = True,
                           retrain: bool = False, **config_overrides) -> tuple[Transformer, dict[str, Any]]:
    """Train (or reload) notebook 04's encoder–decoder Transformer on text-task examples.

    ``init``: a Transformer of the same config whose weights are the starting point (fine-tuning a pre-trained
    model, e.g. ``helpers.experiments.denoising``)."""
    from .. import seed_everything

    device = _device(device)
    cfg = TransformerConfig(src_vocab=len(src_vocab), tgt_vocab=len(tgt_vocab), **config_overrides)
    key = {"recipe": "task-transformer", "config": asdict(cfg), "steps": steps, "batch_size": batch_size,
           "lr": lr, "seed": seed, "data": fingerprint(examples),
           "vocab": hashlib.sha256("\n".join(src_vocab.tokens + tgt_vocab.tokens).encode()).hexdigest()[:16],
           "device": device.type}
    if init is not None:
        if init.config != cfg:
            raise ValueError("init must be a Transformer with the same config as the one being trained")
        key["init"] = hashlib.sha256(b"".join(p.detach().cpu().numpy().tobytes() for p in init.parameters())
                                     ).hexdigest()[:16]

    def build() -> Transformer:
        seed_everything(seed)
        model = Transformer(cfg)
        if init is not None:
            model.load_state_dict(init.state_dict())
        return model.to(device)

    def fit(model: Transformer) -> dict[str, Any]:
        history = train(model, seq2seq_batches(src_vocab, tgt_vocab, examples, batch_size, seed), steps=steps,
                        lr=lr, device=device, live_plot=live_plot, progress=progress,
                        title=f"{name}: training loss")
        return _info(history)

    model, info = checkpoints.train_or_load(name, key, build, fit, retrain=retrain)
    info.update(steps=steps, parameters=count_parameters(model))
    return model, info


@dataclass
class Answer:
    """One model output: the tokens it wrote (without ``<eos>``) and its confidence in them."""

    tokens: list[str]
    confidence: float        # geometric-mean probability of the written tokens and the <eos> (0..1)


@torch.no_grad()
def gpt_answers(model: GPT, vocab: Vocab, task: str, sources: Sequence[Sequence[str]], *, max_new: int = 80,
                prefix_lm: bool = False, batch_size: int = 128) -> list[Answer]:
    """Greedy answers of a decoder-only model: each source is written as ``task``'s prompt and continued.

    Prompts of equal length are decoded together (no padding needed). The model stops at
    ``<eos>`` or after ``max_new`` tokens (or at its ``block_size``).
    """
    if not len(sources):
        raise ValueError("no sources to answer")
    device = next(model.parameters()).device
    prompts = [prompt_ids(vocab, task, s) for s in sources]
    block = model.config.block_size
    too_long = [len(p) for p in prompts if len(p) >= block]
    if too_long:
        raise ValueError(f"a prompt of {max(too_long)} tokens leaves no room in block_size={block}")
    groups: dict[int, list[int]] = {}
    for i, p in enumerate(prompts):
        groups.setdefault(len(p), []).append(i)
    out: list[Answer | None] = [None] * len(prompts)
    model.eval()
    for n, members in sorted(groups.items()):
        for start in range(0, len(members), batch_size):
            chunk = members[start:start + batch_size]
            idx = torch.tensor([prompts[i] for i in chunk], device=device)                 # (b, n)
            new = min(max_new, block - n)
            seq = model.generate(idx, new, temperature=0.0, eos_id=EOS_ID, prefix_len=n if prefix_lm else None)
            logits = model(seq[:, :-1], prefix_len=n if prefix_lm else None)              # (b, L-1, V)
            logp = torch.log_softmax(logits.float(), -1).gather(2, seq[:, 1:, None]).squeeze(2)  # (b, L-1)
            written_all, logp = seq[:, n:].tolist(), logp[:, n - 1:].cpu()   # one copy to the host per chunk
            for j, i in enumerate(chunk):
                written = written_all[j]
                k = written.index(EOS_ID) + 1 if EOS_ID in written else len(written)      # tokens incl. <eos>
                conf = math.exp(float(logp[j, :k].mean())) if k else 0.0
                out[i] = Answer(vocab.decode(written[:k]), conf)
    return out  # type: ignore[return-value]


@torch.no_grad()
def seq2seq_answers(model, src_vocab: Vocab, tgt_vocab: Vocab, sources: Sequence[Sequence[str]], *,
                    max_len: int = 80, batch_size: int = 128) -> list[Answer]:
    """Greedy answers of an encoder–decoder to token sources (unknown tokens read as ``<unk>``)."""
    from ..batching import pad_sequences, padding_mask

    if not len(sources):
        raise ValueError("no sources to answer")
    if any(len(s) == 0 for s in sources):
        raise ValueError("a source is empty: give at least one token")
    device = next(model.parameters()).device
    encoded = [_ids(src_vocab, s) for s in sources]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out: list[Answer | None] = [None] * len(encoded)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        src = pad_sequences([encoded[i] for i in chunk]).to(device)                        # (b, S)
        mask = padding_mask(torch.tensor([len(encoded[i]) for i in chunk]), src.size(1)).to(device)
        dec = greedy_decode(model, src, mask, max_len=max_len)
        for j, i in enumerate(chunk):
            toks = dec.tokens[j]
            k = len(toks) + (1 if len(toks) < max_len else 0)                              # + <eos> when written
            out[i] = Answer(tgt_vocab.decode(toks), math.exp(dec.scores[j] / max(k, 1)))
    return out  # type: ignore[return-value]


def detokenize(task: str, tokens: Sequence[str], vocab: Vocab | None = None) -> str:
    """Text of an answer: English detokenised (names capitalised), Chinese joined, labels as they are."""
    if task == "zh2en":
        return detokenize_en(tokens, proper_nouns=vocab.proper_nouns if vocab is not None else ())
    if task == "en2zh":
        return detokenize_zh(tokens)
    return " ".join(tokens)


def score(task: str, answers: Sequence[Answer], examples: Sequence[TaskExample], vocab: Vocab | None = None) -> float:
    """BLEU (0–100) for ``zh2en`` and ``en2zh`` (character BLEU), accuracy (%) for the label tasks."""
    if len(answers) != len(examples) or not answers:
        raise ValueError(f"{len(answers)} answers for {len(examples)} examples: they must pair up, and not be empty")
    if task in LABELS:
        return 100.0 * sum(list(a.tokens) == list(ex.target) for a, ex in zip(answers, examples)) / len(answers)
    if task == "en2zh":
        import sacrebleu

        hyps = [" ".join(a.tokens) for a in answers]
        refs = [" ".join(ex.target) for ex in examples]
        return float(sacrebleu.corpus_bleu(hyps, [refs], tokenize="none").score)
    hyps = [detokenize(task, a.tokens, vocab) for a in answers]
    refs = [detokenize(task, ex.target, vocab) for ex in examples]
    return metrics.bleu(hyps, refs)


LONG_GPT = WEIGHTS_DIR / "translation-gpt.pt"


def load_long_gpt(vocab: Vocab, path: Path | str | None = None, device=None) -> tuple[GPT, dict[str, Any]]:
    """The decoder-only translator trained for longer by ``scripts/why_decoder_only.py curves``.

    Shipped in ``data/weights/`` (sha256-checked, loaded with ``weights_only=True``);
    returns ``(model, extra)`` where ``extra`` holds the script's test scores.
    """
    path = Path(path) if path is not None else LONG_GPT
    try:
        payload = checkpoints.load_checkpoint(path)
    except checkpoints.CheckpointError as err:
        reason = str(err).split("; delete it and train again")[0]   # a shipped file is restored, not retrained
        raise checkpoints.CheckpointError(
            f"the shipped translator cannot be used: {reason}. It is part of the course: restore it with "
            f"`git checkout -- data/weights/{LONG_GPT.name} data/weights/{LONG_GPT.name}.sha256`, or rebuild it "
            "(about 20 minutes on a CPU) with `python scripts/why_decoder_only.py curves`") from None
    cfg = task_gpt_config(vocab, **{k: v for k, v in payload["config"]["gpt_config"].items() if k != "vocab_size"})
    if payload["config"]["vocab_size"] != len(vocab):
        raise checkpoints.CheckpointError(f"{path} was trained with a vocabulary of {payload['config']['vocab_size']} "
                                          f"tokens, this one has {len(vocab)}: rebuild it with "
                                          "`python scripts/why_decoder_only.py curves`")
    model = checkpoints.load_weights(GPT(cfg), payload, str(path)).to(_device(device)).eval()
    return model, payload["extra"]
