"""helpers/teaching/widgets/, sampling explorer: its numbers agree with helpers.generate.sample_next."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

import helpers  # noqa: E402
from helpers.generate import sample_next  # noqa: E402
from helpers.gpt import GPT, GPTConfig  # noqa: E402
from helpers.lm_data import EOT_ID, CharCodec  # noqa: E402
from helpers.plots import use_course_style  # noqa: E402
from helpers.teaching.widgets.sampling import (  # noqa: E402
    SamplingExplorer,
    draw_sampling,
    filtered_probs,
    sampling_explorer,
    sampling_explorer_state,
    sampling_state,
)

LOGITS = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0, 3.0])   # order by probability: 5, 0, 1, 2, 3, 4


@pytest.fixture(autouse=True, scope="module")
def _style():
    use_course_style()


@pytest.fixture(scope="module")
def tiny():
    helpers.seed_everything(0)
    codec = CharCodec.build(["The cat sat.", "猫坐着。"])
    model = GPT(GPTConfig(vocab_size=len(codec), block_size=16, n_layer=1, n_head=2, d_model=16)).eval()
    with torch.no_grad():
        model.wte.weight.mul_(20)                           # sharper logits than the init
    return model, codec


@pytest.mark.parametrize("settings", [
    {}, {"temperature": 0.5}, {"temperature": 2.0, "top_k": 3}, {"top_p": 0.7}, {"top_k": 4, "top_p": 0.5},
    {"temperature": 0.7, "top_k": 1},
])
def test_filtered_probs_picks_exactly_what_sample_next_picks(settings):
    logits = torch.randn(3, 40, generator=torch.Generator().manual_seed(1)) * 3
    probs = filtered_probs(logits, **settings)
    assert torch.allclose(probs.sum(-1), torch.ones(3))
    for seed in range(20):
        a = sample_next(logits, **settings, generator=torch.Generator().manual_seed(seed))
        b = torch.multinomial(probs, 1, generator=torch.Generator().manual_seed(seed)).squeeze(1)
        assert torch.equal(a, b)


def test_filters_keep_the_right_tokens():
    assert torch.equal(filtered_probs(LOGITS, 0.0), torch.tensor([0, 0, 0, 0, 0, 1.0]))  # greedy: one-hot
    k2 = filtered_probs(LOGITS, top_k=2)
    assert set(torch.nonzero(k2).flatten().tolist()) == {5, 0}
    assert torch.allclose(k2[[5, 0]], LOGITS[[5, 0]].softmax(-1))                     # renormalised
    p = LOGITS.softmax(-1)
    kept = torch.nonzero(filtered_probs(LOGITS, top_p=0.8)).flatten().tolist()
    assert sorted(kept) == [0, 5]                        # 0.61 < 0.8 <= 0.61 + 0.22: the smallest set reaching p
    assert float(p[5]) < 0.8 <= float(p[[5, 0]].sum())
    assert sorted(torch.nonzero(filtered_probs(LOGITS, top_p=0.85)).flatten().tolist()) == [0, 1, 5]
    assert torch.nonzero(filtered_probs(LOGITS, top_p=0.01)).flatten().tolist() == [5]  # the top token stays
    assert torch.allclose(filtered_probs(LOGITS, top_k=100), p)
    ent = [float(-(q * q.clamp_min(1e-12).log()).sum()) for q in (filtered_probs(LOGITS, t) for t in (0.3, 1, 3))]
    assert ent[0] < ent[1] < ent[2]                      # hotter = flatter


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"temperature": -1}, "temperature"), ({"top_k": 0}, "top_k"), ({"top_k": 2.5}, "top_k"),
    ({"top_p": 0.0}, "top_p"), ({"top_p": 1.5}, "top_p"),
])
def test_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        filtered_probs(LOGITS, **kwargs)
    with pytest.raises(ValueError, match=match):
        sampling_state(LOGITS, **kwargs)


def test_sampling_state_and_drawing():
    import warnings

    st = sampling_state(LOGITS, temperature=1.0, top_k=3, n_show=4)
    assert st["show"] == [5, 0, 1, 2] and st["n_kept"] == 3
    assert np.isclose(st["final"].sum(), 1) and np.allclose(st["model"], LOGITS.softmax(-1).numpy())
    assert np.isclose(st["kept_mass"], st["model"][[5, 0, 1]].sum())
    with pytest.raises(ValueError, match="one context"):
        sampling_state(LOGITS[None])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # Chinese labels must render
        ax = draw_sampling(st, ["猫", "a", "␣", "。"])
        ax.figure.canvas.draw()
    heights = [b.get_height() for b in ax.patches]
    assert np.allclose(heights[:4], st["model"][st["show"]]) and np.allclose(heights[4:], st["final"][st["show"]])
    with pytest.raises(ValueError, match="labels"):
        draw_sampling(st, ["a"])
    matplotlib.pyplot.close("all")


def test_explorer_state_is_seeded_and_matches_generate(tiny):
    model, codec = tiny
    ids = [EOT_ID] + codec.encode("The c")
    a = sampling_explorer_state(model, ids, 0.8, 5, None, max_new_tokens=10, seed=4)
    b = sampling_explorer_state(model, ids, 0.8, 5, None, max_new_tokens=10, seed=4)
    assert a["continuation"] == b["continuation"] and len(a["continuation"]) == 10
    logits = model(torch.tensor([ids]))[0, -1]
    assert np.allclose(a["final"], filtered_probs(logits, 0.8, 5).detach().numpy(), atol=1e-6)
    greedy = sampling_explorer_state(model, ids, 0.0, max_new_tokens=5)
    assert greedy["continuation"] == model.generate(torch.tensor([ids]), 5, temperature=0)[0, len(ids):].tolist()
    assert greedy["n_kept"] == 1
    long = sampling_explorer_state(model, ids * 10, 1.0, max_new_tokens=3)  # longer than block_size: cropped
    assert len(long["continuation"]) == 3
    with pytest.raises(ValueError, match="empty"):
        sampling_explorer_state(model, [], 1.0)


def test_explorer_widget_updates(tiny):
    model, codec = tiny
    ex = sampling_explorer(model, codec, "The", start_id=EOT_ID, max_new_tokens=8)
    assert isinstance(ex, SamplingExplorer)
    assert ex.settings() == {"temperature": 1.0, "top_k": None, "top_p": None}
    assert ex.state["n_kept"] == len(codec)
    ex.top_k.value = 3
    assert ex.state["n_kept"] == 3 and ex.settings()["top_k"] == 3
    ex.temperature.value = 0.0
    assert ex.state["n_kept"] == 1
    ex.prompt.value = "猫"
    assert isinstance(ex.text, str) and len(ex.state["continuation"]) == 8
    heights = [b.get_height() for b in ex.figure.axes[0].patches]
    assert np.allclose(heights[len(heights) // 2:], ex.state["final"][ex.state["show"]])
    ex.top_p.value = 0.5
    assert ex.settings()["top_p"] == 0.5
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()
