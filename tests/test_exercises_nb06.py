"""Every notebook-06 checker accepts the reference and rejects typical mistakes with the right hint, in steps."""

from __future__ import annotations

import pytest
import torch

from helpers.experiments import claims, task_models, text_tasks
from helpers.teaching.checks import CheckFailed, reset_attempts
from helpers.teaching.exercises import nb06


@pytest.fixture(autouse=True)
def _fresh_ladder():
    reset_attempts()                      # each test starts at hint level 1, whatever ran before
    yield
    reset_attempts()


def _stub(*args):
    raise NotImplementedError


def _run(check, reference, wrongs, capsys):
    assert check(reference)
    capsys.readouterr()
    for wrong, hint in wrongs:
        assert not check(wrong), hint
        assert hint in capsys.readouterr().out
    assert not check(_stub)
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check(_stub, strict=True)


def test_as_text(capsys):
    _run(nb06.check_as_text, nb06.as_text, [
        (lambda zh, en: ["<zh>", *zh, "<en>", *en], "end the text with <eos>"),
        (lambda zh, en: ["<zh>", *zh, *en, "<eos>"], "put <en> between"),
        (lambda zh, en: [*zh, "<en>", *en, "<eos>"], "open the text with <zh>"),
    ], capsys)


def test_as_text_reference_agrees_with_helpers():
    vocab = text_tasks.TaskVocab(["<pad>", "<bos>", "<eos>", "<unk>", "<zh>", "<en>", "我", "i"])
    ex = text_tasks.TaskExample("zh2en", ("我",), ("i",))
    ids, targets, _ = text_tasks.lm_sequence(vocab, ex)
    assert [vocab.id_to_token(i) for i in ids + [targets[-1]]] == nb06.as_text(["我"], ["i"])


def test_prefix_lm_mask(capsys):
    from helpers.gpt import attention_mask

    for t, p in [(6, 3), (5, 0), (4, 4)]:
        assert torch.equal(nb06.prefix_lm_mask(t, p), attention_mask(t, prefix_len=p))
    _run(nb06.check_prefix_lm_mask, nb06.prefix_lm_mask, [
        (lambda t, p: torch.tril(torch.ones(t, t, dtype=torch.bool)), "the prompt is read bidirectionally"),
        (lambda t, p: torch.ones(t, t, dtype=torch.bool), "that is the future"),
        (lambda t, p: ~nb06.prefix_lm_mask(t, p), "True means *may attend*"),
        (lambda t, p: torch.zeros(t, t), "bool tensor"),
    ], capsys)


def test_time_to_loss(capsys):
    assert nb06.time_to_loss([1, 2], [3.0, 1.0], 1.0) == task_models.time_to_loss([1, 2], [3.0, 1.0], 1.0)
    _run(nb06.check_time_to_loss, nb06.time_to_loss, [
        (nb06._ttl_strict, "includes touching it"), (nb06._ttl_last, "*first* time"),
        (nb06._ttl_zero, "has no such time"),
    ], capsys)


def test_loss_targets(capsys):
    ids, targets, n = text_tasks.lm_sequence(
        text_tasks.TaskVocab(["<pad>", "<bos>", "<eos>", "<unk>", "<zh>", "<en>", "我", "i"]),
        text_tasks.TaskExample("zh2en", ("我",), ("i",)))
    assert nb06.loss_targets(ids + [targets[-1]], n) == targets
    _run(nb06.check_loss_targets, nb06.loss_targets, [
        (lambda ids, n: [nb06.IGNORE] * n + list(ids[1:])[n:], "one position too many"),
        (lambda ids, n: list(ids[1:]), "must be ignored"),
        (lambda ids, n: [nb06.IGNORE] * (n - 1) + list(ids[n - 1:-1]), "not shifted by one"),
    ], capsys)


def test_unpaired_split(capsys):
    _run(nb06.check_unpaired_split, nb06.unpaired_split, [
        (lambda pairs: ([zh for zh, _ in pairs], [en for _, en in pairs]), "gives both its Chinese and its English"),
        (lambda pairs: ([zh for zh, _ in pairs[:2]], [en for _, en in pairs[5:7]]), "use every pair once"),
        (lambda pairs: ([zh for zh, _ in pairs], []), "both lists need sentences"),
    ], capsys)


def test_fim_rewrite(capsys):
    prompt, answer = nb06.fim_rewrite(["i", "read", "a", "book"], 1)
    ex = text_tasks.fim_example(["i", "read", "a", "book"], 1)
    assert prompt == ["<pre>", *ex.source, "<mid>"] and answer == [*ex.target, "<eos>"]
    _run(nb06.check_fim_rewrite, nb06.fim_rewrite, [
        (lambda w, j: (["<pre>", *w[:j], "<mid>"], [w[j], "<eos>"]), "show the suffix"),
        (lambda w, j: (["<pre>", *w[:j], "<suf>", *w[j:], "<mid>"], [w[j], "<eos>"]), "starts *after* the blank"),
        (lambda w, j: (["<pre>", *w[:j], "<mid>", "<suf>", *w[j + 1:]], [w[j], "<eos>"]), "<mid> goes last"),
    ], capsys)


def test_three_way(capsys):
    for value, margin in [(5.0, 3.0), (-5.0, 3.0), (1.0, 3.0), (3.0, 3.0)]:
        mine = nb06.three_way(value, margin)
        theirs = claims._three_way(value, margin)[0]
        assert mine == theirs or (mine == "not decidable" and theirs == claims.UNDECIDED)
    _run(nb06.check_three_way, nb06.three_way, [
        (lambda v, m: "supported" if v > 0 else "not supported", "decides nothing"),
        (lambda v, m: "supported" if v >= m else ("not supported" if v <= -m else "not decidable"), "still inside"),
        (lambda v, m: "supported" if v > m else ("not supported" if v < m else "not decidable"), "*minus* the margin"),
    ], capsys)


def test_hints_come_in_steps(capsys):
    """One typical mistake (the target not shifted): a nudge in words, then the concept, then the code on request."""
    def unshifted(ids, n):
        return [nb06.IGNORE] * (n - 1) + list(ids[n - 1:-1])

    assert not nb06.check_loss_targets(unshifted)
    first = capsys.readouterr().out
    assert "Hint: your targets are not shifted by one" in first and "hint=2" in first
    assert "Concept" not in first and "Code" not in first and "ids[1:]" not in first
    assert not nb06.check_loss_targets(unshifted)
    second = capsys.readouterr().out
    assert "Concept: target i is the token at i + 1" in second and "Code" not in second and "hint=3" in second
    assert not nb06.check_loss_targets(unshifted, hint=3)
    third = capsys.readouterr().out
    assert "Code: targets = list(ids[1:])" in third and "[-100] * (prompt_len - 1)" in third
    assert nb06.check_loss_targets(nb06.loss_targets)
    capsys.readouterr()
    assert not nb06.check_loss_targets(unshifted)
    assert "Concept" not in capsys.readouterr().out, "after a pass the ladder starts again"
    # the checkers that write their own messages climb the same ladder
    causal = lambda t, p: torch.tril(torch.ones(t, t, dtype=torch.bool))   # noqa: E731
    nb06.check_prefix_lm_mask(causal)
    first = capsys.readouterr().out
    assert "Hint: position" in first and "Concept" not in first and "tril" not in first
    nb06.check_prefix_lm_mask(causal)
    assert "Concept: the mask has shape (t, t)" in capsys.readouterr().out
    nb06.check_prefix_lm_mask(causal, hint=3)
    assert "Code: mask = torch.tril(" in capsys.readouterr().out
    split = lambda pairs: ([zh for zh, _ in pairs], [en for _, en in pairs])   # noqa: E731
    nb06.check_unpaired_split(split, hint=2)
    out = capsys.readouterr().out
    assert "Concept: one simple way: cut the list of pairs" in out and "Code" not in out
