"""`make checkpoints` builds exactly what the notebooks load: run after the notebooks (marker ``after_notebooks``;
conftest.py orders it after nbval and drops it when the notebooks are not part of the run), every recipe of
scripts/pretrain_checkpoints.py must find the checkpoint a notebook just trained, with identical settings, and
load it instead of training. A recipe whose settings drifted from its notebook's fails here, by name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import helpers
from helpers import checkpoints

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.after_notebooks
def test_every_pretrain_recipe_loads_what_its_notebook_trained(monkeypatch):
    spec = importlib.util.spec_from_file_location("pretrain_checkpoints", ROOT / "scripts" / "pretrain_checkpoints.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)   # dataclasses look their module up there
    spec.loader.exec_module(module)
    real = checkpoints.train_or_load

    def load_only(name, key, build, fit, **kwargs):
        def refuse(model):
            raise AssertionError(f"recipe {name!r} would train: no checkpoint the notebooks wrote has its settings "
                                 f"({checkpoints.checkpoint_path(name, key).name} is missing)")
        return real(name, key, build, refuse, **kwargs)

    monkeypatch.setattr(checkpoints, "train_or_load", load_only)
    device = helpers.get_device()
    for recipe in module.RECIPES:
        _, info = recipe.train(device, False)
        assert info["loaded"], recipe.name
