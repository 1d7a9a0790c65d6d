"""The shape of helpers/: a core and its wings, imports only downwards, modules a reader can hold, and the
three homes of stored things (results/, data/weights/, checkpoints/) keeping their rules."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from helpers.results import REQUIRED_PROVENANCE, RESULTS_DIR, WEIGHTS_DIR, ResultError, check_provenance, load_result

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "helpers"
WINGS = ("experiments", "teaching", "distributed")
SUBPACKAGES = {p.name for p in HELPERS.iterdir() if (p / "__init__.py").is_file()}
MAX_LINES = 450   # one sitting


def _part(module: str) -> str:
    """'core', 'grammar' or a wing's name for a dotted module name under helpers ("helpers" itself is core)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("grammar", *WINGS):
        return parts[1]
    return "core"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = HELPERS.parent / dotted.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imports(source: str, name: str, is_package: bool) -> set[str]:
    """Every helpers module that ``source`` (the module ``name``) imports, absolute or relative, at the top or
    inside a function; ``from helpers import x`` counts as importing ``helpers.x`` when x is a module."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "helpers"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "helpers":
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names if _is_module(f"{target}.{a.name}")}
    return found


def _imports_of(path: Path) -> set[str]:
    return _imports(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py")


MODULES = sorted(HELPERS.rglob("*.py"))
ALLOWED = {  # who may import whom: the grammar is the floor, the core stands on it, the wings on the core
    "grammar": {"grammar"},
    "core": {"core", "grammar"},
    **{w: {w, "core", "grammar"} for w in WINGS},
}


def _violations(path_or_name, source: str | None = None, is_package: bool = False) -> list[str]:
    if source is None:
        name, imports = _module_name(path_or_name), _imports_of(path_or_name)
    else:
        name, imports = path_or_name, _imports(source, path_or_name, is_package)
    here = _part(name)
    return sorted(m for m in imports if m != name and _part(m) not in ALLOWED[here])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(HELPERS)))
def test_imports_only_go_down(path):
    bad = _violations(path)
    assert not bad, (f"{path.relative_to(ROOT)} ({_part(_module_name(path))}) imports {bad}: the core never imports "
                     "a wing, wings never import each other, the grammar imports nothing above it")


def test_the_import_rule_catches_what_it_forbids():
    """The walker and the rule are not vacuous: each forbidden direction, written the ways code writes it."""
    assert _violations("helpers.attention", "from .teaching import checks") == ["helpers.teaching", "helpers.teaching.checks"]
    assert _violations("helpers.gpt", "def f():\n    from helpers.experiments import claims") == [
        "helpers.experiments", "helpers.experiments.claims"]
    assert _violations("helpers.grammar.kinds", "from .. import seed_everything") == ["helpers"]
    assert _violations("helpers.grammar.kinds", "import helpers.corpus") == ["helpers.corpus"]
    assert _violations("helpers.teaching.checks", "from ..experiments import scaling") == [
        "helpers.experiments", "helpers.experiments.scaling"]
    assert _violations("helpers.experiments.claims", "from ..distributed import train_ddp") == [
        "helpers.distributed", "helpers.distributed.train_ddp"]
    assert _violations("helpers.experiments.claims", "from .. import checkpoints\nfrom ..grammar import lexicon") == []


def test_the_sub_packages_are_the_known_wings():
    """A new folder under helpers/ must be placed in the import rule above (and get its docstring checked)."""
    assert SUBPACKAGES == {"grammar", *WINGS}, f"helpers/ sub-packages {sorted(SUBPACKAGES)}: update WINGS/ALLOWED"


def test_no_import_hides_from_the_walker():
    hidden = [str(p.relative_to(ROOT)) for p in MODULES
              if re.search(r"\bimport_module\b|\b__import__\s*\(", p.read_text(encoding="utf-8"))]
    assert not hidden, f"dynamic imports escape tests/test_layout.py's check: {hidden}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(HELPERS)))
def test_modules_fit_in_one_sitting(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)} has {n} lines; split it (about 450 at most)"


@pytest.mark.parametrize("package", ["grammar", *WINGS, "teaching/exercises", "teaching/widgets"])
def test_every_package_says_what_it_is_for(package):
    init = HELPERS / package / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc) > 80, f"{init.relative_to(ROOT)} needs a docstring saying what the package is for"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(HELPERS)))
def test_every_module_has_a_docstring(path):
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path.relative_to(ROOT)}: no docstring"


# --- where stored things live ----------------------------------------------------------------------------

def _tracked(prefix: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", prefix], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        assert not (ROOT / ".git").exists(), f"git ls-files failed in a git checkout: {out.stderr}"
        pytest.skip("not a git checkout (an unpacked archive): the tracked-file rules need git")
    return out.stdout.split()


@pytest.mark.parametrize("path", sorted(RESULTS_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_stored_result_says_how_it_was_made(path):
    result = load_result(path.stem)
    prov = result["provenance"]
    assert set(REQUIRED_PROVENANCE) <= set(prov)
    assert isinstance(prov["seeds"], list) and prov["seeds"]
    for source in prov["code_sha256"]:
        assert source.endswith((".py", ".ipynb")), f"{path.name}: code_sha256 should name source files, got {source!r}"


def test_results_hold_only_json():
    assert RESULTS_DIR.is_dir()
    for name in ("bench_gpt", "scaling_sweep", "why_decoder_only", "why_decoder_only_curves", "timings"):
        assert (RESULTS_DIR / f"{name}.json").is_file(), f"results/{name}.json is missing"
    others = [p.name for p in RESULTS_DIR.iterdir() if p.suffix != ".json" and p.name != "runs"]
    assert not others, f"results/ holds only JSON results; move {others} (weights go to data/weights/)"
    # results/runs/: the run logs of sweeps split across sittings (JSON lines), no weights (git ignores weights/)
    logs = [p for p in (RESULTS_DIR / "runs").rglob("*") if p.is_file() and "weights" not in p.parts]
    assert all(p.suffix in (".jsonl", ".json") for p in logs), f"results/runs/ holds only run logs: {logs}"


def test_provenance_check_refuses_what_is_incomplete(tmp_path):
    with pytest.raises(ResultError, match="no 'provenance'"):
        check_provenance({"rows": []})
    with pytest.raises(ResultError, match="seeds, code_sha256"):
        check_provenance({"provenance": {"command": "python x.py", "config": {"a": 1}}})
    with pytest.raises(ResultError, match="no stored result 'nope'"):
        load_result("nope")
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(ResultError, match="not valid JSON"):
        load_result(str(bad))


def test_shipped_weights_carry_their_checksum():
    weights = sorted(WEIGHTS_DIR.glob("*.pt"))
    assert weights, "data/weights/ ships the long-trained translator of notebooks 06a/06c"
    for w in weights:
        recorded = w.with_suffix(".pt.sha256").read_text().split()[0]
        assert hashlib.sha256(w.read_bytes()).hexdigest() == recorded, f"{w.name} does not match its .sha256"
    stray = [p.name for p in WEIGHTS_DIR.iterdir() if p.suffix not in (".pt", ".sha256")]
    assert not stray, f"data/weights/ holds only NAME.pt and NAME.pt.sha256, found {stray}"


def test_no_weights_or_results_outside_their_homes():
    tracked = _tracked(".")
    pts = [f for f in tracked if f.endswith((".pt", ".pth", ".safetensors"))]
    assert all(f.startswith("data/weights/") for f in pts), f"shipped weights belong in data/weights/: {pts}"
    assert not [f for f in tracked if f.startswith("checkpoints/")], "checkpoints/ is a local cache: commit nothing there"
    stray = [f for f in tracked if f.endswith(".json") and "/results/" in f"/{f}" and not f.startswith("results/")]
    assert not stray and not (ROOT / "benchmarks" / "results").exists(), f"results live in results/ only: {stray}"
    assert "checkpoints/" in (ROOT / ".gitignore").read_text().split()


def test_a_bare_name_is_a_stored_result_and_anything_else_a_path():
    from helpers.results import result_path

    assert result_path("scaling_sweep") == RESULTS_DIR / "scaling_sweep.json"
    assert result_path("sweep.json") == Path("sweep.json") and result_path("a.b") == Path("a.b")
    assert result_path("/tmp/x/out.json") == Path("/tmp/x/out.json")


def test_result_json_is_what_the_scripts_write(tmp_path):
    """``save_result`` refuses a result without provenance and round-trips one with it."""
    from helpers.results import make_provenance, save_result

    with pytest.raises(ResultError):
        save_result(str(tmp_path / "x.json"), {"rows": [1]})
    prov = make_provenance("python scripts/x.py", [0], {"steps": 3}, ["helpers/results.py"])
    path = save_result(str(tmp_path / "x.json"), {"rows": [1], "provenance": prov})
    assert json.loads(path.read_text())["provenance"]["code_sha256"]["helpers/results.py"]
