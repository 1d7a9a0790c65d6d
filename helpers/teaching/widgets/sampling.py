"""The sampling explorer of notebook 05: temperature, top-k and top-p reshape the next-token distribution.

``filtered_probs`` / ``sampling_state`` / ``sampling_explorer_state`` compute every number the widget shows and
agree exactly with ``helpers.generate.sample_next``; ``draw_sampling`` draws a state; ``sampling_explorer(model,
codec)`` wires a prompt box and three sliders to them and shows a sampled continuation.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from ._display import _in_ipython

__all__ = [
    "filtered_probs",
    "sampling_state",
    "draw_sampling",
    "sampling_explorer_state",
    "SamplingExplorer",
    "sampling_explorer",
]


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
