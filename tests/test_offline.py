"""The course runs with the network cut: `make test` runs pytest (unit tests, every notebook under nbval, the
browser tests) inside a network namespace that holds only the loopback interface (course.py, `offline_prefix`).

This file proves that the cut is real, so "the notebooks passed" means "the notebooks passed offline". Where no
namespace can be made (not Linux, not root), it skips and says why; under ``CI=true`` it fails instead, so CI
can never pass without having run offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = os.environ.get("COURSE_TESTS_OFFLINE") == "1"
WHY_NOT = os.environ.get("COURSE_OFFLINE_REASON", "pytest was not started by `make test` (python3 course.py test)")


def _require_offline_run():
    if OFFLINE:
        return
    # conftest.py turns this skip into a failure under CI=true: CI must test the course offline
    pytest.skip(f"the tests did not run with the network cut: {WHY_NOT} (run `make test` as root on Linux)")


def test_no_outside_name_resolves():
    _require_offline_run()
    for host in ("pypi.org", "github.com", "download.pytorch.org"):
        with pytest.raises(OSError):
            socket.getaddrinfo(host, 443)


def test_no_outside_address_is_reachable():
    _require_offline_run()
    for address in (("1.1.1.1", 443), ("8.8.8.8", 53)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(3)
            with pytest.raises(OSError):
                s.connect(address)


def test_loopback_still_works():
    """nbval talks to its kernels, and the browser tests to JupyterLab, over localhost."""
    _require_offline_run()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=3) as client:
            conn, _ = server.accept()
            with conn:
                client.sendall(b"ping")
                assert conn.recv(4) == b"ping"


def test_a_notebook_kernel_is_offline_too():
    """The kernels nbval starts inherit the namespace: a kernel-like child process cannot reach outside."""
    _require_offline_run()
    code = ("import socket\n"
            "try:\n    socket.getaddrinfo('pypi.org', 443)\nexcept OSError:\n    print('offline')\n"
            "else:\n    print('ONLINE')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "offline"


def test_course_py_knows_how_to_cut_the_network():
    """`offline_prefix` either gives a working prefix or a reason, never both and never neither."""
    sys.path.insert(0, str(ROOT))
    try:
        import course
    finally:
        sys.path.remove(str(ROOT))
    prefix, reason = course.offline_prefix()
    assert bool(prefix) != bool(reason), (prefix, reason)
    if prefix:
        out = subprocess.run(prefix + [sys.executable, "-c", "import socket; socket.getaddrinfo('pypi.org', 443)"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode != 0, "inside the prefix an outside name still resolved"
