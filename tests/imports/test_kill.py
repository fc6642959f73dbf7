"""Kill a large import with SIGKILL and check that it left nothing, then that it resumes and completes.

The import runs in a subprocess (``python -m jingwu.cli import ...``) on its own
SQLite database, prepared with ``jingwu migrate``, ``jingwu bureau create`` and a
GeoJSON import of two stations.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

X0, Y0, W, H = 119.90, 31.00, 0.04, 0.02
ROWS = 20_000


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JINGWU_", "DATABASE_URL", "DJANGO_"))}
    env.update(JINGWU_DATA_DIR=str(tmp), JINGWU_FAST_HASHER="1", PYTHONUNBUFFERED="1", JINGWU_LANGUAGE="en")
    return env


def _cli(tmp: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "jingwu.cli", *args],
        env=_env(tmp),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def _box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _count(tmp: Path, prefix: str) -> int:
    con = sqlite3.connect(tmp / "jingwu.sqlite3", timeout=30)
    try:
        return con.execute(
            "SELECT COUNT(*) FROM incidents_incident WHERE external_id LIKE ?", (prefix + "%",)
        ).fetchone()[0]
    finally:
        con.close()


def _write_rows(path: Path, prefix: str, seed: int) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("external_id,received_at,category,lon,lat,address,status\n")
        for i in range(ROWS):
            fh.write(
                f"{prefix}{i},2019-0{1 + i % 9}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d},"
                f"{rnd.choice(['0101', '0201', '0301', '0401'])},"
                f"{X0 + 0.0005 + rnd.random() * (W - 0.001):.6f},{Y0 + 0.0005 + rnd.random() * (H - 0.001):.6f},"
                f"road {i},closed\n"
            )


def _kill_when(tmp: Path, args: list[str], marker: str) -> str:
    """Start an import and SIGKILL it when a progress line starting with ``marker`` (and > 0 rows) shows."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jingwu.cli", *args],
        env=_env(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    deadline = time.monotonic() + 600
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if line.startswith(marker) and not line.startswith(f"{marker} 0/"):
                proc.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "".join(seen)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


@pytest.fixture(scope="module")
def bureau_dir(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("kill")
    _cli(tmp, "migrate")
    _cli(tmp, "bureau", "create", "K01", "断电测试局", "--name-en", "Kill test")
    stations = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "W", "name": "西所"},
                "geometry": _box(X0, Y0, X0 + W / 2, Y0 + H),
            },
            {
                "type": "Feature",
                "properties": {"code": "E", "name": "东所"},
                "geometry": _box(X0 + W / 2, Y0, X0 + W, Y0 + H),
            },
        ],
    }
    (tmp / "stations.geojson").write_text(json.dumps(stations), encoding="utf-8")
    (tmp / "stations-mapping.json").write_text(
        json.dumps(
            {
                "name": "kill-stations",
                "kind": "units",
                "columns": {"code": "code", "name_zh": "name"},
                "options": {"unit_kind": "station"},
            }
        ),
        encoding="utf-8",
    )
    _cli(tmp, "createuser", "importer", "--superuser", "--password", "a-long-test-password")
    _cli(
        tmp,
        "import",
        "units",
        str(tmp / "stations.geojson"),
        "--mapping",
        str(tmp / "stations-mapping.json"),
        "--bureau",
        "K01",
        "--user",
        "importer",
    )
    return tmp


def test_sigkill_while_checking_leaves_nothing_and_the_rerun_completes(bureau_dir):
    tmp = bureau_dir
    big = tmp / "big-a.csv"
    _write_rows(big, "KA", seed=1)
    args = ["import", "incidents", str(big), "--bureau", "K01", "--user", "importer"]
    out = _kill_when(tmp, args, "checked")
    assert _count(tmp, "KA") == 0, out
    again = _cli(tmp, *args)
    assert "Resuming import job" in again.stdout
    assert f"{ROWS} rows read: {ROWS} imported" in again.stdout, again.stdout + again.stderr
    assert _count(tmp, "KA") == ROWS
    third = _cli(tmp, *args)  # the same file again changes nothing
    assert f"0 imported, {ROWS} already present" in third.stdout
    assert _count(tmp, "KA") == ROWS


def test_sigkill_while_saving_leaves_nothing_and_the_rerun_completes(bureau_dir):
    tmp = bureau_dir
    big = tmp / "big-b.csv"
    _write_rows(big, "KB", seed=2)
    args = ["import", "incidents", str(big), "--bureau", "K01", "--user", "importer"]
    out = _kill_when(tmp, args, "saved")  # inside the one transaction that writes the rows
    assert _count(tmp, "KB") in (0, ROWS), out
    assert _count(tmp, "KB") == 0, "killed after the commit: the test did not hit the transaction"
    again = _cli(tmp, *args)
    assert "Resuming import job" in again.stdout
    assert _count(tmp, "KB") == ROWS, again.stdout + again.stderr
