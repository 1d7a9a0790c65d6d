"""Faults a learner causes, and what the course does about them: a clear message and a correct result, never a
silent wrong number and never the loss of a result that was already stored.

- a cache file cut short mid-write, or its checksum missing (the ■ button during a save);
- a cached checkpoint from an older version of a model (other settings, other shapes);
- a tampered shipped model or data file;
- ``KeyboardInterrupt`` in the middle of ``train(...)``, and the notebook re-run after it;
- an interrupt while the verdict store of notebook 06 is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from helpers import checkpoints, corpus, seed_everything
from helpers.experiments import claims
from helpers.train import INTERRUPTED_ATTR, train

ROOT = Path(__file__).resolve().parents[1]


def _data(n: int = 8):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=g)
    return [(x, x.sum(dim=1, keepdim=True))]


def _loss(model, batch):
    x, y = batch
    return torch.nn.functional.mse_loss(model(x), y), len(y)


def _build():
    seed_everything(0)
    return torch.nn.Linear(4, 1)


def _fit(model):
    train(model, _data(), steps=20, lr=0.05, loss_fn=_loss, progress=False)
    return {"trained": True}


def _weights(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINT_DIR", tmp_path)
    return tmp_path


def _reference():
    model = _build()
    _fit(model)
    return _weights(model)


# --- caches ----------------------------------------------------------------------------------------------

def test_a_cache_cut_short_is_retrained_not_trusted(cache_dir, capsys):
    model, info = checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)
    assert info["loaded"] is False
    path = checkpoints.checkpoint_path("toy", {"v": 1})
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])        # interrupted mid-write
    model, info = checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)
    assert info["loaded"] is False and "corrupt or was changed" in capsys.readouterr().out
    assert torch.equal(_weights(model), _reference())
    _, info = checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)   # and the cache is whole again
    assert info["loaded"] is True


def test_a_cache_without_its_checksum_is_retrained(cache_dir, capsys):
    checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)
    path = checkpoints.checkpoint_path("toy", {"v": 1})
    path.with_suffix(".pt.sha256").unlink()                              # stopped between the file and its sum
    model, info = checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)
    assert info["loaded"] is False and "no checksum" in capsys.readouterr().out
    assert torch.equal(_weights(model), _reference())


def test_a_cache_from_an_older_model_is_retrained(cache_dir, capsys):
    checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)

    def build_wider():                                                   # the model's code changed, not the key
        seed_everything(0)
        return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 1))

    model, info = checkpoints.train_or_load("toy", {"v": 1}, build_wider, _fit)
    assert info["loaded"] is False and "does not fit this model" in capsys.readouterr().out
    assert model[0].weight.shape == (3, 4)


def test_an_interrupted_fit_stores_nothing_and_a_rerun_trains_it(cache_dir):
    def interrupted_fit(model):
        def loss_then_interrupt(m, batch, calls=[0]):
            calls[0] += 1
            if calls[0] == 5:
                raise KeyboardInterrupt
            return _loss(m, batch)
        train(model, _data(), steps=20, lr=0.05, loss_fn=loss_then_interrupt, progress=False)
        return {}

    with pytest.raises(KeyboardInterrupt, match="interrupted after 4 of 20 steps"):
        checkpoints.train_or_load("toy", {"v": 1}, _build, interrupted_fit)
    assert not checkpoints.checkpoint_path("toy", {"v": 1}).exists()
    model, info = checkpoints.train_or_load("toy", {"v": 1}, _build, _fit)   # the notebook, re-run
    assert info["loaded"] is False and torch.equal(_weights(model), _reference())


# --- train(...) interrupted ------------------------------------------------------------------------------

def test_an_interrupted_model_cannot_be_trained_on_by_accident():
    model = _build()

    def interrupt_at_step_3(m, batch, calls=[0]):
        calls[0] += 1
        if calls[0] == 3:
            raise KeyboardInterrupt
        return _loss(m, batch)

    with pytest.raises(KeyboardInterrupt, match="after 2 of 20 steps; re-run the cell that builds the model"):
        train(model, _data(), steps=20, lr=0.05, loss_fn=interrupt_at_step_3, progress=False)
    assert getattr(model, INTERRUPTED_ATTR) == (2, 20)
    with pytest.raises(RuntimeError, match="interrupted after 2 of 20 steps.*re-run the cell that builds the model"):
        train(model, _data(), steps=20, lr=0.05, loss_fn=_loss, progress=False)
    # re-running from the top (build, then train) gives exactly the uninterrupted run's weights
    fresh = _build()
    train(fresh, _data(), steps=20, lr=0.05, loss_fn=_loss, progress=False)
    assert torch.equal(_weights(fresh), _reference())


# --- shipped files tampered with ---------------------------------------------------------------------------

def test_a_tampered_shipped_model_is_refused_with_the_repair(tmp_path):
    from helpers.experiments import task_models as tm
    from helpers.experiments.text_tasks import TaskVocab

    src = tm.LONG_GPT
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    shutil.copy(src.with_suffix(".pt.sha256"), tmp_path / (src.name + ".sha256"))
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF                                           # one flipped byte
    copy.write_bytes(bytes(raw))
    vocab = TaskVocab.from_pairs(corpus.load_split("valid")[:50])
    with pytest.raises(checkpoints.CheckpointError, match=r"corrupt or was changed.*git checkout -- data/weights/"):
        tm.load_long_gpt(vocab, copy)


def test_a_cut_short_or_edited_corpus_file_is_refused_with_the_command_that_regenerates_it(tmp_path, monkeypatch):
    text = (corpus.REPO_DATA_DIR / "valid.tsv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    fake_repo = tmp_path / "zh_en"
    fake_repo.mkdir()
    listed = [line for line in (corpus.REPO_DATA_DIR / corpus.MANIFEST).read_text().splitlines()
              if line.endswith(("valid.tsv", "train.tsv.gz"))]                  # test.tsv left out on purpose
    (fake_repo / corpus.MANIFEST).write_text("\n".join(listed) + "\n")
    monkeypatch.setattr(corpus, "REPO_DATA_DIR", fake_repo.resolve())
    for damaged in ("".join(lines[: len(lines) // 2]),          # cut at a line end: still well-formed TSV
                    text[:-7],                                   # cut inside the last alignment: still well-formed
                    text.replace("\tI ", "\tWe ", 1)):            # one word edited
        (fake_repo / "valid.tsv").write_text(damaged, encoding="utf-8")
        with pytest.raises(ValueError, match=r"does not match its checksum.*python -m helpers.corpus"):
            corpus.load_split("valid", fake_repo)
    (fake_repo / "valid.tsv").write_text(text, encoding="utf-8")
    assert len(corpus.load_split("valid", fake_repo)) == 1000
    (fake_repo / "valid.tsv").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))   # a Windows checkout
    assert len(corpus.load_split("valid", fake_repo)) == 1000
    (fake_repo / "test.tsv").write_text(text, encoding="utf-8")                            # not in the manifest
    with pytest.raises(ValueError, match="not listed in"):
        corpus.load_split("test", fake_repo)
    raw = bytearray((ROOT / "data" / "zh_en" / "train.tsv.gz").read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 64] = bytes(64)                                    # a damaged deflate stream
    (fake_repo / "train.tsv.gz").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="not a valid gzip file.*python -m helpers.corpus"):
        corpus.load_split("train", fake_repo)
    (fake_repo / corpus.MANIFEST).unlink()
    with pytest.raises(ValueError, match="text.sha256 is missing"):
        corpus.load_split("valid", fake_repo)
    monkeypatch.setattr(corpus, "REPO_DATA_DIR", (tmp_path / "elsewhere").resolve())
    assert len(corpus.load_split("valid", fake_repo)) == 1000   # a folder of your own needs no manifest


def test_writing_the_corpus_leaves_no_half_file(tmp_path, monkeypatch):
    real = Path.replace

    def stop_at_test(self, target):
        if Path(target).name == "test.tsv":
            raise KeyboardInterrupt
        return real(self, target)

    monkeypatch.setattr(Path, "replace", stop_at_test)
    small = {name: corpus.load_split(name)[:5] for name in corpus.SPLIT_FILES}
    with pytest.raises(KeyboardInterrupt):
        corpus.write_splits(tmp_path, splits=small)
    assert not (tmp_path / "test.tsv").exists()          # either the whole file or none
    assert not list(tmp_path.glob("*.tmp"))                # and no half-written temporary file left behind
    assert len(corpus.load_split("valid", tmp_path)) == 5


# --- the verdict store (notebook 06) -----------------------------------------------------------------------

def test_an_interrupt_while_recording_keeps_what_was_stored(tmp_path, monkeypatch):
    store = tmp_path / "verdict_store.json"
    claims.record("translation", {"gpt_bleu": 10.0}, store)
    real = Path.replace

    def interrupted(self, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        claims.record("rank", {"causal_relative_rank": 0.5}, store)
    monkeypatch.setattr(Path, "replace", real)
    assert claims.load_results(store) == {"translation": {"gpt_bleu": 10.0}}
    claims.record("rank", {"causal_relative_rank": 0.5}, store)       # the notebook, re-run
    assert set(claims.load_results(store)) == {"translation", "rank"}


def test_a_damaged_verdict_store_names_its_repair(tmp_path):
    store = tmp_path / "verdict_store.json"
    store.write_text('{"translation": {"gpt_bl')
    with pytest.raises(ValueError, match="re-run notebooks 06a"):
        claims.load_results(store)


def test_a_verdict_store_under_its_old_name_is_still_read(tmp_path, monkeypatch):
    """A learner who ran 06a/06b before the store was renamed keeps those numbers for 06c."""
    monkeypatch.setattr(claims, "CHECKPOINT_DIR", tmp_path)
    (tmp_path / claims.OLD_STORE).write_text('{"translation": {"gpt_bleu": 9.0}}')
    assert claims.load_results() == {"translation": {"gpt_bleu": 9.0}}
    claims.record("rank", {"causal_relative_rank": 0.4})               # the next record goes to the new name
    assert claims.results_path().is_file() and claims.results_path().name == "verdict_store.json"
    assert set(claims.load_results()) == {"translation", "rank"}          # and carries the old numbers over
