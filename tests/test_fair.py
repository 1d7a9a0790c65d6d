"""helpers.experiments.fair: reading the stored fair comparison (tuning grids, long runs, compute levels, curves,
time to a loss, plateaus), on a hand-made result whose answers are known."""

from __future__ import annotations

import math

import pytest

from helpers.experiments import fair


def _run(arm, seed, recipe, evals, stage="long", failed=None):
    return {"arm": arm, "seed": seed, "stage": stage, "recipe": recipe, "evals": evals, "failed": failed,
            "valid_loss": evals[-1]["valid_loss"] if evals else math.inf, "parameters": 100 if arm == "ed" else 90}


@pytest.fixture
def result():
    good = {"lr": 2e-3, "warmup": 0}
    tune = [_run("ed", 0, {"lr": lr, "warmup": 0}, [{"step": 6, "valid_loss": v}], stage="tune")
            for lr, v in ((1e-3, 0.5), (2e-3, 0.3), (4e-3, 0.9))]
    ed = [_run("ed", s, good, [{"step": 2, "valid_loss": 2.0, "bleu_test": 10.0 + s},
                                {"step": 4, "valid_loss": 1.0, "bleu_test": 20.0 + s},
                                {"step": 8, "valid_loss": 0.5, "bleu_test": 30.0 + s}]) for s in (1, 2, 3)]
    do = [_run("do", s, good, [{"step": 1, "valid_loss": 3.0, "bleu_test": 5.0},
                                {"step": 2, "valid_loss": 1.5, "bleu_test": 15.0},
                                {"step": 4, "valid_loss": 0.8, "bleu_test": 25.0 + s}]) for s in (1, 2, 3)]
    do_tune = [_run("do", 0, good, [{"step": 6, "valid_loss": 0.4}], stage="tune")]
    return {"data": {"synthetic": {"arms": {"ed": {"runs": tune + ed}, "do": {"runs": do_tune + do}},
                                   "flops_per_step": {"ed": 10.0, "do": 20.0}, "levels": [20.0, 40.0, 80.0],
                                   "timing": {"seconds_per_step": {"ed": 0.5, "do": 2.0}}, "tokens_per_step": 30.0}}}


def test_grid_choice_and_runs(result):
    assert fair.arms(result, "synthetic") == ["ed", "do"]
    assert [r["lr"] for r in fair.tuning(result, "synthetic", "ed")] == [1e-3, 2e-3, 4e-3]
    assert fair.chosen(result, "synthetic", "ed") == {"lr": 2e-3, "warmup": 0}
    assert [r["seed"] for r in fair.long_runs(result, "synthetic", "ed")] == [1, 2, 3]
    assert fair.parameters(result, "synthetic", "do") == 90
    result["data"]["synthetic"]["arms"]["ed"]["runs"][0]["valid_loss"] = 0.1     # now 1e-3 looks best
    with pytest.raises(ValueError, match="long runs used"):
        fair.chosen(result, "synthetic", "ed")
    with pytest.raises(KeyError, match="not run on synthetic"):
        fair.long_runs(result, "synthetic", "prefix")
    with pytest.raises(KeyError, match="no 'tatoeba' runs"):
        fair.arms(result, "tatoeba")


def test_levels_match_flops(result):
    # equal FLOPs: ed spends 10 per step, do 20, so do's level steps are half of ed's
    assert fair.level_steps(result, "synthetic", "ed") == [2, 4, 8]
    assert fair.level_steps(result, "synthetic", "do") == [1, 2, 4]
    assert fair.scores_at(result, "synthetic", "ed", 1) == [21.0, 22.0, 23.0]
    assert fair.scores_at(result, "synthetic", "do", 1) == [15.0, 15.0, 15.0]
    assert fair.scores_at(result, "synthetic", "do", 0, "valid_loss") == [3.0, 3.0, 3.0]
    assert fair.final_scores(result, "synthetic", "do") == [26.0, 27.0, 28.0]
    result["data"]["synthetic"]["levels"] = [30.0, 40.0, 80.0]                   # ed step 3 was never scored
    with pytest.raises(ValueError, match="not evaluated at step 3"):
        fair.scores_at(result, "synthetic", "ed", 0)


def test_curve_axes(result):
    run = fair.long_runs(result, "synthetic", "do")[0]
    c = fair.curve(result, "synthetic", "do", run)
    assert c["steps"] == [1, 2, 4] and c["flops"] == [20.0, 40.0, 80.0]
    assert c["seconds"] == [2.0, 4.0, 8.0] and c["tokens"] == [30.0, 60.0, 120.0]
    assert c["valid_loss"] == [3.0, 1.5, 0.8]


def test_time_to_a_loss_and_plateau():
    assert fair.steps_to_loss([2, 4, 8], [2.0, 1.0, 0.5], 1.0) == 4.0
    assert fair.steps_to_loss([2, 4, 8], [2.0, 1.0, 0.5], 1.5) == 3.0              # half way from 2.0 to 1.0
    assert fair.steps_to_loss([2, 4, 8], [2.0, 1.0, 0.5], 3.0) == 2.0
    assert fair.steps_to_loss([2, 4, 8], [2.0, 1.0, 0.5], 0.1) == math.inf
    assert fair.plateau_step([1, 2, 3, 4, 5], [4.0, 1.0, 1.05, 0.98, 1.0]) == 2.0
    assert fair.plateau_step([1, 2, 3], [3.0, 2.0, 1.0]) == 3.0
    with pytest.raises(ValueError, match="as many steps"):
        fair.steps_to_loss([1, 2], [1.0], 0.5)


def test_the_grid_extends_past_an_edge_winner():
    losses = {1e-3: 0.5, 2e-3: 0.4, 4e-3: 0.3, 8e-3: 0.25, 1.6e-2: 0.9}
    rows = [{"lr": lr, "valid_loss": losses[lr]} for lr in (1e-3, 2e-3, 4e-3)]
    tried = []

    def run(lr):
        tried.append(lr)
        return {"lr": lr, "valid_loss": losses[lr]}
    assert fair.extend_grid(rows, run) == 8e-3 and tried == [8e-3, 1.6e-2]     # twice, the second one loses
    inner = [{"lr": lr, "valid_loss": v} for lr, v in ((1e-3, 0.5), (2e-3, 0.2), (4e-3, 0.3))]
    assert fair.extend_grid(inner, run) == 2e-3 and len(inner) == 3           # an inner winner: no extension
    low = [{"lr": lr, "valid_loss": v} for lr, v in ((2e-3, 0.1), (4e-3, 0.3))]
    assert fair.extend_grid(low, lambda lr: {"lr": lr, "valid_loss": 0.2}) == 2e-3   # 1e-3 tried, and lost
    assert [r["lr"] for r in low] == [2e-3, 4e-3, 1e-3]


def test_comparisons_judge_each_question_by_the_seed_rule(result):
    for arm, extra in (("ed", {"bleu_test_long3": 30.0, "bleu_test_long": 20.0}),
                       ("do", {"bleu_test_long3": 29.5, "bleu_test_long": 10.0})):
        for k, run in enumerate(fair.long_runs(result, "synthetic", arm)):
            run["evals"][-1].update({key: v + k for key, v in extra.items()})     # seeds 1-3 differ by 1 point
    rows = fair.comparisons(result, "synthetic")
    by = {(r["question"], r["at"]): r["comparison"] for r in rows}
    # only the questions whose two arms ran (ed, do): none about prefix, full LM or shared layers
    assert {r["a"] for r in rows} | {r["b"] for r in rows} == {"ed", "do"}
    e3 = [r for r in rows if r["claim"] == "E3"]
    assert [r["at"] for r in e3] == [0, 1, 2]                               # one verdict per compute level
    # at equal FLOPs the decoder-only model's loss is higher (3.0 vs 2.0, 1.5 vs 1.0, 0.8 vs 0.5): contradicted
    assert all(r["comparison"].verdict == "contradicted" for r in e3)
    assert by[(fair.QUESTIONS[2][1], "final")].verdict == "contradicted"      # do 27 ± 1 vs ed 32 ± 1 BLEU
    w2 = next(r for r in rows if r["metric"] == "bleu_test_long3")["comparison"]
    assert w2.verdict == "within noise" and w2.difference == pytest.approx(0.5)   # 31 vs 30.5: inside the noise
    assert next(r for r in rows if r["metric"] == "bleu_test_long")["comparison"].verdict == "supported"
    assert not any(r["metric"] == "log_growth" for r in rows)                # no probe stored: that row is left out
    result["data"]["synthetic"]["long_range"] = {"arms": {
        "ed": [{"seed": s, "log_growth": 0.1 * s} for s in (1, 2, 3)],
        "do": [{"seed": s, "log_growth": 0.1 * s + 0.02} for s in (1, 2, 3)]}}
    growth = next(r for r in fair.comparisons(result, "synthetic") if r["metric"] == "log_growth")
    assert growth["comparison"].verdict == "within noise" and growth["comparison"].min_effect == 0.05


def test_the_size_ladder_and_its_exponent(result):
    runs = result["data"]["synthetic"]["arms"]["ed"]["runs"]
    for s, loss in zip((1, 2, 3), (2.0, 2.2, 1.8)):     # a narrower rung: 25 parameters, a higher loss
        runs.append({**_run("ed", s, {"lr": 2e-3, "warmup": 0}, [{"step": 8, "valid_loss": loss}], stage="ladder"),
                     "width": 32, "parameters": 25, "steps": 8})
    for r in fair.long_runs(result, "synthetic", "ed"):
        r["steps"] = 8
    rungs = fair.ladder(result, "synthetic", "ed")
    assert [(r["width"], r["parameters"]) for r in rungs] == [(32, 25), (fair.FULL_WIDTH, 100)]
    assert rungs[1]["valid_loss"] == [0.5, 0.5, 0.5]
    # loss 2.0 -> 0.5 over 4x the parameters: alpha = log(4) / log(4) = 1
    alphas = fair.size_exponents(rungs)
    assert alphas[0] == pytest.approx(1.0) and alphas[1] > alphas[0] > alphas[2]
    with pytest.raises(ValueError, match="at least two rungs"):
        fair.size_exponents(rungs[:1])
    runs[-1]["steps"] = 9
    with pytest.raises(ValueError, match="different lengths"):
        fair.ladder(result, "synthetic", "ed")
