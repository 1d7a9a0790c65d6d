"""scripts/train_gpt.py under a real ``torchrun``: 2 CPU processes, gloo, DistributedDataParallel.

One run of 6 steps (every process records the hash of its weights after each step), then a second
run resumed from the first one's step-3 checkpoint. Asserts: the processes hold bitwise-equal
weights after every step although they trained on different windows; the loss is finite and falls;
throughput is logged; the resumed run ends bitwise-equal (weights and AdamW state) to the
uninterrupted one. The tiny model has dropout on, so resuming must also restore each process's RNG.
About 30 s on a busy 2-core machine; the wall time of each torchrun is printed (``pytest -s``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_gpt.py"
STEPS, STOP = 6, 3

# 2 processes x 2 micro-steps x 2 windows = batch 8: gradient accumulation with no_sync is exercised
TINY = f"""
[model]
block_size = 16
n_layer = 2
n_head = 2
d_model = 32
dropout = 0.1
[data]
tokenizer = "char"
[train]
steps = {STEPS}
batch_size = 8
micro_batch_size = 2
lr = 1e-2
min_lr = 1e-3
warmup = 1
decay = "cosine"
[run]
device = "cpu"
log_every = 1
eval_every = 3
valid_tokens = 2000
checkpoint_every = 1
keep_checkpoints = 0
"""


def torchrun_command() -> list[str]:
    exe = Path(sys.executable).with_name("torchrun")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "torch.distributed.run"]


def run_torchrun(config: Path, out_dir: Path, *extra: str) -> float:
    """Run 2 CPU processes; returns the wall time in seconds; fails the test with the output on error."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COURSE_DEVICE": "cpu"}
    cmd = [*torchrun_command(), "--standalone", "--nproc_per_node", "2", str(SCRIPT), "--config", str(config),
           "--set", f"run.out_dir='{out_dir}'", "--record-param-hashes", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, f"torchrun failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    print(f"\ntorchrun --nproc_per_node 2 {' '.join(extra) or '(fresh run)'}: {seconds:.1f} s wall time")
    return seconds


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The uninterrupted run ``full`` and the run ``resumed`` from its step-3 checkpoint."""
    tmp = tmp_path_factory.mktemp("torchrun")
    config = tmp / "tiny.toml"
    config.write_text(TINY)
    full, resumed = tmp / "full", tmp / "resumed"
    seconds = run_torchrun(config, full)
    resumed.mkdir()
    for suffix in (".pt", ".pt.sha256"):      # as if the job had been killed after saving step 3
        shutil.copy(full / f"ckpt-step{STOP:06d}{suffix}", resumed / f"ckpt-step{STOP:06d}{suffix}")
    seconds += run_torchrun(config, resumed, "--resume")
    print(f"torchrun test: both runs together {seconds:.1f} s")
    return {"full": full, "resumed": resumed, "seconds": seconds}


def test_processes_agree_on_the_weights_after_every_step(runs):
    rank0 = read_jsonl(runs["full"] / "param-hashes-rank0.jsonl")
    rank1 = read_jsonl(runs["full"] / "param-hashes-rank1.jsonl")
    assert [r["step"] for r in rank0] == [r["step"] for r in rank1] == list(range(1, STEPS + 1))
    assert [r["params"] for r in rank0] == [r["params"] for r in rank1]
    # ... although each trained on its own windows: DDP averaged their gradients
    assert all(a["data"] != b["data"] for a, b in zip(rank0, rank1))
    assert len({r["params"] for r in rank0}) == STEPS          # the weights changed at every step


def test_loss_is_finite_and_falls_and_throughput_is_logged(runs):
    log = read_jsonl(runs["full"] / "log.jsonl")
    start = next(e for e in log if e["event"] == "start")
    assert start["world_size"] == 2 and start["grad_accum"] == 2 and start["precision"] == "fp32"
    train = [e for e in log if e["event"] == "train"]
    assert [e["step"] for e in train] == list(range(1, STEPS + 1))
    losses = [e["loss"] for e in train]
    assert all(math.isfinite(x) for x in losses)
    assert sum(losses[-2:]) / 2 < losses[0] - 0.3, losses
    assert all(e["ms_per_step"] > 0 and e["tokens_per_s"] > 0 for e in train)
    valid = [e["valid_loss"] for e in log if e["event"] == "valid"]
    assert len(valid) == 2 and all(math.isfinite(v) for v in valid) and valid[1] < valid[0]


def test_resumed_run_continues_exactly(runs):
    from helpers.distributed.train_state import load_train_state

    a = load_train_state(runs["full"] / f"ckpt-step{STEPS:06d}.pt")
    b = load_train_state(runs["resumed"] / f"ckpt-step{STEPS:06d}.pt")
    assert b["step"] == a["step"] == STEPS
    for name, tensor in a["state_dict"].items():
        assert torch.equal(tensor, b["state_dict"][name]), name
    for i, state in a["optimizer"]["state"].items():
        for key, value in state.items():
            assert torch.equal(value, b["optimizer"]["state"][i][key]), (i, key)
    assert a["extra"]["tokens_seen"] == b["extra"]["tokens_seen"]
    assert a["extra"]["valid"] == b["extra"]["valid"]
    # step by step, both processes of the resumed run match the uninterrupted one
    for rank in (0, 1):
        full = read_jsonl(runs["full"] / f"param-hashes-rank{rank}.jsonl")[STOP:]
        resumed = read_jsonl(runs["resumed"] / f"param-hashes-rank{rank}.jsonl")
        assert resumed == full


def test_checkpoint_is_plain_data(runs):
    path = runs["full"] / f"ckpt-step{STEPS:06d}.pt"
    payload = torch.load(path, map_location="cpu", weights_only=True)   # no pickled objects
    assert len(payload["rng"]) == 2                                      # one RNG state per process
    assert not list(runs["full"].glob("*.tmp"))                          # no temporary file left behind
