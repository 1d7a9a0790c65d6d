"""Images as tokens: small digit images and captions in one sequence for one decoder-only model.

A decoder-only model reads a sequence of token ids and does not care what the ids stand for. Cut an
image into pixels, turn each pixel's grey level into one of a few **pixel tokens**, and an image is a
sequence like a sentence. Put it between ``<img>`` and ``</img>`` and next to a caption, and one GPT
can learn both directions:

    image -> caption:   <eos> <img> p0 p1 … p63 </img> 这是 数字 七 / this is a seven <eos>
    caption -> image:   <eos> 这是 数字 七 / this is a seven <img> p0 p1 … p63 </img> <eos>

The digits are drawn here (no data set is downloaded): each digit is a few pen strokes in a unit
square, moved, scaled and slanted by a seeded random amount, drawn with a soft pen of random width
onto a ``size × size`` grid, with a little noise.

Public API (``N`` images, ``S = size``, ``P = S * S`` pixels, ``L`` the sequence length)::

    images, labels = digit_images(n_per_digit, seed=0, size=8)   # (N, S, S) float in [0, 1], (N,) int
    codec = ImageTextCodec(levels=4, size=8)                      # the vocabulary of pixels and words
    pix = codec.quantise(images)                                  # (N, P) pixel levels 0 .. levels-1
    seqs = codec.sequences(pix, labels, direction)                # (N, L) token ids, "read" or "draw"
    predicted = read_captions(model, codec, pix)                  # (N,) digit read from each image, -1 if none
    drawn = draw_digits(model, codec, labels, generator=g)        # (N, S, S) grey levels in [0, 1]
    classify = nearest_mean(images, labels)                       # a model-free reader: classify(images) -> (N,)

The encoder–decoder way (the comparison of ``scripts/multimodal_arms.py``): the encoder reads the image block or the
caption, the decoder writes the other. ``ed_rows`` makes its training rows, ``ed_loss`` its loss, and
``EncoderDecoderTwin`` gives a ``helpers.transformer.Transformer`` the ``generate`` of a GPT, so ``read_captions`` and
``draw_digits`` score both families with the same code::

    src, tgt_in, tgt_out = ed_rows(codec, pix, labels)            # (2N, P+2), (2N, P+3), (2N, P+3): both directions
    twin = EncoderDecoderTwin(Transformer(cfg), codec)            # twin.generate(prompt, n) like GPT.generate
"""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["DIGITS_ZH", "DIGITS_EN", "STROKES", "caption", "draw_digit", "digit_images", "ImageTextCodec",
           "read_captions", "draw_digits", "nearest_mean", "show_digits", "ed_rows", "ed_loss", "EncoderDecoderTwin"]

DIGITS_ZH = "零一二三四五六七八九"
DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# Each digit as pen strokes: polylines of (x, y) points in the unit square, y pointing down.
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [[(0.3, 0.1), (0.7, 0.1), (0.8, 0.3), (0.8, 0.7), (0.7, 0.9), (0.3, 0.9), (0.2, 0.7), (0.2, 0.3), (0.3, 0.1)]],
    1: [[(0.35, 0.25), (0.55, 0.1), (0.55, 0.9)]],
    2: [[(0.2, 0.25), (0.4, 0.1), (0.7, 0.12), (0.8, 0.32), (0.2, 0.9), (0.82, 0.9)]],
    3: [[(0.2, 0.1), (0.8, 0.1), (0.45, 0.45), (0.75, 0.6), (0.7, 0.85), (0.45, 0.92), (0.2, 0.82)]],
    4: [[(0.65, 0.9), (0.65, 0.1), (0.15, 0.65), (0.85, 0.65)]],
    5: [[(0.8, 0.1), (0.25, 0.1), (0.22, 0.45), (0.65, 0.42), (0.8, 0.65), (0.65, 0.9), (0.2, 0.85)]],
    6: [[(0.72, 0.1), (0.35, 0.3), (0.2, 0.65), (0.35, 0.9), (0.7, 0.88), (0.8, 0.65), (0.6, 0.5), (0.25, 0.58)]],
    7: [[(0.18, 0.1), (0.82, 0.1), (0.4, 0.9)]],
    8: [[(0.5, 0.5), (0.25, 0.3), (0.5, 0.1), (0.75, 0.3), (0.5, 0.5), (0.2, 0.72), (0.5, 0.92), (0.8, 0.72),
         (0.5, 0.5)]],
    9: [[(0.78, 0.42), (0.35, 0.48), (0.2, 0.27), (0.4, 0.1), (0.75, 0.15), (0.78, 0.42), (0.6, 0.9)]],
}


def caption(digit: int) -> str:
    """The caption of a digit, Chinese then English: ``caption(7) == "这是数字七 / this is a seven"``."""
    article = "an" if digit == 8 else "a"
    return f"这是数字{DIGITS_ZH[digit]} / this is {article} {DIGITS_EN[digit]}"


def _caption_words(digit: int) -> list[str]:
    return ["这是", "数字", DIGITS_ZH[digit], "/", "this", "is", "an" if digit == 8 else "a", DIGITS_EN[digit]]


def _segment_distance(px: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from points ``px (M, 2)`` to the segment ``a``–``b``: ``(M,)``."""
    ab = b - a
    t = np.clip(((px - a) @ ab) / max(float(ab @ ab), 1e-12), 0.0, 1.0)       # (M,) nearest point's position
    return np.linalg.norm(px - (a + t[:, None] * ab), axis=1)


def draw_digit(digit: int, rng: np.random.Generator, size: int = 8, *, noise: float = 0.08) -> np.ndarray:
    """One hand-drawn-looking digit: ``(size, size)`` float32 grey levels in [0, 1] (1 = ink).

    The strokes of ``STROKES[digit]`` are scaled (0.8–1.05), slanted, shifted and drawn with a soft pen
    of random width; then Gaussian noise of standard deviation ``noise`` is added.
    """
    if digit not in STROKES:
        raise ValueError(f"digit must be an int 0-9, got {digit!r}")
    if not isinstance(size, int) or size < 4:
        raise ValueError(f"size must be an int >= 4, got {size!r}")
    scale = rng.uniform(0.8, 1.05)
    slant = rng.uniform(-0.25, 0.25)
    shift = rng.uniform(-0.08, 0.08, size=2)
    width = rng.uniform(0.05, 0.09)                                              # pen half-width (unit square)
    centres = (np.stack(np.meshgrid(np.arange(size), np.arange(size), indexing="xy"), -1).reshape(-1, 2) + 0.5) / size
    dist = np.full(size * size, np.inf)
    for stroke in STROKES[digit]:
        pts = np.asarray(stroke, dtype=float) - 0.5
        pts = pts * scale
        pts[:, 0] += slant * -pts[:, 1]                                          # lean the top to the right
        pts = pts + 0.5 + shift
        for a, b in zip(pts[:-1], pts[1:]):
            dist = np.minimum(dist, _segment_distance(centres, a, b))
    ink = np.clip(1.0 - np.maximum(dist - width, 0.0) / (0.9 / size), 0.0, 1.0)   # soft edge about one pixel
    ink = ink + rng.normal(0.0, noise, size=ink.shape)
    return np.clip(ink, 0.0, 1.0).reshape(size, size).astype(np.float32)


def digit_images(n_per_digit: int, seed: int = 0, size: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_digit`` drawings of each digit, shuffled: ``images (10·n, size, size)``, ``labels (10·n,)``."""
    if not isinstance(n_per_digit, int) or n_per_digit < 1:
        raise ValueError(f"n_per_digit must be a positive int, got {n_per_digit!r}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(10), n_per_digit))
    images = np.stack([draw_digit(int(d), rng, size) for d in labels])
    return images, labels.astype(np.int64)


class ImageTextCodec:
    """The token vocabulary of the image–caption model.

    ids: ``0 <pad>``, ``1 <eos>``, ``2 <img>``, ``3 </img>``, then ``levels`` pixel tokens (grey level
    0 = blank … ``levels - 1`` = full ink), then the caption words. ``len(codec)`` is the vocabulary size.
    """

    PAD, EOS, IMG, END_IMG = 0, 1, 2, 3

    def __init__(self, levels: int = 4, size: int = 8):
        if levels < 2:
            raise ValueError(f"levels must be >= 2, got {levels}")
        self.levels, self.size = levels, size
        self.pixels = size * size
        words: list[str] = []
        for d in range(10):
            for w in _caption_words(d):
                if w not in words:
                    words.append(w)
        self.tokens = ["<pad>", "<eos>", "<img>", "</img>"] + [f"▦{g}" for g in range(levels)] + words
        self.first_pixel = 4
        self.word_id = {w: i for i, w in enumerate(self.tokens)}
        self.digit_of_id = {self.word_id[DIGITS_ZH[d]]: d for d in range(10)}
        self.caption_len = len(_caption_words(0))
        self.seq_len = 1 + 1 + self.pixels + 1 + self.caption_len + 1          # <eos> + image block + caption + <eos>

    def __len__(self) -> int:
        return len(self.tokens)

    def quantise(self, images) -> torch.Tensor:
        """Grey images ``(N, S, S)`` in [0, 1] -> pixel levels ``(N, S·S)`` long, 0 .. levels-1."""
        x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
        if x.dim() != 3 or tuple(x.shape[1:]) != (self.size, self.size):
            raise ValueError(f"expected images of shape (N, {self.size}, {self.size}), got {tuple(x.shape)}")
        return (x.clamp(0, 1) * (self.levels - 1)).round().long().reshape(len(x), -1)

    def dequantise(self, levels: torch.Tensor) -> np.ndarray:
        """Pixel levels ``(N, S·S)`` -> grey images ``(N, S, S)`` in [0, 1]."""
        return (levels.float() / (self.levels - 1)).reshape(-1, self.size, self.size).numpy()

    def caption_ids(self, digit: int) -> list[int]:
        return [self.word_id[w] for w in _caption_words(digit)]

    def image_ids(self, levels: torch.Tensor) -> list[int]:
        """One image's pixel levels ``(S·S,)`` -> ``<img> pixel tokens </img>``."""
        return [self.IMG] + (levels + self.first_pixel).tolist() + [self.END_IMG]

    def sequences(self, levels: torch.Tensor, labels, direction: str) -> torch.Tensor:
        """``(N, seq_len)`` token ids. ``direction``: ``"read"`` (image, then caption) or ``"draw"`` (caption, then image)."""
        if direction not in ("read", "draw"):
            raise ValueError(f"direction must be 'read' or 'draw', got {direction!r}")
        rows = []
        for lv, d in zip(levels, np.asarray(labels).tolist()):
            img, cap = self.image_ids(lv), self.caption_ids(int(d))
            rows.append([self.EOS] + (img + cap if direction == "read" else cap + img) + [self.EOS])
        return torch.tensor(rows, dtype=torch.long)

    def decode(self, ids) -> str:
        """Token ids -> readable text: words as words, an image block as ``<img>[64 px]</img>``."""
        out, n_pix = [], 0
        for i in (ids.tolist() if hasattr(ids, "tolist") else ids):
            tok = self.tokens[int(i)]
            if tok.startswith("▦"):
                n_pix += 1
                continue
            if n_pix:
                out.append(f"[{n_pix} px]")
                n_pix = 0
            out.append(tok)
        if n_pix:
            out.append(f"[{n_pix} px]")
        return " ".join(out)


@torch.no_grad()
def read_captions(model, codec: ImageTextCodec, levels: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Greedy caption of each image ``levels (N, S·S)``: the digit named by its Chinese word, ``(N,)``; -1 if none.

    The model gets ``<eos> <img> pixels </img>`` and writes the caption's words; the third word must be
    a digit word whose English name (the eighth word) agrees, or the answer counts as -1.
    """
    device = next(model.parameters()).device
    out = []
    for start in range(0, len(levels), batch_size):
        chunk = levels[start:start + batch_size]
        prompt = torch.tensor([[codec.EOS] + codec.image_ids(lv) for lv in chunk], device=device)
        gen = model.generate(prompt, codec.caption_len, temperature=0)[:, prompt.shape[1]:].cpu()  # (B, 8)
        for row in gen.tolist():
            digit = codec.digit_of_id.get(row[2], -1)
            out.append(digit if digit >= 0 and row == codec.caption_ids(digit) else -1)
    return torch.tensor(out)


@torch.no_grad()
def draw_digits(model, codec: ImageTextCodec, labels, *, temperature: float = 1.0, top_k: int | None = None,
                generator: torch.Generator | None = None) -> np.ndarray:
    """Images the model draws from captions: ``labels (N,)`` -> ``(N, S, S)`` grey levels in [0, 1].

    The model gets ``<eos> caption <img>`` and samples ``S·S`` tokens; a token that is not a pixel
    (the model's mistake) is drawn as blank. A seeded ``generator`` decides the samples; if it lives on
    another device than the model (a CPU generator, a model on a GPU), a CPU copy of the model draws.
    """
    device = next(model.parameters()).device
    if generator is not None and generator.device.type != device.type:
        import copy

        model, device = copy.deepcopy(model).to(generator.device), generator.device
    prompt = torch.tensor([[codec.EOS] + codec.caption_ids(int(d)) + [codec.IMG] for d in np.asarray(labels)],
                          device=device)
    gen = model.generate(prompt, codec.pixels, temperature=temperature, top_k=top_k, generator=generator)
    pix = gen[:, prompt.shape[1]:].cpu() - codec.first_pixel                  # (N, P)
    pix = torch.where((pix >= 0) & (pix < codec.levels), pix, torch.zeros_like(pix))
    return codec.dequantise(pix)


def nearest_mean(images: np.ndarray, labels: np.ndarray):
    """A reader that does not learn: ``classify(images (N, S, S)) -> (N,)``, the digit whose mean image is closest."""
    images, labels = np.asarray(images, dtype=np.float32), np.asarray(labels)
    means = np.stack([images[labels == d].mean(0) for d in range(10)]).reshape(10, -1)     # (10, P)

    def classify(x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32).reshape(len(x), -1)                               # (N, P)
        return ((x[:, None, :] - means[None]) ** 2).sum(-1).argmin(1)

    return classify


def show_digits(images, titles=None, *, ncols: int = 10, scale: float = 0.9, fig_title: str | None = None):
    """Draw ``images (N, S, S)`` in a grid (ink dark on white), with optional ``titles``; returns the figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    nrows = max(1, math.ceil(len(images) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale, nrows * scale * 1.15), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="Greys", vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(str(titles[k]), fontsize=8)
    if fig_title:
        fig.suptitle(fig_title)
    fig.tight_layout()
    return fig


# --- the encoder–decoder twin --------------------------------------------------------------------------------------

def ed_rows(codec: ImageTextCodec, levels: torch.Tensor, labels) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Encoder–decoder rows of both directions, padded with ``<pad>``: the first N read (source: the image block;
    target: the caption), the next N draw (source: the caption; target: the image block).

    Returns ``src (2N, P+2)``, ``tgt_in (2N, P+3)`` (``<eos>`` then the target) and ``tgt_out (2N, P+3)`` (the
    target then ``<eos>``), as the decoder-only sequences hold them after the source.
    """
    src_len, tgt_len = codec.pixels + 2, codec.pixels + 3
    src, tgt_in, tgt_out = [], [], []
    for direction in ("read", "draw"):
        for lv, d in zip(levels, np.asarray(labels).tolist()):
            img, cap = codec.image_ids(lv), codec.caption_ids(int(d))
            source, target = (img, cap) if direction == "read" else (cap, img)
            src.append(source + [codec.PAD] * (src_len - len(source)))
            tgt_in.append([codec.EOS] + target + [codec.PAD] * (tgt_len - 1 - len(target)))
            tgt_out.append(target + [codec.EOS] + [codec.PAD] * (tgt_len - 1 - len(target)))
    return tuple(torch.tensor(rows, dtype=torch.long) for rows in (src, tgt_in, tgt_out))


def ed_loss(model, batch) -> tuple[torch.Tensor, int | torch.Tensor]:
    """Teacher-forced cross-entropy of the target tokens of a batch ``(src, tgt_in, tgt_out)`` of ``ed_rows``; returns
    the mean loss and the number of target tokens (``helpers.count_true``)."""
    import torch.nn.functional as F

    from helpers import count_true

    src, tgt_in, tgt_out = batch
    logits = model(src, src != ImageTextCodec.PAD, tgt_in)                         # (B, T, V)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1),
                           ignore_index=ImageTextCodec.PAD)
    return loss, count_true(tgt_out != ImageTextCodec.PAD)


class EncoderDecoderTwin(torch.nn.Module):
    """A ``Transformer`` with the prompt interface of the decoder-only model: ``generate(prompt (B, L), n)``.

    A prompt is ``<eos> <img> pixels </img>`` (read: the encoder gets the image block, the decoder starts from
    ``<eos>``) or ``<eos> caption <img>`` (draw: the encoder gets the caption, the decoder starts from ``<eos> <img>``).
    Each new token runs the decoder over the target so far (no cache: these targets are at most 67 tokens) and is
    picked by ``helpers.generate.sample_next``. Returns ``(B, L + n)``, the prompt then the new tokens.
    """

    def __init__(self, model, codec: ImageTextCodec):
        super().__init__()
        self.model, self.codec = model, codec

    def forward(self, src, src_mask, tgt_in):
        return self.model(src, src_mask, tgt_in)

    @torch.no_grad()
    def generate(self, prompt: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        from helpers.generate import sample_next

        c = self.codec
        reading = prompt[:, 1] == c.IMG                                          # (B,)
        if not (bool(reading.all()) or not bool(reading.any())):
            raise ValueError("a batch of prompts must all read an image or all draw one")
        if bool(reading.all()):
            src, tgt = prompt[:, 1:], prompt[:, :1]                              # image block; <eos>
        else:
            src, tgt = prompt[:, 1:-1], torch.stack([prompt[:, 0], prompt[:, -1]], 1)   # caption; <eos> <img>
        was_training = self.model.training
        self.model.eval()
        mask = src != c.PAD
        new = []
        for _ in range(max_new_tokens):
            logits = self.model(src, mask, tgt)[:, -1]                           # (B, V)
            nxt = sample_next(logits, temperature=temperature, top_k=top_k, generator=generator)
            new.append(nxt)
            tgt = torch.cat([tgt, nxt[:, None]], 1)
        self.model.train(was_training)
        return torch.cat([prompt, torch.stack(new, 1)], 1)
