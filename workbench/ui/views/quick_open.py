"""Ctrl+P: jump to any method of the schema by typing a few letters of its name.

A popup over the window: a line edit above a list of every method, narrowed and ranked as
you type by :mod:`workbench.core.fuzzy` (``dsecho`` finds ``DemoService/Echo``), with the
matched letters in bold. Up/Down pick, Enter opens, Esc (or a click elsewhere) closes.
"""

from __future__ import annotations

import html
import logging

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core import fuzzy
from workbench.core.schema.schema import Schema
from workbench.ui import resources
from workbench.ui.models.schema_tree_model import method_icon_name

logger = logging.getLogger(__name__)

__all__ = ["MAX_RESULTS", "QuickOpen"]

#: The most methods listed at once (a huge schema still answers every key at once).
MAX_RESULTS = 200
_METHOD_ROLE = Qt.ItemDataRole.UserRole
_POSITIONS_ROLE = Qt.ItemDataRole.UserRole + 1
_PACKAGE_ROLE = Qt.ItemDataRole.UserRole + 2
_WIDTH = 560
_ROWS_SHOWN = 12
_NAVIGATION_KEYS = (
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
)


def _candidates(method: MethodDescriptor) -> tuple[str, str]:
    service = method.containing_service
    return f"{service.name}/{method.name}", f"{service.full_name}/{method.name}"


class _MatchDelegate(QStyledItemDelegate):
    """Paints a result: icon, the name with the matched letters in bold, the package."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Implements ``QStyledItemDelegate.paint``."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = opt.palette.color(group, text_role).name()
        dim = color if selected else opt.palette.color(QPalette.ColorRole.PlaceholderText).name()
        positions = set(index.data(_POSITIONS_ROLE) or ())
        marked = "".join(
            f"<b>{html.escape(c)}</b>" if i in positions else html.escape(c)
            for i, c in enumerate(name)
        )
        package = html.escape(str(index.data(_PACKAGE_ROLE) or ""))
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(0)
        doc.setHtml(
            f'<span style="color:{color}">{marked}</span>'
            f'&nbsp;&nbsp;<span style="color:{dim}">{package}</span>'
        )
        painter.save()
        top = text_rect.top() + (text_rect.height() - doc.size().height()) / 2
        painter.translate(text_rect.left(), top)
        painter.setClipRect(QRect(0, 0, text_rect.width(), text_rect.height()))
        context = QAbstractTextDocumentLayout.PaintContext()
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Implements ``QStyledItemDelegate.sizeHint``: a little taller than text."""
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.height() + 10))


class QuickOpen(QFrame):
    """The quick-open popup over a schema's methods.

    Signals:
        methodChosen(object): the user picked a method (a ``MethodDescriptor``); the popup
            has closed.
    """

    methodChosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("quickOpen")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._methods: list[MethodDescriptor] = []
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("quickOpenFilter")
        self.filter_edit.setPlaceholderText("Go to method — type part of its name, e.g. dsecho")
        self.filter_edit.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.results = QListView(self)
        self.results.setObjectName("quickOpenResults")
        self.results.setModel(self.model)
        self.results.setItemDelegate(_MatchDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the line edit
        self.results.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.results.setIconSize(QSize(18, 18))
        self.empty = QLabel(self)
        self.empty.setObjectName("quickOpenEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.empty)
        self.filter_edit.textChanged.connect(self._refresh)
        self.filter_edit.returnPressed.connect(self.choose_current)
        self.filter_edit.installEventFilter(self)
        self.results.clicked.connect(self._on_clicked)

    # -- public ---------------------------------------------------------------------------

    def set_schema(self, schema: Schema) -> None:
        """List the methods of ``schema`` (every service's, in declaration order)."""
        self._methods = [m for service in schema.services() for m in service.methods]
        self._refresh()

    def popup(self, anchor: QWidget | None = None) -> None:
        """Show the popup near the top of ``anchor`` (the window), with an empty query."""
        self.filter_edit.clear()
        self._refresh()
        width = _WIDTH
        if anchor is not None:
            width = min(_WIDTH, max(320, anchor.width() - 40))
            top_left = anchor.mapToGlobal(QPoint((anchor.width() - width) // 2, 60))
            self.move(top_left)
        self.resize(width, self._fitting_height())
        self.show()
        self.raise_()
        self.activateWindow()
        self.filter_edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def shown_names(self) -> list[str]:
        """The results listed, best first, as ``Service/Method``."""
        return [str(self.model.item(r).text()) for r in range(self.model.rowCount())]

    def current_name(self) -> str:
        """The result that Enter opens ('' for none)."""
        index = self.results.currentIndex()
        return str(index.data()) if index.isValid() else ""

    def choose_current(self) -> None:
        """Open the current result (Enter): emit :attr:`methodChosen` and close."""
        index = self.results.currentIndex()
        method = index.data(_METHOD_ROLE) if index.isValid() else None
        if not isinstance(method, MethodDescriptor):
            return
        self.close()
        self.methodChosen.emit(method)

    # -- internals ------------------------------------------------------------------------

    def _refresh(self) -> None:
        query = self.filter_edit.text()
        if query.strip():
            ranked = fuzzy.rank(query, self._methods, key=_candidates, limit=MAX_RESULTS)
            rows = [(r.item, r.text, r.match.positions) for r in ranked]
        else:
            rows = [(m, _candidates(m)[0], ()) for m in self._methods[:MAX_RESULTS]]
        self.model.clear()
        for method, text, positions in rows:
            short = _candidates(method)[0]
            item = QStandardItem(resources.icon(method_icon_name(method)), short)
            # A match on the full name marks letters of the package too: show only the
            # ones inside the short name.
            offset = len(text) - len(short)
            item.setData(tuple(p - offset for p in positions if p >= offset), _POSITIONS_ROLE)
            item.setData(method.containing_service.file.package, _PACKAGE_ROLE)
            item.setData(method, _METHOD_ROLE)
            item.setToolTip(method.full_name)
            self.model.appendRow(item)
        has_rows = self.model.rowCount() > 0
        if has_rows:
            self.results.setCurrentIndex(self.model.index(0, 0))
        elif self._methods:
            self.empty.setText(f"No method matches “{query.strip()}”.")
        else:
            self.empty.setText("No schema loaded: connect to a server or open .proto files.")
        self.results.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        if self.isVisible():
            self.resize(self.width(), self._fitting_height())

    def _fitting_height(self) -> int:
        """Tall enough for the results shown, up to a dozen rows."""
        rows = min(self.model.rowCount(), _ROWS_SHOWN)
        if rows:
            row_height = max(self.results.sizeHintForRow(0), self.fontMetrics().height() + 10)
            self.results.setFixedHeight(rows * row_height + 2 * self.results.frameWidth())
        layout = self.layout()
        if layout is not None:
            layout.activate()
        return self.sizeHint().height()

    def _on_clicked(self, index: QModelIndex) -> None:
        self.results.setCurrentIndex(index)
        self.choose_current()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Implements ``QObject.eventFilter``: arrow keys in the line edit move in the list."""
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _NAVIGATION_KEYS:
                QCoreApplication.sendEvent(self.results, event)  # the view moves its row
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)
