"""scripts/pretrain_checkpoints.py on a tiny stand-in recipe (no course model is trained here): it trains what
is missing, reloads what is there, writes SHA256SUMS that match the files, and --verify catches a corrupt file."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from helpers import checkpoints

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def script(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("pretrain_checkpoints", ROOT / "scripts" / "pretrain_checkpoints.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)   # dataclasses look their module up there
    spec.loader.exec_module(module)
    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", tmp_path)
    trained = []

    def tiny(device, retrain):
        def fit(model):
            trained.append(1)
            with torch.no_grad():
                model.weight.fill_(0.5)
            return {"seconds": 0.0}
        return checkpoints.train_or_load("tiny", {"size": 3, "device": device.type}, lambda: torch.nn.Linear(3, 1),
                                         fit, retrain=retrain, verbose=False)

    monkeypatch.setattr(module, "RECIPES", (module.Recipe("tiny", "99", tiny),))
    return module, tmp_path, trained


def test_trains_once_then_loads_and_writes_matching_checksums(script, capsys):
    module, folder, trained = script
    assert module.main([]) == 0 and trained == [1]
    assert module.main([]) == 0 and trained == [1]          # second run: loaded, not trained
    assert "loaded (already trained)" in capsys.readouterr().out
    (path,) = folder.glob("tiny-*.pt")
    digest, name = (folder / "SHA256SUMS").read_text().split()
    assert name == path.name and digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert module.main(["--retrain"]) == 0 and trained == [1, 1]


def test_verify_fails_on_a_missing_or_corrupt_checkpoint(script, capsys):
    module, folder, _ = script
    assert module.main(["--verify"]) == 1
    assert "no checkpoint" in capsys.readouterr().out
    assert module.main([]) == 0
    assert module.main(["--verify"]) == 0
    (path,) = folder.glob("tiny-*.pt")
    path.write_bytes(path.read_bytes()[:-8] + b"corrupt!")
    assert module.main(["--verify"]) == 1
    assert "error: tiny" in capsys.readouterr().out
