"""Pre-train, then fine-tune: instruction-style prompts built from the course corpus.

A GPT pre-trained on unpaired sentences (notebook 05) has only learned to continue text. Fine-tuning
teaches it a *format*: an instruction, a source, ``=>``, and the answer, then end of text::

    Translate to English: 我们正在穿五条裙子。 => We are wearing five skirts.
    Translate to Chinese: We are wearing five skirts. => 我们正在穿五条裙子。
    Turn into a question: We are wearing five skirts. => Are we wearing five skirts?

The loss is computed on the answer only (the prompt's targets are ``IGNORE_INDEX``), so the model is
trained to answer, not to invent instructions.

Public API::

    TASKS                                            # task name -> instruction
    q = question_pairs(n, seed)                      # [(statement, yes/no question)] from the grammar
    examples = instruction_examples(pairs, q, n_per_task, seed)   # [Example], the three tasks mixed
    idx, targets = encode_examples(codec, examples, block_size)   # (N, T), (N, T), T <= block_size; prompt/padding = -100
    batches = RandomRows((idx, targets), batch_size, seed)        # endless seeded batches of rows
    answer_loss(model, idx, targets)                 # mean nats per answer token (teacher-forced)
    answers = complete(model, codec, prompts)        # greedy continuation of each prompt up to <eos>
    scores = evaluate_examples(model, codec, examples, demos={task: [Example]})   # loss, exact match, chrF
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import torch

from ..gpt import IGNORE_INDEX
from ..lm_data import EOT_ID

__all__ = ["TASKS", "Example", "question_pairs", "instruction_examples", "encode_examples", "RandomRows",
           "answer_loss", "complete", "few_shot_prompt", "evaluate_examples", "fits"]

TASKS = {"to_en": "Translate to English:", "to_zh": "Translate to Chinese:", "question": "Turn into a question:"}
ARROW = " =>"


@dataclass(frozen=True)
class Example:
    """One instruction: ``task`` (a key of ``TASKS``), the ``source`` text and the wanted ``target``."""

    task: str
    source: str
    target: str

    @property
    def prompt(self) -> str:
        return f"{TASKS[self.task]} {self.source}{ARROW}"

    @property
    def text(self) -> str:
        return f"{self.prompt} {self.target}"


def question_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` distinct (English statement, the same as a yes/no question) pairs from the course grammar.

    ``helpers.corpus.realise`` builds a clause twice from the same random choices, once as a statement
    (``q="decl"``) and once as a question (``q="yn"``); a pair is kept only if the Chinese of the two
    differs just by the question particle 吗, so both really are the same sentence.
    """
    from ..corpus import realise
    from ..grammar import CLAUSE_KINDS

    rng, out, seen = random.Random(seed), [], set()
    for _ in range(50 * n):
        kind, s = rng.choice(CLAUSE_KINDS), rng.randrange(10**9)
        try:
            decl, yn = realise(kind, {"q": "decl"}, seed=s), realise(kind, {"q": "yn"}, seed=s)
        except ValueError:
            continue
        if yn.zh != decl.zh[:-1] + "吗？" or decl.en in seen:
            continue
        seen.add(decl.en)
        out.append((decl.en, yn.en))
        if len(out) == n:
            return out
    raise ValueError(f"could only build {len(out)} question pairs, {n} were asked for")


def instruction_examples(pairs, questions: Sequence[tuple[str, str]], n_per_task: int, seed: int = 0) -> list[Example]:
    """``n_per_task`` examples of each task, shuffled: translation both ways from ``pairs`` (``corpus.Pair``),
    questions from ``questions``. Different ``pairs`` go to the two translation tasks."""
    if len(pairs) < 2 * n_per_task or len(questions) < n_per_task:
        raise ValueError(f"need {2 * n_per_task} pairs and {n_per_task} question pairs, "
                         f"got {len(pairs)} and {len(questions)}")
    out = [Example("to_en", p.zh, p.en) for p in pairs[:n_per_task]]
    out += [Example("to_zh", p.en, p.zh) for p in pairs[n_per_task:2 * n_per_task]]
    out += [Example("question", s, q) for s, q in questions[:n_per_task]]
    random.Random(seed).shuffle(out)
    return out


def _ids(codec, example: Example, demos: Sequence[Example] = ()) -> tuple[list[int], int]:
    """``[<eos>] + prompt + answer + [<eos>]`` and the length of ``[<eos>] + prompt`` (demos in the prompt)."""
    prompt = [EOT_ID] + codec.encode(few_shot_prompt(demos, example))
    return prompt + codec.encode(" " + example.target) + [EOT_ID], len(prompt)


def encode_examples(codec, examples: Sequence[Example], block_size: int,
                    demos: Sequence[Example] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    """Examples -> ``idx (N, T)`` and ``targets (N, T)``; ``T`` is the longest example's length - 1 (≤ ``block_size``).

    ``targets`` is ``idx`` shifted by one, with ``IGNORE_INDEX`` (-100) on the prompt and the padding: the
    loss sees only the answer and its closing ``<eos>``. An example longer than ``block_size + 1`` tokens
    raises ``ValueError`` (filter them first). ``demos``: the same demonstrations before every prompt
    (few-shot), so ``answer_loss`` measures how much they help.
    """
    encoded = [_ids(codec, ex, demos) for ex in examples]
    for row, (ids, _) in enumerate(encoded):
        if len(ids) > block_size + 1:
            raise ValueError(f"example {row} has {len(ids)} tokens; at most block_size + 1 = {block_size + 1} fit")
    t = max(len(ids) for ids, _ in encoded) - 1                                    # rows as long as the longest
    idx = torch.zeros(len(examples), t, dtype=torch.long)                          # padding id 0 (<pad>)
    targets = torch.full((len(examples), t), IGNORE_INDEX, dtype=torch.long)
    for row, (ids, n_prompt) in enumerate(encoded):
        x = torch.tensor(ids)
        idx[row, :len(ids) - 1] = x[:-1]
        targets[row, n_prompt - 1:len(ids) - 1] = x[n_prompt:]                     # answer tokens only
    return idx, targets


def fits(codec, example: Example, block_size: int, demos: Sequence[Example] = ()) -> bool:
    """Whether the example's tokens (after ``demos``, if any) fit one row of ``block_size``."""
    return len(_ids(codec, example, demos)[0]) <= block_size + 1


class RandomRows:
    """Endless seeded batches of rows: ``RandomRows((a, b), batch_size, seed)`` yields ``(a[i], b[i])``
    for ``batch_size`` random rows ``i`` (drawn without replacement within an epoch). Every ``iter()``
    starts again from ``seed``. A single tensor gives single tensors."""

    def __init__(self, tensors, batch_size: int, seed: int = 0):
        self.single = isinstance(tensors, torch.Tensor)
        self.tensors = (tensors,) if self.single else tuple(tensors)
        n = len(self.tensors[0])
        if any(len(t) != n for t in self.tensors) or n < batch_size:
            raise ValueError(f"need tensors of equal length >= batch_size={batch_size}")
        self.batch_size, self.seed = batch_size, seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        n = len(self.tensors[0])
        while True:
            order = torch.randperm(n, generator=g)
            for start in range(0, n - self.batch_size + 1, self.batch_size):
                rows = order[start:start + self.batch_size]
                out = tuple(t[rows] for t in self.tensors)
                yield out[0] if self.single else out


@torch.no_grad()
def answer_loss(model, idx: torch.Tensor, targets: torch.Tensor, batch_size: int = 128) -> float:
    """Mean cross-entropy (nats) per answer token of ``(idx, targets)`` from ``encode_examples``."""
    device = next(model.parameters()).device
    was = model.training
    model.eval()
    total, count = 0.0, 0
    for s in range(0, len(idx), batch_size):
        x, y = idx[s:s + batch_size].to(device), targets[s:s + batch_size].to(device)
        _, loss = model(x, y)
        n = int((y != IGNORE_INDEX).sum())
        total, count = total + float(loss) * n, count + n
    model.train(was)
    return total / count


@torch.no_grad()
def complete(model, codec, prompts: Sequence[str], max_new_tokens: int = 40) -> list[str]:
    """Greedy continuation of each prompt (``<eos>`` is put in front) until the model writes ``<eos>``.

    Prompts with the same number of tokens are generated together in one batch. Returns the text
    written after the prompt, stripped. A prompt longer than the model's context keeps its end.
    """
    device = next(model.parameters()).device
    was = model.training
    model.eval()
    encoded = [[EOT_ID] + codec.encode(p) for p in prompts]
    block = model.config.block_size
    out: list[str] = [""] * len(prompts)
    groups: dict[int, list[int]] = {}
    for i, ids in enumerate(encoded):
        groups.setdefault(len(ids), []).append(i)
    for length, rows in groups.items():
        x = torch.tensor([encoded[i][-(block - 1):] for i in rows], device=device)
        gen = model.generate(x, max_new_tokens, temperature=0)[:, x.shape[1]:].cpu()
        for i, g in zip(rows, gen.tolist()):
            g = g[:g.index(EOT_ID)] if EOT_ID in g else g
            out[i] = codec.decode(g).strip()
    model.train(was)
    return out


def few_shot_prompt(demos: Sequence[Example], example: Example) -> str:
    """In-context prompt: each demonstration in full, then the example's prompt (all on one line)."""
    return " ".join([d.text for d in demos] + [example.prompt]) if demos else example.prompt


def evaluate_examples(model, codec, examples: Sequence[Example], demos: dict | None = None,
                      max_new_tokens: int = 32) -> dict:
    """Score ``model`` on ``examples``: the answer loss (teacher-forced) and greedy answers.

    ``demos``: ``{task: [Example, ...]}``, demonstrations put before every prompt of that task (few-shot
    prompting); every example must then still fit the model's context (see ``fits``).
    Returns ``{"loss": nats per answer token, "exact": %, "chrf": chrF, "per_task": {task: {"exact", "chrf"}},
    "answers": [str]}``.
    """
    from ..metrics import chrf, exact_match

    demos, block = demos or {}, model.config.block_size
    answers: list[str] = [""] * len(examples)
    total, count = 0.0, 0
    per_task = {}
    for task in TASKS:
        rows = [i for i, ex in enumerate(examples) if ex.task == task]
        if not rows:
            continue
        chosen, shown = [examples[i] for i in rows], demos.get(task, ())
        idx, targets = encode_examples(codec, chosen, block, demos=shown)
        n = int((targets != IGNORE_INDEX).sum())
        total, count = total + answer_loss(model, idx, targets) * n, count + n
        outs = complete(model, codec, [few_shot_prompt(shown, ex) for ex in chosen], max_new_tokens)
        for i, out in zip(rows, outs):
            answers[i] = out
        refs = [ex.target for ex in chosen]
        per_task[task] = {"exact": exact_match(outs, refs), "chrf": chrf(outs, refs)}
    refs = [ex.target for ex in examples]
    return {"loss": total / count, "exact": exact_match(answers, refs), "chrf": chrf(answers, refs),
            "per_task": per_task, "answers": answers}
