"""Train the course GPT from a config file, on one CPU, one GPU, or many GPUs/nodes.

    python scripts/train_gpt.py --config configs/gpt_notebook.toml                 # one process (CPU or GPU)
    torchrun --nproc_per_node 4 scripts/train_gpt.py --config configs/gpt_gpu.toml  # 4 processes, DDP

``--set key=value`` overrides the file, ``--resume`` continues the newest checkpoint exactly;
``--help`` lists everything. The work is done by ``helpers.distributed.train_ddp`` (tested in
``tests/test_torchrun.py``); load the result with ``helpers.distributed.train_state.load_trained_gpt``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # `import helpers` without an install

from helpers.distributed.train_ddp import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
