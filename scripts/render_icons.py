"""Render the app icon (resources/icons/app.svg) into the PNG, ICO and ICNS files we ship.

Rerunnable: ``.venv/bin/python scripts/render_icons.py`` (offscreen, no display needed), then
commit the results. ``--check`` renders into memory and fails if a committed file differs.

Outputs, all below ``resources/icons/``:

- ``hicolor/<N>x<N>/apps/<APP_ID>.png`` for N in 16 … 512 and
  ``hicolor/scalable/apps/<APP_ID>.svg``: the freedesktop icon theme layout, installed as is
  under ``/usr/share/icons/hicolor`` (or a Flatpak's ``/app/share/icons/hicolor``);
- ``app.ico``: Windows, 16 … 256 px, each entry a PNG (supported since Windows Vista);
- ``app.icns``: macOS, ``icp4``/``icp5``/``icp6``/``ic07``/``ic08``/``ic09`` PNG entries plus
  the ``@2x`` ones (``ic11``-``ic14``).

Pillow is not needed: ICO and ICNS are simple containers of PNG data, written here.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

REPO = Path(__file__).resolve().parents[1]
ICONS = REPO / "resources" / "icons"
SOURCE = ICONS / "app.svg"
APP_ID = "io.github.grpcworkbench.GrpcWorkbench"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # ICO stores 256 as 0; nothing larger fits
# (type, pixel size): the PNG-capable ICNS entry types.
ICNS_ENTRIES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),  # 16x16@2x
    (b"ic12", 64),  # 32x32@2x
    (b"ic13", 256),  # 128x128@2x
    (b"ic14", 512),  # 256x256@2x
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG rendered to a ``size`` x ``size`` PNG with a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size}px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding one PNG per size (ICONDIR, ICONDIRENTRY each, then the data)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # a byte: 0 means 256
        # width, height, palette colours, reserved, colour planes, bits per pixel, size, offset
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: ``icns`` + total length, then (type, length incl. header, PNG) entries."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_ENTRIES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def outputs() -> dict[Path, bytes]:
    """Every generated file and its content."""
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    pngs = {size: render_png(renderer, size) for size in sorted({*PNG_SIZES, 512})}
    hicolor = ICONS / "hicolor"
    files = {
        hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png": pngs[size] for size in PNG_SIZES
    }
    files[hicolor / "scalable" / "apps" / f"{APP_ID}.svg"] = SOURCE.read_bytes()
    files[ICONS / "app.ico"] = ico_bytes(pngs)
    files[ICONS / "app.icns"] = icns_bytes(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, verify) the rendered icons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if a committed icon is missing or stale"
    )
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    files = outputs()
    stale = []
    for path, data in files.items():
        rel = path.relative_to(REPO)
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.read_bytes() == data:
            print(f"unchanged {rel}")
            continue
        path.write_bytes(data)
        print(f"wrote     {rel} ({len(data)} bytes)")
    del app
    if stale:
        print("stale icons (run scripts/render_icons.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
