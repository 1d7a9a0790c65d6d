"""What the CPU can show about running on a GPU or an Apple-silicon Mac (issue: the device bugs found by reading).

Nothing here needs a GPU: each test checks the device-independent half of a fix (the other half needs the hardware,
and the README says what has been checked where)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import torch

import helpers
from helpers.generate import sample_next
from helpers.metrics import relative_rank

ROOT = Path(__file__).resolve().parents[1]


def test_no_float64_is_made_on_a_device_that_may_lack_it():
    """MPS has no float64: no float64 tensor is made on a model's device. A ``.double()`` must follow ``.cpu()``,
    and a ``float64`` tensor given a ``device=`` must choose its dtype per device type (a new tensor without
    ``device=`` is made on the CPU)."""
    offenders = []
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            unguarded_double = ".double()" in code and ".cpu().double()" not in code
            float64_on_device = "float64" in code and "device=" in code and not re.search(r"\bmps\b|\bcpu\b", code)
            if unguarded_double or float64_on_device:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "float64 without a CPU or MPS guard:\n" + "\n".join(offenders)


def test_relative_rank_of_float32_maps_on_the_cpu():
    g = torch.Generator().manual_seed(0)
    full = torch.rand(8, 8, generator=g)                                   # float32, as attention maps are
    low = torch.outer(torch.rand(8, generator=g), torch.rand(8, generator=g))
    assert relative_rank(full) == 1.0 and relative_rank(low) == 1 / 8
    assert relative_rank(full) == relative_rank(full.double())


def test_a_seeded_generator_picks_the_same_tokens_as_the_distribution_it_samples():
    logits = torch.randn(4, 50, generator=torch.Generator().manual_seed(1))
    a = sample_next(logits, temperature=0.8, top_k=10, generator=torch.Generator().manual_seed(7))
    b = sample_next(logits, temperature=0.8, top_k=10, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    probs = (logits / 0.8).masked_fill(logits / 0.8 < (logits / 0.8).topk(10).values[:, -1:], float("-inf")).softmax(-1)
    assert torch.equal(a, torch.multinomial(probs, 1, generator=torch.Generator().manual_seed(7)).squeeze(1))
    assert bool((probs.gather(1, a[:, None]) > 0).all()), "a filtered-out token was drawn"


def test_seeding_makes_cublas_deterministic_and_sync_is_safe_anywhere(monkeypatch):
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    helpers.seed_everything(0)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    helpers.sync()                       # no accelerator here: nothing to wait for, and no error
    helpers.sync("cpu")
    helpers.sync(torch.device("cpu"))


def test_auto_precision_is_fp32_on_the_cpu():
    from helpers.distributed.train_ddp import precision_setup

    name, dtype, scaler = precision_setup(torch.device("cpu"), "auto")
    assert (name, dtype, scaler) == ("fp32", None, None)
    with pytest.raises(Exception, match="fp16"):
        precision_setup(torch.device("cpu"), "fp16")


def test_token_counts_stay_on_a_gpu_and_are_ints_on_the_cpu():
    mask = torch.tensor([[True, False, True], [True, True, False]])
    assert helpers.count_true(mask) == 4 and isinstance(helpers.count_true(mask), int)
    on_meta = helpers.count_true(torch.ones(2, 3, dtype=torch.bool, device="meta"))   # a device that cannot be read
    assert isinstance(on_meta, torch.Tensor) and on_meta.device.type == "meta"


def _tiny_run(loss_fn=None):
    from helpers.gpt import GPT, GPTConfig, lm_loss
    from helpers.train import train

    helpers.seed_everything(5)
    g = torch.Generator().manual_seed(5)
    data = [torch.randint(0, 16, (4, 9), generator=g) for _ in range(6)]
    model = GPT(GPTConfig(vocab_size=16, block_size=8, n_layer=1, n_head=2, d_model=16, dropout=0.0))
    return train(model, data, steps=12, log_every=4, lr=1e-2, progress=False, loss_fn=loss_fn or lm_loss)


def test_on_a_gpu_training_reads_the_loss_only_when_it_logs(monkeypatch):
    """The GPU path (losses and token counts kept on the device until a log line) gives the CPU path's history, and
    still stops on a loss that is not finite, naming the steps."""
    import helpers.train as T
    from helpers.gpt import lm_loss

    on_cpu = _tiny_run()
    monkeypatch.setattr(T, "_reads_are_cheap", lambda device: False)
    as_on_gpu = _tiny_run()
    assert as_on_gpu.steps == on_cpu.steps == [4, 8, 12] and as_on_gpu.tokens_seen == on_cpu.tokens_seen == 12 * 4 * 8
    assert as_on_gpu.loss == pytest.approx(on_cpu.loss, rel=1e-5)

    def nan_loss(model, batch):
        loss, n = lm_loss(model, batch)
        return loss * float("nan"), n

    with pytest.raises(FloatingPointError, match="between steps 1 and 4"):
        _tiny_run(nan_loss)
