"""helpers.checkpoints: safe saving/loading, checksums, and reuse of identical runs."""

from __future__ import annotations

import pytest
import torch

from helpers import checkpoints
from helpers.checkpoints import CheckpointError, load_checkpoint, load_weights, save_checkpoint, train_or_load


def test_round_trip_and_checksum(tmp_path):
    net = torch.nn.Linear(3, 2)
    path = save_checkpoint(tmp_path / "m.pt", net, {"in": 3, "out": 2}, {"loss": 0.5})
    payload = load_checkpoint(path)
    other = load_weights(torch.nn.Linear(3, 2), payload)
    assert torch.equal(other.weight, net.weight) and payload["extra"] == {"loss": 0.5}
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupt or was changed"):
        load_checkpoint(path)


def test_missing_unverified_and_mismatched(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "nope.pt")
    path = save_checkpoint(tmp_path / "m.pt", torch.nn.Linear(3, 2), {})
    path.with_suffix(".pt.sha256").unlink()
    with pytest.raises(CheckpointError, match="no checksum"):
        load_checkpoint(path)
    path = save_checkpoint(tmp_path / "m.pt", torch.nn.Linear(3, 2), {})
    with pytest.raises(CheckpointError, match="does not fit this model"):
        load_weights(torch.nn.Linear(4, 2), load_checkpoint(path))


def test_refuses_pickled_code(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"format": checkpoints.FORMAT, "obj": object()}, path)
    with pytest.raises(CheckpointError, match="could not be read as a safe checkpoint"):
        load_checkpoint(path, expected_sha256=checkpoints._sha256(path))


def test_train_or_load_reuses_identical_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", tmp_path)
    calls = []

    def fit(model):
        calls.append(1)
        with torch.no_grad():
            model.weight.fill_(len(calls))
        return {"seconds": 1.5}

    m1, info1 = train_or_load("lin", {"steps": 3}, lambda: torch.nn.Linear(2, 2), fit, verbose=False)
    m2, info2 = train_or_load("lin", {"steps": 3}, lambda: torch.nn.Linear(2, 2), fit, verbose=False)
    assert len(calls) == 1 and not info1["loaded"] and info2["loaded"] and info2["seconds"] == 1.5
    assert torch.equal(m1.weight, m2.weight)
    train_or_load("lin", {"steps": 4}, lambda: torch.nn.Linear(2, 2), fit, verbose=False)
    assert len(calls) == 2, "other settings must train anew"
