"""The item delegate of the request form: the right editor for each kind of value."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from workbench.core.messages.fieldvalues import BytesEncoding
from workbench.ui.form.editors.bytes_editor import BytesEditor
from workbench.ui.form.editors.checked_line_edit import CheckedLineEdit
from workbench.ui.form.editors.choice_editor import ChoiceEditor
from workbench.ui.form.editors.timestamp_editor import TimestampEditor
from workbench.ui.form.roles import EditorKind, FormRole

__all__ = ["FieldDelegate"]

Index = QModelIndex | QPersistentModelIndex

# Extra height per row so editors (combo boxes, the date picker) fit without clipping.
_ROW_PADDING = 8
# Composite editors need this much room even in a narrow value column.
_MIN_EDITOR_WIDTH = 260
_LOADED = "_workbench_loaded"
_CHECK_SIZE = 14


class FieldDelegate(QStyledItemDelegate):
    """Opens the editor a cell asks for (``FormRole.EditorKindRole``) and writes it back.

    Line edits mark invalid text while it is typed (asking the model's ``validate``);
    choosers, "Now" and file loads commit at once. Editors are filled once: a model update
    while the user types does not overwrite the typing.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """Implements QStyledItemDelegate.createEditor."""
        kind_name = index.data(FormRole.EditorKindRole)
        if kind_name is None:
            return super().createEditor(parent, option, index)
        kind = EditorKind(kind_name)
        editor: QWidget
        if kind in (EditorKind.LINE, EditorKind.KEY):
            editor = self._line_editor(parent, index)
        elif kind is EditorKind.BYTES:
            editor = BytesEditor(parent=parent)
            editor.committed.connect(lambda: self._commit_and_close(editor))
        elif kind is EditorKind.TIMESTAMP:
            editor = TimestampEditor(parent)
            editor.committed.connect(lambda: self._commit_and_close(editor))
        else:
            choices = index.data(FormRole.ChoicesRole) or []
            editor = ChoiceEditor(choices, editable=kind is not EditorKind.ONEOF, parent=parent)
            editor.chosen.connect(lambda: self._commit_and_close(editor))
        editor.setObjectName(f"form-editor-{kind.value}")
        return editor

    def _line_editor(self, parent: QWidget, index: Index) -> CheckedLineEdit:
        model = index.model()
        where = QPersistentModelIndex(index)

        def validate(text: str) -> str | None:
            check = getattr(model, "validate", None)
            if check is None or not where.isValid():
                return None
            reason: str | None = check(where, text)
            return reason

        editor = CheckedLineEdit(validate, parent)
        editor.setFrame(False)
        editor.setPlaceholderText(index.data(FormRole.HintRole) or "")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """Implements QStyledItemDelegate.setEditorData (once per editor)."""
        if editor.property(_LOADED):
            return
        editor.setProperty(_LOADED, True)
        text = _edit_text(index)
        if isinstance(editor, CheckedLineEdit):
            editor.setText(text)
            editor.selectAll()
        elif isinstance(editor, BytesEditor):
            encoding = BytesEncoding(index.data(FormRole.BytesEncodingRole) or "base64")
            editor.set_value(text, encoding)
        elif isinstance(editor, TimestampEditor):
            editor.set_text(text)
        elif isinstance(editor, ChoiceEditor):
            editor.set_value(text)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        """Implements QStyledItemDelegate.setModelData."""
        if isinstance(editor, CheckedLineEdit):
            model.setData(index, editor.text())
        elif isinstance(editor, BytesEditor):
            model.setData(index, editor.encoding().value, FormRole.BytesEncodingRole)
            model.setData(index, editor.text())
        elif isinstance(editor, TimestampEditor):
            model.setData(index, editor.text())
        elif isinstance(editor, ChoiceEditor):
            model.setData(index, editor.value())
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        """Implements QStyledItemDelegate.updateEditorGeometry: composite editors get room."""
        rect = option.rect
        if isinstance(editor, BytesEditor | TimestampEditor) and rect.width() < _MIN_EDITOR_WIDTH:
            rect = rect.adjusted(0, 0, _MIN_EDITOR_WIDTH - rect.width(), 0)
        editor.setGeometry(rect)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Implements QStyledItemDelegate.paint: check boxes drawn to read on any palette.

        Fusion outlines an unchecked item check box in a shade of the window colour, which
        all but disappears on a dark palette; presence and bool boxes matter here, so the
        box is drawn over the style's with the palette's text colours.
        """
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if not opt.features & QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator:
            super().paint(painter, option, index)
            return
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        box = style.subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        checked = opt.checkState == Qt.CheckState.Checked
        _paint_check(painter, box, checked, opt.palette, selected=selected)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """Implements QStyledItemDelegate.sizeHint: rows tall enough for their editors."""
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + _ROW_PADDING)

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)


def _paint_check(
    painter: QPainter, rect: QRect, checked: bool, palette: QPalette, *, selected: bool
) -> None:
    side = min(rect.width(), rect.height(), _CHECK_SIZE)
    box = QRectF(0, 0, side - 1, side - 1)
    box.moveCenter(QRectF(rect).center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if checked:
        # On a selected row the fill matches the selection: outline it in the text colour.
        edge = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        painter.setPen(QPen(palette.color(edge), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
    else:
        painter.setPen(QPen(palette.color(QPalette.ColorRole.PlaceholderText), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
    painter.drawRoundedRect(box, 2, 2)
    if checked:
        pen = QPen(palette.color(QPalette.ColorRole.HighlightedText), 1.8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        w, h, x, y = box.width(), box.height(), box.left(), box.top()
        painter.drawPolyline(
            [
                QPointF(x + w * 0.22, y + h * 0.52),
                QPointF(x + w * 0.42, y + h * 0.72),
                QPointF(x + w * 0.78, y + h * 0.30),
            ]
        )
    painter.restore()


def _edit_text(index: Index) -> str:
    value: Any = index.data(Qt.ItemDataRole.EditRole)
    return "" if value is None else str(value)
