"""Tasks written as text: what lets one decoder-only model do many jobs (notebook 06).

An encoder–decoder reads a source and writes a target: the split is in the architecture.
A decoder-only model reads one stream of tokens, so the task has to be *written into the
text*. This module does that writing for the course corpus:

* ``TaskExample(task, source, target)``: one job, as token tuples. Four tasks come from the
  corpus: ``zh2en`` and ``en2zh`` (translation), ``polarity`` (is a one-clause Chinese
  sentence affirmative or negative?) and ``kind`` (is an English sentence a statement, a
  yes/no question or a wh-question?). The labels are read off the English side of each pair
  (``n't``/``not``/``never``; ``?`` and a leading wh-word). ``zh`` and ``en`` are monolingual text.
* ``TaskVocab``: one vocabulary for everything (Chinese characters, English words, answer
  words and the marker tokens ``<zh> <en> <polarity> <kind>``).
* ``lm_sequence(vocab, example)``: the text a decoder-only model reads,
  ``<zh> 我 看 书 。 <en> i read a book . <eos>``: the source opened by its language marker,
  then the marker of what to write, then the target. Returns the ids, the targets (the
  prompt's positions are ``-100``, so only the answer is learned) and the prompt length
  (the prefix a prefix-LM reads bidirectionally).
* ``lm_batches`` / ``seq2seq_batches``: seeded, endless-able loaders of padded batches for
  ``helpers.train.train``, for the GPT and for an encoder–decoder on the same examples.

Markers, in the order they appear: ``task_markers(task) -> (opening, closing)``.

Fill in the middle (``fim_example``): a causal model reads left to right, so a blank in the
middle of a sentence cannot use the words after it. Rewritten as
``<pre> prefix <suf> suffix <mid>`` → ``middle``, the words after the blank come *first* and a
left-to-right model can use them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

import torch

from ..batching import Example, collate, pad_sequences
from ..tokenize import EOS_ID, PAD_ID, SPECIALS, UNK_ID, Vocab, find_proper_nouns, tokenize_en, tokenize_zh

IGNORE_INDEX = -100          # targets the loss skips (as in helpers.gpt)

TASKS = ("zh2en", "en2zh", "polarity", "kind")          # the supervised tasks
MONOLINGUAL = ("zh", "en")                           # unpaired text: a sentence and nothing else
MARKERS = ("<zh>", "<en>", "<polarity>", "<kind>", "<pre>", "<suf>", "<mid>")      # opening / closing tokens of the text formats
LABELS = {"polarity": ("affirmative", "negative"), "kind": ("statement", "yes-no", "wh-question")}

_OPEN_CLOSE = {"zh2en": ("<zh>", "<en>"), "en2zh": ("<en>", "<zh>"), "polarity": ("<zh>", "<polarity>"),
               "kind": ("<en>", "<kind>"), "zh": ("<zh>", None), "en": ("<en>", None),
               "fim": ("<pre>", "<mid>")}
_NEGATIONS = {"not", "never", "no"}
_WH_WORDS = {"why", "who", "what", "where", "how", "which", "whom", "whose", "when"}


@dataclass(frozen=True)
class TaskExample:
    """One job: read ``source`` (tokens), write ``target`` (tokens; empty for monolingual text)."""

    task: str                    # one of TASKS or MONOLINGUAL
    source: tuple[str, ...]      # Chinese characters or lower-cased English tokens
    target: tuple[str, ...] = ()


def task_markers(task: str) -> tuple[str, str | None]:
    """``(opening, closing)`` marker tokens of a task's text format (closing is None for plain text)."""
    if task not in _OPEN_CLOSE:
        raise ValueError(f"unknown task {task!r}; the tasks are {tuple(_OPEN_CLOSE)}")
    return _OPEN_CLOSE[task]


def polarity_label(pair) -> str | None:
    """affirmative / negative for a one-clause pair (no comma in the Chinese), else None.

    Negative means the English says ``n't``, ``not``, ``never`` or ``no``.
    """
    if "，" in pair.zh or "," in pair.en:
        return None
    words = tokenize_en(pair.en)
    negative = any(w.endswith("n't") or w in _NEGATIONS for w in words)
    return "negative" if negative else "affirmative"


def kind_label(pair) -> str:
    """statement, yes-no or wh-question: a ``?`` at the end, and whether the English opens with a wh-word."""
    words = tokenize_en(pair.en)
    if not words or words[-1] != "?":
        return "statement"
    return "wh-question" if words[0] in _WH_WORDS else "yes-no"


def fim_example(words: Sequence[str], j: int) -> TaskExample:
    """The fill-in-the-middle example that blanks word ``j`` of a tokenised sentence.

    ``source`` is ``prefix + ("<suf>",) + suffix``; with the task's markers the text reads
    ``<pre> prefix <suf> suffix <mid> middle <eos>``.
    """
    words = tuple(words)
    if not 0 <= j < len(words):
        raise ValueError(f"cannot blank word {j} of a {len(words)}-word sentence")
    return TaskExample("fim", words[:j] + ("<suf>",) + words[j + 1:], (words[j],))


def make_examples(pairs: Iterable, task: str) -> list[TaskExample]:
    """The examples of one task from corpus pairs (objects with ``.zh``, ``.en``, ``.construction``).

    ``polarity`` keeps only the one-clause sentences; every other task
    uses every pair. ``zh`` / ``en`` give monolingual sentences (``target`` empty).
    """
    task_markers(task)
    if task == "fim":
        raise ValueError("fill-in-the-middle examples are built word by word: use fim_example(words, j)")
    out = []
    for p in pairs:
        zh, en = tuple(tokenize_zh(p.zh)), tuple(tokenize_en(p.en))
        if task == "zh2en":
            out.append(TaskExample(task, zh, en))
        elif task == "en2zh":
            out.append(TaskExample(task, en, zh))
        elif task == "polarity":
            label = polarity_label(p)
            if label is not None:
                out.append(TaskExample(task, zh, (label,)))
        elif task == "kind":
            out.append(TaskExample(task, en, (kind_label(p),)))
        else:
            out.append(TaskExample(task, zh if task == "zh" else en))
    return out


class TaskVocab(Vocab):
    """One vocabulary for the decoder-only model: specials, markers, answer words, then corpus tokens."""

    @classmethod
    def from_pairs(cls, pairs: Iterable) -> "TaskVocab":
        seen: dict[str, None] = {}
        pairs = list(pairs)
        for p in pairs:
            for tok in (*tokenize_zh(p.zh), *tokenize_en(p.en)):
                seen.setdefault(tok, None)
        fixed = [*SPECIALS, *MARKERS, *(w for labels in LABELS.values() for w in labels)]
        return cls(fixed + sorted(t for t in seen if t not in fixed), proper_nouns=find_proper_nouns(p.en for p in pairs))


def _ids(vocab: Vocab, tokens: Sequence[str]) -> list[int]:
    return [vocab.token_to_id(t) if t in vocab else UNK_ID for t in tokens]


def prompt_ids(vocab: Vocab, task: str, source: Sequence[str]) -> list[int]:
    """The prompt a decoder-only model continues: ``<open> source <close>`` as ids."""
    opening, closing = task_markers(task)
    if not source:
        raise ValueError(f"the {task} source is empty: give at least one token")
    return _ids(vocab, [opening, *source] + ([closing] if closing else []))


def lm_sequence(vocab: Vocab, ex: TaskExample, *, loss_on: str = "target") -> tuple[list[int], list[int], int]:
    """``(ids, targets, prompt_len)`` for one example; ``len(targets) == len(ids)``.

    ``ids`` is the text without its last token, ``targets`` the text shifted by one (next-token
    prediction). ``loss_on="target"``: the positions that predict prompt tokens get
    ``IGNORE_INDEX``; ``"all"``: every next token is learned (plain language modelling).
    Monolingual examples always learn every token.
    """
    if loss_on not in ("target", "all"):
        raise ValueError(f"loss_on must be 'target' or 'all', got {loss_on!r}")
    prompt = prompt_ids(vocab, ex.task, ex.source)
    text = prompt + _ids(vocab, ex.target) + [EOS_ID]
    ids, targets = text[:-1], text[1:]
    if loss_on == "target" and ex.task not in MONOLINGUAL:
        targets = [IGNORE_INDEX] * (len(prompt) - 1) + targets[len(prompt) - 1:]
    return ids, targets, len(prompt)


class _Batches:
    """Seeded shuffled batches of a list of examples; ``set_epoch`` reshuffles (for ``helpers.train``)."""

    def __init__(self, examples: Sequence, batch_size: int, seed: int, build):
        if not examples:
            raise ValueError("no examples to batch: is the task's data empty?")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.examples, self.batch_size, self.seed, self.build, self.epoch = list(examples), batch_size, seed, build, 0
        self.batch_sampler = self  # helpers.train looks for set_epoch here

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return -(-len(self.examples) // self.batch_size)

    def __iter__(self):
        order = list(range(len(self.examples)))
        random.Random(self.seed * 100_003 + self.epoch).shuffle(order)
        for start in range(0, len(order), self.batch_size):
            yield self.build([self.examples[i] for i in order[start:start + self.batch_size]])


def collate_lm(vocab: Vocab, examples: Sequence[TaskExample], *, loss_on: str = "target", block_size: int | None = None):
    """Right-padded ``(idx (B, T), targets (B, T), prompt_len (B,))`` for a GPT.

    Padding sits after each text, where a causal model never looks back from a real token;
    padded targets are ``IGNORE_INDEX``. ``block_size``: refuse texts that do not fit.
    """
    rows = [lm_sequence(vocab, ex, loss_on=loss_on) for ex in examples]
    longest = max(len(ids) for ids, _, _ in rows)
    if block_size is not None and longest > block_size:
        raise ValueError(f"a text of {longest} tokens does not fit the model's block_size={block_size}")
    idx = pad_sequences([ids for ids, _, _ in rows], PAD_ID)                    # (B, T)
    targets = torch.full_like(idx, IGNORE_INDEX)                                # (B, T)
    for b, (_, tgt, _) in enumerate(rows):
        targets[b, :len(tgt)] = torch.tensor(tgt)
    return idx, targets, torch.tensor([n for _, _, n in rows])


def lm_batches(vocab: Vocab, examples: Sequence[TaskExample], batch_size: int = 64, seed: int = 0, *,
               loss_on: str = "target", block_size: int | None = None) -> _Batches:
    """Seeded batches ``(idx, targets, prompt_len)`` of examples for a decoder-only model."""
    return _Batches(examples, batch_size, seed, lambda exs: collate_lm(vocab, exs, loss_on=loss_on,
                                                                        block_size=block_size))


def seq2seq_batches(src_vocab: Vocab, tgt_vocab: Vocab, examples: Sequence[TaskExample], batch_size: int = 64,
                    seed: int = 0) -> _Batches:
    """Seeded ``helpers.batching.Batch``es of the same examples for an encoder–decoder (no markers needed)."""
    def build(exs):
        return collate([Example(i, _ids(src_vocab, ex.source), _ids(tgt_vocab, ex.target)) for i, ex in enumerate(exs)])
    return _Batches(examples, batch_size, seed, build)


def mixture(task_examples: dict[str, Sequence[TaskExample]], n_per_task: int | None = None, seed: int = 0
            ) -> list[TaskExample]:
    """One shuffled list of several tasks' examples (the first ``n_per_task`` of each, if given)."""
    rng = random.Random(seed)
    out = [ex for exs in task_examples.values() for ex in list(exs)[:n_per_task]]
    rng.shuffle(out)
    return out
