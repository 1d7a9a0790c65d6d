"""Figures for the course: one style, a CJK font, and the heatmap every notebook uses.

- ``use_course_style()`` registers the Noto Sans CJK font shipped by the PyPI package
  ``noto-cjk-sans-otc`` and sets a consistent, readable matplotlib style, so Chinese
  labels render in every figure without "Glyph missing" warnings.
- ``show_heatmap(matrix, row_labels, col_labels)`` draws one matrix (an attention map, a
  mask) with Chinese or English tick labels; ``show_heatmaps`` draws a grid of them.
- ``plot_history`` draws loss curves.
- ``overlay_links(ax, links)`` marks gold alignment links on a heatmap (notebook 03).
- ``draw_decoding_step`` / ``animate_decoding(translation)``: the translation animation of
  notebook 03, where the decoder looks while it writes each word (a ``FuncAnimation`` that
  ``to_jshtml`` turns into a player that works without a kernel).

Nothing here trains a model.
"""

from __future__ import annotations

import re
from typing import Sequence

import matplotlib
from matplotlib.animation import FuncAnimation

CJK_FAMILY = "Noto Sans CJK SC"  # the simplified-Chinese face of the Noto CJK collection

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
    # A minus sign that every font has, so negative ticks never fall back to a missing glyph.
    "axes.unicode_minus": False,
}


def cjk_font_path() -> str:
    """Path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``.

    Raises a ``RuntimeError`` that says what to install when the package is missing.
    """
    try:
        import noto_cjk_sans_otc
    except ImportError as err:  # pragma: no cover - exercised only on a broken install
        raise RuntimeError(
            "The CJK font package is missing: run `pip install noto-cjk-sans-otc` "
            "(it is a dependency of this course; `make test` or `make lab` installs it)."
        ) from err
    return str(noto_cjk_sans_otc.FONT_PATH)


def use_course_style() -> None:
    """Register the CJK font and apply the course's matplotlib style (idempotent).

    Latin text keeps DejaVu Sans; characters DejaVu lacks (Chinese) fall back to Noto
    Sans CJK SC, because both families are listed in ``rcParams["font.family"]``.
    """
    from matplotlib import font_manager

    path = cjk_font_path()
    known = {f.fname for f in font_manager.fontManager.ttflist}
    if path not in known:
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams.update(_STYLE)
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", CJK_FAMILY]


def show_heatmap(
    matrix,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    *,
    ax=None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    cmap: str = "Blues",
    vmin: float | None = 0.0,
    vmax: float | None = None,
    colorbar: bool = True,
    annotate: bool = False,
    fmt: str = "{:.2f}",
):
    """Draw a 2-D matrix, e.g. attention weights of shape ``(len(rows), len(cols))``.

    ``matrix`` may be a torch tensor (any device, with or without grad) or an array; a
    leading batch/head dimension of size 1 is squeezed away. Rows are usually the
    queries (target words), columns the keys (source words). Returns the Axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    data = _to_numpy(matrix)
    while data.ndim > 2 and data.shape[0] == 1:
        data = data[0]
    if data.ndim != 2:
        raise ValueError(f"show_heatmap needs a 2-D matrix (rows, cols); got shape {tuple(data.shape)}")
    n_rows, n_cols = data.shape
    for name, labels, n in (("row_labels", row_labels, n_rows), ("col_labels", col_labels, n_cols)):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{name} has {len(labels)} labels but the matrix has {n} {name.split('_')[0]}s")
    if ax is None:
        width = min(12.0, 1.6 + 0.42 * n_cols)
        height = min(10.0, 1.2 + 0.36 * n_rows)
        _, ax = plt.subplots(figsize=(max(width, 3.0), max(height, 2.2)))
    image = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    ax.set_xticklabels(list(col_labels) if col_labels is not None else range(n_cols))
    ax.set_yticklabels(list(row_labels) if row_labels is not None else range(n_rows))
    ax.tick_params(axis="x", top=True, bottom=False, labeltop=True, labelbottom=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, pad=14)
    if xlabel:
        ax.set_xlabel(xlabel)
        ax.xaxis.set_label_position("top")
    if ylabel:
        ax.set_ylabel(ylabel)
    if annotate:
        top = np.nanmax(data) if data.size else 0.0
        for i in range(n_rows):
            for j in range(n_cols):
                colour = "white" if top and data[i, j] > 0.6 * top else "black"
                ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", fontsize=8, color=colour)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def show_heatmaps(matrices, row_labels=None, col_labels=None, *, titles=None, ncols=None, figsize=None, **kwargs):
    """Draw several matrices side by side (e.g. one per attention head). Returns the figure."""
    import matplotlib.pyplot as plt

    mats = [_to_numpy(m) for m in matrices]
    if not mats:
        raise ValueError("show_heatmaps needs at least one matrix")
    ncols = ncols or min(4, len(mats))
    nrows = -(-len(mats) // ncols)
    if figsize is None:
        figsize = (3.4 * ncols, 3.0 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(mats):
            ax.axis("off")
            continue
        show_heatmap(
            mats[k], row_labels, col_labels, ax=ax,
            title=titles[k] if titles else None, colorbar=False, **kwargs,
        )
    fig.tight_layout()
    return fig


def plot_history(history: dict[str, Sequence[float]], *, ax=None, xlabel: str = "step", title: str | None = None):
    """Plot named curves, e.g. ``{"train loss": [...], "valid loss": [...]}``. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    for name, values in history.items():
        ax.plot(list(values), label=name)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def _to_numpy(x):
    import numpy as np

    if hasattr(x, "detach"):
        x = x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=float)


# --- notebook 03: gold alignments on a heatmap, and the decoding animation ------------------

def overlay_links(ax, links, *, color: str = "tab:red", marker: str = "s", size: float | None = None,
                  label: str | None = "gold alignment"):
    """Mark alignment links on a heatmap drawn by ``show_heatmap`` (rows = target, columns = source).

    ``links``: pairs ``(source_index, target_index)``, the convention of ``corpus.Pair.alignment``
    and ``metrics.attention_links``; each is drawn as a hollow marker on the cell
    ``(row=target_index, column=source_index)``. Links outside the drawn matrix raise a
    ``ValueError``. Returns the scatter's ``PathCollection`` (empty links draw nothing).
    """
    import numpy as np

    pts = [(int(s), int(t)) for s, t in links]
    if not ax.images:
        raise ValueError("overlay_links marks cells of a heatmap: draw one on this Axes first (show_heatmap)")
    n_rows, n_cols = ax.images[-1].get_array().shape[:2]
    bad = [(s, t) for s, t in pts if not (0 <= s < n_cols and 0 <= t < n_rows)]
    if bad:
        raise ValueError(f"links {bad[:3]} fall outside the heatmap's {n_rows} rows (target) x {n_cols} columns "
                         "(source); links are (source_index, target_index) pairs")
    if size is None:  # about the size of one cell
        width_px = ax.get_window_extent().width / max(n_cols, 1)
        size = float(np.clip(0.55 * width_px, 4, 18)) ** 2
    xs = [s for s, _ in pts]
    ys = [t for _, t in pts]
    return ax.scatter(xs, ys, s=size, marker=marker, facecolors="none", edgecolors=color, linewidths=1.4,
                      label=label, zorder=3)


def _wrap_words(words: Sequence[str], width: int) -> list[list[int]]:
    """Indices of ``words`` grouped into lines of at most about ``width`` characters."""
    lines, current, used = [], [], 0
    for i, word in enumerate(words):
        if current and used + len(word) + 1 > width:
            lines.append(current)
            current, used = [], 0
        current.append(i)
        used += len(word) + 1
    if current:
        lines.append(current)
    return lines


def draw_decoding_step(source_tokens: Sequence[str], output_tokens: Sequence[str], step: int, weights, *,
                       fig=None, title: str | None = None, wrap: int = 70):
    """One moment of translation: where the decoder looks while it writes output word ``step``.

    Args:
        source_tokens: the ``S`` source tokens (Chinese characters), drawn as bar labels.
        output_tokens: every output token, ending with ``"<eos>"`` if the decoder stopped; the
            first ``step`` are shown as written, token ``step`` highlighted as the current one.
        step: 0-based index of the current output token.
        weights: ``(S,)`` the attention over the source at this step (tensor or array, sums to 1).
        fig: a figure to draw into (cleared first), e.g. an animation's; ``None`` makes one.
        wrap: about how many characters of English per line.

    Top axes: the weights as bars, one per source character (the most attended one in orange).
    Bottom axes: the English written so far, the current word in a box. Returns the figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    w = _to_numpy(weights).reshape(-1)
    src, out = list(source_tokens), list(output_tokens)
    if len(w) != len(src):
        raise ValueError(f"{len(w)} attention weights for {len(src)} source tokens: need one weight per token")
    if not 0 <= step < len(out):
        raise ValueError(f"step must be between 0 and {len(out) - 1} (one per output token), got {step}")
    if fig is None:
        fig = plt.figure(figsize=(8.0, 3.6))
    fig.clear()
    ax_src, ax_out = fig.subplots(2, 1, gridspec_kw={"height_ratios": [2.2, 1.0]})
    top = int(np.argmax(w))
    cmap = matplotlib.colormaps["Blues"]
    colours = [cmap(0.25 + 0.75 * float(x)) for x in w]
    colours[top] = "tab:orange"
    ax_src.bar(range(len(src)), w, color=colours, width=0.8)
    ax_src.set_xticks(range(len(src)))
    ax_src.set_xticklabels(src, fontsize=13 if len(src) <= 20 else (10 if len(src) <= 40 else 8))
    ax_src.get_xticklabels()[top].set_color("tab:orange")
    ax_src.set_xlim(-0.6, len(src) - 0.4)
    ax_src.set_ylim(0, 1)
    ax_src.set_ylabel("attention weight")
    ax_src.set_xlabel("source character")
    word = out[step]
    ax_src.set_title(title or f"step {step + 1} of {len(out)}: writing “{word}”, looking at “{src[top]}”")

    ax_out.axis("off")
    ax_out.set_xlim(0, 1)
    ax_out.set_ylim(0, 1)
    lines = _wrap_words(out[: step + 1], wrap)
    line_height = min(0.42, 0.9 / max(len(lines), 1))
    for k, line in enumerate(lines):
        y = 0.85 - k * line_height
        prev = None
        for i in line:
            current = i == step
            style = {"fontsize": 12, "va": "top",
                     "color": "black" if not current else "white"}
            if current:
                style["bbox"] = {"boxstyle": "round,pad=0.2", "facecolor": "tab:orange", "edgecolor": "none"}
            if prev is None:
                prev = ax_out.text(0.0, y, out[i], transform=ax_out.transAxes, **style)
            else:  # start where the previous word's box ends (the "rainbow text" trick of matplotlib's gallery)
                prev = ax_out.annotate(out[i], xycoords=prev, xy=(1, 1), xytext=(5, 0), textcoords="offset points",
                                       **style)
    fig.tight_layout()
    return fig


def animate_decoding(translation, *, interval: int = 900, dpi: int = 64, figsize=(8.0, 3.6), max_steps: int = 40):
    """The translation animation: one frame per output word, showing where the decoder looks.

    ``translation``: a ``helpers.generate.Translation`` with attention (``translate(...)[i]``
    of a model with attention): ``attention`` of shape ``(len(tokens) + 1, len(source_tokens))``,
    the last row being the step that emits ``<eos>``. Returns a
    ``DecodingAnimation`` (a ``matplotlib.animation.FuncAnimation``); in a notebook, close its
    figure (``plt.close(anim.figure)``, so the last frame is not printed as a still as well)
    and show it with ``IPython.display.HTML(anim.to_jshtml())``: it plays in any browser,
    also in a static HTML export.
    Frames are saved at ``dpi`` (modest by default, to keep notebooks small); sentences
    with more than ``max_steps`` output steps raise a ``ValueError`` (pick a shorter one).
    """
    import matplotlib.pyplot as plt

    attention = getattr(translation, "attention", None)
    if attention is None:
        raise ValueError("this translation has no attention weights (was it made by a model without attention?)")
    a = _to_numpy(attention)
    output = list(translation.tokens) + ["<eos>"]
    if a.ndim != 2 or a.shape != (len(output), len(translation.source_tokens)):
        raise ValueError(f"attention of shape {a.shape} does not fit {len(output)} output steps (tokens + <eos>) "
                         f"x {len(translation.source_tokens)} source tokens")
    if len(output) > max_steps:
        raise ValueError(f"{len(output)} output steps is more than max_steps={max_steps}: animate a shorter sentence "
                         "or raise max_steps")

    fig = plt.figure(figsize=figsize)

    def frame(step):
        draw_decoding_step(translation.source_tokens, output, step, a[step], fig=fig)
        return []

    return DecodingAnimation(fig, frame, frames=len(output), init_func=lambda: frame(0), interval=interval,
                             blit=False, repeat=True, dpi=dpi)


class DecodingAnimation(FuncAnimation):
    """A ``FuncAnimation`` that saves (and so ``to_jshtml``) at its own modest ``dpi`` by default.

    ``figure`` is the figure it draws on: close it once the animation is built, so that a
    notebook shows only the animation and not its last frame as a still.
    """

    def __init__(self, fig, func, *args, dpi: int = 64, **kwargs):
        self.figure = fig
        self.dpi = dpi
        super().__init__(fig, func, *args, **kwargs)

    def save(self, filename, writer=None, fps=None, dpi=None, *args, **kwargs):
        return super().save(filename, writer, fps, dpi or self.dpi, *args, **kwargs)

    def to_jshtml(self, *args, **kwargs) -> str:
        """matplotlib's HTML player, made to work offline: its buttons draw their icons from a web font on a
        CDN (empty boxes without the network); here each icon is a common character and nothing is fetched."""
        return offline_player(super().to_jshtml(*args, **kwargs))


# matplotlib's player buttons (Font Awesome icon classes) → characters that common fonts (DejaVu, Noto) draw
PLAYER_ICONS = {"fa-fast-backward": "⇤", "fa-step-backward": "‹", "fa-play fa-flip-horizontal": "◀", "fa-pause": "❚❚",
                "fa-play": "▶", "fa-step-forward": "›", "fa-fast-forward": "⇥", "fa-minus": "−", "fa-plus": "+"}


def offline_player(html: str) -> str:
    """``html`` from ``FuncAnimation.to_jshtml()`` without its CDN stylesheet, each icon a character."""
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for icon, char in PLAYER_ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', f'<span class="player-icon">{char}</span>')
    return html
