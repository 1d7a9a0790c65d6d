"""scripts/train_gpt.py in one process, its configs, schedule, data sharding, checkpoints and error messages.

The multi-process run is in ``tests/test_torchrun.py``.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers.checkpoints import CheckpointError
from helpers.gpt import GPT, GPTConfig
from helpers.distributed.run_config import ConfigError, TrainSection, load_config
from helpers.distributed.train_ddp import lr_at, main, micro_batches, step_starts
from helpers.distributed.train_state import latest_checkpoint, list_checkpoints, load_train_state, load_trained_gpt

ROOT = Path(__file__).resolve().parents[1]
TINY = """
[model]
block_size = 16
n_layer = 1
n_head = 2
d_model = 32
dropout = 0.1
[data]
tokenizer = "char"
[train]
steps = 6
batch_size = 4
micro_batch_size = 2
lr = 1e-2
warmup = 2
decay = "cosine"
[run]
device = "cpu"
log_every = 2
eval_every = 3
valid_tokens = 1000
checkpoint_every = 0
keep_checkpoints = 0
"""


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def _args(config, out_dir, *extra):
    return ["--config", str(config), "--set", f"run.out_dir='{out_dir}'", *extra]


# --- the shipped configs ---------------------------------------------------------------------

def test_notebook_config_is_notebook_05s_gpt():
    from helpers.lm_data import GPT_BATCH, GPT_BLOCK, GPT_LR, GPT_STEPS, GPT_WARMUP

    cfg = load_config(ROOT / "configs" / "gpt_notebook.toml")
    t = cfg.train
    assert (t.steps, t.batch_size, t.lr, t.warmup, t.decay) == (GPT_STEPS, GPT_BATCH, GPT_LR, GPT_WARMUP, "constant")
    assert cfg.model == {"block_size": GPT_BLOCK, "n_layer": 4, "n_head": 4, "d_model": 128, "dropout": 0.0}


def test_gpu_config_is_a_10_to_30m_model():
    cfg = load_config(ROOT / "configs" / "gpt_gpu.toml")
    n = GPT(GPTConfig(vocab_size=cfg.data.bpe_vocab_size, **cfg.model)).num_parameters()
    assert 10e6 <= n <= 30e6, n
    for gpus in (1, 2, 4, 8):                                  # batch_size fits micro-batches on 1-8 GPUs
        assert cfg.train.batch_size % (cfg.train.micro_batch_size * gpus) == 0


def test_every_config_field_is_commented():
    for path in (ROOT / "configs").glob("*.toml"):
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                assert "#" in line, f"{path.name}: no comment on {line!r}"


# --- schedule and data sharding ------------------------------------------------------------------

def test_lr_warms_up_then_follows_a_cosine_to_min_lr():
    t = TrainSection(steps=12, lr=1.0, min_lr=0.1, warmup=2, decay="cosine")
    lrs = [lr_at(s, t) for s in range(t.steps)]
    assert lrs[:3] == [0.5, 1.0, 1.0]
    assert math.isclose(lrs[-1], 0.1) and all(a >= b for a, b in zip(lrs[1:], lrs[2:]))
    assert math.isclose(lrs[7], 0.1 + 0.45 * (1 + math.cos(math.pi * 5 / 9)))
    assert [lr_at(s, TrainSection(steps=12, lr=1.0, warmup=2, decay="constant")) for s in range(12)][1:] == [1.0] * 11


def test_each_step_uses_the_same_windows_whatever_the_number_of_processes():
    stream = torch.arange(1000)
    starts = step_starts(len(stream), 8, 16, seed=3, step=7)                  # (16,)
    assert torch.equal(starts, step_starts(len(stream), 8, 16, seed=3, step=7))
    assert not torch.equal(starts, step_starts(len(stream), 8, 16, seed=3, step=8))

    def windows(world, micro):
        per_rank = [[idx for idx, _ in micro_batches(stream, 8, starts, r, world, micro)] for r in range(world)]
        return per_rank

    one = torch.cat(windows(1, 4)[0])                                         # 4 micro-steps of 4
    two = windows(2, 4)                                                       # 2 processes x 2 micro-steps
    four = windows(4, 2)                                                      # 4 processes x 2 micro-steps
    for split in (two, four):
        got = torch.cat([torch.cat([rank[a] for rank in split]) for a in range(len(split[0]))])
        assert torch.equal(got, one)                                          # the same windows, shared out
    assert not torch.equal(two[0][0], two[1][0])                              # processes never share a window
    idx, targets = next(micro_batches(stream, 8, starts, 0, 1, 16))
    assert idx.shape == targets.shape == (16, 8) and torch.equal(targets[:, :-1], idx[:, 1:])


# --- one process: run, stop, resume, load ------------------------------------------------------

def test_single_process_run_stops_resumes_exactly_and_loads_into_the_notebooks(tiny, tmp_path, capsys):
    stopped, straight = tmp_path / "stopped", tmp_path / "straight"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_gpt.py"), *_args(tiny, stopped, "--stop-after", "3")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "tokens/s" in proc.stdout and "ms/step" in proc.stdout
    assert [p.name for p in list_checkpoints(stopped)] == ["ckpt-step000003.pt"]

    threads = torch.get_num_threads()
    torch.set_num_threads(1)             # as the subprocess above: bitwise equality needs the same thread count
    try:
        assert main(_args(tiny, stopped, "--resume")) == 0                     # continues 3 -> 6
        assert main(_args(tiny, straight)) == 0                                # 0 -> 6 in one go
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert "resumed from" in out and "validation loss" in out
    a, b = load_train_state(stopped), load_train_state(straight)
    assert a["step"] == b["step"] == 6
    assert all(torch.equal(a["state_dict"][k], b["state_dict"][k]) for k in a["state_dict"])

    model, codec = load_trained_gpt(stopped)
    assert isinstance(model, GPT) and not model.training and model.config.n_layer == 1
    assert codec.decode(codec.encode("The boy")) == "The boy"
    ids = torch.tensor([codec.encode("The boy")])                              # (1, T)
    assert model.generate(ids, 5, temperature=0).shape == (1, ids.shape[1] + 5)
    from helpers.lm_data import evaluate_lm, lm_data

    data = lm_data("char")
    assert codec.state() == data.codec.state()                                 # fits the notebooks' data
    loss = evaluate_lm(model, data.valid, max_tokens=1000)
    assert math.isclose(loss, a["extra"]["valid"][-1]["valid_loss"], rel_tol=1e-4)


# --- clear errors --------------------------------------------------------------------------------

def test_missing_or_broken_config_says_what_is_wrong(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml")]) == 2
    assert "no config file" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[train\nsteps = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    bad.write_text("[train]\nstepz = 3")
    with pytest.raises(ConfigError, match="no key 'stepz'"):
        load_config(bad)
    bad.write_text("[train]\nsteps = 'many'")
    with pytest.raises(ConfigError, match="train.steps must be int"):
        load_config(bad)
    bad.write_text("[model]\nd_model = 30\nn_head = 4")
    with pytest.raises(ConfigError, match="not a valid GPT"):
        load_config(bad)


def test_overrides(tiny):
    cfg = load_config(tiny, ["steps=20", "run.out_dir=somewhere", "d_model=64", "lr=0.5"])
    assert (cfg.train.steps, cfg.run.out_dir, cfg.model["d_model"], cfg.train.lr) == (20, "somewhere", 64, 0.5)
    with pytest.raises(ConfigError, match="key=value"):
        load_config(tiny, ["steps"])
    with pytest.raises(ConfigError, match="cannot tell which table"):
        load_config(tiny, ["colour=red"])
    with pytest.raises(ConfigError, match="multiple of"):
        load_config(tiny, ["batch_size=5"])


def test_checkpoint_errors(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(_args(tiny, out, "--resume")) == 2
    assert "no checkpoint" in capsys.readouterr().err
    assert main(_args(tiny, out, "--set", "steps=2")) == 0
    assert main(_args(tiny, out)) == 2                                          # would overwrite a run
    assert "--resume" in capsys.readouterr().err
    assert main(_args(tiny, out, "--resume", "--set", "d_model=64", "--set", "steps=3")) == 2
    assert "model.d_model: 32 in the checkpoint, 64 now" in capsys.readouterr().err

    path = latest_checkpoint(out)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))                                                # damaged on disk
    with pytest.raises(CheckpointError, match="corrupt"):
        load_train_state(path)
    with pytest.raises(CheckpointError, match="damaged"), pytest.warns(UserWarning, match="checksum"):
        latest_checkpoint(out)
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_trained_gpt(tmp_path / "elsewhere")
