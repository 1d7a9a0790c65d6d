"""helpers/experiments/finetune.py: instruction examples, answer-only targets, batches, greedy answers."""

from __future__ import annotations

import pytest
import torch

from helpers.corpus import Pair
from helpers.experiments.finetune import (TASKS, Example, RandomRows, answer_loss, complete, encode_examples, evaluate_examples,
                              few_shot_prompt, fits, instruction_examples, question_pairs)
from helpers.gpt import GPT, GPTConfig, IGNORE_INDEX
from helpers.lm_data import EOT_ID, CharCodec

PAIRS = [Pair("我喜欢猫。", "I like cats.", ()), Pair("他很累。", "He is tired.", ()),
         Pair("你去过北京。", "You have been to Beijing.", ()), Pair("她会来。", "She will come.", ())]


def test_question_pairs_are_the_same_sentence():
    qs = question_pairs(20, seed=0)
    assert len(qs) == 20 and len({s for s, _ in qs}) == 20
    assert qs == question_pairs(20, seed=0)
    for statement, question in qs:
        assert statement.endswith(".") and question.endswith("?")
        assert set(question.lower().rstrip("?").split()) & set(statement.lower().rstrip(".").split())


def test_examples_and_prompts():
    qs = [("It is big.", "Is it big?"), ("You sleep.", "Do you sleep?")]
    ex = instruction_examples(PAIRS, qs, 2, seed=0)
    assert sorted(e.task for e in ex) == ["question", "question", "to_en", "to_en", "to_zh", "to_zh"]
    e = Example("to_en", "我喜欢猫。", "I like cats.")
    assert e.prompt == "Translate to English: 我喜欢猫。 =>" and e.text == e.prompt + " I like cats."
    assert few_shot_prompt([e], e) == e.text + " " + e.prompt and few_shot_prompt([], e) == e.prompt
    assert set(TASKS) == {"to_en", "to_zh", "question"}
    with pytest.raises(ValueError, match="need"):
        instruction_examples(PAIRS, qs, 3)


def test_targets_cover_only_the_answer():
    e = Example("to_en", "我喜欢猫。", "I like cats.")
    codec = CharCodec.build([e.text])
    idx, targets = encode_examples(codec, [e, Example("to_en", "他很累。", "He is tired.")], block_size=64)
    assert idx.shape == targets.shape and idx.shape[1] <= 64
    answer = [t for t in targets[0].tolist() if t != IGNORE_INDEX]
    assert answer == codec.encode(" I like cats.") + [EOT_ID]
    n_prompt = 1 + len(codec.encode(e.prompt))
    assert torch.equal(targets[0, n_prompt - 1:n_prompt - 1 + len(answer)], torch.tensor(answer))
    assert (targets[1] == IGNORE_INDEX).sum() > (targets[0] == IGNORE_INDEX).sum() - 5   # shorter row padded
    assert not fits(codec, e, block_size=10)
    with pytest.raises(ValueError, match="block_size"):
        encode_examples(codec, [e], block_size=10)
    with_demo, _ = encode_examples(codec, [e], block_size=128, demos=[e])
    assert with_demo.shape[1] > idx.shape[1]


def test_random_rows_seeded():
    a, b = torch.arange(10), torch.arange(10) * 2
    it1, it2 = iter(RandomRows((a, b), 4, seed=1)), iter(RandomRows((a, b), 4, seed=1))
    for _ in range(5):
        x1, y1 = next(it1)
        x2, _ = next(it2)
        assert torch.equal(x1, x2) and torch.equal(y1, 2 * x1) and len(set(x1.tolist())) == 4
    assert next(iter(RandomRows(a, 3))).shape == (3,)
    with pytest.raises(ValueError):
        RandomRows((a, b[:5]), 2)


def test_complete_and_evaluate_on_a_tiny_model():
    examples = [Example("to_en", p.zh, p.en) for p in PAIRS]
    codec = CharCodec.build([e.text for e in examples])
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=len(codec), block_size=128, n_layer=1, n_head=2, d_model=16))
    answers = complete(model, codec, [e.prompt for e in examples], max_new_tokens=5)
    assert len(answers) == 4 and all(isinstance(a, str) for a in answers)
    scores = evaluate_examples(model, codec, examples, max_new_tokens=5)
    assert {"loss", "exact", "chrf", "per_task", "answers"} <= set(scores) and set(scores["per_task"]) == {"to_en"}
    idx, targets = encode_examples(codec, examples, 64)
    assert abs(answer_loss(model, idx, targets) - scores["loss"]) < 1e-5
    assert scores["answers"] == answers
    shot = evaluate_examples(model, codec, examples[1:], demos={"to_en": examples[:1]}, max_new_tokens=5)
    assert shot["loss"] != scores["loss"] and len(shot["answers"]) == 3
