"""helpers/lm_data.py: codecs, the text stream, random windows, evaluation and the GPT recipe."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import lm_data as L
from helpers.corpus import Pair
from helpers.gpt import GPT, GPTConfig, lm_loss

TEXTS = ["The boy will open a box.", "你明天会很累。", "我喜欢猫。", "Anna went to the beach."]


def test_char_codec_round_trip_and_specials():
    codec = L.CharCodec.build(TEXTS)
    assert codec.vocab.tokens[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    for t in TEXTS:
        ids = codec.encode(t)
        assert len(ids) == len(t)                       # one token per character, spaces included
        assert codec.decode(ids) == t
    assert codec.token(codec.encode(" ")[0]) == "␣"
    assert codec.encode("企") == [L.UNK_ID]             # unknown character -> <unk>, no crash
    ids = codec.encode("猫。") + [L.EOT_ID] + codec.encode("box")
    assert codec.decode(ids) == "猫。box"
    assert codec.decode(ids, keep_eot=True) == "猫。\nbox"
    assert codec.decode(torch.tensor(ids)) == "猫。box"
    with pytest.raises(TypeError, match="str"):
        codec.encode(3)
    again = L.CharCodec.build(TEXTS)
    assert again.vocab == codec.vocab                   # deterministic ids


def test_bpe_codec_round_trip():
    codec = L.BPECodec.build(TEXTS * 20, vocab_size=300)
    for t in TEXTS:
        assert codec.decode(codec.encode(t)) == t
    ids = codec.encode(TEXTS[0]) + [L.EOT_ID] + codec.encode(TEXTS[1])
    assert codec.decode(ids, keep_eot=True) == TEXTS[0] + "\n" + TEXTS[1]
    assert codec.token(L.EOT_ID) == "<eos>"
    assert len(codec) <= 300


def test_text_stream_and_unpaired():
    codec = L.CharCodec.build(TEXTS)
    stream = L.text_stream(codec, TEXTS[:2])
    assert stream.dtype == torch.long and stream.dim() == 1
    assert len(stream) == len(TEXTS[0]) + len(TEXTS[1]) + 2
    assert (stream == L.EOT_ID).sum() == 2 and stream[-1] == L.EOT_ID
    pairs = [Pair(f"中{i}", f"en{i}", ()) for i in range(50)]
    s = L.unpaired_sentences(pairs, seed=0)
    assert sorted(s) == sorted([p.zh for p in pairs] + [p.en for p in pairs])
    assert s == L.unpaired_sentences(pairs, seed=0) != L.unpaired_sentences(pairs, seed=1)
    neighbours = sum(a[1:] == b[2:] or b[1:] == a[2:] for a, b in zip(s, s[1:]))
    assert neighbours <= 3                               # translations are (almost) never side by side


def test_get_batch_shifts_by_one_and_is_seeded():
    stream = torch.arange(100)
    g = torch.Generator().manual_seed(0)
    idx, targets = L.get_batch(stream, 8, 5, g)
    assert idx.shape == targets.shape == (5, 8)
    assert torch.equal(targets[:, :-1], idx[:, 1:])
    assert torch.equal(targets, idx + 1)                # the stream counts up: the next token is +1
    idx2, _ = L.get_batch(stream, 8, 5, torch.Generator().manual_seed(0))
    assert torch.equal(idx, idx2)
    assert int(targets.max()) <= 99
    with pytest.raises(ValueError, match="block_size \\+ 1"):
        L.get_batch(torch.arange(5), 8, 2)
    with pytest.raises(ValueError, match="1-D"):
        L.get_batch(torch.zeros(3, 30, dtype=torch.long), 8, 2)


def test_random_windows_restart_from_the_seed():
    windows = L.RandomWindows(torch.arange(200), 16, 4, seed=3)
    first = [b for _, b in zip(range(3), windows)]
    again = [b for _, b in zip(range(3), windows)]
    for (a, b), (c, d) in zip(first, again):
        assert torch.equal(a, c) and torch.equal(b, d)
    assert not torch.equal(first[0][0], first[1][0])


def test_evaluate_lm_matches_a_direct_loss():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=30, block_size=8, n_layer=1, n_head=2, d_model=16)).eval()
    stream = torch.randint(0, 30, (8 * 5 + 1,))
    with torch.no_grad():
        direct = float(model(stream[:-1].view(5, 8), stream[1:].view(5, 8))[1])
    assert math.isclose(L.evaluate_lm(model, stream, batch_size=2), direct, rel_tol=1e-5)
    assert abs(L.evaluate_lm(model, stream) - math.log(30)) < 0.3      # an untrained model: about ln V
    assert L.perplexity(math.log(30)) == pytest.approx(30)


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    """A tiny corpus on disk, loaded with lm_data (the real splits are large)."""
    from helpers.corpus import write_splits, generate_pairs

    folder = tmp_path_factory.mktemp("zh_en")
    splits = {"train": generate_pairs(300, seed=1), "valid": generate_pairs(40, seed=2)}
    splits |= {name: generate_pairs(5, seed=3) for name in ("test", "test_long", "test_novel")}
    write_splits(folder, splits=splits)
    return L.lm_data("char", data_dir=folder)


def test_lm_data_and_train_gpt(small_data, tmp_path, monkeypatch):
    from helpers import checkpoints

    data = small_data
    assert data.vocab_size == len(data.codec)
    assert (data.train == L.EOT_ID).sum() == 600 and (data.valid == L.EOT_ID).sum() == 80
    assert data.decode(data.train[:200], keep_eot=True).split("\n")[0] == data.train_sentences[0]
    batch = next(iter(data.windows(16, 4)))
    loss, n = lm_loss(GPT(L.gpt_config(data, block_size=16, n_layer=1, d_model=32)), batch)
    assert n == 64 and loss.item() > 0
    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", tmp_path)
    kw = dict(steps=6, batch_size=4, block_size=16, n_layer=1, d_model=32, eval_every=3, valid_tokens=200,
              live_plot=False, progress=False, verbose=False)
    model, info = L.train_gpt(data, **kw)
    assert not info["loaded"] and info["steps"] == 6 and info["parameters"] == model.num_parameters()
    assert [e["step"] for e in info["valid"]] == [3, 6] and info["tokens_seen"] == 6 * 4 * 16
    again, info2 = L.train_gpt(data, **kw)
    assert info2["loaded"]
    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="kind"):
        L.lm_data("words")


def test_gpt_config_defaults(small_data):
    cfg = L.gpt_config(small_data)
    assert (cfg.n_layer, cfg.n_head, cfg.d_model, cfg.block_size) == (4, 4, 128, L.GPT_BLOCK)
    assert cfg.vocab_size == small_data.vocab_size


def test_bpe_is_cached(small_data, tmp_path, monkeypatch):
    from helpers import checkpoints

    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", tmp_path)
    sentences = small_data.train_sentences
    first = L._cached_bpe(sentences, 300)
    files = list(tmp_path.glob("bpe-300-*.json"))
    assert len(files) == 1
    again = L._cached_bpe(sentences, 300)
    assert again.tokenizer.to_str() == first.tokenizer.to_str()
    files[0].write_text("not json")                     # a damaged cache is trained again, not a crash
    third = L._cached_bpe(sentences, 300)
    assert third.encode(sentences[0]) == first.encode(sentences[0])
