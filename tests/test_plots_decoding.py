"""helpers/plots.py, notebook 03's additions: gold links on a heatmap and the decoding animation."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from helpers.generate import Translation  # noqa: E402
from helpers.plots import (  # noqa: E402
    animate_decoding,
    draw_decoding_step,
    overlay_links,
    show_heatmap,
    use_course_style,
)

SOURCE = list("我昨天在公园看了书。")
TOKENS = "i read a book in the park yesterday .".split()


@pytest.fixture(autouse=True, scope="module")
def _style():
    use_course_style()


def _translation(n_tokens=len(TOKENS), seed=0):
    g = torch.Generator().manual_seed(seed)
    attention = torch.softmax(torch.randn(n_tokens + 1, len(SOURCE), generator=g) * 3, dim=-1)
    tokens = TOKENS[:n_tokens]
    return Translation("".join(SOURCE), SOURCE, tokens, " ".join(tokens), attention, -1.0)


def test_overlay_links_marks_the_gold_cells():
    weights = np.full((len(TOKENS), len(SOURCE)), 0.1)
    ax = show_heatmap(weights, TOKENS, SOURCE)
    links = [(0, 0), (6, 1), (4, 6), (5, 6), (9, 8)]
    marks = overlay_links(ax, links)
    assert sorted(map(tuple, marks.get_offsets().tolist())) == sorted((float(s), float(t)) for s, t in links)
    assert len(overlay_links(ax, []).get_offsets()) == 0
    with pytest.raises(ValueError, match="outside the heatmap"):
        overlay_links(ax, [(len(SOURCE), 0)])                      # a column that does not exist
    with pytest.raises(ValueError, match="outside the heatmap"):
        overlay_links(ax, [(0, len(TOKENS))])
    plt.close(ax.figure)
    _, empty = plt.subplots()
    with pytest.raises(ValueError, match="draw one"):
        overlay_links(empty, links)
    plt.close("all")


def test_draw_decoding_step_shows_weights_and_words():
    tr = _translation()
    output = TOKENS + ["<eos>"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")                              # e.g. "Glyph missing": Chinese must render
        fig = draw_decoding_step(SOURCE, output, 6, tr.attention[6])
        fig.canvas.draw()
    bars_ax, text_ax = fig.axes
    heights = [p.get_height() for p in bars_ax.patches]
    assert np.allclose(heights, tr.attention[6].numpy())
    assert [t.get_text() for t in bars_ax.get_xticklabels()] == SOURCE
    assert [t.get_text() for t in text_ax.texts] == TOKENS[:7]      # the words so far, the current one last
    assert text_ax.texts[-1].get_bbox_patch() is not None           # the current word is boxed
    top = int(tr.attention[6].argmax())
    assert f"“{SOURCE[top]}”" in bars_ax.get_title() and "“park”" in bars_ax.get_title()
    plt.close(fig)


def test_draw_decoding_step_errors_and_wrapping():
    with pytest.raises(ValueError, match="one weight per token"):
        draw_decoding_step(SOURCE, TOKENS, 0, np.ones(3) / 3)
    with pytest.raises(ValueError, match="step must be between"):
        draw_decoding_step(SOURCE, TOKENS, len(TOKENS), np.ones(len(SOURCE)) / len(SOURCE))
    long_output = TOKENS * 6                                        # ~55 words: several lines
    fig = draw_decoding_step(SOURCE, long_output, len(long_output) - 1, np.ones(len(SOURCE)) / len(SOURCE))
    ys = {round(t.get_position()[1], 3) for t in fig.axes[1].texts if not hasattr(t, "xyann")}
    assert len(ys) >= 3                                             # one plain text per line starts it
    plt.close(fig)


def test_animate_decoding_one_frame_per_step():
    tr = _translation()
    anim = animate_decoding(tr, dpi=40)
    assert isinstance(anim, FuncAnimation)
    plt.close(anim.figure)
    n_steps = len(TOKENS) + 1
    frames = list(anim.new_frame_seq())
    assert frames == list(range(n_steps))
    anim._func(4)                                                   # draw frame 4 and look at it
    heights = [p.get_height() for p in anim.figure.axes[0].patches]
    assert np.allclose(heights, tr.attention[4].numpy())
    html = anim.to_jshtml()
    assert "<script" in html and html.count("data:image/png;base64") == n_steps
    assert len(html) < 400_000                                      # modest dpi: notebooks stay small
    # offline: no stylesheet from a CDN, and every button of the player shows a character instead of a web-font icon
    assert "http" not in html.split("<script", 1)[0] and "font-awesome" not in html and 'class="fa ' not in html
    from helpers.plots import PLAYER_ICONS

    assert html.count('<span class="player-icon">') == len(PLAYER_ICONS)
    assert all(f'<span class="player-icon">{c}</span>' in html for c in PLAYER_ICONS.values())


def test_animate_decoding_errors():
    tr = _translation()
    no_attention = Translation(tr.source, tr.source_tokens, tr.tokens, tr.text, None, -1.0)
    with pytest.raises(ValueError, match="no attention"):
        animate_decoding(no_attention)
    wrong = Translation(tr.source, tr.source_tokens, tr.tokens, tr.text, tr.attention[:-1], -1.0)
    with pytest.raises(ValueError, match="does not fit"):
        animate_decoding(wrong)
    with pytest.raises(ValueError, match="max_steps"):
        animate_decoding(tr, max_steps=5)
    plt.close("all")
