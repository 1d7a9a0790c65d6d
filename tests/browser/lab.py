"""A throw-away JupyterLab server for the browser test, on a *copy* of the course.

The server runs on 127.0.0.1 with a random free port and a random token, with its own settings, workspaces,
config, IPython and runtime folders in a temporary directory, so nothing of the user's set-up is read or changed
and the repository's committed notebooks (and their saved outputs) are never modified: the notebooks are
copied; the other top-level folders (helpers/, data/, ...) are linked, so notebooks find them at the same
relative paths as in the repository.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]

# JupyterLab settings for a quiet, deterministic page (written as user settings of the temporary profile).
LAB_SETTINGS = {
    # no "Would you like to get notified about official Jupyter news?" pop-up, no update check (closed network)
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    # attach every cell to the DOM, so off-screen widgets render and can be checked (the default,
    # "contentVisibility"/"full", may leave far-away cells unrendered); no blank page after the last cell,
    # so a screenshot as tall as the notebook shows just the notebook
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "scrollPastEnd": False},
    # no language-server or autosave side traffic while the test runs
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyter-lsp/jupyterlab-lsp/plugin.jupyterlab-settings": {"disable": True},
}


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: have the kernel send SIGTERM to JupyterLab if the test process dies without cleaning up
    (killed by a CI timeout, say), so no server or kernel outlives the test run."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(dest: Path) -> Path:
    """Copy notebooks/ into ``dest``; link the other top-level folders and files. Returns dest/notebooks."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "notebooks", dest / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in ("notebooks", "build", "_site", "artifacts"):
            continue
        (dest / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return dest / "notebooks"


class Lab:
    def __init__(self, base_url: str, token: str, root: Path, log: Path):
        self.base_url, self.token, self.root, self.log = base_url, token, root, log

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


@contextmanager
def jupyterlab(tmp: Path, startup_timeout: float = 120) -> Iterator[Lab]:
    """Start JupyterLab on a copy of the course in ``tmp``; yield a :class:`Lab`; stop it afterwards."""
    root = tmp / "course"
    copy_course(root)
    settings, workspaces, runtime = tmp / "lab-settings", tmp / "lab-workspaces", tmp / "runtime"
    config, ipython = tmp / "jupyter-config", tmp / "ipython"  # empty: no personal config, password, startup
    for folder in (settings, workspaces, runtime, config, ipython):
        folder.mkdir(parents=True, exist_ok=True)
    for name, value in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))

    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    # the kernels must draw with matplotlib's inline backend, as for a learner (tests set MPLBACKEND=Agg)
    env.pop("MPLBACKEND", None)
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(workspaces),
               JUPYTER_RUNTIME_DIR=str(runtime), JUPYTER_CONFIG_DIR=str(config), IPYTHONDIR=str(ipython),
               PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.open_browser=False",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--ServerApp.terminals_enabled=False",
           # window.jupyterapp: lets the test read cell models (execution counts, outputs) instead of guessing
           # them from prompts, which hidden solution cells do not show
           "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to run as root without it (CI runs as root)
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {proc.returncode}:\n{lab.log_tail()}")
            try:
                with urllib.request.urlopen(lab.url("/api/status"), timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer within {startup_timeout:.0f} s:\n{lab.log_tail()}")
            time.sleep(0.5)
        yield lab
    finally:
        proc.terminate()  # JupyterLab shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
