"""helpers/__init__.py (seeding, device choice), helpers/plots.py, helpers/teaching/checks.py and course.py."""

from __future__ import annotations

import importlib.util
import random
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch

import helpers
from helpers import plots
from helpers.teaching import checks

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# --- seeding and devices -------------------------------------------------------------

def _draw():
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_seed_everything_repeats_every_generator():
    helpers.seed_everything(123)
    first = _draw()
    helpers.seed_everything(123)
    assert _draw() == first
    helpers.seed_everything(124)
    assert _draw() != first


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="non-negative int"):
        helpers.seed_everything(bad)


def test_get_device_defaults_and_overrides(monkeypatch):
    monkeypatch.delenv(helpers.DEVICE_ENV_VAR, raising=False)
    auto = helpers.get_device()
    assert auto.type in {"cpu", "cuda", "mps"}
    if not torch.cuda.is_available():
        assert auto.type in {"cpu", "mps"}
    assert helpers.get_device("cpu") == torch.device("cpu")
    monkeypatch.setenv(helpers.DEVICE_ENV_VAR, "cpu")
    assert helpers.get_device() == torch.device("cpu")


def test_get_device_explains_bad_requests(monkeypatch):
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        helpers.get_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="not available here; available: cpu"):
        helpers.get_device("cuda")


def test_describe_environment_lists_versions():
    info = helpers.describe_environment()
    assert info["torch"].startswith("2.") and info["device"] in {"cpu", "cuda", "mps"}
    assert "MISSING" not in info.values()


# --- plots ---------------------------------------------------------------------------

def test_chinese_renders_without_missing_glyphs():
    plots.use_course_style()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("注意力权重 attention weights")
        ax.set_xlabel("我昨天在公园看了书。")
        fig.canvas.draw()
        plt.close(fig)
    glyph = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert not glyph, glyph


def test_without_the_course_style_chinese_is_missing():
    """The control: DejaVu Sans alone lacks CJK glyphs, so the test above can fail."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, ax = plt.subplots()
            ax.set_title("注意力")
            fig.canvas.draw()
            plt.close(fig)
    assert any("Glyph" in str(w.message) or "missing from" in str(w.message) for w in caught)


def test_show_heatmap_labels_and_shapes():
    plots.use_course_style()
    weights = torch.softmax(torch.randn(1, 3, 4), dim=-1)
    ax = plots.show_heatmap(weights, ["I", "read", "."], ["我", "看", "书", "。"], title="对齐")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["我", "看", "书", "。"]
    assert ax.images[0].get_array().shape == (3, 4)
    plt.close("all")
    with pytest.raises(ValueError, match="row_labels has 2 labels but the matrix has 3 rows"):
        plots.show_heatmap(weights[0], ["a", "b"], None)
    with pytest.raises(ValueError, match="needs a 2-D matrix"):
        plots.show_heatmap(torch.zeros(2, 3, 4))


def test_show_heatmaps_grid():
    fig = plots.show_heatmaps([np.eye(3)] * 5, titles=[f"head {i}" for i in range(5)], ncols=3)
    assert len(fig.axes) == 6 and not fig.axes[-1].axison
    plt.close(fig)


# --- checks --------------------------------------------------------------------------

def _ref(x):
    return torch.softmax(x, dim=-1)


def _wrong_dim(x):
    return torch.softmax(x, dim=0)


def test_check_function_accepts_the_reference(capsys):
    cases = [(torch.randn(3, 4),), (torch.randn(2, 5),)]
    assert checks.check_function(_ref, _ref, cases, name="softmax")
    assert "✅ softmax: correct on all 2 test cases" in capsys.readouterr().out


def test_check_function_prints_the_matching_hint(capsys):
    cases = [(torch.randn(3, 4),)]
    mistakes = [checks.Mistake(_wrong_dim, "normalise over the last dimension")]
    assert not checks.check_function(_wrong_dim, _ref, cases, mistakes=mistakes)
    assert "Hint: normalise over the last dimension" in capsys.readouterr().out


def test_check_function_reports_stubs_and_crashes(capsys):
    def stub(x):
        raise NotImplementedError

    def crash(x):
        return x.no_such_method()

    assert not checks.check_function(stub, _ref, [(torch.randn(2, 2),)])
    assert "not written yet" in capsys.readouterr().out
    assert not checks.check_function(crash, _ref, [(torch.randn(2, 2),)])
    assert "raised AttributeError" in capsys.readouterr().out
    with pytest.raises(checks.CheckFailed):
        checks.check_function(crash, _ref, [(torch.randn(2, 2),)], strict=True)


def test_check_function_does_not_let_in_place_edits_spoil_the_reference():
    def in_place(x):
        return x.mul_(0)

    x = torch.ones(2, 2)
    assert not checks.check_function(in_place, lambda t: t * 1, [(x,)])
    assert torch.equal(x, torch.ones(2, 2))


def test_check_value(capsys):
    assert not checks.check_value(..., (2, 5))
    assert "not answered yet" in capsys.readouterr().out
    assert not checks.check_value((5, 2), (2, 5), hints={(5, 2): "rows are queries"})
    assert "Hint: rows are queries" in capsys.readouterr().out
    assert checks.check_value(0.30000001, 0.3)


# --- course.py (the two commands) -----------------------------------------------------

def _load_course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_course_runner_does_not_reinstall_a_ready_environment(tmp_path, monkeypatch):
    course = _load_course()
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    monkeypatch.setattr(course, "VENV", venv)
    monkeypatch.setattr(course, "STAMP", venv / ".course-installed")
    calls = []
    monkeypatch.setattr(course.subprocess, "run", lambda *a, **k: calls.append(a))
    course.STAMP.write_text(course._wanted_stamp() + "\n")
    course.ensure_env()
    assert calls == [], "a ready environment must not be reinstalled"
    course.STAMP.write_text("stale\n")  # pyproject.toml changed since the install
    course.ensure_env()
    assert any("install" in c[0] for c in calls)
    assert course.STAMP.read_text().strip() == course._wanted_stamp()
