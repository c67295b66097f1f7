"""The packaging files agree with each other and with what they point at.

The icons rendered by ``scripts/render_icons.py``, the desktop entry, the AppStream metadata
and the PyInstaller spec all name the same application id, executable and files; a rename
in one of them that misses another is caught here rather than by a distribution's linter.
"""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workbench import __version__

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
ICONS = REPO / "resources" / "icons"
APP_ID = "io.github.grpcworkbench.GrpcWorkbench"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def console_script() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        [name] = tomllib.load(f)["project"]["scripts"]
    return str(name)


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_hicolor_png_sizes(size: int) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png_size(path.read_bytes()) == (size, size)


def test_scalable_icon_is_the_app_svg() -> None:
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ICONS / "app.svg").read_bytes()


def test_ico_holds_a_png_per_size() -> None:
    data = (ICONS / "app.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        image = data[offset : offset + length]
        side = width or 256
        assert (width, height, planes, bits) == (width, width, 1, 32)
        assert png_size(image) == (side, side)
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_entries_are_pngs_of_the_right_size() -> None:
    data = (ICONS / "app.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    expected = {b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256,
                b"ic09": 512, b"ic11": 32, b"ic12": 64, b"ic13": 256, b"ic14": 512}  # fmt: skip
    found = {}
    pos = 8
    while pos < len(data):
        kind, length = data[pos : pos + 4], struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        found[kind] = png_size(data[pos + 8 : pos + length])[0]
        pos += length
    assert found == expected


def test_desktop_entry() -> None:
    path = PACKAGING / f"{APP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == console_script()
    assert desktop["Icon"] == APP_ID
    assert desktop["Categories"] == "Development;Network;"
    assert desktop["Terminal"] == "false"


def test_appstream_metadata() -> None:
    root = ET.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == console_script()
    assert root.findtext("project_license") == "MIT"
    assert root.find("content_rating") is not None
    versions = [r.get("version") for r in root.iterfind("releases/release")]
    assert versions[0] == __version__
    images = [i.text or "" for i in root.iterfind("screenshots/screenshot/image")]
    assert images
    for url in images:
        assert url.startswith("https://")
        local = REPO / url.split("/main/", 1)[1]
        assert local.is_file(), f"{url} points at a file the repository does not have"


def test_pyinstaller_spec_names_the_same_app() -> None:
    text = (PACKAGING / "workbench.spec").read_text(encoding="utf-8")
    compile(text, "workbench.spec", "exec")
    assert f'APP_ID = "{APP_ID}"' in text
    assert "bundle_identifier=APP_ID" in text
    assert f'APP_NAME = "{console_script()}"' in text
    for icon in ("app.ico", "app.icns"):
        assert f'"{icon}"' in text
        assert (ICONS / icon).is_file()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("script", ["build.sh", "smoke_test.sh"])
def test_shell_scripts_parse(script: str) -> None:
    subprocess.run(["bash", "-n", str(PACKAGING / script)], check=True)
