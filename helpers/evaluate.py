"""Translate a test set and score it: the one evaluation every translation notebook runs.

``evaluate_translation(model, pairs, src_vocab, tgt_vocab)`` decodes the source side of
``pairs`` in batches, then reports corpus BLEU, chrF and exact match, the same scores by
source length, and, when the pairs carry gold alignments and the model returns
attention, the alignment error rate of its attention next to the diagonal baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import metrics
from .generate import Translation, translate


@dataclass
class TranslationReport:
    """Scores of one model on one set of pairs (all in percent)."""

    bleu: float
    chrf: float
    exact: float
    by_length: list[metrics.LengthBucket]
    translations: list[Translation] = field(repr=False)
    references: list[str] = field(repr=False)
    aer: float | None = None                 # attention vs gold alignments (lower is better)
    aer_diagonal: float | None = None        # the trivial diagonal baseline on the same pairs

    def summary(self) -> str:
        text = f"BLEU {self.bleu:5.1f}   chrF {self.chrf:5.1f}   exact {self.exact:5.1f} %"
        if self.aer is not None:
            text += f"   AER {self.aer:5.1f} (diagonal {self.aer_diagonal:5.1f})"
        return text


def evaluate_translation(model, pairs, src_vocab, tgt_vocab, *, beam_size: int = 1, edges=None, n_buckets: int = 4,
                         batch_size: int = 128, max_len: int = 80) -> TranslationReport:
    """Decode ``pairs`` (objects with ``.zh``, ``.en`` and optionally ``.alignment``) and score them.

    ``edges`` / ``n_buckets`` choose the source-length buckets (see
    ``metrics.quality_by_length``); lengths are counted in source tokens (characters).
    """
    pairs = list(pairs)
    if not pairs:
        raise ValueError("evaluate_translation needs at least one pair")
    outs = translate(model, [p.zh for p in pairs], src_vocab, tgt_vocab, beam_size=beam_size,
                     batch_size=batch_size, max_len=max_len)
    hyps = [o.text for o in outs]
    refs = [p.en for p in pairs]
    report = TranslationReport(
        bleu=metrics.bleu(hyps, refs), chrf=metrics.chrf(hyps, refs), exact=metrics.exact_match(hyps, refs),
        by_length=metrics.quality_by_length([len(o.source_tokens) for o in outs], hyps, refs,
                                            edges=edges, n_buckets=n_buckets),
        translations=outs, references=refs)
    if all(getattr(p, "alignment", None) for p in pairs):
        attentions = forced_attention(model, pairs, src_vocab, tgt_vocab, batch_size=batch_size)
        if attentions is not None:
            predicted, diagonal, gold = [], [], []
            for p, a in zip(pairs, attentions):
                n_tgt, n_src = a.shape
                predicted.append(metrics.attention_links(a, n_src, n_tgt))
                diagonal.append(metrics.diagonal_alignment(n_src, n_tgt))
                gold.append(p.alignment)
            report.aer = metrics.alignment_error_rate(predicted, gold)
            report.aer_diagonal = metrics.alignment_error_rate(diagonal, gold)
    return report


def forced_attention(model, pairs, src_vocab, tgt_vocab, *, batch_size: int = 128):
    """Attention while the model reads the *reference* translation (teacher forcing).

    Returns one ``(n_target_tokens, n_source_tokens)`` tensor per pair (rows: reference
    English tokens, without ``<eos>``), or ``None`` if the model has no attention. For a
    Transformer, the last layer's cross-attention averaged over heads is used. Scoring
    attention on the reference, not on the model's own output, keeps target positions
    aligned with the gold alignment even where the translation is wrong.
    """
    import torch

    from .batching import TranslationDataset, collate

    dataset = TranslationDataset([(p.zh, p.en) for p in pairs], src_vocab, tgt_vocab)
    device = next(model.parameters()).device
    out = []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(dataset), batch_size):
            batch = collate([dataset[i] for i in range(start, min(len(dataset), start + batch_size))]).to(device)
            _, attn = model(batch.src, batch.src_mask, batch.tgt_in, return_attention=True)
            if attn is None:
                return None
            if isinstance(attn, dict):
                attn = attn["cross"][-1].mean(dim=1)                             # (B, T, S), heads averaged
            for b in range(len(batch)):
                n_src, n_tgt = int(batch.src_lengths[b]), int(batch.tgt_lengths[b]) - 1
                out.append(attn[b, :n_tgt, :n_src].cpu())                        # row t: the step that emits English token t
    return out


def quality_by_length(*reports: TranslationReport, edges=None, n_buckets: int = 4) -> list[metrics.LengthBucket]:
    """Pool the translations of several reports (e.g. ``test`` and ``test_long``) and score them by source length.

    Nothing is decoded again: the reports already hold the translations.
    """
    if not reports:
        raise ValueError("pass at least one TranslationReport")
    outs = [t for r in reports for t in r.translations]
    refs = [ref for r in reports for ref in r.references]
    return metrics.quality_by_length([len(o.source_tokens) for o in outs], [o.text for o in outs], refs,
                                     edges=edges, n_buckets=n_buckets)
