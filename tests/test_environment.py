"""The two ways to install the course (pip + pyproject.toml, conda + environment.yml) must agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip"}  # the interpreter and installer themselves


def _split(spec: str) -> tuple[str, str]:
    """'numpy>=1.26' -> ('numpy', '>=1.26'); names normalised as PEP 503 says."""
    spec = spec.split("#", 1)[0].strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    assert m, f"cannot parse requirement {spec!r}"
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    return name, m.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    return dict(_split(s) for s in specs)


def environment_requirements() -> dict[str, str]:
    import yaml  # a declared test dependency (pyproject.toml [test], environment.yml)

    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "conda-forge" in env["channels"]
    reqs: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep.get("pip", []):
                if spec.strip() in ("-e .", "-e ."):
                    continue
                name, version = _split(spec)
                reqs[name] = version
        else:
            name, version = _split(dep.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=]", dep) else dep)
            if name not in CONDA_ONLY:
                reqs[name] = version
    return reqs


def test_environment_yml_matches_pyproject():
    pip_side, conda_side = pyproject_requirements(), environment_requirements()
    missing = sorted(set(pip_side) - set(conda_side))
    extra = sorted(set(conda_side) - set(pip_side))
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    differ = {n: (pip_side[n], conda_side[n]) for n in pip_side if pip_side[n] != conda_side[n]}
    assert not differ, f"version specs differ (pyproject, environment.yml): {differ}"


def test_environment_installs_the_package_itself():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*-\s*-e \.\s*$", text, re.M), "environment.yml must pip-install the course (-e .)"


def test_torch_is_pinned_to_the_cpu_wheel_version():
    assert pyproject_requirements()["torch"] == "==2.13.0"


def test_ci_calls_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:60])
    assert "make test" in first_screen and "make lab" in first_screen
    ci = [ln.strip() for ln in (ROOT / ".ci/run").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert "make test" in ci, ".ci/run must call the README's test command"


def test_readme_links_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")) if f"(notebooks/{p.name})" not in readme]
    assert not missing, f"the README's course map does not link {missing}"
