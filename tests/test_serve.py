"""`jingwu serve` answers, runs the background worker, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


JINGWU = [sys.executable, "-m", "jingwu.cli"]


def _migrated(tmp_path) -> dict:
    """The environment of a fresh, migrated SQLite installation in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JINGWU_DEBUG")}
    env["JINGWU_DATA_DIR"] = str(tmp_path)
    subprocess.run([*JINGWU, "migrate"], env=env, check=True, capture_output=True, timeout=300)
    return env


def test_serve_starts_web_and_worker_and_stops_on_ctrl_c(tmp_path):
    env = _migrated(tmp_path)
    jingwu = JINGWU
    port = _free_port()
    proc = subprocess.Popen(
        [*jingwu, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        status = None
        while time.time() < deadline:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).status
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200
        # DEBUG is off: a 404 does not list the addresses of the site
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5)
        body = missing.value.read().decode()
        assert missing.value.code == 404
        assert "URLconf" not in body and "api/" not in body and "DEBUG" not in body
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children, "the background worker did not start"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        assert "Jingwu stopped." in out
        time.sleep(1)
        for pid in children:
            assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def _group_members(pgid: int) -> list[str]:
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout
    return out.split()


def test_a_busy_port_gives_one_line_and_leaves_no_worker(tmp_path):
    env = _migrated(tmp_path)
    jingwu = JINGWU
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.Popen(
            [*jingwu, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=120)
            time.sleep(2)
            left = _group_members(proc.pid)  # anything it started (a worker) would still be here
        finally:
            if _group_members(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1
    assert out == "" and err.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: the port is in use (choose another with --port)."
    ]
    assert left == []
