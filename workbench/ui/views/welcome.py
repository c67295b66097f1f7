"""What the work area shows when no request tab is open: the next step to take."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.ui import resources

_FIRST_STEP = (
    "Connect to a server or open .proto files",
    "Type a server address such as localhost:50051 in the bar above and press Connect —\n"
    "the server's schema is read through gRPC reflection.\n"
    "No reflection? Open the service's .proto files or a protoset instead.",
)
_PICK_METHOD = (
    "Pick a method to call",
    "Select a method in the tree on the left to open it in a tab.\n"
    "Type in the filter box to find services, methods, messages and enums by name.",
)


class WelcomePage(QWidget):
    """A centred title, an explanation and the buttons for the first step.

    Signals:
        openProtoRequested(): the user clicked "Open .proto files…".
        openProtosetRequested(): the user clicked "Open protoset…".
    """

    openProtoRequested = Signal()
    openProtosetRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        logo = QLabel(self)
        logo.setPixmap(resources.icon("app").pixmap(QSize(56, 56)))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._title = QLabel(self)
        self._title.setObjectName("welcomeTitle")
        self._title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._body = QLabel(self)
        self._body.setObjectName("welcomeBody")
        self._body.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._body.setWordWrap(True)
        self._open_proto = QPushButton("Open .proto files…", self)
        self._open_proto.clicked.connect(self.openProtoRequested)
        self._open_protoset = QPushButton("Open protoset…", self)
        self._open_protoset.clicked.connect(self.openProtosetRequested)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._open_proto)
        buttons.addWidget(self._open_protoset)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 24)
        column.setSpacing(12)
        column.addStretch(2)
        column.addWidget(logo)
        column.addWidget(self._title)
        column.addWidget(self._body)
        column.addSpacing(6)
        column.addLayout(buttons)
        column.addStretch(3)
        self.set_has_schema(False)

    def title(self) -> str:
        """The heading shown."""
        return self._title.text()

    def set_has_schema(self, has_schema: bool) -> None:
        """Show the first step (no schema yet) or the next one (pick a method)."""
        title, body = _PICK_METHOD if has_schema else _FIRST_STEP
        self._title.setText(title)
        self._body.setText(body)
        self._open_proto.setVisible(not has_schema)
        self._open_protoset.setVisible(not has_schema)
