"""Interactive explorers (ipywidgets) for the notebooks.

Each explorer is split in three so it can be tested without a browser:

1. a *state* function that computes every number the widget shows (plain, unit-tested);
2. a *draw* function that turns a state into a matplotlib figure (also usable on its own,
   e.g. for a static figure in slides or an HTML export);
3. a small class that wires sliders to 1 and 2 and shows the figure in an ``ipywidgets.Output``.

Explorers:

- ``attention_explorer()``: move a 2-D query among 2-D keys and watch the attention weights
  and the output (the weighted average of the values) move (notebook 01).
- ``sampling_explorer(model, codec)``: type a prompt, move the temperature, top-k and top-p
  sliders, and watch the next-token distribution being reshaped and a sampled continuation
  change (notebook 05). Its numbers come from ``filtered_probs`` / ``sampling_state`` /
  ``sampling_explorer_state``, which agree exactly with ``helpers.generate.sample_next``.
- ``head_browser(attention, src_tokens, tgt_in_tokens, tgt_out_tokens)``: browse every
  attention map of a Transformer (layer × head × kind: encoder self, decoder self, cross)
  for one sentence (notebook 04).
- ``decoding_viewer(translation)``: the translation animation of notebook 03 as a widget: a
  slider (and a Play button) over the output steps shows the English written so far and
  the attention over the Chinese source at that step (numbers: ``decoding_frame``; the
  same frames as a ``to_jshtml`` animation: ``helpers.plots.animate_decoding``).

Nothing here trains a model.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from helpers.attention import dot_product_scores, masked_softmax

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
    "decoding_frame",
    "draw_decoding_frame",
    "DecodingViewer",
    "decoding_viewer",
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
        import matplotlib.pyplot as plt

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


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    return get_ipython() is not None


def _show(figure) -> None:
    """Display ``figure`` in the current output (inside a kernel), then close it so it is not drawn twice."""
    import matplotlib.pyplot as plt

    if _in_ipython():
        from IPython.display import display

        display(figure)
    plt.close(figure)


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
        import matplotlib.pyplot as plt

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


# --- sampling explorer (notebook 05) ----------------------------------------------------------

def _check_sampling(temperature, top_k, top_p) -> None:
    if not (isinstance(temperature, (int, float)) and temperature >= 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a number >= 0 (0 = greedy), got {temperature!r}")
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1):
        raise ValueError(f"top_k must be None or an int >= 1, got {top_k!r}")
    if top_p is not None and not (isinstance(top_p, (int, float)) and 0 < top_p <= 1):
        raise ValueError(f"top_p must be None or a number in (0, 1], got {top_p!r}")


def filtered_probs(logits, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None):
    """The distribution ``helpers.generate.sample_next`` draws from, for logits ``(V,)`` or ``(B, V)``.

    Same operations in the same order (temperature, then top-k, then top-p, then softmax), so
    ``torch.multinomial(filtered_probs(...), 1, generator=g)`` picks exactly the token that
    ``sample_next(..., generator=g)`` picks. ``temperature == 0`` (greedy) gives a one-hot
    distribution on the argmax. Returns float probabilities of the input's shape, summing to 1.
    """
    _check_sampling(temperature, top_k, top_p)
    logits = torch.as_tensor(logits)
    one = logits.dim() == 1
    x = logits[None] if one else logits                                       # (B, V)
    if x.dim() != 2 or x.shape[-1] == 0:
        raise ValueError(f"logits must be (vocab,) or (batch, vocab), got shape {tuple(logits.shape)}")
    if temperature == 0:
        probs = torch.zeros_like(x, dtype=torch.float32)
        probs.scatter_(1, x.argmax(dim=-1, keepdim=True), 1.0)
        return probs[0] if one else probs
    x = x.float() / temperature
    if top_k is not None:
        kth = x.topk(min(top_k, x.size(-1)), dim=-1).values[:, -1:]           # (B, 1): the k-th largest
        x = x.masked_fill(x < kth, float("-inf"))
    if top_p is not None:
        sorted_x, order = x.sort(dim=-1, descending=True)
        p = sorted_x.softmax(dim=-1)
        before = p.cumsum(dim=-1) - p                                         # mass of the better tokens
        sorted_x = sorted_x.masked_fill(before >= top_p, float("-inf"))       # the top token always stays
        x = torch.full_like(x, float("-inf")).scatter(1, order, sorted_x)
    probs = x.softmax(dim=-1)
    return probs[0] if one else probs


def sampling_state(logits, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
                   n_show: int = 12) -> dict:
    """Every number the sampling explorer draws, for the next-token logits ``(V,)`` of one context.

    Returns a dict: ``model (V,)`` the model's own distribution (softmax of the logits),
    ``scaled (V,)`` after the temperature only, ``final (V,)`` after every filter (what is
    sampled from), ``kept (V,)`` bool, ``n_kept``, ``kept_mass`` (the share of the model's
    probability the kept tokens had), ``show`` (the ``n_show`` ids the model finds most likely,
    best first), and the settings.
    """
    logits = torch.as_tensor(logits).detach().float().cpu()
    if logits.dim() != 1:
        raise ValueError(f"sampling_state takes the logits of one context, shape (vocab,); got {tuple(logits.shape)}")
    _check_sampling(temperature, top_k, top_p)
    model = logits.softmax(-1)
    scaled = filtered_probs(logits, temperature)
    final = filtered_probs(logits, temperature, top_k, top_p)
    kept = final > 0
    show = model.argsort(descending=True, stable=True)[: max(1, min(n_show, len(model)))]
    return {"model": model.numpy(), "scaled": scaled.numpy(), "final": final.numpy(), "kept": kept.numpy(),
            "n_kept": int(kept.sum()), "kept_mass": float(model[kept].sum()), "show": show.tolist(),
            "temperature": float(temperature), "top_k": top_k, "top_p": top_p}


def _settings_label(state: dict) -> str:
    if state["temperature"] == 0:
        return "greedy (temperature 0)"
    parts = [f"temperature {state['temperature']:.2f}"]
    if state["top_k"] is not None:
        parts.append(f"top-k {state['top_k']}")
    if state["top_p"] is not None:
        parts.append(f"top-p {state['top_p']:.2f}")
    return ", ".join(parts)


def draw_sampling(state: dict, labels: Sequence[str], *, ax=None, title: str | None = None):
    """Bars of the most likely next tokens: the model's distribution (grey) and, in colour, the one sampled from.

    ``labels``: one string per id shown (``state["show"]``), e.g. the characters. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    show = state["show"]
    if len(labels) != len(show):
        raise ValueError(f"{len(labels)} labels for the {len(show)} tokens shown")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.2, 3.0))
    x = np.arange(len(show))
    ax.bar(x - 0.2, state["model"][show], width=0.4, color="0.75", label="model (temperature 1, no filter)")
    colours = ["tab:blue" if state["kept"][i] else "tab:red" for i in show]
    ax.bar(x + 0.2, state["final"][show], width=0.4, color=colours, label="sampled from (kept: blue)")
    ax.set_xticks(x)
    ax.set_xticklabels(list(labels))
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(title or f"{_settings_label(state)}: {state['n_kept']} token(s) kept")
    ax.legend(loc="upper right", fontsize=8)
    return ax


@torch.no_grad()
def sampling_explorer_state(model, prompt_ids: Sequence[int], temperature: float = 1.0, top_k: int | None = None,
                            top_p: float | None = None, *, max_new_tokens: int = 40, seed: int = 0,
                            n_show: int = 12) -> dict:
    """The explorer's numbers for a GPT: ``sampling_state`` of the next token after ``prompt_ids``,
    plus ``continuation``: ``max_new_tokens`` ids sampled with the same settings (a
    ``torch.Generator`` seeded with ``seed``, so the same settings give the same text)."""
    ids = list(prompt_ids)
    if not ids:
        raise ValueError("the prompt is empty: give the model at least one token")
    block = model.config.block_size
    device = next(model.parameters()).device
    idx = torch.tensor([ids[-block:]], dtype=torch.long, device=device)          # (1, T)
    was_training = model.training
    model.eval()
    logits = model(idx)[0, -1]                                                   # (V,)
    state = sampling_state(logits, temperature, top_k, top_p, n_show)
    generator = torch.Generator(device=device).manual_seed(seed)
    out = model.generate(idx, max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                         generator=generator)
    model.train(was_training)
    state["continuation"] = out[0, idx.shape[1]:].tolist()
    return state


class SamplingExplorer:
    """A prompt box and sliders (temperature, top-k, top-p) over a GPT; shows the filtered
    next-token distribution and a sampled continuation.

    ``codec`` needs ``encode(text) -> ids``, ``decode(ids) -> text`` and ``token(id) -> label``
    (e.g. ``helpers.lm_data.CharCodec``). ``start_id``: a token put before every prompt (the
    end-of-text token: in training every sentence follows one). ``top_k = 0`` and
    ``top_p = 1`` switch those filters off; ``temperature = 0`` is greedy. ``state`` and
    ``figure`` hold the last drawing, for tests.
    """

    def __init__(self, model, codec, prompt: str = "", *, start_id: int | None = None, temperature: float = 1.0,
                 top_k: int = 0, top_p: float = 1.0, max_new_tokens: int = 60, seed: int = 0):
        import ipywidgets as W

        self.model, self.codec, self.start_id, self.seed = model, codec, start_id, seed
        self.max_new_tokens = max_new_tokens
        layout = {"width": "340px"}
        self.prompt = W.Text(value=prompt, description="prompt", layout={"width": "520px"}, continuous_update=False)
        self.temperature = W.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05, description="temperature",
                                         layout=layout)
        self.top_k = W.IntSlider(value=top_k, min=0, max=50, description="top-k (0=off)", layout=layout)
        self.top_p = W.FloatSlider(value=top_p, min=0.05, max=1.0, step=0.05, description="top-p (1=off)",
                                   layout=layout)
        self.output = W.Output()
        for w in (self.prompt, self.temperature, self.top_k, self.top_p):
            w.observe(self.update, names="value")
        self.widget = W.VBox([self.prompt, W.HBox([W.VBox([self.temperature, self.top_k]), self.top_p]),
                              self.output])
        self.state: dict = {}
        self.figure = None
        self.text = ""
        self.update()

    def settings(self) -> dict:
        """The sliders as ``sampling_state`` arguments (0 → no top-k, 1 → no top-p)."""
        return {"temperature": float(self.temperature.value), "top_k": int(self.top_k.value) or None,
                "top_p": None if self.top_p.value >= 1.0 else float(self.top_p.value)}

    def update(self, change=None) -> dict:
        """Recompute from the prompt and sliders, redraw; returns the new state."""
        import matplotlib.pyplot as plt

        ids = ([self.start_id] if self.start_id is not None else []) + list(self.codec.encode(self.prompt.value))
        with self.output:
            self.output.clear_output(wait=True)
            if not ids:
                print("type a prompt")
                return self.state
            self.state = sampling_explorer_state(self.model, ids, **self.settings(),
                                                 max_new_tokens=self.max_new_tokens, seed=self.seed)
            self.text = self.codec.decode(self.state["continuation"], keep_eot=True)
            self.figure, ax = plt.subplots(figsize=(7.2, 3.0))
            draw_sampling(self.state, [self.codec.token(i) for i in self.state["show"]], ax=ax,
                          title=f"next token after {self.prompt.value[-20:]!r}: {_settings_label(self.state)}, "
                                f"{self.state['n_kept']} kept")
            if _in_ipython():
                from IPython.display import display

                display(self.figure)
                print(f"sampled: {self.prompt.value}\u2016{self.text}")
            plt.close(self.figure)
        return self.state

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def sampling_explorer(model, codec, prompt: str = "The young", *, start_id: int | None = None, **kwargs):
    """Build the sampling explorer over ``model`` (a ``helpers.gpt.GPT``); leave it last in a cell to show it."""
    return SamplingExplorer(model, codec, prompt, start_id=start_id, **kwargs)


# --- notebook 03: the translation animation, step by step -------------------------------------

def decoding_frame(translation, step: int) -> dict:
    """Everything the decoding viewer shows at one output step of a translation.

    Args:
        translation: a ``helpers.generate.Translation`` from a model with attention: ``tokens``
            (the output words), ``source_tokens`` (the ``S`` Chinese characters) and
            ``attention`` of shape ``(len(tokens) + 1, S)``, one row per output step, the last
            being the step that emits ``<eos>``.
        step: 0-based output step, from 0 to ``len(tokens)`` (the ``<eos>`` step).

    Returns:
        a dict with ``step``, ``n_steps`` (``len(tokens) + 1``), ``source_tokens`` (list),
        ``output_tokens`` (the tokens followed by ``"<eos>"``), ``written`` (the words before
        this step), ``current`` (the word written at this step), ``weights`` (``(S,)`` NumPy
        array, sums to 1), ``top`` (index of the most attended source token), ``top_token``
        (that token) and ``done`` (True at the ``<eos>`` step).
    """
    attention = getattr(translation, "attention", None)
    if attention is None:
        raise ValueError("this translation has no attention weights: translate with a model that has attention")
    a = np.asarray(attention.detach().float().cpu() if hasattr(attention, "detach") else attention, dtype=np.float64)
    output = list(translation.tokens) + ["<eos>"]
    source = list(translation.source_tokens)
    if a.ndim != 2 or a.shape != (len(output), len(source)):
        raise ValueError(f"attention of shape {a.shape} does not fit {len(output)} output steps (tokens + <eos>) "
                         f"x {len(source)} source tokens")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < len(output):
        raise ValueError(f"step must be an integer from 0 to {len(output) - 1}, got {step!r}")
    step = int(step)
    weights = a[step]
    top = int(np.argmax(weights))
    return {
        "step": step,
        "n_steps": len(output),
        "source_tokens": source,
        "output_tokens": output,
        "written": output[:step],
        "current": output[step],
        "weights": weights,
        "top": top,
        "top_token": source[top],
        "done": step == len(output) - 1,
    }


def draw_decoding_frame(frame: dict, *, fig=None):
    """Draw one ``decoding_frame``: attention over the source as bars, the English so far below."""
    from helpers.plots import draw_decoding_step

    return draw_decoding_step(frame["source_tokens"], frame["output_tokens"], frame["step"], frame["weights"],
                              fig=fig)


class DecodingViewer:
    """A slider (with a Play button) over the output steps of one translation, and the live figure.

    ``play`` and ``slider`` are linked in the browser (``jslink``), so pressing Play moves the
    slider, and every slider move redraws. ``frame`` holds the numbers of the last drawing and
    ``figure`` the last figure, so tests can look at both.
    """

    def __init__(self, translation, *, step: int = 0, interval: int = 900):
        import ipywidgets as W

        self.translation = translation
        first = decoding_frame(translation, step)             # validates the translation and the step
        last = first["n_steps"] - 1
        self.play = W.Play(value=step, min=0, max=last, step=1, interval=interval, description="play")
        self.slider = W.IntSlider(value=step, min=0, max=last, description="output step",
                                  layout={"width": "420px"})
        self.link = W.jslink((self.play, "value"), (self.slider, "value"))  # Play moves the slider
        self.output = W.Output()
        self.slider.observe(self.update, names="value")
        self.widget = W.VBox([W.HBox([self.play, self.slider]), self.output])
        self.frame: dict = {}
        self.figure = None
        self.update()

    def update(self, change=None) -> dict:
        """Redraw for the slider's step; returns the new frame."""
        import matplotlib.pyplot as plt

        self.frame = decoding_frame(self.translation, int(self.slider.value))
        with self.output:
            self.output.clear_output(wait=True)
            self.figure = draw_decoding_frame(self.frame)
            _show(self.figure)
        return self.frame

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def decoding_viewer(translation, *, step: int = 0, interval: int = 900) -> DecodingViewer:
    """Build the step-by-step decoding viewer for one ``Translation`` (of a model with attention).

    Leave it as the last line of a cell to show it; press Play or move the slider.
    """
    return DecodingViewer(translation, step=step, interval=interval)
