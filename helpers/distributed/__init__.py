"""The multi-process trainer behind ``scripts/train_gpt.py`` (``torchrun``, DistributedDataParallel).

- ``run_config``: the TOML run config (``configs/*.toml``), its sections and ``--set`` overrides;
- ``train_state``: checkpoints of a run (weights, optimiser, step) written atomically with a sha256;
- ``train_ddp``: the training loop: one process per device, gradient accumulation, mixed precision, resume.

Only ``scripts/train_gpt.py`` and the tests import it. It builds on the core's GPT, data and checkpoints; the
core never imports it.
"""
