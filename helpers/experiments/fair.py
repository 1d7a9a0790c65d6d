"""Reading the fair comparison of notebook 06a (``results/fair_arms.json``, written by ``scripts/fair_arms.py``).

The script trains five translators under one plan (tuning grid, three seeds, compute levels); this module turns
its stored runs into what the notebook shows: the tuning grid of an arm, each seed's learning curve against steps,
FLOPs and wall time, the scores at the equal-compute levels and at the end, and how long each arm took to reach a
loss or its plateau. Verdicts are made from these per-seed numbers by ``helpers.experiments.noise.compare``.

Every function takes the loaded result (``load()``) and a data set name (``"synthetic"`` or ``"tatoeba"``).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

__all__ = ["SHORT", "extend_grid", "load", "arms", "tuning", "chosen", "long_runs", "level_steps", "scores_at", "final_scores",
           "curve", "steps_to_loss", "plateau_step", "parameters", "MIN_EFFECT", "QUESTIONS", "comparisons",
           "growth_scores", "FULL_WIDTH", "ladder", "size_exponents"]

NAME = "fair_arms"
SHORT = {"ed": "encoder–decoder", "ed_shared": "enc–dec, shared layers", "do": "decoder-only",
         "do_full": "decoder-only, full LM", "prefix": "prefix-LM"}


def load(name: str = NAME) -> dict[str, Any]:
    """The stored result, with its provenance checked (``helpers.results.load_result``)."""
    from ..results import load_result

    return load_result(name)


def _data(result: dict, dataset: str) -> dict:
    try:
        return result["data"][dataset]
    except KeyError:
        raise KeyError(f"no {dataset!r} runs in the result (it holds {sorted(result.get('data', {}))})") from None


def arms(result: dict, dataset: str) -> list[str]:
    """The arms run on ``dataset``, in the script's order."""
    return list(_data(result, dataset)["arms"])


def _runs(result: dict, dataset: str, arm: str) -> list[dict]:
    try:
        return _data(result, dataset)["arms"][arm]["runs"]
    except KeyError:
        raise KeyError(f"arm {arm!r} was not run on {dataset} (arms: {arms(result, dataset)})") from None


def tuning(result: dict, dataset: str, arm: str) -> list[dict]:
    """The arm's tuning runs: ``{"lr", "warmup", "valid_loss"}`` each, in the order they ran."""
    return [{**r["recipe"], "valid_loss": r["valid_loss"]} for r in _runs(result, dataset, arm) if r["stage"] == "tune"]


def chosen(result: dict, dataset: str, arm: str) -> dict:
    """The recipe the tuning chose (the lowest valid loss), checked against the one the long runs used."""
    grid = tuning(result, dataset, arm)
    if not grid:
        raise ValueError(f"{dataset}/{arm} has no tuning runs")
    best = min(grid, key=lambda r: r["valid_loss"])
    recipe = {"lr": best["lr"], "warmup": best["warmup"]}
    used = {json_key(r["recipe"]) for r in long_runs(result, dataset, arm)}
    if used and used != {json_key(recipe)}:
        raise ValueError(f"{dataset}/{arm}: the long runs used {used}, but the best tuning run is {recipe}")
    return recipe


def json_key(recipe: dict) -> str:
    return f"lr={recipe['lr']:g} warmup={recipe['warmup']}"


def long_runs(result: dict, dataset: str, arm: str) -> list[dict]:
    """The arm's long runs (one per seed, sorted by seed); failed runs are kept (their loss is inf)."""
    return sorted((r for r in _runs(result, dataset, arm) if r["stage"] == "long"), key=lambda r: r["seed"])


def parameters(result: dict, dataset: str, arm: str) -> int:
    return _runs(result, dataset, arm)[0]["parameters"]


def level_steps(result: dict, dataset: str, arm: str) -> list[int]:
    """The step at which ``arm`` has spent each compute level's FLOPs (as the script scored it)."""
    d = _data(result, dataset)
    if not d.get("flops_per_step") or not d.get("levels"):
        raise ValueError(f"{dataset}: the result has no FLOP counts (run `fair_arms.py flops` before the report)")
    return [max(1, round(level / d["flops_per_step"][arm])) for level in d["levels"]]


def _eval_at(run: dict, step: int) -> dict:
    for e in run["evals"]:
        if e["step"] == step:
            return e
    raise ValueError(f"{run['arm']} seed {run['seed']} was not evaluated at step {step}")


def scores_at(result: dict, dataset: str, arm: str, level: int, metric: str = "bleu_test") -> list[float]:
    """One number per seed: ``metric`` (``bleu_test``, ``chrf_test_long3``, ``valid_loss``…) at compute level
    ``level`` (0, 1, 2: the encoder–decoder's FLOPs after the budget, half the long run, all of it)."""
    step = level_steps(result, dataset, arm)[level]
    return [float(_eval_at(r, step)[metric]) if not r["failed"] else math.nan
            for r in long_runs(result, dataset, arm)]


def final_scores(result: dict, dataset: str, arm: str, metric: str = "bleu_test") -> list[float]:
    """One number per seed: ``metric`` at the end of the long run (the arm's plateau)."""
    return [float(r["evals"][-1][metric]) if not r["failed"] else math.nan for r in long_runs(result, dataset, arm)]


def curve(result: dict, dataset: str, arm: str, run: dict) -> dict[str, list[float]]:
    """One run's valid-loss curve with four x axes: ``steps``, ``tokens`` (pairs' tokens read: the same batches
    for every arm, so it only rescales steps), ``flops`` (counted training FLOPs) and ``seconds`` (seconds per
    step measured on a quiet machine, interleaved across arms, times steps; ``nan`` without a timing)."""
    d = _data(result, dataset)
    steps = [e["step"] for e in run["evals"]]
    per_step = (d.get("timing") or {}).get("seconds_per_step", {}).get(arm, math.nan)
    tokens = d.get("tokens_per_step", math.nan)
    return {"steps": steps, "valid_loss": [e["valid_loss"] for e in run["evals"]],
            "tokens": [s * tokens for s in steps], "flops": [s * d["flops_per_step"][arm] for s in steps],
            "seconds": [s * per_step for s in steps]}


def steps_to_loss(steps: Sequence[float], losses: Sequence[float], target: float) -> float:
    """The first step at which the logged loss is at or below ``target``, interpolated linearly between the two
    logs around the crossing (``inf`` if it never gets there)."""
    if len(steps) != len(losses) or not steps:
        raise ValueError(f"need as many steps as losses, got {len(steps)} and {len(losses)}")
    prev = None
    for s, l in zip(steps, losses):
        if l <= target:
            if prev is None or prev[1] == l:
                return float(s)
            (s0, l0) = prev
            return s0 + (s - s0) * (l0 - target) / (l0 - l)
        prev = (s, l)
    return math.inf


def plateau_step(steps: Sequence[float], losses: Sequence[float], rel: float = 0.1) -> float:
    """The first logged step from which every later loss stays within ``rel`` (10 %) of the best loss logged:
    where a run stops improving by more than that."""
    if not steps or len(steps) != len(losses):
        raise ValueError(f"need as many steps as losses, got {len(steps)} and {len(losses)}")
    bar = min(losses) * (1 + rel)
    for i, s in enumerate(steps):
        if all(l <= bar for l in losses[i:]):
            return float(s)
    return float(steps[-1])


def extend_grid(rows: list[dict], run, max_extend: int = 2) -> float:
    """The tuning rule of the course's experiments on a grid of learning rates: the ``lr`` of the row with the
    lowest ``valid_loss``; a winner on the grid's edge extends the grid by a factor 2 that way (``run(lr)`` trains
    and returns the new row, appended to ``rows``), at most ``max_extend`` times, stopping when the new rate loses."""
    if not rows:
        raise ValueError("no tuning runs")
    for _ in range(max_extend):
        lrs = sorted(r["lr"] for r in rows)
        best = min(rows, key=lambda r: r["valid_loss"])["lr"]
        if best not in (lrs[0], lrs[-1]) or len(lrs) < 2:
            break
        lr = best * (2 if best == lrs[-1] else 0.5)
        rows.append(run(lr))
        if min(rows, key=lambda r: r["valid_loss"])["lr"] != lr:
            break
    return min(rows, key=lambda r: r["valid_loss"])["lr"]


# --- the verdicts ---------------------------------------------------------------------------------------------------

# The smallest difference that counts, per kind of number (helpers.experiments.noise.compare's min_effect).
MIN_EFFECT = {"bleu": 1.0, "chrf": 1.0, "valid_loss": 0.005, "log_growth": 0.05}

# What notebook 06a asks of the stored runs: (claim id or "" for a design question, the question, arm a, "higher" or
# "lower", arm b, metric, where: "levels" = at each equal-compute level, "final" = at the end of the long runs).
QUESTIONS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("E3", "the decoder-only model learns faster per FLOP (lower valid loss at equal compute)",
     "do", "lower", "ed", "valid_loss", "levels"),
    ("E3", "... and so does the full-LM decoder-only model", "do_full", "lower", "ed", "valid_loss", "levels"),
    ("", "trained to the end, the decoder-only model translates better (BLEU on test)",
     "do", "higher", "ed", "bleu_test", "final"),
    ("", "... the full-LM decoder-only model translates better", "do_full", "higher", "ed", "bleu_test", "final"),
    ("W2", "the encoder–decoder keeps more quality on the longest third of test (long inputs, trained lengths)",
     "ed", "higher", "do", "bleu_test_long3", "final"),
    ("W2", "the decoder-only model's loss grows more with the distance to its source words (long-range probe)",
     "do", "higher", "ed", "log_growth", "final"),
    ("", "the encoder–decoder extrapolates better to longer sentences than any in training (test_long)",
     "ed", "higher", "do", "bleu_test_long", "final"),
    ("W1", "reading the source both ways (prefix-LM) beats the causal decoder-only model",
     "prefix", "higher", "do", "bleu_test", "final"),
    ("", "a loss on the source too (full LM) beats a loss on the answer only", "do_full", "higher", "do",
     "bleu_test", "final"),
    ("", "an encoder–decoder sharing its layers (the decoder-only model's size) keeps up with the plain one",
     "ed_shared", "higher", "ed", "bleu_test", "final"),
)


def growth_scores(result: dict, dataset: str, arm: str) -> list[float]:
    """One number per seed: the long-range probe's ``log_growth`` (how much the loss of an English word grows from
    the nearest to the furthest distance to its source, as a log ratio) of each long run."""
    probe = (_data(result, dataset).get("long_range") or {}).get("arms", {}).get(arm)
    if not probe:
        raise ValueError(f"{dataset}/{arm}: no long-range probe in the result (run `fair_arms.py long-range`)")
    return [float(r["log_growth"]) for r in sorted(probe, key=lambda r: r["seed"])]


def comparisons(result: dict, dataset: str) -> list[dict[str, Any]]:
    """Every ``QUESTIONS`` row whose two arms were run on ``dataset``, judged by ``noise.compare`` on the per-seed
    numbers: ``{"claim", "question", "a", "b", "metric", "at", "comparison"}``, one row per compute level for
    ``"levels"`` (``at`` = 0, 1, 2) and one for ``"final"`` (``at`` = "final")."""
    from .noise import compare

    ran = set(arms(result, dataset))
    rows = []
    for claim, question, a, direction, b, metric, where in QUESTIONS:
        if not {a, b} <= ran:
            continue
        kind = metric.split("_")[0] if metric != "log_growth" else metric
        effect = MIN_EFFECT["valid_loss" if metric == "valid_loss" else kind]
        if metric == "log_growth":
            try:
                pairs = [("final", growth_scores(result, dataset, a), growth_scores(result, dataset, b))]
            except ValueError:
                continue
        elif where == "levels":
            pairs = [(lv, scores_at(result, dataset, a, lv, metric), scores_at(result, dataset, b, lv, metric))
                     for lv in range(len(_data(result, dataset)["levels"]))]
        else:
            pairs = [("final", final_scores(result, dataset, a, metric), final_scores(result, dataset, b, metric))]
        for at, xa, xb in pairs:
            rows.append({"claim": claim, "question": question, "a": a, "b": b, "metric": metric, "at": at,
                         "comparison": compare(xa, xb, claim=direction, min_effect=effect)})
    return rows


# --- claim D4: the size ladder ---------------------------------------------------------------------------------------

FULL_WIDTH = 128       # the width of every arm's plan; the ladder's other rungs are narrower, at the same depth


def ladder(result: dict, dataset: str, arm: str) -> list[dict[str, Any]]:
    """The arm's size ladder, smallest first: ``{"width", "parameters", "steps", "valid_loss": [one per seed]}``
    per rung. The full-width rung is the arm's long runs; every rung trains the same steps on the same batches."""
    rungs: dict[int, list[dict]] = {}
    for r in _runs(result, dataset, arm):
        if r["stage"] in ("long", "ladder") and not r["failed"]:
            rungs.setdefault(r.get("width", FULL_WIDTH), []).append(r)
    out = []
    for width in sorted(rungs):
        runs = sorted(rungs[width], key=lambda r: r["seed"])
        if len({r["steps"] for r in runs}) != 1:
            raise ValueError(f"{dataset}/{arm} width {width}: runs of different lengths {[r['steps'] for r in runs]}")
        out.append({"width": width, "parameters": runs[0]["parameters"], "steps": runs[0]["steps"],
                    "seeds": [r["seed"] for r in runs], "valid_loss": [float(r["valid_loss"]) for r in runs]})
    return out


def size_exponents(rungs: list[dict[str, Any]]) -> list[float]:
    """One number per seed: the slope ``alpha`` of ``log(valid loss) = c - alpha * log(parameters)`` fitted by least
    squares over the rungs (a power law in size; higher = the loss falls faster as the model grows)."""
    if len(rungs) < 2:
        raise ValueError(f"a slope needs at least two rungs, got {len(rungs)}")
    seeds = rungs[0]["seeds"]
    if any(r["seeds"] != seeds for r in rungs):
        raise ValueError("every rung needs the same seeds")
    xs = [math.log(r["parameters"]) for r in rungs]
    mx = sum(xs) / len(xs)
    out = []
    for k in range(len(seeds)):
        ys = [math.log(r["valid_loss"][k]) for r in rungs]
        my = sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        out.append(-slope)
    return out
