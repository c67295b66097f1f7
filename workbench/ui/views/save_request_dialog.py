"""Asks for a saved request's name and the collection (or folder) to save it in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import theme

__all__ = ["SEPARATOR", "SaveRequestDialog"]

#: Between the names of a folder's path, e.g. ``users / admin``.
SEPARATOR = " / "


class SaveRequestDialog(QDialog):
    """A name and a place; the owner saves, then closes the dialog or shows why not.

    The place box lists every collection and folder; typing a name that is not listed
    creates a collection of that name.

    Signals:
        submitted(str, object): Save was pressed with a name and a place: the names of an
            existing collection or folder (a tuple), or a new collection's name (a str).

    Args:
        title: the window title ("Save request", "Save request as").
        name: the proposed name.
        places: the collections and folders, as name tuples (collection first).
        current: the place selected at first (``None``: the first one).
        parent: the parent widget.
    """

    submitted = Signal(str, object)

    def __init__(
        self,
        title: str,
        name: str,
        places: Sequence[tuple[str, ...]],
        current: tuple[str, ...] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("saveRequestDialog")
        self.setWindowTitle(title)
        self._places = [tuple(p) for p in places]
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setObjectName("saveName")
        self.name_edit.selectAll()
        self.place_box = QComboBox(self)
        self.place_box.setObjectName("savePlace")
        self.place_box.setEditable(True)
        self.place_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for place in self._places:
            self.place_box.addItem(SEPARATOR.join(place), place)
        line = self.place_box.lineEdit()
        assert line is not None
        line.setPlaceholderText("a collection, or a new collection's name")
        if current is not None and current in self._places:
            self.place_box.setCurrentIndex(self._places.index(current))
        elif not self._places:
            self.place_box.setEditText("My requests")
        self.error = QLabel(self)
        self.error.setObjectName("saveError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Save in", self.place_box)
        hint = QLabel("Type a new name in “Save in” to create a collection.", self)
        hint.setObjectName("saveHint")
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.resize(420, self.sizeHint().height())

    def place(self) -> tuple[str, ...] | str:
        """The place chosen: a listed collection or folder, or a new collection's name."""
        text = self.place_box.currentText().strip()
        for place in self._places:
            if SEPARATOR.join(place) == text:
                return place
        return text

    def show_error(self, text: str) -> None:
        """Say why the request was not saved (the dialog stays open)."""
        self.error.setStyleSheet(f"color: {theme.colors().error};")
        self.error.setText(text)
        self.error.show()

    def _submit(self) -> None:
        self.error.hide()
        self.submitted.emit(self.name_edit.text().strip(), self.place())
