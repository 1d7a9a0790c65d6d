"""The seed article's claims, this run's numbers, and a verdict computed from them (notebook 06).

Each part of notebook 06 ``record``s the numbers it measured in a small JSON file among the local
caches (``checkpoints/verdict_store.json``, git-ignored; see ``helpers.results``), so the last part can gather them into one
table however many sittings the learner took. ``verdicts(results)`` applies one written-down
rule per claim and returns a ``Verdict`` per row:

* **supported** / **not supported**: the numbers clear the rule's margin;
* **not decidable at this scale**: they fall inside it;
* **not run**: the part of notebook 06 that measures it has not been run here yet.

A verdict is ``robust`` when the numbers clear the margin twice over: the notebook ``assert``s those
among them whose margin is wide enough to hold on any machine; the rest are printed, not asserted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..checkpoints import CHECKPOINT_DIR

SUPPORTED, NOT_SUPPORTED, UNDECIDED, NOT_RUN = ("supported", "not supported", "not decidable at this scale",
                                                "not run")


OLD_STORE = "why_decoder_only.json"  # the verdict store's earlier name, read if no new store exists yet


def results_path() -> Path:
    return Path(CHECKPOINT_DIR) / "verdict_store.json"


def record(experiment: str, numbers: dict[str, Any], path: Path | None = None) -> None:
    """Store one experiment's numbers (JSON-able) under its name, keeping the others."""
    results = load_results(path)     # with no path: the store (or its predecessor under the old name)
    path = Path(path) if path is not None else results_path()
    results[experiment] = json.loads(json.dumps(numbers))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=True))
    tmp.replace(path)


def load_results(path: Path | None = None) -> dict[str, Any]:
    """Everything recorded so far ({} if nothing was); a corrupt file is reported, not trusted."""
    if path is None and not results_path().is_file() and (Path(CHECKPOINT_DIR) / OLD_STORE).is_file():
        path = Path(CHECKPOINT_DIR) / OLD_STORE    # recorded before the store was renamed: still this learner's runs
    path = Path(path) if path is not None else results_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err}); delete it and re-run notebooks 06a–06c") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} should hold a JSON object of experiments; delete it and re-run 06a–06c")
    return data


@dataclass
class Verdict:
    """One row of the verdict table."""

    claim_id: str        # E1 … R1 as in notebook 00, A1/I1 for the extra tests
    claim: str           # the article's claim, in a line
    experiment: str      # where it was measured
    numbers: str         # this run's figures, as text
    verdict: str         # SUPPORTED, NOT_SUPPORTED, UNDECIDED or NOT_RUN
    robust: bool         # clears the margin twice over: safe to assert on any machine
    rule: str            # the rule that turned the numbers into the verdict


def _three_way(value: float, margin: float, *, positive: str = SUPPORTED, negative: str = NOT_SUPPORTED
               ) -> tuple[str, bool]:
    """value > margin → positive; value < −margin → negative; else undecided. Robust beyond 2 × margin."""
    if value > margin:
        return positive, value > 2 * margin
    if value < -margin:
        return negative, value < -2 * margin
    return UNDECIDED, False


def _e1(r):
    e = r["translation"]
    verdict, robust = _three_way(30.0 - e["tf_bleu"], 10.0, positive=SUPPORTED, negative=NOT_SUPPORTED)
    return (f"encoder–decoder trained on raw pairs, no alignments: BLEU {e['tf_bleu']:.1f}", verdict, robust,
            "not supported if a model given no alignments reaches BLEU > 40; supported if < 20")


def _e2(r):
    e = r["unpaired_sweep"]
    k = min(e["k"])
    i = e["k"].index(k)
    gap = e["gpt_pretrained"][i] - e["tf_scratch"][i]
    verdict, robust = _three_way(gap, 3.0)
    return (f"K={k} pairs: pre-trained decoder-only {e['gpt_pretrained'][i]:.1f} vs encoder–decoder "
            f"{e['tf_scratch'][i]:.1f} BLEU", verdict, robust,
            "supported if unpaired pre-training puts the decoder-only > 3 BLEU ahead at the smallest K")


def _e3(r):
    e = r["translation"]
    ratio = e["gpt_seconds_per_step"] / e["tf_seconds_per_step"]
    time_ratio = e["gpt_seconds_to_loss"] / e["tf_seconds_to_loss"]
    verdict, robust = _three_way(1.0 / time_ratio - 1.0, 0.25, positive=SUPPORTED, negative=NOT_SUPPORTED)
    return (f"decoder-only {ratio:.2f}× the seconds per step; {time_ratio:.2f}× the wall time to the same loss",
            verdict, robust, "supported if the decoder-only reaches the loss in < 0.8× the time; not if > 1.33×")


def _geo_ratio(num: dict, den: dict, tasks) -> float:
    """Geometric mean over tasks of num[task] / den[task]: 1.0 = as good on average, scale-free per task."""
    import math

    return math.exp(sum(math.log(max(num[t], 1e-9) / max(den[t], 1e-9)) for t in tasks) / len(tasks))


def _e4(r):
    e = r["multitask"]
    geo = _geo_ratio(e["tf_multi"], e["gpt_multi"], e["tasks"])
    verdict, robust = _three_way(0.85 - geo, 0.05)
    return (f"one encoder–decoder told the task by a marker scores {geo:.2f}× the multi-task decoder-only "
            f"(geometric mean over {len(e['tasks'])} tasks)", verdict, robust,
            "not supported if a marker-driven encoder–decoder scores > 0.9× the multi-task decoder-only; "
            "supported if < 0.8×")


def _d1(r):
    e = r["multitask"]
    trained, novel, chance = e["gpt_multi"][e["novel_of"]], e["novel_accuracy"], e["novel_chance"]
    verdict, robust = _three_way((novel - chance) / max(trained - chance, 1e-9) - 0.5, 0.3)
    return (f"{e['novel_of']} in its trained format {trained:.0f}%, in an unseen format {novel:.0f}% "
            f"(chance {chance:.0f}%)", verdict, robust,
            "supported if an unseen prompt format keeps > 80% of the above-chance accuracy; not if < 20%")


def _d2(r):
    e = r["multitask"]
    geo = _geo_ratio(e["gpt_multi"], e["tf_single"], e["tasks"])
    worst = min(e["gpt_multi"][t] / max(e["tf_single"][t], 1e-9) for t in e["tasks"])
    verdict, robust = _three_way(geo - 0.8, 0.1)
    return (f"one decoder-only scores {geo:.2f}× the per-task encoder–decoders (geometric mean; worst task "
            f"{worst:.2f}×) with {e['gpt_params'] / e['tf_single_params']:.2f}× their parameters",
            verdict, robust, "supported if > 0.9× the specialists at the same total budget; not supported if < 0.7×")


def _d3(r):
    e = r["unpaired"]
    i = e["k"].index(min(e["k"]))
    gain = e["gpt_pretrained"][i] - e["gpt_scratch"][i]
    verdict, robust = _three_way(gain, 3.0)
    return (f"K={e['k'][i]}: pre-trained then fine-tuned {e['gpt_pretrained'][i]:.1f} vs from scratch "
            f"{e['gpt_scratch'][i]:.1f} BLEU", verdict, robust, "supported if pre-training adds > 3 BLEU")


def _w1(r):
    e = r["infill"]
    gain = e["fim_accuracy"] - e["as_posed_accuracy"]
    verdict, robust = _three_way(gain, 10.0)
    extra = ""
    if "masks" in r:
        extra = f"; prefix-LM {r['masks']['prefix_bleu']:.1f} vs causal {r['masks']['causal_bleu']:.1f} BLEU"
    return (f"blank filled from the left only {e['as_posed_accuracy']:.0f}%, rewritten so the suffix comes first "
            f"{e['fim_accuracy']:.0f}%{extra}", verdict, robust,
            "supported if seeing the right context (by rewriting) adds > 10 points")


def _w2(r):
    e = r["translation"]
    g, t = e["gpt_bleu_long"] / max(e["gpt_bleu"], 1e-9), e["tf_bleu_long"] / max(e["tf_bleu"], 1e-9)
    verdict, robust = _three_way(t - g, 0.1)
    return (f"test_long keeps {100 * g:.0f}% of test BLEU for the decoder-only, {100 * t:.0f}% for the "
            f"encoder–decoder", verdict, robust, "supported if the decoder-only keeps > 10 points less")


def _w3(r):
    e = r["hallucination"]
    gap = e["gpt_ood"] - e["tf_ood"]
    verdict, robust = _three_way(gap, 10.0)
    return (f"out-of-distribution inputs: {e['gpt_ood']:.0f}% of decoder-only outputs unsupported vs "
            f"{e['tf_ood']:.0f}% for the encoder–decoder", verdict, robust,
            "supported if the decoder-only hallucinates > 10 points more often")


def _r1(r):
    e = r["unpaired_sweep"]
    i_small, i_big = e["k"].index(min(e["k"])), e["k"].index(max(e["k"]))
    gap_small = e["tf_scratch"][i_small] - e["gpt_pretrained"][i_small]
    gap_big = e["tf_scratch"][i_big] - e["gpt_pretrained"][i_big]
    verdict, robust = _three_way(gap_small - gap_big, 3.0)
    return (f"decoder-only behind the encoder–decoder by {gap_small:.1f} BLEU at K={min(e['k'])}, by {gap_big:.1f} "
            f"at K={max(e['k'])}", verdict, robust,
            "supported if more data shrinks the decoder-only's deficit by > 3 BLEU")


def _a1(r):
    e = r["rank"]
    gap = e["causal_relative_rank"] - e["bidirectional_relative_rank"]
    verdict, robust = _three_way(gap, 0.05)
    return (f"mean numerical rank / size: causal {e['causal_relative_rank']:.2f}, bidirectional "
            f"{e['bidirectional_relative_rank']:.2f}", verdict, robust,
            "supported if causal maps are > 5 points nearer full rank")


def _i1(r):
    e = r["serving"]
    ratio = e["tf_flops_last"] / e["gpt_flops_last"]
    verdict, robust = _three_way(ratio - 1.5, 0.5)
    return (f"turn {e['turns']}: the encoder–decoder needs {ratio:.1f}× the FLOPs "
            f"({e['tf_seconds_total'] / e['gpt_seconds_total']:.1f}× the time over the conversation)",
            verdict, robust, "supported if re-encoding costs > 2× the cached decoder-only's FLOPs at the last turn")


CLAIMS: list[tuple[str, str, str, Callable]] = [
    ("E1", "encoder–decoders need heavy, aligned preprocessing", "06a translation", _e1),
    ("E2", "paired data is scarce, so unpaired text gives decoder-only models the edge", "06b stored sweep", _e2),
    ("E3", "encoder–decoders take longer to train", "06a translation", _e3),
    ("E4", "a trained encoder–decoder serves one task", "06b many tasks", _e4),
    ("D1", "a decoder-only model takes any text format", "06b many tasks", _d1),
    ("D2", "one decoder-only model serves many tasks", "06b many tasks", _d2),
    ("D3", "pre-training on plain text, then fine-tuning, pays off", "06b unpaired", _d3),
    ("W1", "decoder-only models see only left context", "06c fill-in-the-middle", _w1),
    ("W2", "decoder-only models struggle more with long inputs", "06a translation", _w2),
    ("W3", "decoder-only models hallucinate more", "06c hallucination", _w3),
    ("R1", "more data and fine-tuning soften the weaknesses", "06b stored sweep", _r1),
    ("A1", "causal attention is full rank, bidirectional can be low-rank", "06a masks and rank", _a1),
    ("I1", "a decoder-only model serves growing inputs cheaper (KV cache)", "06c serving", _i1),
]


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """One ``Verdict`` per claim, from recorded results (missing experiments give ``NOT_RUN``)."""
    rows = []
    for cid, claim, where, rule in CLAIMS:
        try:
            numbers, verdict, robust, text = rule(results)
        except KeyError:
            numbers, verdict, robust, text = f"run notebook {where.split()[0]} first", NOT_RUN, False, ""
        rows.append(Verdict(cid, claim, where, numbers, verdict, robust, text))
    return rows


def verdict_markdown(rows: list[Verdict], asserted=()) -> str:
    """The table as Markdown (for ``IPython.display.Markdown`` and the closing note).

    "margin ×2": the numbers clear the rule's margin twice over; "asserted": the claim ids in ``asserted``.
    """
    lines = ["| | claim | experiment | this run | verdict | margin ×2 | asserted |", "|---|---|---|---|---|---|---|"]
    for v in rows:
        lines.append(f"| {v.claim_id} | {v.claim} | {v.experiment} | {v.numbers} | **{v.verdict}** | "
                     f"{'yes' if v.robust else 'no'} | {'yes' if v.claim_id in asserted else 'no'} |")
    return "\n".join(lines)
