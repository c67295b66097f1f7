"""The window's toolbar: the server address, Connect, the connection state, Open and Reload.

The address box keeps the width of a typical address and the state takes the room left,
so the bar does not shift when the state changes. In a window too narrow for both, each
gives up room (the address down to a short address, the state down to its first word);
the state is then elided and its tooltip has the full text. The workspace's environment
picker is appended after these by
:class:`~workbench.ui.views.workspace_actions.WorkspaceActions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from workbench.ui.views.connect import LoadState, Phase
from workbench.ui.views.connection_indicator import ConnectionIndicator

if TYPE_CHECKING:
    from workbench.ui.views.file_menu import FileMenu

__all__ = ["MainToolBar"]

#: The address box is sized for this many characters, and gives up room down to the second.
_ADDRESS_CHARS = (22, 14)


class _AddressBox(QComboBox):
    """An editable combo box that may shrink below the width of a typical address."""

    def minimumSizeHint(self) -> QSize:
        """Implements ``QWidget.minimumSizeHint``: room for fewer characters than the hint."""
        hint = super().minimumSizeHint()
        wanted, least = _ADDRESS_CHARS
        spare = self.fontMetrics().horizontalAdvance("x") * (wanted - least)
        return QSize(max(hint.width() - spare, 0), hint.height())


class MainToolBar(QToolBar):
    """``Server [address ▾] [Connect] Connection… ● state | Open ▾ Reload``.

    Widgets (public attributes): :attr:`address_box` (editable, recent addresses in its
    list), :attr:`connect_button` (reads Cancel while a load runs), :attr:`indicator` (the
    connection state), :attr:`open_button` (a menu of the two Open actions).

    Args:
        actions: the File menu whose Connection…, Open and Reload actions the bar shows.
        parent: the owning widget.

    Signals:
        connectRequested(): Connect was clicked or Enter pressed in the address box; while
            a load runs, the button reads Cancel and the signal means "cancel it".
    """

    connectRequested = Signal()

    def __init__(self, actions: FileMenu, parent: QWidget | None = None) -> None:
        super().__init__("Connection", parent)
        self.setObjectName("mainToolBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        self.address_box = box = _AddressBox(self)
        box.setObjectName("addressBox")
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.setMinimumContentsLength(_ADDRESS_CHARS[0])
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        line = box.lineEdit()
        assert line is not None  # editable combo boxes always have one
        line.setPlaceholderText("host:port, e.g. localhost:50051")
        line.setClearButtonEnabled(True)
        line.returnPressed.connect(self.connectRequested)
        self.connect_button = QPushButton("Connect", self)
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connectRequested)
        self.indicator = ConnectionIndicator(self)

        open_menu = QMenu(self)
        open_menu.addActions([actions.act_open_proto, actions.act_open_protoset])
        self.open_button = QToolButton(self)
        self.open_button.setObjectName("openButton")
        self.open_button.setText("Open ▾")
        # The text carries the arrow: the style's own indicator is a cramped corner mark.
        self.open_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")
        self.open_button.setToolTip("Open .proto files (Ctrl+O) or a protoset")
        self.open_button.setMenu(open_menu)
        self.open_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.open_button.setAutoRaise(True)

        server = QLabel("Server", self)
        server.setContentsMargins(2, 0, 2, 0)
        server.setBuddy(box)
        self.addWidget(server)
        self.addWidget(box)
        self.addWidget(self.connect_button)
        self.addAction(actions.act_connection)
        self.addWidget(self.indicator)
        self.addSeparator()
        self.addWidget(self.open_button)
        self.addAction(actions.act_reload)

    def address(self) -> str:
        """The address typed in the box."""
        return self.address_box.currentText()

    def set_state(self, state: LoadState) -> None:
        """Show ``state``: the indicator, and Cancel on the button while loading."""
        self.indicator.set_state(state)
        self.connect_button.setText("Cancel" if state.phase is Phase.LOADING else "Connect")
