"""Notebook 02 (seq2seq without attention): reference answers, typical mistakes and checkers.

Exercises, in the order of the notebook:

1. ``teacher_forcing(ids)`` -> ``(tgt_in, tgt_out)``      -> ``check_teacher_forcing(fn)``
2. ``pad_batch(seqs, pad_id=0)`` -> ``(B, L)`` tensor      -> ``check_pad_batch(fn)``
3. ``greedy(model, src_ids, max_len)`` -> output ids      -> ``check_greedy(fn)``
4. the size of the one vector the decoder receives        -> ``check_context_size(answer)``
5. ``decoder_step(dec, prev, state, context)``: one step of the plain decoder, its GRU written from the equations
                                                          -> ``check_decoder_step(fn)`` (in ``nb02_build.py``)
6. predict, then measure: which changed character moves the one vector least
                                                          -> ``check_prediction_bottleneck(prediction, shifts)``

The checks of exercises 3 and 4 need no trained model: they use an untrained stand-in of the course's sizes
(``rnn_config(translation_data(), attention=False)``), so that they run in a fresh kernel. Exercise 6's check
cell measures with such a model and passes its numbers to the checker, which grades the prediction against them.

Every checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only
with ``strict=True`` (the Solutions section and the tests use that). Hints come in steps: a nudge in words on
the first failure, the concept (equation or shape rule) on the next, the code only with ``hint=3``.
"""

from __future__ import annotations

import functools

import torch

from helpers.rnn import Seq2Seq
from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function, check_value
from helpers.teaching.exercises.predictions import grade_prediction
from helpers.teaching.exercises.nb02_build import check_decoder_step, decoder_step  # noqa: F401 (exercise 5)

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


_TF_CONCEPT = ("for a sentence y1 … yn, the input is <bos> y1 … yn and the target is y1 … yn <eos>. Both have "
               "n + 1 items, and target[t] is the word that comes after input[t].")
_TF_CODE = "return [1, *ids], [*ids, 2]          # (tgt_in, tgt_out): <bos> = 1, <eos> = 2"


def check_teacher_forcing(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    cases = [([7, 8, 9],), ([5],), ([11, 4, 4, 20, 6],)]
    mistakes = [
        Mistake(_tf_same, "the target is the input shifted by one place: at each step the decoder must predict "
                          "the *next* word, not copy the word it reads.",
                concept=_TF_CONCEPT, code=_TF_CODE),
        Mistake(_tf_swapped, "the two lists are the wrong way round: the input starts with <bos> (id 1), and the "
                             "target ends with <eos> (id 2).",
                concept=_TF_CONCEPT, code=_TF_CODE),
        Mistake(_tf_no_specials, "use the special tokens: <bos> starts the input and <eos> ends the target, so the "
                                 "model learns where to start and when to stop.",
                concept=_TF_CONCEPT, code=_TF_CODE),
        Mistake(_tf_both_specials, "the two lists must have the same length: <bos> goes only in the input, and "
                                   "<eos> only in the target.",
                concept=_TF_CONCEPT, code=_TF_CODE),
    ]
    hints = Hints("the decoder reads the first list and must predict the second list, one word later. Check "
                  "where the special tokens <bos> (id 1) and <eos> (id 2) go.",
                  concept=_TF_CONCEPT, code=_TF_CODE)
    return check_function(fn, teacher_forcing, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 1 (teacher forcing)", strict=strict)


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


_PAD_CONCEPT = ("with L the length of the longest sentence, row i is sentence i followed by L - len(sentence i) "
                "pad ids. The result has shape (B, L) and holds integers (int64), like every tensor of token ids.")
_PAD_CODE = ("longest = max(len(s) for s in seqs)\n"
             "         return torch.tensor([list(s) + [pad_id] * (longest - len(s)) for s in seqs], dtype=torch.long)")


def check_pad_batch(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    cases = [([[5, 6, 7], [8], [9, 10]],), ([[4, 4]],), ([[12], [13, 14, 15, 16]], 0)]
    mistakes = [
        Mistake(_pad_left, "pad on the right: position 0 must hold the first token of each sentence.",
                concept="the pad ids come after the real tokens: row i = sentence i, then the pad ids up to length L.",
                code=_PAD_CODE),
        Mistake(_pad_float, "token ids are whole numbers, but your tensor holds floating-point numbers. The "
                            "embedding layer only accepts integer ids.",
                concept="a tensor of token ids has an integer dtype: int64 (also called long), shape (B, L).",
                code=_PAD_CODE),
        Mistake(_pad_one_extra, "pad to the length of the longest sentence in the batch, not one more.",
                concept="L = the length of the longest sentence, so the longest row gets no pad id at all.",
                code=_PAD_CODE),
        Mistake(_pad_transposed, "put the batch first: one row per sentence, so the shape is (batch, length).",
                concept="the result has shape (B, L): B sentences (rows), each L tokens long (columns).",
                code=_PAD_CODE),
    ]
    hints = Hints("each row must be one sentence, in the same order as the input, followed by pad ids up to the "
                  "length of the longest sentence.", concept=_PAD_CONCEPT, code=_PAD_CODE)
    return check_function(fn, pad_batch, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 2 (padding)", strict=strict)


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


_GREEDY_CONCEPT = ("encode the source once. Then, from prev = <bos> (id 1): one decoder step gives logits (1, V); "
                   "the next token is the argmax over V; it becomes prev for the next step. Stop at <eos> (id 2) "
                   "or after max_len steps, and return the tokens before <eos>.")
_GREEDY_CODE = ("for _ in range(max_len):\n"
                "             logits, state, _ = model.decode_step(prev, state, memory, src_mask)\n"
                "             prev = logits.argmax(dim=-1)          # (1,): fed back at the next step\n"
                "             if prev.item() == 2:                  # <eos>: stop, and do not keep it\n"
                "                 break\n"
                "             out.append(prev.item())")


@functools.lru_cache(maxsize=1)
def _course_data():
    """The course corpus and vocabularies, loaded once per kernel (a few seconds)."""
    from helpers.recipes import translation_data

    return translation_data()


class _EndsSentences:
    """Exercise 3's stand-in model: an untrained ``Seq2Seq`` of the course's sizes whose decoder is made to say
    <eos> after a few steps (half the source length, plus two), so that the check also tests where the loop stops.
    An untrained decoder would almost never choose <eos> by itself."""

    def __init__(self, model):
        self.model, self.config = model, model.config

    def eval(self):
        self.model.eval()
        return self

    def encode(self, src, src_mask):
        self._steps_left = src.size(1) // 2 + 2                     # the sentence ends after this many steps
        return self.model.encode(src, src_mask)

    def init_state(self, memory, src_mask):
        return self.model.init_state(memory, src_mask)

    def decode_step(self, prev, state, memory, src_mask):
        logits, state, attention = self.model.decode_step(prev, state, memory, src_mask)
        self._steps_left -= 1
        if self._steps_left <= 0:
            logits = logits.clone()
            logits[:, EOS_ID] = logits.max() + 1.0                 # <eos> becomes the most likely token
        return logits, state, attention


@functools.lru_cache(maxsize=1)
def _greedy_stand_in() -> _EndsSentences:
    from helpers.recipes import rnn_config

    with torch.random.fork_rng(devices=[]):                        # seeded, without touching the notebook's RNG
        torch.manual_seed(0)
        model = Seq2Seq(rnn_config(_course_data(), attention=False))
    return _EndsSentences(model.eval())


def check_greedy(fn, model=None, src_vocab=None,
                 sentences=("我昨天在公园看了书。", "他不喜欢喝咖啡。", "你买了什么？"), *,
                 hint: int | None = None, strict: bool = False) -> CheckResult:
    """Compare ``fn(model, src_ids, max_len)`` with the reference on a few sentences.

    Without ``model``, on an untrained stand-in of the course's sizes that ends each sentence after a few words
    (no training needed); without ``src_vocab``, with the course's Chinese vocabulary.
    """
    from helpers.tokenize import encode_sentence

    if model is None:
        model = _greedy_stand_in()
    if src_vocab is None:
        src_vocab = _course_data().src_vocab
    model.eval()
    cases = [(model, encode_sentence(src_vocab, s, "zh", on_unknown="ignore"), 40) for s in sentences]
    mistakes = [
        Mistake(lambda m, s, n: _greedy_variant(m, s, n, feed_back=False),
                "feed the token you just chose back in as the next input: the decoder must see its own output.",
                concept="the input of step t is the token chosen at step t - 1 (the argmax of its logits, shape (1,)); "
                        "only the first input is <bos>.",
                code="prev = logits.argmax(dim=-1)          # (1,): the input of the next decode_step"),
        Mistake(lambda m, s, n: _greedy_variant(m, s, n, stop=False),
                "stop when the model outputs <eos> (id 2); otherwise it keeps writing until max_len.",
                concept="the loop ends at the first <eos> or after max_len steps, whichever comes first.",
                code="if prev.item() == 2:                  # <eos>: the sentence is finished\n"
                     "             break"),
        Mistake(lambda m, s, n: _greedy_variant(m, s, n, keep_eos=True),
                "stop at <eos>, but don't include it in the output: it is a signal, not a word.",
                concept="test for <eos> before you add a token to the output list; the list holds only real words.",
                code="if prev.item() == 2:                  # test first ...\n"
                     "             break\n"
                     "         out.append(prev.item())               # ... then keep the word"),
    ]
    hints = Hints("your list of tokens differs from the reference. Start from <bos> (id 1), encode the source only "
                  "once, and at each step take the most likely token.", concept=_GREEDY_CONCEPT, code=_GREEDY_CODE)
    return check_function(fn, greedy, cases, mistakes=mistakes, hints=hints, hint=hint,
                          name="exercise 3 (greedy decoding)", strict=strict)


# --- exercise 4: the bottleneck's size -------------------------------------------------------------

def check_context_size(answer, model=None, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 4: the size of the one vector; ``model``'s config, or else the course's (``rnn_config``)."""
    if model is not None:
        cfg = model.config
    else:
        from helpers.recipes import rnn_config

        cfg = rnn_config(_course_data(), attention=False)
    hints = {cfg.emb_dim: "that is the size of one word's embedding; the decoder gets the encoder's summary of the "
                          "whole sentence.",
             2 * cfg.hidden_dim: "the encoder's two directions are joined, and then projected back to one "
                                 "hidden state."}
    ladder = Hints("look at the model's config: how many numbers are in the summary vector that starts the decoder?",
                   concept="the decoder's first state is the encoder's summary, shape (B, H) with H = hidden_dim: "
                           "H numbers for each sentence.",
                   code="context_size = plain_model.config.hidden_dim")
    return check_value(answer, cfg.hidden_dim, name="exercise 4 (the one vector)", hints=hints, ladder=ladder,
                       hint=hint, strict=strict)


# --- exercise 6: predict, then measure: which change moves the one vector least? -------------------

BOTTLENECK_OPTIONS = {"A": "first", "B": "middle", "C": "last", "D": "about the same"}
"""Exercise 6's options: the character whose change moves the summary least (or D: all about the same)."""


def bottleneck_answer(shifts: dict) -> str:
    """The letter a measurement supports: the position whose change moved the one vector least, or "D" when the
    largest of the three shifts is less than 1.5 times the smallest."""
    low, high = min(shifts.values()), max(shifts.values())
    if high < 1.5 * low:
        return "D"
    least = min(("first", "middle", "last"), key=shifts.get)
    return {v: k for k, v in BOTTLENECK_OPTIONS.items()}[least]


def check_prediction_bottleneck(prediction, shifts: dict, *, hint: int | None = None,
                                strict: bool = False) -> CheckResult:
    """Exercise 6: ``prediction`` ("A" to "D") against what ``shifts`` ({"first", "middle", "last"}: how far the
    one vector moved, relative to its length, averaged over sentences) shows."""
    expected = bottleneck_answer(shifts)
    measured = ", ".join(f"{where} {shifts[where]:.2f}" for where in ("first", "middle", "last"))
    ratio = max(shifts.values()) / min(shifts.values())
    if expected == "D":
        wrong = {letter: f"the measured shifts are {measured}: the largest is only {ratio:.1f} times the smallest, "
                         "less than 1.5 times, so the three count as about the same." for letter in "ABC"}
        why = f"In this measurement the three changes moved the one vector about equally ({measured})."
    else:
        reasons = {
            "A": "our encoder also reads from right to left, and for that direction the first character is the "
                 "newest one: its final state holds it almost whole." if shifts["first"] > shifts["middle"] else "",
            "B": "",
            "C": "the left-to-right direction reads the last character last, so its final state holds it almost "
                 "whole." if shifts["last"] > shifts["middle"] else "",
            "D": f"the largest is {ratio:.0f} times the smallest.",
        }
        wrong = {letter: f"the measured shifts are {measured}: "
                         + (reasons[letter] or f"the {BOTTLENECK_OPTIONS[letter]} one is not the smallest.")
                 for letter in BOTTLENECK_OPTIONS if letter != expected}
        why = (f"In this measurement the change of the {BOTTLENECK_OPTIONS[expected]} character moved the one "
               f"vector least ({measured}).")
        if expected == "B":
            why = ("Each GRU step keeps only part of the old state, so every character fades as more are read. The "
                   "left-to-right GRU reads the last character last, the right-to-left GRU reads the first character "
                   "last: each end is fresh in one of the two final states. A middle character is half a sentence "
                   f"old in both, and little of it reaches the one vector ({measured}).")
    return grade_prediction(
        prediction, expected, name="exercise 6 (which change moves the one vector least)", options="ABCD", why=why,
        wrong=wrong, hint=hint, strict=strict,
        ladder=Hints(
            nudge="read the three numbers the check cell printed: which change moved the one vector least? Answer "
                  "with one letter, A, B, C or D.",
            concept="each direction of the encoder keeps its newest input almost whole and only part of every older "
                    "one, at each step. The one vector is made of the two final states. So for each position, ask "
                    "how many steps old that character is for the left-to-right GRU, and for the right-to-left one.",
            code=f'prediction_bottleneck = "{expected}"      # the measured shifts: {measured}'))
