"""The definition pane under the request tabs: a service, message or enum in proto syntax.

Methods are not shown here: a method opens in a request tab, whose Definition page has the
method and its request and response messages. The pane is for what opens no tab, so it is
hidden unless the schema tree's current row is a service, a message or an enum.
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, EnumDescriptor, ServiceDescriptor
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.schema.describe import describe_symbol
from workbench.core.schema.schema import Schema
from workbench.ui import resources

__all__ = ["DefinitionPane"]

#: The kinds of descriptor the pane shows, with the word and icon for each.
_KINDS: tuple[tuple[type, str, str], ...] = (
    (ServiceDescriptor, "service", "service"),
    (Descriptor, "message", "message"),
    (EnumDescriptor, "enum", "enum"),
)


def _kind_of(desc: object) -> tuple[str, str] | None:
    """The kind word and icon name of ``desc`` (``None``: not a kind the pane shows)."""
    # isinstance, not type identity: upb's descriptor classes only register as these.
    return next(((word, icon) for cls, word, icon in _KINDS if isinstance(desc, cls)), None)


class DefinitionPane(QWidget):
    """A title row (kind icon, "message pkg.Name", close button) over the proto text.

    The text is read-only, selectable and in the editor font; comments from the schema are
    kept. :meth:`show_symbol` fills and shows the pane; the close button and :meth:`clear`
    hide it. The pane emits no signals of its own.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("definitionPane")
        self._full_name = ""
        self._icon = QLabel(self)
        self.title = QLabel("Definition", self)
        self.title.setObjectName("detailTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Ignored: a long full name must not widen the window; the label clips instead.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        close = self.close_button = QToolButton(self)
        close.setObjectName("detailClose")
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Hide the definition (select or double-click a type to see it again)")
        close.clicked.connect(self.hide)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("detailPane")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 0, 0)  # the icon in from the text box's edge
        header.setSpacing(6)
        header.addWidget(self._icon)
        header.addWidget(self.title, 1)
        header.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 6)  # edges in line with the request tabs
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.text, 1)
        self.hide()

    @property
    def full_name(self) -> str:
        """The full name of the symbol shown ('' when empty)."""
        return self._full_name

    def show_symbol(self, schema: Schema, desc: object) -> bool:
        """Show ``desc``'s definition; ``False`` (and hidden) when the pane does not show it."""
        kind = _kind_of(desc)
        if kind is None:
            self.clear()
            return False
        word, icon = kind
        self._full_name = str(desc.full_name)  # type: ignore[attr-defined]
        self._icon.setPixmap(resources.icon(icon).pixmap(QSize(16, 16)))
        self.title.setText(f"{word} {self._full_name}")
        self.title.setToolTip(f"The {word}'s definition in proto syntax, with its comments")
        self.text.setPlainText(describe_symbol(schema, desc))  # type: ignore[arg-type]
        self.show()
        return True

    def clear(self) -> None:
        """Empty and hide the pane (without signalling)."""
        self._full_name = ""
        self.title.setText("Definition")
        self.text.clear()
        self.hide()
