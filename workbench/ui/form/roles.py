"""Item roles and columns of the request form model, shared by the model, delegate and view."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt

__all__ = ["Column", "EditorKind", "FormRole"]


class Column(enum.IntEnum):
    """The form's columns."""

    NAME = 0
    VALUE = 1
    TYPE = 2


class FormRole(enum.IntEnum):
    """Custom data roles of :class:`~workbench.ui.form.form_model.FormModel`."""

    #: The :class:`~workbench.ui.form.nodes.FormNode` of the row (the domain object).
    ItemRole = Qt.ItemDataRole.UserRole
    #: Why the text typed into this cell was refused (``None`` when it is fine).
    ErrorRole = Qt.ItemDataRole.UserRole + 1
    #: Which editor the cell needs: an :class:`EditorKind` value (str), or ``None``.
    EditorKindRole = Qt.ItemDataRole.UserRole + 2
    #: The choices of an enum, oneof or Any cell (list of str).
    ChoicesRole = Qt.ItemDataRole.UserRole + 3
    #: How a bytes cell spells its value (a BytesEncoding value, str); settable.
    BytesEncodingRole = Qt.ItemDataRole.UserRole + 4
    #: What the cell accepts, for placeholders (str).
    HintRole = Qt.ItemDataRole.UserRole + 5
    #: The row's field path as text (str).
    PathRole = Qt.ItemDataRole.UserRole + 6


class EditorKind(enum.Enum):
    """The editor widget a cell asks the delegate for."""

    LINE = "line"
    ENUM = "enum"
    BYTES = "bytes"
    TIMESTAMP = "timestamp"
    ONEOF = "oneof"
    ANY = "any"
    KEY = "key"
