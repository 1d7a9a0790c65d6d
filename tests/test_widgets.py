"""helpers/teaching/widgets/: the explorers' numbers (plain functions) and their wiring to sliders."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from helpers.plots import use_course_style  # noqa: E402
from helpers.teaching.widgets.attention import (  # noqa: E402
    EXPLORER_KEYS,
    EXPLORER_LABELS,
    AttentionExplorer,
    attention_explorer,
    attention_explorer_state,
    draw_attention_explorer,
)

KEYS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])


@pytest.fixture(autouse=True, scope="module")
def _style():
    use_course_style()  # the CJK font, as every notebook sets it up


def test_state_numbers_follow_the_formula():
    q = np.array([2.0, 1.0])
    st = attention_explorer_state(q, KEYS)
    scores = KEYS @ q / math.sqrt(2)
    expected = np.exp(scores) / np.exp(scores).sum()
    assert np.allclose(st["scores"], scores)
    assert np.allclose(st["weights"], expected)
    assert math.isclose(st["weights"].sum(), 1.0)
    assert np.allclose(st["output"], expected @ KEYS)  # values default to the keys
    assert st["argmax"] == 0 and st["temperature"] == 1.0
    unscaled = attention_explorer_state(q, KEYS, scaled=False)
    assert np.allclose(unscaled["scores"], KEYS @ q)


def test_state_with_values_and_temperature_extremes():
    values = np.array([[10.0], [20.0], [30.0]])
    q = [0.5, 2.0]
    sharp = attention_explorer_state(q, KEYS, values, temperature=1e-3)
    assert np.allclose(sharp["weights"], [0, 1, 0], atol=1e-6)
    assert np.allclose(sharp["output"], [20.0], atol=1e-4)
    flat = attention_explorer_state(q, KEYS, values, temperature=1e4)
    assert np.allclose(flat["weights"], 1 / 3, atol=1e-3)
    # a higher temperature never makes the largest weight larger
    maxima = [attention_explorer_state(q, KEYS, values, t)["weights"].max() for t in (0.1, 0.5, 1, 2, 10)]
    assert all(a >= b for a, b in zip(maxima, maxima[1:]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"query": [1.0, 2.0, 3.0]}, "query has 3 numbers"),
        ({"temperature": 0.0}, "temperature must be a positive"),
        ({"temperature": -1.0}, "temperature must be a positive"),
        ({"values": np.ones((2, 2))}, "one value per key"),
        ({"keys": np.ones(3)}, "keys must be a 2-D array"),
    ],
)
def test_state_clear_errors(kwargs, match):
    args = {"query": [1.0, 0.0], "keys": KEYS, "values": None, "temperature": 1.0} | kwargs
    with pytest.raises(ValueError, match=match):
        attention_explorer_state(**args)


def test_draw_shows_the_weights_as_bars():
    import warnings

    st = attention_explorer_state([1.0, 0.5], EXPLORER_KEYS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph missing": the Chinese labels must render
        fig = draw_attention_explorer(st, EXPLORER_KEYS, EXPLORER_LABELS)
        fig.canvas.draw()
    plane, bars = fig.axes
    heights = [p.get_height() for p in bars.patches]
    assert np.allclose(heights, st["weights"])
    assert [t.get_text() for t in bars.get_xticklabels()] == list(EXPLORER_LABELS)
    with pytest.raises(ValueError, match="labels"):
        draw_attention_explorer(st, EXPLORER_KEYS, ["a"])
    matplotlib.pyplot.close(fig)


def test_explorer_sliders_update_state_and_figure():
    ex = attention_explorer()
    assert isinstance(ex, AttentionExplorer)
    first = ex.state
    assert np.allclose(first["query"], [1.0, 0.5])
    ex.x.value, ex.y.value = -1.5, 1.5  # towards the fruit
    assert np.allclose(ex.state["query"], [-1.5, 1.5])
    assert EXPLORER_LABELS[ex.state["argmax"]].endswith(("apple", "banana"))
    heights = [p.get_height() for p in ex.figure.axes[1].patches]
    assert np.allclose(heights, ex.state["weights"])
    ex.temperature.value = 0.1
    assert ex.state["weights"].max() > first["weights"].max()
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


def test_explorer_custom_keys_and_errors():
    ex = attention_explorer(KEYS, values=np.array([[1.0], [2.0], [3.0]]), query=(0.0, 1.0))
    assert ex.labels == ["k1", "k2", "k3"]
    assert ex.state["output"].shape == (1,)
    with pytest.raises(ValueError, match="2-D keys"):
        attention_explorer(np.ones((3, 3)))
    with pytest.raises(ValueError, match="labels"):
        attention_explorer(KEYS, labels=["a", "b"])


# --- notebook 03: the decoding viewer ------------------------------------------------------------

def _translation():
    import torch

    from helpers.generate import Translation

    source = list("我昨天在公园看了书。")
    tokens = "i read a book in the park yesterday .".split()
    attention = torch.softmax(torch.randn(len(tokens) + 1, len(source), generator=torch.Generator().manual_seed(0)) * 3,
                              dim=-1)
    return Translation("".join(source), source, tokens, " ".join(tokens), attention, -1.0)


def test_decoding_frame_numbers():
    from helpers.teaching.widgets.decoding import decoding_frame

    tr = _translation()
    first = decoding_frame(tr, 0)
    assert first["written"] == [] and first["current"] == "i" and first["n_steps"] == 10
    frame = decoding_frame(tr, 6)
    assert frame["written"] == ["i", "read", "a", "book", "in", "the"] and frame["current"] == "park"
    assert np.allclose(frame["weights"], tr.attention[6].numpy()) and math.isclose(frame["weights"].sum(), 1.0,
                                                                                   rel_tol=1e-5)
    assert frame["top"] == int(tr.attention[6].argmax()) and frame["top_token"] == tr.source_tokens[frame["top"]]
    assert not frame["done"]
    last = decoding_frame(tr, 9)
    assert last["current"] == "<eos>" and last["done"] and last["written"] == tr.tokens
    assert decoding_frame(tr, np.int64(2))["step"] == 2


def test_decoding_frame_clear_errors():
    from helpers.generate import Translation
    from helpers.teaching.widgets.decoding import decoding_frame

    tr = _translation()
    for bad in (-1, 10, 2.0, True):
        with pytest.raises(ValueError, match="step must be an integer from 0 to 9"):
            decoding_frame(tr, bad)
    with pytest.raises(ValueError, match="no attention"):
        decoding_frame(Translation(tr.source, tr.source_tokens, tr.tokens, tr.text, None, 0.0), 0)
    with pytest.raises(ValueError, match="does not fit"):
        decoding_frame(Translation(tr.source, tr.source_tokens, tr.tokens, tr.text, tr.attention[:, :3], 0.0), 0)


def test_decoding_viewer_slider_redraws_and_play_is_linked():
    from helpers.teaching.widgets.decoding import DecodingViewer, decoding_frame, decoding_viewer

    tr = _translation()
    viewer = decoding_viewer(tr)
    assert isinstance(viewer, DecodingViewer)
    assert viewer.frame["step"] == 0
    assert (viewer.slider.min, viewer.slider.max) == (0, 9) and (viewer.play.min, viewer.play.max) == (0, 9)
    viewer.slider.value = 6
    assert viewer.frame["current"] == "park"
    bars = viewer.figure.axes[0]
    assert np.allclose([p.get_height() for p in bars.patches], decoding_frame(tr, 6)["weights"])
    assert [t.get_text() for t in viewer.figure.axes[1].texts] == tr.tokens[:7]
    # the Play button drives the slider through a browser-side link
    assert viewer.link.source == (viewer.play, "value") and viewer.link.target == (viewer.slider, "value")
    assert "application/vnd.jupyter.widget-view+json" in viewer._repr_mimebundle_()
    with pytest.raises(ValueError, match="step must be"):
        decoding_viewer(tr, step=42)
