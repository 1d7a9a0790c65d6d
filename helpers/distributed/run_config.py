"""Config files for ``scripts/train_gpt.py``: one TOML format for the notebook-sized and the GPU-sized run.

A run is described by four tables (see ``configs/gpt_notebook.toml``, every field commented there)::

    [model]   the GPT's sizes: any field of ``helpers.gpt.GPTConfig`` except vocab_size (the tokenizer sets it)
    [data]    which tokenizer cuts the course text into tokens
    [train]   what decides the weights: steps, batch, learning-rate schedule, optimiser, seed
    [run]     what does not: where checkpoints go, device, precision, how often to log/evaluate/save

- ``load_config(path, overrides)`` reads a file and applies command-line overrides such as
  ``["steps=20", "run.out_dir='checkpoints/try'"]`` (``table.key=value``, or ``key=value`` when
  the key is in one table only; values are TOML literals, a bare word is taken as a string).
- ``RunConfig.to_dict()`` / ``RunConfig.from_dict(d)``: the plain dict stored in checkpoints.

A missing file, a TOML syntax error, an unknown table or key, or a value of the wrong type raises
``ConfigError`` with the file and the key. Python 3.11+ reads TOML with the standard ``tomllib``;
on 3.10 the ``tomli`` package (same API) is used if installed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:             # Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

__all__ = ["ConfigError", "RunConfig", "DataSection", "TrainSection", "RunSection", "load_config", "parse_config"]


class ConfigError(ValueError):
    """A config file is missing, malformed, or holds an unknown key or a wrong value."""


@dataclass
class DataSection:
    tokenizer: str = "bpe"       # "bpe" (byte-level BPE, notebook 05's choice) or "char" (one token per character)
    bpe_vocab_size: int = 1024   # BPE vocabulary size (ignored for "char")
    shuffle_seed: int = 0        # seed that shuffles the corpus's sentences into one unpaired stream


@dataclass
class TrainSection:
    steps: int = 250             # optimiser steps in the whole run
    batch_size: int = 32         # windows per optimiser step, summed over every process and micro-step
    micro_batch_size: int = 32   # windows per process per forward pass; grad_accum = batch_size / (micro * processes)
    lr: float = 3e-3             # peak learning rate (AdamW), reached after the warm-up
    min_lr: float = 3e-4         # learning rate at the end of the cosine decay
    warmup: int = 30             # steps of linear warm-up from lr/warmup to lr
    decay: str = "constant"      # after the warm-up: "cosine" (down to min_lr at the last step) or "constant"
    weight_decay: float = 0.0    # AdamW weight decay, applied to weight matrices only
    beta1: float = 0.9           # AdamW first-moment decay
    beta2: float = 0.999         # AdamW second-moment decay
    grad_clip: float = 1.0       # clip the gradient norm to this (0 = no clipping)
    seed: int = 0                # seeds the initial weights, the data windows and dropout


@dataclass
class RunSection:
    out_dir: str = "checkpoints/gpt_notebook"   # folder for checkpoints and log.jsonl (relative to where you run)
    device: str = "auto"         # "auto" (CUDA, else MPS for one process, else CPU), "cpu", "cuda" or "mps" (one process)
    precision: str = "auto"      # "auto" (bf16 autocast on GPUs that have it, else fp16 + GradScaler; fp32 on CPU), "fp32", "bf16", "fp16"
    log_every: int = 10          # print loss, ms/step and tokens/s every this many steps
    eval_every: int = 50         # validation loss every this many steps (and at the end); 0 = only at the end
    valid_tokens: int = 10_000   # validation tokens used (from the start of the validation stream)
    checkpoint_every: int = 100  # save a checkpoint every this many steps (and at the end); 0 = only at the end
    keep_checkpoints: int = 2    # newest checkpoints kept in out_dir; 0 = keep all


SECTIONS = {"data": DataSection, "train": TrainSection, "run": RunSection}


def _gpt_fields() -> dict[str, Any]:
    from ..gpt import GPTConfig

    return {f.name: f for f in fields(GPTConfig) if f.name != "vocab_size"}


@dataclass
class RunConfig:
    """A whole run: ``model`` (a dict of ``GPTConfig`` fields), ``data``, ``train``, ``run``."""

    model: dict = field(default_factory=dict)
    data: DataSection = field(default_factory=DataSection)
    train: TrainSection = field(default_factory=TrainSection)
    run: RunSection = field(default_factory=RunSection)

    def to_dict(self) -> dict[str, Any]:
        return {"model": dict(self.model), "data": asdict(self.data), "train": asdict(self.train),
                "run": asdict(self.run)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "the config") -> "RunConfig":
        return parse_config(d, source)


def _check_type(where: str, value, default):
    """``value`` converted to the type of ``default`` (int -> float allowed), else ``ConfigError``."""
    kind = type(default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is bool or isinstance(value, bool):
        if not (kind is bool and isinstance(value, bool)):
            raise ConfigError(f"{where} must be {kind.__name__}, got {value!r}")
        return value
    if not isinstance(value, kind):
        raise ConfigError(f"{where} must be {kind.__name__}, got {value!r} ({type(value).__name__})")
    return value


def _check_values(cfg: RunConfig, source: str) -> None:
    t, r, d = cfg.train, cfg.run, cfg.data
    checks = [
        (t.steps >= 1, "train.steps must be >= 1"),
        (t.batch_size >= 1 and t.micro_batch_size >= 1, "train.batch_size and train.micro_batch_size must be >= 1"),
        (t.batch_size % t.micro_batch_size == 0, f"train.batch_size={t.batch_size} must be a multiple of "
                                                 f"train.micro_batch_size={t.micro_batch_size}"),
        (t.lr > 0 and 0 <= t.min_lr <= t.lr, "need 0 <= train.min_lr <= train.lr and train.lr > 0"),
        (t.warmup >= 0 and t.grad_clip >= 0 and t.weight_decay >= 0, "train.warmup, grad_clip, weight_decay must be >= 0"),
        (0 <= t.beta1 < 1 and 0 <= t.beta2 < 1, "train.beta1 and train.beta2 must be in [0, 1)"),
        (t.decay in ("cosine", "constant"), f"train.decay must be 'cosine' or 'constant', got {t.decay!r}"),
        (t.seed >= 0, "train.seed must be >= 0"),
        (d.tokenizer in ("bpe", "char"), f"data.tokenizer must be 'bpe' or 'char', got {d.tokenizer!r}"),
        (r.device in ("auto", "cpu", "cuda", "mps"), f"run.device must be auto, cpu, cuda or mps, got {r.device!r}"),
        (r.precision in ("auto", "fp32", "bf16", "fp16"), f"run.precision must be auto, fp32, bf16 or fp16, got {r.precision!r}"),
        (r.log_every >= 1 and r.valid_tokens >= 1, "run.log_every and run.valid_tokens must be >= 1"),
        (min(r.eval_every, r.checkpoint_every, r.keep_checkpoints) >= 0, "run.eval_every, checkpoint_every, keep_checkpoints must be >= 0"),
        (bool(r.out_dir), "run.out_dir must name a folder"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(f"{source}: {message}")


def parse_config(raw: dict[str, Any], source: str = "the config") -> RunConfig:
    """A ``RunConfig`` from a parsed TOML dict; unknown tables/keys and wrong types raise ``ConfigError``."""
    unknown = set(raw) - {"model", *SECTIONS}
    if unknown:
        raise ConfigError(f"{source}: unknown table(s) {sorted(unknown)}; expected [model], [data], [train], [run]")
    model = dict(raw.get("model", {}))
    gpt_fields = _gpt_fields()
    for key, value in model.items():
        if key not in gpt_fields:
            raise ConfigError(f"{source}: [model] has no key {key!r}; known keys: {sorted(gpt_fields)} "
                              "(vocab_size comes from the tokenizer)")
    sections = {}
    for name, cls in SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
        defaults = cls()
        known = {f.name for f in fields(cls)}
        for key in table:
            if key not in known:
                raise ConfigError(f"{source}: [{name}] has no key {key!r}; known keys: {sorted(known)}")
        sections[name] = cls(**{k: _check_type(f"{source}: {name}.{k}", v, getattr(defaults, k)) for k, v in table.items()})
    cfg = RunConfig(model=model, **sections)
    _check_values(cfg, source)
    try:
        from ..gpt import GPTConfig

        GPTConfig(vocab_size=2, **model)          # the model table must make a valid GPT
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{source}: [model] is not a valid GPT: {err}") from err
    return cfg


def _literal(text: str):
    """A TOML literal (``20``, ``3e-4``, ``true``, ``'x'``); a bare word is a string."""
    if tomllib is None:
        raise ConfigError("reading TOML needs Python 3.11+ (tomllib) or, on Python 3.10, `pip install tomli`")
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(raw: dict[str, Any], overrides) -> dict[str, Any]:
    """``raw`` with ``key=value`` overrides applied (``table.key=value``, or ``key`` if it names one table's key)."""
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    owners: dict[str, list[str]] = {}
    for name, cls in SECTIONS.items():
        for f in fields(cls):
            owners.setdefault(f.name, []).append(name)
    for key in _gpt_fields():
        owners.setdefault(key, []).append("model")
    for item in overrides or ():
        if "=" not in item:
            raise ConfigError(f"--set expects key=value (e.g. steps=20 or run.out_dir=checkpoints/x), got {item!r}")
        key, text = (s.strip() for s in item.split("=", 1))
        if "." in key:
            table, name = key.split(".", 1)
        else:
            tables = owners.get(key, [])
            if len(tables) != 1:
                hint = f"it is in {tables}: write table.{key}" if tables else "no table has it"
                raise ConfigError(f"--set {item!r}: cannot tell which table {key!r} belongs to ({hint})")
            table, name = tables[0], key
        raw.setdefault(table, {})[name] = _literal(text)
    return raw


def load_config(path, overrides=()) -> RunConfig:
    """Read the TOML file at ``path``, apply ``overrides`` (``["steps=20", ...]``), check it, return a ``RunConfig``."""
    if tomllib is None:
        raise ConfigError("reading TOML needs Python 3.11+ (tomllib) or, on Python 3.10, `pip install tomli`")
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no config file at {path}: pass one of configs/*.toml, e.g. --config configs/gpt_notebook.toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err
    return parse_config(apply_overrides(raw, overrides), str(path))
