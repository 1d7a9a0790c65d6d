"""The concept quizzes of notebooks 06a–07b (why decoder-only?, scaling, fine-tuning and images as tokens).

``helpers.teaching.quizzes`` merges them with those of notebooks 00–05 into ``QUIZZES``; the same rules hold: every
answer has its explanation, and numeric answers are checked against the course's code in tests/test_quiz.py.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Numeric, Question

QUIZZES_06_07: dict[str, tuple[Question, ...]] = {
    "06a": (
        Choice(
            "Matched in parameters, a decoder-only translator does more work per training step than an "
            "encoder–decoder on the same pairs. Why?",
            ("Every layer processes source and target together, so each layer sees about twice the tokens",
             "It has more parameters",
             "Its causal mask is expensive to build",
             "It must re-encode the source at every step"),
            answer=0,
            explanations=(
                "The encoder–decoder splits its layers: encoder layers read the source, decoder layers the target. "
                "The GPT runs all its layers over the joint text; 06a counts the layer-tokens.",
                "No: it has somewhat fewer (the ratio is printed where the two models are built).",
                "A mask is a tiny boolean matrix; building it costs nothing next to the matrix products.",
                "During training everything is computed in one pass with teacher forcing; re-encoding is a cost of "
                "*serving* a growing input (06c), and it is the encoder–decoder that pays it."),
        ),
        Choice(
            "Why is a causal attention matrix always full rank?",
            ("It is lower-triangular with a positive diagonal, so its determinant (the product of the diagonal) is "
             "never zero",
             "Because softmax rows sum to one",
             "Because it is symmetric",
             "Because it is trained longer"),
            answer=0,
            explanations=(
                "Softmax never gives exactly 0, so every diagonal entry is positive; a triangular matrix's "
                "determinant is the product of its diagonal.",
                "Every attention matrix has rows summing to one, including low-rank bidirectional ones.",
                "Attention matrices are not symmetric in general, causal ones never (the upper triangle is 0).",
                "Rank here is a property of the mask's shape, not of training."),
        ),
        Choice(
            "In the text `<zh> 我 看 书 。 <en> i read books . <eos>`, which positions does the translation loss learn?",
            ("Only the predictions of the English words and <eos>",
             "Every position, Chinese included",
             "Only <eos>",
             "Only the Chinese characters"),
            answer=0,
            explanations=(
                "The prompt's positions get the target -100, which cross-entropy ignores: the model is asked to "
                "write the answer, not to predict its own prompt.",
                "That would be plain language modelling of the whole text; 06b does that on purpose with unpaired "
                "text, but the translation loss learns only the answer.",
                "<eos> is learned, so the model knows when to stop, but so is every English word.",
                "The Chinese is the prompt; predicting it is not the task."),
        ),
    ),
    "06b": (
        Choice(
            "An encoder–decoder given a task marker as the first source token learns four jobs at once. Which "
            "well-known model works this way?",
            ("T5: every task written as text-to-text with a task prefix",
             "GPT-2",
             "BERT",
             "word2vec"),
            answer=0,
            explanations=(
                "T5 (2019) is an encoder–decoder that serves many tasks by prefixing the input with the task's name.",
                "GPT-2 is decoder-only.",
                "BERT is an encoder only; it does not generate text.",
                "word2vec learns word vectors, not tasks."),
        ),
        Choice(
            "Why does notebook 06b take the Chinese pre-training sentences from one half of the pairs and the "
            "English from the other half?",
            ("So that no sentence meets its own translation: the pre-training text is truly unpaired",
             "To have fewer sentences, so pre-training is faster",
             "Because the model cannot read both languages",
             "To balance the two languages' vocabularies"),
            answer=0,
            explanations=(
                "If a Chinese sentence and its English translation were both in the text, the model could learn "
                "translation from them, and the experiment would not be about unpaired data.",
                "Every pair still contributes one sentence; the split is about pairing, not size.",
                "It reads both: the joint vocabulary holds Chinese characters and English words.",
                "Vocabulary balance is not the point; the two halves come from the same generator."),
        ),
        Numeric(
            "A balanced test set for the 'kind' task has equally many statements, yes/no questions and "
            "wh-questions. What accuracy (in %) does guessing one class every time get?",
            33.33,
            "Three equally frequent classes: any single guess is right one time in three.",
            near_misses=((50, "there are three classes, not two"), (85, "that is the share of statements in the "
                                                                        "unbalanced corpus, which is why the test "
                                                                        "set is balanced")),
            rel_tol=2e-2, unit="%",
        ),
    ),
    "06c": (
        Choice(
            "In a chat, each turn adds a message to the input. Why does the decoder-only model's cost per turn "
            "stay nearly flat while the encoder–decoder's grows?",
            ("Causal attention never lets old tokens see new ones, so their keys and values can stay cached; a "
             "bidirectional encoder must recompute every token",
             "The decoder-only model has fewer parameters",
             "The encoder–decoder writes longer replies",
             "The decoder-only model skips attention for old tokens"),
            answer=0,
            explanations=(
                "With a causal mask an old token's vectors never change, so the KV cache holds them; in a "
                "bidirectional encoder every token's vector depends on the newest one.",
                "06c uses models of the same size; the difference is which work can be reused.",
                "Both write replies of the same length in the experiment.",
                "The new tokens still attend to every cached token; that is the small growth you see."),
        ),
        Choice(
            "Fill-in-the-middle rewrites `prefix ___ suffix` as `<pre> prefix <suf> suffix <mid>` → middle. What "
            "does the rewrite give a causal model?",
            ("The words after the blank, placed before the answer, where left-to-right attention can see them",
             "A bidirectional mask",
             "More parameters",
             "A longer context window"),
            answer=0,
            explanations=(
                "The model is unchanged; only the order of the text changes, so the suffix is in the past when "
                "the middle is written.",
                "The mask stays causal; that is the point of the trick.",
                "The same weights answer both ways in 06c.",
                "The text is as long as before, plus three markers."),
        ),
        Choice(
            "A verdict in 06c is 'not decidable at this scale'. What does that mean?",
            ("The measured difference is inside the rule's margin: this run cannot tell the claim from its "
             "opposite",
             "The claim is false",
             "The experiment crashed",
             "The claim is true but was not asserted"),
            answer=0,
            explanations=(
                "Each rule has a margin; a difference smaller than it could flip on another machine or seed, so "
                "it decides nothing.",
                "'Not supported' is the verdict for numbers that clear the margin against the claim.",
                "An experiment that did not run gives 'not run'.",
                "A supported claim that is not asserted is still 'supported'; 'asserted' is a separate column."),
        ),
    ),
    "07a": (
        Choice(
            "Scaling laws in the style of Kaplan et al. (2020) count which parameters?",
            ("The non-embedding parameters (about 12 · layers · d_model² for a GPT)",
             "All parameters, embeddings included",
             "Only the embedding matrix",
             "The number of layers"),
            answer=0,
            explanations=(
                "The embeddings grow with the vocabulary, not with the model's capacity to compute; leaving them out "
                "makes the laws cleaner, and 07a's ladder counts it that way.",
                "For tiny models the embeddings are a large share of all parameters and bend the curve; that is "
                "why they are left out.",
                "The embedding matrix is exactly what is left out.",
                "Depth alone is not the size: width counts squared."),
        ),
        Numeric(
            "Estimate the training compute, in FLOPs, of a 1-billion-parameter model trained on 20 billion tokens "
            "(use 6·N·D).",
            1.2e20,
            "6 × 10⁹ × 2·10¹⁰ = 1.2·10²⁰ FLOPs: 2 per parameter per token forward, 4 backward.",
            near_misses=((2e19, "multiply by 6: 2 FLOPs per parameter per token forward and 4 backward"),
                         (4e19, "2·N·D is the forward pass only; training adds the backward pass (6·N·D in all)")),
            rel_tol=2e-2, unit="FLOPs",
        ),
        Choice(
            "Why was the largest model of 07a's sweep not clearly better than the next size down, at matched tokens?",
            ("It trained on under one token per parameter: its token budget, not its size, was the limit",
             "Large models cannot be trained on a CPU",
             "The power law says loss must rise for large models",
             "Its learning rate was zero"),
            answer=0,
            explanations=(
                "Kaplan's L(N, D) and Chinchilla (~20 tokens per parameter) both say a model needs training "
                "tokens in proportion to its size; 07a discusses it. One learning rate shared by every size may also "
                "suit the largest one least.",
                "It trained fine, just without enough tokens to use its capacity.",
                "A power law with a floor only flattens; it never rises.",
                "It trained with the same schedule as every other size."),
        ),
    ),
    "07b": (
        Choice(
            "When fine-tuning on instruction lines, which tokens carry the loss?",
            ("Only the answer (and its end token): the prompt's targets are -100",
             "Every token, prompt included",
             "Only the first token of the answer",
             "Only the prompt"),
            answer=0,
            explanations=(
                "The model should learn to answer, not to predict the instruction it was given; the same masking "
                "as 06's translation text.",
                "That is pre-training on plain text; fine-tuning learns the answers.",
                "Every answer token is learned, so the whole answer is written.",
                "The prompt is given; it is not the task."),
        ),
        Numeric(
            "An 8 × 8 grey image with 4 grey levels is written as one token per pixel. How many pixel tokens is that "
            "(markers not counted)?",
            64,
            "One token per pixel: 8 × 8 = 64 tokens, each one of 4 grey-level tokens.",
            near_misses=((256, "the 4 grey levels are the *vocabulary* of a pixel token, not extra tokens"),
                         (16, "count pixels, 8 × 8, not rows + columns")),
            unit="tokens",
        ),
        Choice(
            "Why can one small decoder both read digits (image → caption) and draw them (caption → image)?",
            ("Both directions are the same next-token prediction over one stream in which pixels are tokens too",
             "It has a separate image encoder",
             "It was trained twice, once per direction, into two sets of weights",
             "Drawing uses a diffusion model"),
            answer=0,
            explanations=(
                "Put the image first and the caption is the continuation; put the caption first and the image is. "
                "One set of weights learns both.",
                "There is no encoder: that is the point of a decoder-only model.",
                "07b trains one model, once, on both orders.",
                "The pixels are sampled token by token, like words."),
        ),
    ),
}
