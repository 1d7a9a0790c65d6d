"""The multi-process trainer behind ``scripts/train_gpt.py`` (``torchrun``, DistributedDataParallel).

- ``run_config``: the TOML run config (``configs/*.toml``), its sections and ``--set`` overrides;
- ``train_state``: checkpoints of a run (weights, optimiser, step) written atomically with a sha256;
- ``train_ddp``: the training loop: one process per device, gradient accumulation, mixed precision, resume.

Imported by ``scripts/train_gpt.py``, the tests, and a notebook that loads a trained run
(``train_state.load_trained_gpt``, see the README). It builds on the core's GPT, data and checkpoints; the
core never imports it.
"""
