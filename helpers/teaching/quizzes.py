"""The concept quizzes at the end of every notebook: ``notebook_quiz("01")`` shows notebook 01's.

The questions of notebooks 00–05 are here; those of 06a–07b are in ``quizzes_06_07`` and merged into ``QUIZZES``.

Each quiz has 3-4 questions on the notebook's key ideas, every answer with its explanation (see
``helpers.teaching.quiz``). Numeric answers that the course's code can compute are checked against it in
tests/test_quiz.py, so a quiz cannot drift from what the notebooks teach.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Numeric, Question, Quiz, balance
from helpers.teaching.quizzes_06_07 import QUIZZES_06_07

_WRITTEN: dict[str, tuple[Question, ...]] = {
    "00": (
        Choice(
            "Which weakness does the article behind this course attribute to encoder-decoder models?",
            ("They need paired input/output data, which is hard to collect in quantity",
             "They can only look at the words to the left",
             "They cannot translate",
             "They cannot be trained on a CPU"),
            answer=0,
            explanations=(
                "Every training example is an (input, output) pair, e.g. a sentence and its translation; "
                "plain text alone is not enough. Notebook 06b puts this claim to the test.",
                "That is the weakness the article attributes to decoder-only models (a causal mask); an "
                "encoder reads its whole input in both directions.",
                "Translation is exactly what they were built for; notebooks 02-04 train three of them.",
                "Every model in this course trains on a laptop CPU in a minute or two."),
        ),
        Choice(
            "A check cell prints ❌ with a hint. What is the best next step?",
            ("Read the hint, change your answer cell, re-run it, then re-run the check cell",
             "Run the cell in the Solutions section",
             "Restart the kernel and run everything again"),
            answer=0,
            explanations=(
                "The check calls your function on several inputs; the hint names the mistake it recognised. "
                "Fix, re-run both cells, repeat.",
                "That shows the reference answer, and you learn less from it. Try the hint first; the solutions "
                "are there for afterwards.",
                "Nothing is wrong with the kernel; your answer cell just needs another try."),
        ),
        Numeric(
            "With character-level tokenisation, how many tokens does 你好世界 (hello world) have?",
            4,
            "Character-level tokenisation cuts Chinese text into single characters: 你 好 世 界.",
            near_misses=((2, "that counts words (你好 + 世界); character-level means one token per character"),
                         (12, "that counts UTF-8 bytes (3 per Chinese character), not characters")),
            unit="tokens",
        ),
        Choice(
            "Section 4 printed the top word's probability falling as the temperature rose to T = 4. Why does dividing "
            "the scores by T = 4 before the softmax flatten the distribution?",
            ("Dividing by 4 shrinks the gaps between the scores, and the softmax depends only on those gaps",
             "Dividing makes every score smaller, so every probability gets smaller",
             "The softmax adds T to every score before exponentiating",
             "The probabilities are divided by 4 and then renormalised"),
            answer=0,
            explanations=(
                "Adding the same number to every score changes nothing after the softmax; only the gaps matter. "
                "Dividing by T > 1 shrinks every gap, so the probabilities move closer together (towards uniform).",
                "The probabilities always sum to 1, so they cannot all get smaller: some rise while the top one falls.",
                "Adding the same T to every score would change nothing at all, since only the gaps matter.",
                "Dividing every probability by 4 and renormalising gives back the same probabilities."),
        ),
    ),
    "01": (
        Numeric(
            "q and k have d = 64 independent entries, each with mean 0 and variance 1. What is the variance of "
            "the dot product q·k?",
            64,
            "q·k is a sum of d products, each with variance 1, so the variance is d; the scaled score "
            "q·k/√d has variance 1 again.",
            near_misses=((8, "that is the standard deviation √64; the variance is d itself"),
                         (1, "that is the variance *after* dividing by √d: the reason for the scaling")),
        ),
        Choice(
            "After a masked softmax, what weight does a padding position get?",
            ("Exactly 0", "A small positive weight", "1 / (number of keys)", "The same as the real positions"),
            answer=0,
            explanations=(
                "Its score is set to -inf before the softmax, and exp(-inf) = 0: padding contributes nothing.",
                "That happens if padding is merely given a low score such as -10; -inf makes it exactly zero.",
                "That would be uniform attention, which ignores both the scores and the mask.",
                "Then the mask would have done nothing: padding must not change the result."),
        ),
        Choice(
            "Why does scaled dot-product attention divide the scores q·k by √d before the softmax?",
            ("To keep the scores' spread near 1 whatever d is, so the softmax does not saturate on one key",
             "To make the weights of each query sum to 1",
             "To make the weights non-negative",
             "To save computation when d is large"),
            answer=0,
            explanations=(
                "A dot product of d entries of variance 1 has variance d (the question above). Without the "
                "division, large d gives large score gaps, the softmax puts most of the weight on one key and its "
                "gradients shrink (section 3 measures by how much); dividing by √d brings the variance back to 1.",
                "The softmax alone does that: its outputs over the keys always sum to 1, scaled or not.",
                "exp is never negative, so the softmax weights are non-negative with or without the scaling.",
                "The division is one extra operation; it saves nothing. It changes how peaked the weights are."),
        ),
        Choice(
            "As the softmax temperature T goes to 0, the attention weights of a query ...",
            ("approach a one-hot vector on the highest-scoring key",
             "become uniform",
             "stay the same",
             "all become 0"),
            answer=0,
            explanations=(
                "Dividing by a tiny T magnifies the gaps between scores: the soft lookup turns into a hard one "
                "(an argmax).",
                "That is T going to infinity.",
                "The weights depend on the scores divided by T, so they change.",
                "They still sum to 1; all the weight goes to one key."),
        ),
    ),
    "02": (
        Choice(
            "During training with teacher forcing, the decoder's input at step t is ...",
            ("the true target word t - 1 (or <bos> at the start)",
             "the word it predicted at step t - 1",
             "the source word at position t",
             "the encoder's vector, nothing else"),
            answer=0,
            explanations=(
                "The reference target, shifted right by one, is fed in, so every step learns from a correct "
                "history and all steps train in parallel.",
                "That is how it translates (greedy or beam search), not how it trains with teacher forcing.",
                "Source and target words need not line up one to one (word order differs between zh and en).",
                "The encoder's vector starts the decoder, but at each step it also reads the previous word."),
        ),
        Numeric(
            "The target sentence is 'I read a book' (4 words). With <bos> and <eos>, at how many positions does "
            "the decoder predict a token during training?",
            5,
            "Input <bos> I read a book, targets I read a book <eos>: 5 predictions, the last one being "
            "'stop here'.",
            near_misses=((4, "the model must also learn to stop: <eos> is a target too"),
                         (6, "<bos> is only an input; nobody predicts it")),
            unit="positions",
        ),
        Choice(
            "Why does the model of notebook 02 translate long sentences worse than short ones?",
            ("The whole source must squeeze through one fixed-size vector",
             "The vocabulary has too few words for long sentences",
             "A GRU cannot read more than 30 tokens",
             "BLEU cannot score long sentences"),
            answer=0,
            explanations=(
                "The decoder sees the source only through the encoder's final state, hidden_dim numbers "
                "whatever the length: a bottleneck. Attention (notebook 03) removes it.",
                "Long sentences use the same words as short ones; the vocabulary is shared.",
                "A GRU reads any length; it just has to compress all of it into the same state.",
                "BLEU works at any length; the drop is in the translations themselves."),
        ),
    ),
    "03": (
        Choice(
            "In Bahdanau attention, what plays the role of the query?",
            ("The decoder's current state",
             "The encoder's states",
             "The source embeddings",
             "The previous attention weights"),
            answer=0,
            explanations=(
                "At every step the decoder asks 'which source words matter now?' with its state; the encoder "
                "states are the keys and values.",
                "The encoder states are the keys (scored) and the values (averaged).",
                "The embeddings feed the encoder; attention scores the encoder's states.",
                "Plain Bahdanau attention recomputes its weights at each step from the decoder state."),
        ),
        Numeric(
            "Beam search with beam size 4 runs for 10 steps. How many hypotheses does it keep after each step?",
            4,
            "Each kept hypothesis is extended by every word, then only the best 4 of all candidates survive.",
            near_misses=((1, "that is greedy decoding, a beam of size 1"),
                          (40, "beams do not add up over steps: the best 4 are kept, every step")),
            unit="hypotheses",
        ),
        Choice(
            "Why divide a hypothesis's log-probability by its length (alpha = 1) when beam search compares them?",
            ("Without it, short outputs win: every extra word adds a negative log-probability",
             "It makes the log-probabilities positive",
             "It makes beam search faster",
             "To turn it into BLEU"),
            answer=0,
            explanations=(
                "A log-probability only falls as words are added, so raw scores favour stopping early; dividing "
                "by the length compares hypotheses per word.",
                "A negative number divided by a positive length stays negative.",
                "It changes which hypothesis wins, not how many are computed.",
                "BLEU needs a reference translation; beam search has none."),
        ),
        Choice(
            "Attention maps are scored against the corpus's gold alignments with AER (alignment error rate). "
            "Which AER is best?",
            ("0 %", "50 %", "100 %", "It depends on the sentence length"),
            answer=0,
            explanations=(
                "AER is an error rate (printed in %, like BLEU): 0 % means the attention links match the gold links "
                "exactly.",
                "Half of the links are wrong or missing: better than chance, far from good.",
                "100 % is the worst: no link is right.",
                "AER is normalised by the number of links, so sentences of any length share one scale."),
        ),
    ),
    "04": (
        Numeric(
            "Multi-head attention with d_model = 128 and 4 heads: how many numbers does each head's query "
            "vector have?",
            32,
            "The heads split d_model: 128 / 4 = 32 each, so multi-head attention costs no extra parameters.",
            near_misses=((128, "each head gets a slice of d_model, not all of it"),
                         (512, "the heads divide d_model between them; they do not multiply it")),
        ),
        Choice(
            "Section 3 shuffled the input tokens of self-attention without positional encodings, and the outputs "
            "came back shuffled the same way, otherwise unchanged. Why?",
            ("Each output is its own token's query against the keys and values of all tokens, and a sum over all "
             "tokens does not depend on their order",
             "The softmax sorts the scores before weighting the values",
             "The output projection puts the rows back in their original order",
             "The feed-forward network undoes the shuffle"),
            answer=0,
            explanations=(
                "Nothing in the computation knows a position: a token's output depends only on its content and the "
                "set of all tokens. So attention cannot tell 狗找了猫 from 猫找了狗 without positional encodings.",
                "The softmax turns scores into weights in place; it sorts nothing.",
                "The output projection acts on each row on its own; it cannot move rows.",
                "The feed-forward network also acts on each position on its own, so it cannot undo or cause a "
                "shuffle."),
        ),
        Choice(
            "Which mask does the decoder's self-attention use in training?",
            ("A causal mask: position t sees positions 0 … t",
             "Only the source's padding mask",
             "No mask: the decoder sees the whole target",
             "The encoder's mask"),
            answer=0,
            explanations=(
                "Position t may see positions up to t only: otherwise, with teacher forcing, it could copy the "
                "word it is asked to predict. No target padding mask is needed: the padding sits after the last "
                "word, where the causal mask already keeps every real position away from it, and the loss ignores "
                "the padded positions themselves.",
                "That one belongs to cross-attention, where the decoder looks at the source.",
                "Then training would be a copy task and the model could not generate at test time.",
                "The encoder attends to the source; the decoder's self-attention runs over the target."),
        ),
        Numeric(
            "How many times more attention scores does an encoder layer compute for a 200-token source than for "
            "a 50-token source?",
            16,
            "One score per (query, key) pair: L² grows (200 / 50)² = 16 times.",
            near_misses=((4, "that is the growth of the number of tokens; scores grow with its square"),
                         (8, "the growth is quadratic, not 2 × linear")),
            unit="×",
        ),
    ),
    "05": (
        Choice(
            "In a decoder-only model, changing the token at position 5 can change the predictions at ...",
            ("positions 5 and later only",
             "every position",
             "positions before 5 only",
             "position 5 only"),
            answer=0,
            explanations=(
                "The causal mask lets position t see positions ≤ t; notebook 05 asserts it.",
                "That would be a bidirectional encoder; the causal mask hides the future.",
                "It is the other way round: the past cannot see the future.",
                "Every later position can look back at position 5 too."),
        ),
        Choice(
            "Section 9 asserts that greedy generation with a KV cache gives exactly the tokens of the same model "
            "without one. Why can the cache lose nothing?",
            ("With a causal mask, the keys and values of earlier positions never change when a token is added",
             "The cache stores the chosen tokens, and the model is re-run on them at every step",
             "The cache is refreshed from the whole text every few steps",
             "It only holds while the text is shorter than the number of heads"),
            answer=0,
            explanations=(
                "Position i's key and value depend only on tokens 0..i, which the causal mask keeps fixed, so "
                "computing them once and storing them gives the same numbers as recomputing them: only the work "
                "per step changes.",
                "That would be recomputation without a cache; the cache stores keys and values, not tokens.",
                "Nothing needs refreshing: a stored key or value can never become out of date under a causal mask.",
                "The cache's length has nothing to do with the number of heads; it holds one key and value per "
                "token, per head, per layer."),
        ),
        Numeric(
            "A model assigns the same probability to each of 1,024 tokens. What is its perplexity?",
            1024,
            "Perplexity = exp(cross-entropy) = exp(ln 1024) = 1024: as unsure as a fair 1,024-sided die.",
            near_misses=((6.931, "that is the cross-entropy ln 1024; perplexity is its exponential"),
                         (10, "that is log2 1024, the entropy in bits")),
            rel_tol=2e-3,
        ),
        Numeric(
            "A GPT with n_layer = 2 and d_model = 256 has read 40 tokens so far (prompt and output together). "
            "How many numbers do the keys and values of those 40 tokens take in its KV cache?",
            40_960,
            "Keys and values (2) × layers (2) × tokens (40) × d_model (256) = 40,960: the cache grows by "
            "2 × n_layer × d_model numbers per token, whatever the number of heads.",
            near_misses=((20_480, "a cache keeps both the keys and the values, in every layer"),
                         (10_240, "count the keys and the values of every layer")),
            unit="numbers",
        ),
    ),
    **QUIZZES_06_07,
}

# As written, most right answers come first; ``balance`` spreads them over the positions, quiz by quiz.
QUIZZES: dict[str, tuple[Question, ...]] = {key: balance(questions, key) for key, questions in _WRITTEN.items()}


def notebook_quiz(notebook: str):
    """The quiz of notebook ``"00"`` ... ``"05"``, ``"06a"`` ... ``"06c"`` as a widget (with a static fallback
    for pages without a kernel)."""
    key = max((k for k in QUIZZES if str(notebook).startswith(k)), key=len, default=None)   # "06a_..." -> "06a"
    if key is None:
        raise KeyError(f"no quiz for notebook {notebook!r}; quizzes exist for {sorted(QUIZZES)}")
    return Quiz(QUIZZES[key], title=f"Quiz · notebook {key}")
