"""What the published work says about the article's claims, set beside this course's verdicts (the closing answer).

The course measures each claim of the article at CPU scale (``helpers.experiments.claims``). Tiny models can
disagree with large ones, so the closing section of the course sets every verdict beside the published
comparisons that bear on the same claim: who found what, at what scale, in which direction, and whether our
measurement agrees. This module holds that reading list as data, so the table is rendered from it and from this
run's verdicts, and a test can check that every row names a claim the course tests and a source it lists.

``published`` is the direction a finding gives the *article's claim*, in the words of ``helpers.experiments.noise``:
``supported``, ``contradicted``, or ``mixed`` (it holds in one setting and not in another, said in ``what``).

Example::

    from helpers.experiments import claims, literature
    print(literature.table_markdown(claims.verdicts(claims.load_results())))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

SUPPORTED, CONTRADICTED, MIXED = "supported", "contradicted", "mixed"

# The claims of notebook 00 (E, D, W, R: the article's; A1 and I1: the rank and serving arguments it leaves out).
CLAIM_IDS = ("E1", "E2", "E3", "E4", "D1", "D2", "D3", "D4", "D5", "W1", "W2", "W3", "R1", "A1", "I1")

# How the verdict words of the two rule sets (claims' fixed margins, and noise's seed rule) read as a direction.
_OURS = {"supported": SUPPORTED, "not supported": CONTRADICTED, "contradicted": CONTRADICTED,
         "within noise": None, "not decidable at this scale": None, "not run": "not run", "not testable": "not run"}


@dataclass(frozen=True)
class Source:
    """A published work: how the table cites it, its title, where it appeared, and a stable link."""

    cite: str
    title: str
    venue: str
    url: str


@dataclass(frozen=True)
class Finding:
    """What one source found about one claim: ``published`` (supported, contradicted, mixed), in a sentence."""

    source: str       # a key of SOURCES
    claim: str        # one of CLAIM_IDS
    published: str    # SUPPORTED, CONTRADICTED or MIXED
    what: str         # what they compared and found, with the scale, in one or two plain sentences


SOURCES: dict[str, Source] = {
    "radford2018": Source("Radford et al., 2018", "Improving Language Understanding by Generative Pre-Training",
                          "OpenAI report (GPT-1; the article's reference)",
                          "https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf"),
    "radford2019": Source("Radford et al., 2019", "Language Models are Unsupervised Multitask Learners",
                          "OpenAI report (GPT-2)",
                          "https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf"),
    "brown2020": Source("Brown et al., 2020", "Language Models are Few-Shot Learners", "NeurIPS 2020 (GPT-3)",
                        "https://arxiv.org/abs/2005.14165"),
    "raffel2020": Source("Raffel et al., 2020", "Exploring the Limits of Transfer Learning with a Unified "
                         "Text-to-Text Transformer", "JMLR 21 (T5; §3.2 compares the architectures)",
                         "https://arxiv.org/abs/1910.10683"),
    "lewis2020": Source("Lewis et al., 2020", "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language "
                        "Generation, Translation, and Comprehension", "ACL 2020", "https://arxiv.org/abs/1910.13461"),
    "wang2022": Source("Wang et al., 2022", "What Language Model Architecture and Pretraining Objective Work Best for "
                       "Zero-Shot Generalization?", "ICML 2022", "https://arxiv.org/abs/2204.05832"),
    "zhang2022": Source("Zhang et al., 2022", "Examining Scaling and Transfer of Language Model Architectures for "
                        "Machine Translation", "ICML 2022", "https://arxiv.org/abs/2202.00528"),
    "xia2019": Source("Xia et al., 2019", "Tied Transformers: Neural Machine Translation with Shared Encoder and "
                      "Decoder", "AAAI 2019", "https://doi.org/10.1609/aaai.v33i01.33015466"),
    "bhojanapalli2020": Source("Bhojanapalli et al., 2020", "Low-Rank Bottleneck in Multi-head Attention Models",
                               "ICML 2020", "https://arxiv.org/abs/2002.07028"),
    "su2023": Source("Su Jianlin (苏剑林), 2023", "为什么现在的LLM都是Decoder-only的架构？ (Why are today's LLMs all "
                     "decoder-only?)", "科学空间 kexue.fm blog", "https://kexue.fm/archives/9529"),
    "chung2022": Source("Chung et al., 2022", "Scaling Instruction-Finetuned Language Models", "JMLR 25 (Flan-T5)",
                        "https://arxiv.org/abs/2210.11416"),
    "tay2023": Source("Tay et al., 2023", "UL2: Unifying Language Learning Paradigms", "ICLR 2023",
                      "https://arxiv.org/abs/2205.05131"),
    "nllb2022": Source("NLLB Team, 2022", "No Language Left Behind: Scaling Human-Centered Machine Translation",
                       "Meta AI report (NLLB-200)", "https://arxiv.org/abs/2207.04672"),
    "radford2023": Source("Radford et al., 2023", "Robust Speech Recognition via Large-Scale Weak Supervision",
                          "ICML 2023 (Whisper)", "https://arxiv.org/abs/2212.04356"),
    "zhang2025": Source("Zhang et al., 2025", "Encoder-Decoder Gemma: Improving the Quality-Efficiency Trade-Off via "
                        "Adaptation", "arXiv (T5Gemma)", "https://arxiv.org/abs/2504.06225"),
    "kwon2023": Source("Kwon et al., 2023", "Efficient Memory Management for Large Language Model Serving with "
                       "PagedAttention", "SOSP 2023 (vLLM)", "https://arxiv.org/abs/2309.06180"),
    "liu2023": Source("Liu et al., 2023", "Visual Instruction Tuning", "NeurIPS 2023 (LLaVA)",
                      "https://arxiv.org/abs/2304.08485"),
    "chameleon2024": Source("Chameleon Team, 2024", "Chameleon: Mixed-Modal Early-Fusion Foundation Models",
                            "arXiv (Meta)", "https://arxiv.org/abs/2405.09818"),
    "kaplan2020": Source("Kaplan et al., 2020", "Scaling Laws for Neural Language Models", "arXiv (OpenAI)",
                         "https://arxiv.org/abs/2001.08361"),
}

FINDINGS: tuple[Finding, ...] = (
    # E: the article's charges against encoder–decoders
    Finding("raffel2020", "E1", CONTRADICTED,
            "T5 trains encoder–decoders on raw text pairs written as text-to-text; nothing is aligned by hand."),
    Finding("lewis2020", "E2", CONTRADICTED,
            "BART pre-trains an encoder–decoder on unpaired text (it learns to repair corrupted text), then "
            "fine-tunes it on each task's pairs: pre-training on unpaired text is open to both families."),
    Finding("raffel2020", "E2", CONTRADICTED,
            "T5's encoder–decoders are pre-trained on unlabeled web text (C4) with a span-denoising objective."),
    Finding("raffel2020", "E3", CONTRADICTED,
            "An encoder–decoder with L + L layers costs about the compute of an L-layer decoder-only model (each "
            "token passes through one stack only), and at that equal cost it scored better (T5 §3.2, BERT-base-"
            "sized stacks)."),
    Finding("chung2022", "E4", CONTRADICTED,
            "Flan-T5: one encoder–decoder fine-tuned on 1,800+ tasks, each told by its instruction."),
    Finding("radford2023", "E4", CONTRADICTED,
            "Whisper: one encoder–decoder transcribes, translates and time-stamps speech, the task set by "
            "special tokens."),
    Finding("tay2023", "E4", CONTRADICTED,
            "UL2 20B, an encoder–decoder pre-trained with a mixture of denoising objectives, does many tasks, "
            "few-shot prompting from examples included."),
    # D: the article's case for decoder-only models
    Finding("radford2019", "D1", SUPPORTED,
            "A language model trained only on web text answers tasks posed as plain text, zero-shot (1.5B "
            "parameters)."),
    Finding("brown2020", "D2", SUPPORTED,
            "One 175B decoder-only model does many tasks from a few examples in its prompt (in-context learning), "
            "without fine-tuning; the ability grows with size."),
    Finding("wang2022", "D2", MIXED,
            "At 5B parameters: right after pre-training, a causal decoder-only model with a next-token objective "
            "generalises best zero-shot; after multitask fine-tuning, models that read the input bidirectionally "
            "(encoder–decoder or non-causal decoder) with a masked objective do best."),
    Finding("radford2018", "D3", SUPPORTED,
            "Generative pre-training on unpaired text, then fine-tuning, set the state of the art on 9 of the 12 "
            "language-understanding tasks studied."),
    Finding("zhang2022", "D4", MIXED,
            "For translation, the architectures differ most at small sizes and the gap narrows as they grow; both "
            "families scale."),
    Finding("kaplan2020", "D4", MIXED,
            "Decoder-only loss falls as a power law in size, data and compute; the paper measures no "
            "encoder–decoder, so it does not say one scales worse."),
    Finding("xia2019", "D4", MIXED,
            "One shared stack of weights can serve as both encoder and decoder of a translator with little loss: "
            "a single uniform stack is not unique to decoder-only models."),
    Finding("chameleon2024", "D5", SUPPORTED,
            "One decoder-only model reads and writes image and text tokens mixed in one sequence, from its first "
            "layer on (early fusion)."),
    Finding("radford2023", "D5", MIXED,
            "Whisper takes speech through an encoder–decoder: the encoder reads the sound (as a spectrogram, its "
            "frequencies over time), the decoder writes the text. Another modality, and no decoder-only model."),
    Finding("liu2023", "D5", MIXED,
            "LLaVA feeds a separate vision encoder's output to a decoder-only language model: multimodal, but "
            "with an encoder for the image."),
    # W and R: the drawbacks and their remedies
    Finding("zhang2022", "W1", SUPPORTED,
            "For translation, a causal mask over the source hurts a decoder-only model; reading the source "
            "bidirectionally (prefix-LM) brings it level with an encoder–decoder."),
    Finding("raffel2020", "W1", SUPPORTED,
            "A prefix-LM (bidirectional over the input) beat the causal decoder-only model at equal cost (T5 §3.2)."),
    Finding("zhang2022", "R1", SUPPORTED,
            "The architectures' differences in translation quality shrink as the models grow."),
    # A1 and I1: the rank argument and serving
    Finding("bhojanapalli2020", "A1", SUPPORTED,
            "The scores QKᵀ of a head of size d have rank at most d, so over n > d tokens a head cannot express "
            "every attention pattern: small heads limit attention (they propose heads as large as the sequence)."),
    Finding("su2023", "A1", MIXED,
            "Argues causal attention maps are triangular, hence full rank, which may give decoder-only models more "
            "expressive attention; offered as a conjecture."),
    Finding("kwon2023", "I1", SUPPORTED,
            "Serving systems keep each request's KV cache and share cached prefixes between requests; this is "
            "where decoder-only serving saves its compute."),
    Finding("zhang2025", "I1", MIXED,
            "Encoder–decoders adapted from Gemma 2 weights match or beat their decoder-only source at similar "
            "inference cost: the serving case is not one-sided."),
    Finding("nllb2022", "E4", MIXED,
            "NLLB-200, a 2022 state-of-the-art system for 200 languages, is an encoder–decoder: one model for many "
            "directions, chosen for translation quality."),
)


@dataclass(frozen=True)
class Omission:
    """A reason for today's decoder-only models that the article leaves out, for the course's closing answer."""

    title: str        # the reason, in a few words
    what: str         # what the published work found, in two or three plain sentences
    sources: tuple    # keys of SOURCES ("" entries not allowed); empty only for a judgement (``judgement=True``)
    here: str         # what the course measured about it, and where; or why it cannot be measured at this scale
    judgement: bool = False   # a reading of the field's history, not a measured finding


OMISSIONS: tuple[Omission, ...] = (
    Omission("Zero-shot generalisation from next-token pre-training",
             "Compared at 5B parameters and equal pre-training tokens, a causal decoder-only model trained on plain "
             "next-token prediction answered unseen tasks best zero-shot. After multitask fine-tuning, models that "
             "read their input both ways did better: the best architecture depends on what follows pre-training.",
             ("wang2022", "radford2019"),
             "Not measurable at our scale: 07b's 0.9M-parameter model shows no zero-shot ability at all."),
    Omission("In-context learning grows with scale",
             "A decoder-only model with 175B parameters learns a task from a few examples in its prompt, without "
             "fine-tuning; the ability is weak in small models and grows with size.",
             ("brown2020",),
             "Measured in 07b at 0.9M parameters: one example in the prompt does not help, as the paper's small "
             "models suggest. The growth with size is beyond this machine."),
    Omission("Every token is a training signal",
             "A causal language model learns from every position of every text. A denoising encoder–decoder learns "
             "from the corrupted spans only (T5 corrupts 15 % of the tokens), so at equal text it gets fewer "
             "targets; mixtures of objectives (UL2) narrow the gap.",
             ("raffel2020", "tay2023"),
             "06a's full-LM arm puts a loss on the source tokens too, beside the arm with a loss on the answer only."),
    Omission("Serving: the KV cache and shared prefixes",
             "Serving systems keep the keys and values of every request's past tokens and share the cache of a "
             "common prefix (a system prompt) between requests; a conversation then costs only its new tokens.",
             ("kwon2023",),
             "06c counts the serving cost of a growing conversation (claim I1), in FLOPs and in wall time."),
    Omission("One stack, one objective, and the path the field took",
             "A decoder-only model is one kind of block trained with one loss on any text, so data, code, kernels "
             "and serving systems can all be built for one design. Once GPT-3 showed what scale gives that design, "
             "the tools and the next models followed it: part of today's uniformity is history, not a measured "
             "advantage.",
             (),
             "A judgement about the field, not a measurement; the course cannot test it.", judgement=True),
    Omission("Encoder–decoders are still built where the input is given",
             "Translation for 200 languages (NLLB-200), speech recognition (Whisper) and instruction-tuned models "
             "(Flan-T5, UL2) are encoder–decoders, and encoder–decoders adapted from Gemma 2 weights match their "
             "decoder-only source at similar inference cost.",
             ("nllb2022", "radford2023", "chung2022", "tay2023", "zhang2025"),
             "06a and 07b set the two families side by side on translation and on images as tokens."),
)


def omissions_markdown() -> str:
    """What the article leaves out, as a Markdown list with each source cited and what the course measured of it."""
    lines = []
    for o in OMISSIONS:
        cites = "; ".join(f"[{SOURCES[k].cite}]({SOURCES[k].url})" for k in o.sources)
        lines.append(f"- **{o.title}.** {o.what}" + (f" ({cites})" if cites else " *(A judgement.)*")
                     + f" *Here:* {o.here}")
    return "\n".join(lines)


def _ours(verdict: str) -> str | None:
    if verdict not in _OURS:
        raise ValueError(f"unknown verdict {verdict!r}; expected one of {sorted(_OURS)}")
    return _OURS[verdict]


def agreement(published: str, ours_verdict: str) -> str:
    """``agree``, ``disagree``, ``partly`` (a mixed finding), ``ours within noise`` or ``not run here``."""
    if published not in (SUPPORTED, CONTRADICTED, MIXED):
        raise ValueError(f"published must be supported, contradicted or mixed, got {published!r}")
    ours = _ours(ours_verdict)
    if ours == "not run":
        return "not run here"
    if ours is None:
        return "ours within noise"
    if published == MIXED:
        return "partly"
    return "agree" if ours == published else "disagree"


def table_rows(verdicts: Iterable, claims: Iterable[str] | None = None) -> list[dict[str, str]]:
    """One row per finding, in claim order: claim, source, what they found, published direction, ours, agreement.
    ``verdicts``: ``claims.Verdict`` rows (anything with ``claim_id`` and ``verdict``); a claim without one is
    'not run'. ``claims``: only the findings on these claim ids (default: all)."""
    ours = {v.claim_id: v.verdict for v in verdicts}
    wanted = set(CLAIM_IDS if claims is None else claims)
    if wanted - set(CLAIM_IDS):
        raise ValueError(f"unknown claim ids {sorted(wanted - set(CLAIM_IDS))}; the course's are {CLAIM_IDS}")
    rows = []
    for f in sorted((f for f in FINDINGS if f.claim in wanted), key=lambda f: CLAIM_IDS.index(f.claim)):
        mine = ours.get(f.claim, "not run")
        rows.append({"claim": f.claim, "source": SOURCES[f.source].cite, "url": SOURCES[f.source].url,
                     "what": f.what, "published": f.published, "ours": mine,
                     "agreement": agreement(f.published, mine)})
    return rows


def table_markdown(verdicts: Iterable, claims: Iterable[str] | None = None) -> str:
    """The literature table as Markdown, with each source linked (``claims``: as in ``table_rows``)."""
    lines = ["| claim | published work | what it found | for the claim | ours | agree? |",
             "|---|---|---|---|---|---|"]
    for r in table_rows(verdicts, claims):
        lines.append(f"| {r['claim']} | [{r['source']}]({r['url']}) | {r['what']} | {r['published']} | {r['ours']} | "
                     f"{r['agreement']} |")
    return "\n".join(lines)


def references_markdown() -> str:
    """Every source, as a reference list (author, year, title, venue, link)."""
    return "\n".join(f"- {s.cite}. *{s.title}*. {s.venue}. <{s.url}>"
                     for s in sorted(SOURCES.values(), key=lambda s: s.cite.lower()))
