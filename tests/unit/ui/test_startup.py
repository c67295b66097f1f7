"""Starting the real application in a child process: bad settings, another DPI, the smoke line.

Each run uses ``WORKBENCH_QUIT_AFTER_LOAD=1``: the app prints ``WORKBENCH_LOADED <phase>:
<text>`` once the schema load settles and closes itself, as the packaging smoke test expects.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    home: Path

    @property
    def loaded(self) -> str:
        lines = [line for line in self.stdout.splitlines() if line.startswith("WORKBENCH_LOADED")]
        assert len(lines) == 1, self.stdout + self.stderr
        return lines[0]

    @property
    def settings(self) -> Path:
        return self.home / "config" / "grpc-workbench" / "settings.json"

    def log(self) -> str:
        return (self.home / "state" / "grpc-workbench" / "log" / "grpc-workbench.log").read_text()


def start(tmp_path: Path, *args: str, settings: str | None = None, **env: str) -> Run:
    """Run ``python -m workbench ARGS`` offscreen with a home of its own."""
    home = tmp_path / "home"
    config = home / "config" / "grpc-workbench"
    config.mkdir(parents=True, exist_ok=True)
    if settings is not None:
        (config / "settings.json").write_text(settings, encoding="utf-8")
    environ = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRPC_VERBOSITY": "NONE",
        "WORKBENCH_QUIT_AFTER_LOAD": "1",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        **env,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=REPO,
        env=environ,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, home)


def test_demo_start_prints_the_smoke_line_and_remembers_the_target(tmp_path: Path) -> None:
    run = start(tmp_path, "--demo")
    assert run.returncode == 0, run.stderr
    assert run.loaded.startswith("WORKBENCH_LOADED ready: Connected to 127.0.0.1:")
    assert "Traceback" not in run.stderr
    assert '"recent_targets": [\n    "127.0.0.1:' in run.settings.read_text()
    assert "grpc-workbench" in run.log()  # the GUI logs to the rotating file


def test_a_corrupt_settings_file_starts_with_defaults(tmp_path: Path) -> None:
    run = start(tmp_path, "--demo", settings="{ this is not json")
    assert run.returncode == 0, run.stderr
    assert run.loaded.startswith("WORKBENCH_LOADED ready:")
    assert "settings.json" in run.stderr  # the warning names the file…
    assert "using the default settings" in run.log()  # …and the log keeps it
    kept = list(run.settings.parent.glob("settings.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{ this is not json"


def test_settings_of_the_wrong_shape_fall_back_field_by_field(tmp_path: Path) -> None:
    bad = '{"format": "grpc-workbench/settings", "version": 1, "theme": "neon", "open_tabs": 3}'
    run = start(tmp_path, "--demo", settings=bad)
    assert run.returncode == 0, run.stderr
    assert run.loaded.startswith("WORKBENCH_LOADED ready:")
    assert "theme" in run.log()


def test_twice_the_pixel_density(tmp_path: Path) -> None:
    run = start(tmp_path, "--demo", QT_SCALE_FACTOR="2")
    assert run.returncode == 0, run.stderr
    assert run.loaded.startswith("WORKBENCH_LOADED ready:")
    assert "Traceback" not in run.stderr


def test_a_dead_server_reports_failed(tmp_path: Path, unused_port: int) -> None:
    run = start(tmp_path, f"127.0.0.1:{unused_port}")
    assert run.returncode == 0, run.stderr
    assert run.loaded.startswith("WORKBENCH_LOADED failed:")


def test_nothing_to_load_reports_idle_and_verbose_logs_debug(tmp_path: Path) -> None:
    run = start(tmp_path, "--verbose")
    assert run.returncode == 0, run.stderr
    assert run.loaded == "WORKBENCH_LOADED idle: Not connected"
    assert " DEBUG " in run.log()
