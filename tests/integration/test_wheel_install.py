"""The wheel as a user gets it: built, installed into a fresh virtual environment, and run.

Nothing is downloaded: the wheel is built without build isolation (the development
environment's setuptools, when it is new enough; otherwise pip fetches one as for any build),
and the fresh environment reaches the dependencies (grpcio, PySide6, ...) through a ``.pth``
file pointing at this environment's site-packages. The
package itself must come from the new environment, never from the checkout or its editable
install; every check runs outside the checkout and asserts where ``workbench`` came from.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import threading
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench import __version__

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
APP_ID = "io.github.grpcworkbench.GrpcWorkbench"
_NOT_SHIPPED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache")


# pyproject.toml's build-system requirement (PEP 639 license strings need setuptools 77).
_SETUPTOOLS_NEEDED = 77


def _setuptools_major() -> int:
    """The major version of setuptools here (0 when missing); a venv's bundled one is old."""
    try:
        return int(importlib.metadata.version("setuptools").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return 0


@dataclass(frozen=True)
class Installed:
    """A virtual environment with the wheel installed in it."""

    root: Path
    python: Path
    script: Path
    site_packages: Path
    workdir: Path
    env: dict[str, str]

    def run(self, *args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run a command in the environment, outside the checkout; fails on a non-zero exit."""
        proc = subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.workdir,
            env=self.env,
        )
        assert proc.returncode == 0, f"{args} exited {proc.returncode}:\n{proc.stderr}"
        return proc

    def python_code(self, code: str, *args: str, timeout: float = 60) -> str:
        """Run ``code`` with the environment's Python; returns its stdout."""
        return self.run(self.python, "-c", textwrap.dedent(code), *args, timeout=timeout).stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel from a clean copy of the checkout and install it into a new venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    # A copy: the build must not write build/ or *.egg-info into the checkout, and files
    # left in the checkout's build/ by an earlier build must not leak into this wheel.
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*_NOT_SHIPPED))
    dist = tmp / "dist"
    build = ["wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist)]
    if _setuptools_major() >= _SETUPTOOLS_NEEDED:
        build.append("--no-build-isolation")  # offline: this environment's setuptools
    subprocess.run(
        [sys.executable, "-m", "pip", *build, str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    [wheel] = dist.glob("grpc_workbench-*.whl")

    root = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Dependencies from this environment, *after* the new one's own site-packages. Lines of
    # a .pth file only extend sys.path: the .pth files over there (our editable install's
    # finder among them) are not run.
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "_workbench_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    install = ["--python", str(python), "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run(
        [sys.executable, "-m", "pip", *install, str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    workdir = tmp / "work"
    workdir.mkdir()
    home = tmp / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        GRPC_VERBOSITY="NONE",
        QT_API="pyside6",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    script = root / ("Scripts/grpc-workbench.exe" if os.name == "nt" else "bin/grpc-workbench")
    return Installed(root, python, script, site_packages, workdir, env)


def test_the_package_comes_from_the_new_environment(installed: Installed) -> None:
    out = installed.python_code(
        """
        import workbench, workbench.app.main
        print(workbench.__file__)
        print(workbench.app.main.__file__)
        """
    )
    for line in out.splitlines():
        path = Path(line)
        assert path.is_relative_to(installed.site_packages), f"imported from {path}"
        assert not path.is_relative_to(REPO)


def test_version(installed: Installed) -> None:
    assert installed.run(installed.script, "--version").stdout.strip() == (
        f"grpc-workbench {__version__}"
    )


def test_assets_ship_inside_the_package(installed: Installed) -> None:
    out = installed.python_code(
        f"""
        import importlib.resources as r
        from pathlib import Path

        res = r.files("workbench._resources")
        from workbench.ui.resources import ICON_NAMES
        for name in ICON_NAMES:
            assert (res / "icons" / f"{{name}}.svg").is_file(), name
        for size in (16, 24, 32, 48, 64, 128, 256, 512):
            icon = res / "icons" / "hicolor" / f"{{size}}x{{size}}" / "apps" / "{APP_ID}.png"
            assert icon.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n", icon
        assert (res / "icons" / "hicolor" / "scalable" / "apps" / "{APP_ID}.svg").is_file()
        assert (res / "themes" / "workbench.qss").read_text().strip()
        from workbench.ui.resources import resource
        print("RESOURCES", resource("icons", "app.svg"))

        from workbench.demo.protos import demo_proto_files, demo_proto_root
        protos = r.files("workbench._protos")
        assert demo_proto_files(), "no demo protos"
        for name in demo_proto_files():
            assert (protos / name).is_file(), name
        print("PROTOS", demo_proto_root())
        """
    )
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    for key in ("RESOURCES", "PROTOS"):
        assert Path(lines[key]).is_relative_to(installed.site_packages), lines[key]


@pytest.fixture(scope="module")
def demo_address(installed: Installed) -> Iterator[str]:
    """``grpc-workbench demo-server --port 0`` from the installed wheel."""
    proc = subprocess.Popen(
        [str(installed.script), "demo-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=installed.workdir,
        env=installed.env,
    )
    stdout = proc.stdout
    assert stdout is not None
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    try:
        line = first_line[0] if first_line else ""
        prefix = "Demo server listening on "
        if not line.startswith(prefix):
            proc.kill()
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"demo server did not start: {line!r}\n{err}")
        yield line[len(prefix) :].strip()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_list_against_the_demo_server(installed: Installed, demo_address: str) -> None:
    out = installed.run(installed.script, "list", demo_address).stdout.split()
    assert "workbench.demo.v1.DemoService" in out
    assert "workbench.demo.inventory.v1.InventoryService" in out
    assert "grpc.reflection.v1.ServerReflection" in out


# Starts the GUI through the real entry point (`grpc-workbench --demo`), waits until the
# schema of the embedded demo server is loaded (or failed), reports, and closes the window.
_GUI_DRIVER = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
deadline = time.monotonic() + 60

def poll():
    from workbench.ui.views.main_window import MainWindow
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if windows:
        state = windows[0].loader.state
        if state.phase.value in ("ready", "failed") or time.monotonic() > deadline:
            print("STATE", state.phase.value, state.text)
            print("ICON", "null" if app.windowIcon().isNull() else "ok")
            print("STYLE", len(app.styleSheet()))
            windows[0].close()
            return
    QTimer.singleShot(50, poll)

QTimer.singleShot(50, poll)
from workbench.app.main import main
print("EXIT", main(["--demo"]))
"""


def test_the_gui_starts_and_quits_offscreen(installed: Installed) -> None:
    out = installed.python_code(_GUI_DRIVER, timeout=90)
    lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    assert lines["STATE"].startswith("ready Connected to 127.0.0.1:"), out
    assert lines["ICON"] == "ok"
    assert int(lines["STYLE"]) > 0
    assert lines["EXIT"] == "0"
