"""The translation animation of notebook 03 as a widget: a slider (and a Play button) over the output steps.

At each step it shows the English written so far and the attention over the Chinese source (numbers:
``decoding_frame``; figure: ``draw_decoding_frame``; the same frames as a ``to_jshtml`` animation:
``helpers.plots.animate_decoding``).
"""

from __future__ import annotations

import numpy as np

from ._display import _show

__all__ = [
    "decoding_frame",
    "draw_decoding_frame",
    "DecodingViewer",
    "decoding_viewer",
]


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
