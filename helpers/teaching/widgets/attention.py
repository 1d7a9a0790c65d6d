"""Attention explorers: move a query among keys (notebook 01) and browse a Transformer's heads (notebook 04).

- ``attention_explorer()``: a 2-D query among 2-D keys; the attention weights and the output (the
  weighted average of the values) move with it.
- ``head_browser(attention, src_tokens, tgt_in_tokens, tgt_out_tokens)``: every attention map of a
  Transformer (layer × head × kind: encoder self, decoder self, cross) for one sentence.

Each comes as a state function (the numbers), a draw function (the figure) and a widget class.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from helpers.attention import dot_product_scores, masked_softmax

from ._display import _show

__all__ = [
    "EXPLORER_KEYS",
    "EXPLORER_LABELS",
    "attention_explorer_state",
    "draw_attention_explorer",
    "AttentionExplorer",
    "attention_explorer",
    "ATTENTION_KINDS",
    "head_browser_state",
    "draw_head_browser",
    "HeadBrowser",
    "head_browser",
]


# Five "words" placed in a 2-D meaning plane: animals up right, fruit up left, a car below.
EXPLORER_KEYS = np.array([[1.6, 1.0], [1.2, 1.7], [-1.4, 1.1], [-1.0, 1.8], [0.3, -1.8]])
EXPLORER_LABELS = ("猫 cat", "狗 dog", "苹果 apple", "香蕉 banana", "汽车 car")


def _as_2d(x, name: str) -> np.ndarray:
    arr = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a 2-D array (n_keys, dim) with at least one row, got shape {arr.shape}")
    return arr


def attention_explorer_state(query, keys, values=None, temperature: float = 1.0, *, scaled: bool = True) -> dict:
    """Every number the attention explorer shows, for one query.

    Args:
        query: ``(d,)`` the query vector (the sliders' x and y when ``d == 2``).
        keys: ``(n, d)`` one key per row.
        values: ``(n, d_v)`` one value per key; ``None`` uses the keys themselves, so the
            output is a point in the same plane (the weighted average of the key positions).
        temperature: divides the scores before the softmax (> 0): small = sharp, large = flat.
        scaled: divide the dot products by ``sqrt(d)`` as scaled dot-product attention does.

    Returns:
        a dict of NumPy arrays: ``query (d,)``, ``scores (n,)`` (after scaling and temperature),
        ``weights (n,)`` (>= 0, summing to 1), ``output (d_v,)`` (= ``weights @ values``), and
        ``temperature`` (a float) and ``argmax`` (an int, the key with the largest weight).
    """
    keys = _as_2d(keys, "keys")
    values = keys if values is None else _as_2d(values, "values")
    q = np.asarray(query, dtype=np.float64).reshape(-1)
    if q.shape[0] != keys.shape[1]:
        raise ValueError(f"the query has {q.shape[0]} numbers but the keys have {keys.shape[1]} columns")
    if values.shape[0] != keys.shape[0]:
        raise ValueError(f"need one value per key: {keys.shape[0]} keys but {values.shape[0]} values")
    if not (isinstance(temperature, (int, float)) and temperature > 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    qt, kt = torch.from_numpy(q)[None, :], torch.from_numpy(keys)  # (1, d), (n, d)
    scores = dot_product_scores(qt, kt, scale=scaled)[0] / temperature  # (n,)
    weights = masked_softmax(scores).numpy()  # (n,)
    return {
        "query": q,
        "scores": scores.numpy(),
        "weights": weights,
        "output": weights @ values,
        "temperature": float(temperature),
        "argmax": int(np.argmax(weights)),
    }


def draw_attention_explorer(state: dict, keys, labels: Sequence[str] | None = None, *, values=None, fig=None):
    """Draw one explorer state: the 2-D plane (keys, query, output) and the weights as bars.

    ``keys`` ``(n, 2)``; ``values`` ``(n, 2)`` or ``None`` (values = keys). Key markers grow with
    their weight. Returns the figure (with two axes: the plane, then the bar chart).
    """
    import matplotlib.pyplot as plt

    keys = _as_2d(keys, "keys")
    values = keys if values is None else _as_2d(values, "values")
    if keys.shape[1] != 2:
        raise ValueError(f"the explorer draws 2-D keys; got keys of shape {keys.shape}")
    n = keys.shape[0]
    labels = list(labels) if labels is not None else [f"k{i + 1}" for i in range(n)]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} keys")
    weights, q, out = state["weights"], state["query"], state["output"]
    if fig is None:
        fig = plt.figure(figsize=(9.6, 4.0))
    fig.clear()
    ax_plane, ax_bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})

    lim = max(2.5, float(np.abs(np.concatenate([keys.ravel(), q, values.ravel()])).max()) + 0.5)
    ax_plane.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax_plane.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax_plane.scatter(keys[:, 0], keys[:, 1], s=60 + 900 * weights, c="tab:blue", alpha=0.35 + 0.65 * weights,
                     edgecolors="tab:blue", zorder=2, label="keys (size = weight)")
    for (x, y), name, w in zip(keys, labels, weights):
        ax_plane.annotate(f"{name}\n{w:.2f}", (x, y), textcoords="offset points", xytext=(8, 6), fontsize=9)
    ax_plane.annotate("", xy=(q[0], q[1]), xytext=(0, 0),
                      arrowprops={"arrowstyle": "-|>", "color": "tab:red", "lw": 2}, zorder=3)
    ax_plane.scatter([q[0]], [q[1]], marker="*", s=220, c="tab:red", zorder=4, label="query")
    if values.shape[1] == 2 and len(out) == 2:
        ax_plane.scatter([out[0]], [out[1]], marker="X", s=160, c="tab:green", zorder=5,
                         label="output = Σ weight × value")
    ax_plane.set_xlim(-lim, lim)
    ax_plane.set_ylim(-lim, lim)
    ax_plane.set_aspect("equal")
    ax_plane.legend(loc="lower left", fontsize=8)
    ax_plane.set_title(f"query ({q[0]:.1f}, {q[1]:.1f}), temperature {state['temperature']:.2f}")

    colours = ["tab:orange" if i == state["argmax"] else "tab:blue" for i in range(n)]
    ax_bars.bar(range(n), weights, color=colours)
    ax_bars.set_xticks(range(n))
    ax_bars.set_xticklabels(labels, rotation=30, ha="right")
    ax_bars.set_ylim(0, 1)
    ax_bars.set_ylabel("attention weight")
    ax_bars.set_title("weights (they sum to 1)")
    fig.tight_layout()
    return fig


class AttentionExplorer:
    """Sliders for the query's x and y and the temperature, and the live figure.

    Display it in a notebook (it shows as its ``widget``). ``state`` holds the numbers of
    the last drawing and ``figure`` the last figure, so tests can look at both.
    """

    def __init__(self, keys=None, labels=None, values=None, *, query=(1.0, 0.5), temperature: float = 1.0):
        import ipywidgets as W

        self.keys = _as_2d(EXPLORER_KEYS if keys is None else keys, "keys")
        if self.keys.shape[1] != 2:
            raise ValueError(f"the explorer needs 2-D keys (n, 2); got shape {self.keys.shape}")
        if labels is None:
            labels = EXPLORER_LABELS if keys is None else [f"k{i + 1}" for i in range(len(self.keys))]
        if len(labels) != len(self.keys):
            raise ValueError(f"{len(labels)} labels for {len(self.keys)} keys")
        self.labels = list(labels)
        self.values = values
        layout = {"width": "360px"}
        self.x = W.FloatSlider(value=query[0], min=-3, max=3, step=0.1, description="query x", layout=layout)
        self.y = W.FloatSlider(value=query[1], min=-3, max=3, step=0.1, description="query y", layout=layout)
        self.temperature = W.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.05,
                                            description="temperature", layout=layout)
        self.output = W.Output()
        for slider in (self.x, self.y, self.temperature):
            slider.observe(self.update, names="value")
        self.widget = W.VBox([W.HBox([W.VBox([self.x, self.y]), self.temperature]), self.output])
        self.state: dict = {}
        self.figure = None
        self.update()

    def update(self, change=None) -> dict:
        """Recompute the state from the sliders and redraw; returns the new state."""

        self.state = attention_explorer_state((self.x.value, self.y.value), self.keys, self.values,
                                              self.temperature.value)
        with self.output:
            self.output.clear_output(wait=True)
            self.figure = draw_attention_explorer(self.state, self.keys, self.labels, values=self.values)
            _show(self.figure)
        return self.state

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def attention_explorer(keys=None, labels=None, values=None, *, query=(1.0, 0.5), temperature: float = 1.0):
    """Build the attention explorer: 2-D keys (default: five words), a query you move, the weights.

    ``keys (n, 2)``, ``labels`` (n names), ``values (n, d_v)`` or ``None`` (= keys). Returns an
    ``AttentionExplorer``; leave it as the last line of a cell to display it.
    """
    return AttentionExplorer(keys, labels, values, query=query, temperature=temperature)



# --- notebook 04: layer × head × kind ----------------------------------------------------------

ATTENTION_KINDS = {
    "encoder": "encoder self-attention",
    "decoder_self": "decoder self-attention (causal)",
    "cross": "cross-attention (decoder → encoder)",
}


def head_browser_state(attention: dict, kind: str, layer: int, head, src_tokens: Sequence[str],
                       tgt_in_tokens: Sequence[str], tgt_out_tokens: Sequence[str], *, index: int = 0) -> dict:
    """One attention map of a Transformer, cut to the real tokens and labelled.

    Args:
        attention: the dict ``Transformer.forward(..., return_attention=True)`` returns:
            ``{"encoder": [(B, H, S, S)], "decoder_self": [(B, H, T, T)], "cross": [(B, H, T, S)]}``,
            one tensor per layer.
        kind: ``"encoder"``, ``"decoder_self"`` or ``"cross"``.
        layer: 0-based layer index; ``head``: 0-based head index, or ``"mean"`` (average of the heads).
        src_tokens: the source tokens (Chinese characters) of sentence ``index``, without padding.
        tgt_in_tokens: what the decoder reads (``<bos>`` y1 … yn); ``tgt_out_tokens``: what each
            decoder position writes (y1 … yn ``<eos>``); both without padding, of the same length.
        index: which sentence of the batch.

    Returns:
        a dict: ``matrix`` (NumPy ``(rows, cols)``, each row sums to 1), ``row_labels``,
        ``col_labels``, ``title``, ``xlabel``, ``ylabel``, and ``kind``, ``layer``, ``head``.
        Rows are queries, columns keys. Decoder rows are labelled with the word the position writes.
    """
    if kind not in ATTENTION_KINDS:
        raise ValueError(f"kind must be one of {list(ATTENTION_KINDS)}, got {kind!r}")
    if not isinstance(attention, dict) or kind not in attention:
        raise ValueError("attention must be the dict returned by Transformer.forward(..., return_attention=True)")
    maps = attention[kind]
    if not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(maps):
        raise ValueError(f"layer must be an int in 0..{len(maps) - 1}, got {layer!r}")
    weights = maps[layer]                                                   # (B, H, Lq, Lk)
    if weights is None or weights.dim() != 4:
        raise ValueError(f"expected {kind} maps of shape (B, H, Lq, Lk): run the model with return_attention=True")
    n_heads = weights.shape[1]
    if not 0 <= index < weights.shape[0]:
        raise ValueError(f"index must be in 0..{weights.shape[0] - 1}, got {index}")
    if head == "mean":
        matrix = weights[index].mean(dim=0)                                 # (Lq, Lk)
    elif isinstance(head, (int, np.integer)) and not isinstance(head, bool) and 0 <= head < n_heads:
        matrix = weights[index, head]                                       # (Lq, Lk)
    else:
        raise ValueError(f"head must be an int in 0..{n_heads - 1} or 'mean', got {head!r}")
    if len(tgt_in_tokens) != len(tgt_out_tokens):
        raise ValueError(f"tgt_in_tokens ({len(tgt_in_tokens)}) and tgt_out_tokens ({len(tgt_out_tokens)}) "
                         "must have the same length: the decoder reads one token and writes one per position")
    rows, cols = {"encoder": (src_tokens, src_tokens), "decoder_self": (tgt_out_tokens, tgt_in_tokens),
                  "cross": (tgt_out_tokens, src_tokens)}[kind]
    if len(rows) > matrix.shape[0] or len(cols) > matrix.shape[1]:
        raise ValueError(f"{len(rows)} row and {len(cols)} column labels for a {kind} map of shape "
                         f"{tuple(matrix.shape)}: are the tokens those of sentence {index}?")
    matrix = matrix[:len(rows), :len(cols)].detach().float().cpu().numpy()  # drop the padding
    who = "mean of the heads" if head == "mean" else f"head {head}"
    return {
        "matrix": matrix,
        "row_labels": list(rows),
        "col_labels": list(cols),
        "title": f"{ATTENTION_KINDS[kind]} · layer {layer} · {who}",
        "xlabel": "source (key)" if kind != "decoder_self" else "English read so far (key)",
        "ylabel": "source (query)" if kind == "encoder" else "English word written (query)",
        "kind": kind,
        "layer": int(layer),
        "head": head if head == "mean" else int(head),
    }


def draw_head_browser(state: dict, *, ax=None):
    """Draw one ``head_browser_state`` as a labelled heatmap. Returns the Axes."""
    from helpers.plots import show_heatmap

    return show_heatmap(state["matrix"], state["row_labels"], state["col_labels"], ax=ax, title=state["title"],
                        xlabel=state["xlabel"], ylabel=state["ylabel"], vmin=0.0, vmax=1.0)


class HeadBrowser:
    """Buttons for the kind, sliders for the layer and the head, and the live heatmap.

    ``state`` holds the numbers of the last drawing and ``figure`` the last figure.
    """

    def __init__(self, attention: dict, src_tokens, tgt_in_tokens, tgt_out_tokens, *, index: int = 0,
                 kind: str = "cross", layer: int = -1, head="mean"):
        import ipywidgets as W

        self.attention, self.index = attention, index
        self.tokens = (list(src_tokens), list(tgt_in_tokens), list(tgt_out_tokens))
        n_layers = {k: len(attention[k]) for k in ATTENTION_KINDS}
        n_heads = attention["encoder"][0].shape[1]
        layer = layer % n_layers[kind]
        head_state = head_browser_state(attention, kind, layer, head, *self.tokens, index=index)  # validates
        self.kind = W.ToggleButtons(options=[(v.split(" (")[0], k) for k, v in ATTENTION_KINDS.items()],
                                    value=kind, description="kind")
        self.layer = W.IntSlider(value=layer, min=0, max=max(n_layers.values()) - 1, description="layer")
        self.head = W.Dropdown(options=[("mean of the heads", "mean")] + [(f"head {h}", h) for h in range(n_heads)],
                               value=head_state["head"], description="head")
        self.output = W.Output()
        for control in (self.kind, self.layer, self.head):
            control.observe(self.update, names="value")
        self.widget = W.VBox([self.kind, W.HBox([self.layer, self.head]), self.output])
        self.state: dict = {}
        self.figure = None
        self.update()

    def update(self, change=None) -> dict:
        """Redraw from the controls; returns the new state."""

        n_layers = len(self.attention[self.kind.value])
        layer = min(self.layer.value, n_layers - 1)     # the encoder and decoder may differ in depth
        self.state = head_browser_state(self.attention, self.kind.value, layer, self.head.value, *self.tokens,
                                        index=self.index)
        with self.output:
            self.output.clear_output(wait=True)
            ax = draw_head_browser(self.state)
            self.figure = ax.figure
            _show(self.figure)
        return self.state

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def head_browser(attention: dict, src_tokens, tgt_in_tokens, tgt_out_tokens, *, index: int = 0,
                 kind: str = "cross", layer: int = -1, head="mean") -> HeadBrowser:
    """Browse a Transformer's attention maps (from ``forward(..., return_attention=True)``) for one sentence.

    ``src_tokens``: the Chinese characters; ``tgt_in_tokens``: ``<bos>`` y1 … yn (what the decoder
    reads); ``tgt_out_tokens``: y1 … yn ``<eos>`` (what it writes). Leave the result as the last
    line of a cell to display it.
    """
    return HeadBrowser(attention, src_tokens, tgt_in_tokens, tgt_out_tokens, index=index, kind=kind,
                       layer=layer, head=head)
