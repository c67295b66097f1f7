"""What the work area shows when no request tab is open: the next step to take.

Before anything is loaded that is the first step, with three ways to take it: connect to a
server (the cursor goes to the address bar), open .proto files, or try the embedded demo
server with one click. Once a schema is loaded, it says how to open a method.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.ui import resources

_FIRST_STEP = (
    "Connect to a server or open .proto files",
    "Type a server address such as localhost:50051 in the bar above and press Enter —\n"
    "the server's schema is read through gRPC reflection.\n"
    "No reflection? Open the service's .proto files or a protoset instead.",
)
_PICK_METHOD = (
    "Pick a method to call",
    "Select a method in the tree on the left to open it in a tab, or press Ctrl+P and\n"
    "type a few letters of its name. Ctrl+F filters the tree.",
)
_BUTTON_WIDTH = 230
_DEMO_TIP = "Start the demo server inside the app and connect to it: nothing to set up"


class WelcomePage(QWidget):
    """A centred title, an explanation and the buttons for the first step.

    Parts (public attributes): :attr:`connect_button`, :attr:`open_proto_button`,
    :attr:`demo_button` and :attr:`open_protoset_button`.

    Signals:
        connectRequested(): the user clicked "Connect to a server…".
        openProtoRequested(): the user clicked "Open .proto files…".
        openProtosetRequested(): the user clicked "Open protoset…".
        demoRequested(): the user clicked "Try the demo server".
    """

    connectRequested = Signal()
    openProtoRequested = Signal()
    openProtosetRequested = Signal()
    demoRequested = Signal()

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
        self.connect_button = self._button("Connect to a server…", self.connectRequested)
        self.connect_button.setToolTip("Type the server's address in the bar above (Ctrl+L)")
        self.open_proto_button = self._button("Open .proto files…", self.openProtoRequested)
        self.demo_button = self._button("Try the demo server", self.demoRequested)
        self.demo_button.setObjectName("welcomeDemoButton")
        self.demo_button.setToolTip(_DEMO_TIP)
        self.open_protoset_button = self._button("Open a protoset…", self.openProtosetRequested)
        self.open_protoset_button.setFlat(True)
        self.open_protoset_button.setObjectName("welcomeLinkButton")
        self._demo_available = True

        # One above the other: the page stays narrow enough for a small window.
        buttons = QVBoxLayout()
        buttons.setSpacing(8)
        for button in (self.connect_button, self.open_proto_button, self.demo_button):
            button.setMinimumWidth(_BUTTON_WIDTH)
            buttons.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        buttons.addWidget(self.open_protoset_button, 0, Qt.AlignmentFlag.AlignHCenter)
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
        self._has_schema = False
        self.set_has_schema(False)

    def title(self) -> str:
        """The heading shown."""
        return self._title.text()

    def set_has_schema(self, has_schema: bool) -> None:
        """Show the first step (no schema yet) or the next one (pick a method)."""
        self._has_schema = has_schema
        title, body = _PICK_METHOD if has_schema else _FIRST_STEP
        self._title.setText(title)
        self._body.setText(body)
        for button in (self.connect_button, self.open_proto_button, self.open_protoset_button):
            button.setVisible(not has_schema)
        self.demo_button.setVisible(not has_schema and self._demo_available)

    def set_demo_available(self, available: bool) -> None:
        """Offer "Try the demo server" (only when something can start it)."""
        self._demo_available = available
        self.set_has_schema(self._has_schema)

    def set_demo_busy(self, busy: bool) -> None:
        """Show that the demo server is starting (the button waits meanwhile)."""
        self.demo_button.setEnabled(not busy)
        self.demo_button.setText("Starting the demo server…" if busy else "Try the demo server")

    def _button(self, text: str, signal: SignalInstance) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(signal)
        return button
