"""Help → About: what this is, and the versions of everything a bug report needs."""

from __future__ import annotations

import importlib.metadata
import logging
import platform

import PySide6
from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__
from workbench.ui import resources

logger = logging.getLogger(__name__)

__all__ = ["AboutDialog", "versions"]

_HOMEPAGE = "https://github.com/grpcworkbench/grpc-workbench"


def _distribution_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    """``(component, version)`` for the app and what it runs on, in display order."""
    import google.protobuf
    import grpc

    return [
        ("gRPC Workbench", __version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("grpcio", grpc.__version__),
        ("protobuf", google.protobuf.__version__),
        ("qasync", _distribution_version("qasync")),
        ("Platform", platform.platform()),
    ]


def versions_text() -> str:
    """The versions as plain text, one ``component: version`` per line (for bug reports)."""
    return "\n".join(f"{name}: {version}" for name, version in versions())


class AboutDialog(QDialog):
    """The app's name, purpose and component versions, with "Copy versions".

    The dialog emits no signals of its own.

    Args:
        parent: the owning window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About gRPC Workbench")
        logo = QLabel(self)
        logo.setPixmap(resources.icon("app").pixmap(QSize(64, 64)))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel("gRPC Workbench", self)
        title.setObjectName("aboutTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        blurb = QLabel(
            "A desktop workbench for gRPC: browse services by reflection or from .proto "
            "files, call methods of all four kinds, watch streams live and keep requests "
            f'in collections.<br><a href="{_HOMEPAGE}">{_HOMEPAGE}</a>',
            self,
        )
        blurb.setWordWrap(True)
        blurb.setOpenExternalLinks(True)
        blurb.setTextFormat(Qt.TextFormat.RichText)

        self._values: dict[str, QLabel] = {}
        table = QFormLayout()
        table.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        table.setHorizontalSpacing(14)
        for name, version in versions():
            value = QLabel(version, self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._values[name] = value
            table.addRow(f"{name}:", value)

        self.copy_button = QPushButton("Copy versions", self)
        self.copy_button.setToolTip("Copy these versions, e.g. to paste into a bug report")
        self.copy_button.clicked.connect(self.copy_versions)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        text = QVBoxLayout()
        text.setSpacing(8)
        text.addWidget(title)
        text.addWidget(blurb)
        text.addSpacing(4)
        text.addLayout(table)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(logo)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 14)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def version_of(self, component: str) -> str:
        """The version shown for ``component`` (e.g. ``"Qt"``); '' when not listed."""
        label = self._values.get(component)
        return label.text() if label is not None else ""

    def copy_versions(self) -> None:
        """Put the versions on the clipboard as plain text."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(versions_text())
        logger.debug("copied the versions to the clipboard")
