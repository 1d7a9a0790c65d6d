"""helpers/experiments/multimodal.py: drawn digits, the image-text codec, reading and drawing with a GPT."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.gpt import GPT, GPTConfig
from helpers.experiments.multimodal import (DIGITS_EN, ImageTextCodec, caption, digit_images, draw_digit, draw_digits,
                                nearest_mean, read_captions)


def test_digits_are_seeded_and_in_range():
    a, la = digit_images(3, seed=0)
    b, lb = digit_images(3, seed=0)
    c, _ = digit_images(3, seed=1)
    assert a.shape == (30, 8, 8) and a.dtype == np.float32 and la.shape == (30,)
    assert np.array_equal(a, b) and np.array_equal(la, lb) and not np.array_equal(a, c)
    assert a.min() >= 0 and a.max() <= 1 and sorted(np.bincount(la)) == [3] * 10
    assert draw_digit(7, np.random.default_rng(0), size=12).shape == (12, 12)
    with pytest.raises(ValueError, match="digit"):
        draw_digit(10, np.random.default_rng(0))


def test_digits_are_distinguishable():
    """A reader that does not learn (nearest mean image) tells the drawn digits apart: the task is fair."""
    train, tl = digit_images(50, seed=0)
    test, el = digit_images(10, seed=1)
    assert (nearest_mean(train, tl)(test) == el).mean() > 0.8


def test_codec_round_trip_and_sequences():
    codec = ImageTextCodec(levels=4, size=8)
    images, labels = digit_images(2, seed=0)
    levels = codec.quantise(images)                                     # (20, 64)
    assert levels.shape == (20, 64) and levels.min() >= 0 and levels.max() <= 3
    assert np.abs(codec.dequantise(levels) - images).max() <= 1 / 6 + 1e-6   # half a grey step
    read, draw = codec.sequences(levels, labels, "read"), codec.sequences(levels, labels, "draw")
    assert read.shape == draw.shape == (20, codec.seq_len)
    d = int(labels[0])
    assert codec.decode(read[0]) == f"<eos> <img> [64 px] </img> {' '.join(caption(d).replace('数字', ' 数字 ').split())} <eos>"
    assert read[0, 2:66].tolist() == (levels[0] + codec.first_pixel).tolist()
    assert caption(7) == "这是数字七 / this is a seven" and caption(8).endswith("an eight") and len(DIGITS_EN) == 10
    with pytest.raises(ValueError, match="direction"):
        codec.sequences(levels, labels, "sideways")
    with pytest.raises(ValueError, match="shape"):
        codec.quantise(np.zeros((2, 5, 5)))


def test_read_and_draw_run_on_an_untrained_model():
    codec = ImageTextCodec()
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=len(codec), block_size=80, n_layer=1, n_head=2, d_model=16)).eval()
    images, labels = digit_images(1, seed=0)
    pred = read_captions(model, codec, codec.quantise(images))
    assert pred.shape == (10,) and ((pred >= -1) & (pred <= 9)).all()
    drawn = draw_digits(model, codec, labels[:3], generator=torch.Generator().manual_seed(0))
    assert drawn.shape == (3, 8, 8) and drawn.min() >= 0 and drawn.max() <= 1
