"""helpers/teaching/widgets/, notebook 04: the layer × head × kind browser (plain state function, then the wiring)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from helpers.plots import use_course_style  # noqa: E402
from helpers.transformer import Transformer, TransformerConfig  # noqa: E402
from helpers.teaching.widgets.attention import (  # noqa: E402
    ATTENTION_KINDS,
    HeadBrowser,
    draw_head_browser,
    head_browser,
    head_browser_state,
)

SRC = ["我", "昨", "天", "看", "了", "他", "。"]
TGT_IN = ["<bos>", "i", "saw", "him", "yesterday", "."]
TGT_OUT = ["i", "saw", "him", "yesterday", ".", "<eos>"]


@pytest.fixture(autouse=True, scope="module")
def _style():
    use_course_style()


@pytest.fixture(scope="module")
def attention():
    """A tiny untrained Transformer's maps for a padded batch of two sentences (sentence 0 is the longer)."""
    torch.manual_seed(0)
    model = Transformer(TransformerConfig(src_vocab=20, tgt_vocab=15, d_model=16, n_heads=2, n_enc_layers=2,
                                          n_dec_layers=1, d_ff=32, dropout=0.0)).eval()
    src = torch.randint(4, 20, (2, 9))
    src_mask = torch.ones(2, 9, dtype=torch.bool)
    src_mask[0, 7:] = False                       # sentence 0: 7 real characters, 2 pads
    src_mask[1, 4:] = False
    src = src.masked_fill(~src_mask, 0)
    tgt_in = torch.randint(4, 15, (2, 8))
    with torch.no_grad():
        _, maps = model(src, src_mask, tgt_in, return_attention=True)
    return maps


def test_state_cuts_padding_and_labels_rows_and_columns(attention):
    st = head_browser_state(attention, "cross", 0, 1, SRC, TGT_IN, TGT_OUT)
    assert st["matrix"].shape == (len(TGT_OUT), len(SRC))
    assert np.allclose(st["matrix"], attention["cross"][0][0, 1, :6, :7].numpy())
    assert st["row_labels"] == TGT_OUT and st["col_labels"] == SRC
    assert np.allclose(st["matrix"].sum(axis=1), 1.0, atol=1e-5)  # padding had no weight: rows still sum to 1
    assert "cross" in st["title"] and "layer 0" in st["title"] and "head 1" in st["title"]

    enc = head_browser_state(attention, "encoder", 1, 0, SRC, TGT_IN, TGT_OUT)
    assert enc["matrix"].shape == (7, 7) and enc["row_labels"] == enc["col_labels"] == SRC

    dec = head_browser_state(attention, "decoder_self", 0, 0, SRC, TGT_IN, TGT_OUT)
    assert dec["matrix"].shape == (6, 6) and dec["col_labels"] == TGT_IN and dec["row_labels"] == TGT_OUT
    assert np.allclose(np.triu(dec["matrix"], k=1), 0.0)  # causal: nothing above the diagonal


def test_state_mean_of_heads_and_other_sentence(attention):
    mean = head_browser_state(attention, "encoder", 0, "mean", SRC, TGT_IN, TGT_OUT)
    heads = [head_browser_state(attention, "encoder", 0, h, SRC, TGT_IN, TGT_OUT)["matrix"] for h in range(2)]
    assert np.allclose(mean["matrix"], np.mean(heads, axis=0), atol=1e-6)
    assert mean["head"] == "mean" and "mean" in mean["title"]
    short = head_browser_state(attention, "cross", 0, 0, SRC[:4], TGT_IN[:3], TGT_OUT[:3], index=1)
    assert np.allclose(short["matrix"], attention["cross"][0][1, 0, :3, :4].numpy())


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("attention", 0, 0), {}, "kind must be one of"),
        (("cross", 1, 0), {}, "layer must be an int in 0..0"),
        (("encoder", 0, 2), {}, "head must be an int in 0..1 or 'mean'"),
        (("encoder", 0, True), {}, "head must be"),
        (("encoder", 0, 0), {"index": 5}, "index must be in 0..1"),
    ],
)
def test_state_clear_errors(attention, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        head_browser_state(attention, *args, SRC, TGT_IN, TGT_OUT, **kwargs)


def test_state_rejects_mismatched_tokens(attention):
    with pytest.raises(ValueError, match="same length"):
        head_browser_state(attention, "cross", 0, 0, SRC, TGT_IN, TGT_OUT[:-1])
    with pytest.raises(ValueError, match="column labels"):
        head_browser_state(attention, "encoder", 0, 0, SRC * 2, TGT_IN, TGT_OUT)
    with pytest.raises(ValueError, match="return_attention"):
        head_browser_state({"encoder": []}, "cross", 0, 0, SRC, TGT_IN, TGT_OUT)


def test_draw_renders_chinese_labels(attention):
    import warnings

    st = head_browser_state(attention, "cross", 0, 0, SRC, TGT_IN, TGT_OUT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph missing" would fail here
        ax = draw_head_browser(st)
        ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == SRC
    assert [t.get_text() for t in ax.get_yticklabels()] == TGT_OUT
    matplotlib.pyplot.close(ax.figure)


def test_browser_controls_update_state(attention):
    browser = head_browser(attention, SRC, TGT_IN, TGT_OUT)
    assert isinstance(browser, HeadBrowser)
    assert browser.state["kind"] == "cross" and browser.state["layer"] == 0 and browser.state["head"] == "mean"
    browser.kind.value = "encoder"
    browser.layer.value = 1
    assert browser.state["kind"] == "encoder" and browser.state["layer"] == 1
    browser.head.value = 1
    assert browser.state["head"] == 1
    assert np.allclose(browser.state["matrix"], attention["encoder"][1][0, 1, :7, :7].numpy())
    browser.kind.value = "decoder_self"       # one decoder layer only: the slider's layer 1 falls back to 0
    assert browser.state["layer"] == 0 and browser.state["kind"] == "decoder_self"
    assert browser.figure is not None
    assert set(o for _, o in browser.kind.options) == set(ATTENTION_KINDS)
    assert "application/vnd.jupyter.widget-view+json" in browser._repr_mimebundle_()
