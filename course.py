#!/usr/bin/env python3
"""Set up and run the course with one command: ``python3 course.py lab`` or ``python3 course.py test``.

The Makefile's ``make lab`` / ``make test`` call this script, so both work the same way on
Linux, macOS and (without make) Windows. It needs only Python 3.10+ to start.

    python3 course.py lab       create .venv if needed, then open JupyterLab at notebook 00
    python3 course.py test      create .venv if needed, then run every test (unit + notebooks), with the
                                network cut where it can be (Linux, root); COURSE_TESTS_ONLINE=1 keeps it
    python3 course.py setup     only create/update .venv
    python3 course.py timings   run every notebook, store their run times and memory in results/timings.json,
                                and render them into README.md and docs/instructor.md
    python3 course.py execute notebooks/01_attention.ipynb [...]   re-run notebooks in place
    python3 course.py site      build the offline static site of the executed notebooks in _site/
    python3 course.py workshop  workshop copies (workshop/) and reveal.js lecture slides (_slides/)
    python3 course.py checkpoints   pre-train the course models into checkpoints/ and print their checksums

Extra arguments after ``lab`` go to JupyterLab (e.g. ``--no-browser --port 8899``), after
``test`` to pytest (e.g. ``-k attention`` or ``tests/``), after ``site`` to scripts/build_site.py
(e.g. ``--out /tmp/course-site``).

Re-running on a ready environment installs nothing: the install is redone only when
``pyproject.toml`` changes (a hash of it is kept in ``.venv/.course-installed``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
STAMP = VENV / ".course-installed"
MIN_PYTHON = (3, 10)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


def _wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {sys.version_info[0]}.{sys.version_info[1]}"


def ensure_env() -> Path:
    """Create ``.venv`` and install the course into it, unless it is already up to date."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"[course] Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is needed; this is {sys.version.split()[0]}. "
                 "Install Python 3.11 and run this command with it.")
    py = venv_python()
    if py.exists() and STAMP.exists() and STAMP.read_text().strip() == _wanted_stamp():
        return py
    start = time.perf_counter()
    if not py.exists():
        _say(f"creating the virtual environment in {VENV} ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    _say("installing the course and its dependencies (first time: a few minutes) ...")
    pip = [str(py), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(pip + ["install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_wanted_stamp() + "\n")
    _say(f"environment ready in {time.perf_counter() - start:.0f} s")
    return py


def _run(cmd: list[str]) -> int:
    try:
        return subprocess.call(cmd, cwd=ROOT)
    except KeyboardInterrupt:
        return 130


def cmd_lab(args: list[str]) -> int:
    py = ensure_env()
    cmd = [str(py), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", "notebooks/00_start_here.ipynb"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        cmd.append("--allow-root")  # JupyterLab refuses to run as root without it (containers, Binder-like set-ups)
    return _run(cmd + args)


OFFLINE_ENV = "COURSE_TESTS_OFFLINE"          # "1" inside the network-less namespace the tests run in
OFFLINE_REASON_ENV = "COURSE_OFFLINE_REASON"  # why no such namespace could be made (tests/test_offline.py reports it)


def offline_prefix() -> tuple[list[str], str]:
    """A command prefix that runs a command with the network cut (a new network namespace holding only the
    loopback interface, so nbval still talks to its kernels over localhost), or ``([], reason)`` where none
    can be made: not Linux, not root, no ``unshare``, or ``COURSE_TESTS_ONLINE=1``."""
    if os.environ.get("COURSE_TESTS_ONLINE") == "1":
        return [], "COURSE_TESTS_ONLINE=1 was set"
    if not sys.platform.startswith("linux"):
        return [], f"network namespaces need Linux (this is {sys.platform})"
    if os.geteuid() != 0:
        return [], "making a network namespace needs root (`unshare --net`)"
    unshare = shutil.which("unshare")
    if unshare is None:
        return [], "`unshare` (util-linux) is not installed"
    ip = shutil.which("ip")
    if ip is None:
        return [], "`ip` (iproute2) is not installed, so the loopback interface could not be brought up"
    prefix = [unshare, "--net", "--", "sh", "-c", f'{ip} link set lo up && exec "$@"', "course-offline"]
    # the probe: inside, localhost works (nbval, JupyterLab) and an outside name does not resolve
    probe = subprocess.run(prefix + [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0 or probe.stdout.strip() != "offline, loopback up":
        said = (probe.stderr or probe.stdout).strip()[-300:]
        return [], f"`unshare --net` did not give a working offline namespace here: {said}"
    return prefix, ""


_PROBE = """
import socket
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
socket.create_connection(server.getsockname(), timeout=5).close()
try:
    socket.getaddrinfo("pypi.org", 443)
except OSError:
    print("offline, loopback up")
else:
    print("online")
"""


def cmd_test(args: list[str]) -> int:
    py = ensure_env()
    prefix, reason = offline_prefix()
    env = dict(os.environ)
    if prefix:
        # The offline site and the slides vendor their scripts from the npm registry once (cached in
        # build/vendor/): do that now, while the network is still there; nothing after this can download.
        if subprocess.call([str(py), str(ROOT / "scripts" / "build_workshop.py"), "--vendor-only"], cwd=ROOT) != 0:
            _say("warning: the slides' and the offline site's scripts could not be vendored into build/vendor/ "
                 "(npm, once, needs the network): their tests will fail and say so")
        env[OFFLINE_ENV] = "1"
        _say("running the tests with the network cut (a network namespace with only the loopback interface)")
    else:
        env.pop(OFFLINE_ENV, None)
        env[OFFLINE_REASON_ENV] = reason
        _say(f"running the tests with the network on: {reason}")
    # The pytest options (nbval, timeouts, sanitiser, test paths) live in pyproject.toml.
    try:
        return subprocess.call(prefix + [str(py), "-m", "pytest"] + args, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130


def cmd_timings(args: list[str]) -> int:
    """Run every notebook under nbval, store each one's wall time and peak memory in results/timings.json, and
    render them into the README and the instructor's guide (scripts/timings.py). Measure on a quiet machine."""
    status = cmd_test(["notebooks", "--timings-out", str(ROOT / "results" / "timings.json")] + args)
    if status != 0:
        _say("a notebook failed: results/timings.json was not written")
        return status
    status = _run([str(venv_python()), str(ROOT / "scripts" / "timings.py"), "--write"])
    # notebook 00 prints the table from the file: re-run it so its output shows the new numbers
    return status or cmd_execute([str(ROOT / "notebooks" / "00_start_here.ipynb")])


def cmd_execute(args: list[str]) -> int:
    if not args:
        sys.exit("[course] usage: python3 course.py execute notebooks/NN_name.ipynb [...]")
    py = ensure_env()
    status = 0
    for nb in args:
        start = time.perf_counter()
        status |= _run([str(py), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                        "--ExecutePreprocessor.timeout=900", nb])
        _say(f"{nb}: {time.perf_counter() - start:.1f} s")
    return status


def cmd_site(args: list[str]) -> int:
    """HTML pages of the committed, executed notebooks (not re-run) with a course index, widgets and maths
    rendered from local files, so the site works offline; see scripts/build_site.py."""
    py = ensure_env()
    start = time.perf_counter()
    status = _run([str(py), str(ROOT / "scripts" / "build_site.py")] + args)
    _say(f"site: {time.perf_counter() - start:.1f} s")
    return status


def cmd_workshop(args: list[str]) -> int:
    """Workshop copies without solutions (workshop/) and lecture slides (_slides/) from the notebooks; see
    scripts/build_workshop.py (e.g. ``--workshop-only``, ``--slides-only``, ``--check``)."""
    py = ensure_env()
    start = time.perf_counter()
    status = _run([str(py), str(ROOT / "scripts" / "build_workshop.py")] + args)
    _say(f"workshop: {time.perf_counter() - start:.1f} s")
    return status


def cmd_checkpoints(args: list[str]) -> int:
    """Train (or verify) every model the notebooks load, so a lecture never waits for training; see
    scripts/pretrain_checkpoints.py."""
    py = ensure_env()
    return _run([str(py), str(ROOT / "scripts" / "pretrain_checkpoints.py")] + args)


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "timings": cmd_timings, "execute": cmd_execute, "site": cmd_site,
            "workshop": cmd_workshop, "checkpoints": cmd_checkpoints,
            "setup": lambda args: (ensure_env(), 0)[1]}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
