"""Edit the workspace's environments: named variable sets such as dev, staging and prod.

The list on the left follows the workspace (its model adapts the evented environment
store); the table on the right edits one environment's variables. Saving writes the plain
variables and the *names* of the secret ones into ``environments/<name>.env.json`` and the
secret values into the secret store (the OS keyring or ``.workbench/``), never into the
shared file. Edits are saved by Save, by switching to another environment and by Done.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import ConflictError, WorkbenchError
from workbench.core.store.environments import Environment
from workbench.core.store.workspace import Workspace
from workbench.ui import theme
from workbench.ui.models.environment_model import EnvironmentModel
from workbench.ui.models.variables_model import Column, VariableRow, VariablesModel

__all__ = ["EnvironmentsDialog"]

logger = logging.getLogger(__name__)


class EnvironmentsDialog(QDialog):
    """Create, delete and edit environments and their (secret) variables.

    Parts (public attributes): :attr:`list_view`, :attr:`new_name` and :attr:`add_button`
    (create an environment), :attr:`delete_button`, :attr:`table` over :attr:`variables`,
    :attr:`add_variable_button`, :attr:`remove_variable_button`, :attr:`status`,
    :attr:`save_button` and :attr:`done_button`.

    Signals:
        edited(): an environment was created, saved or deleted.

    Args:
        workspace: the workspace whose environments are edited.
        current: the environment selected at first.
        parent: the parent widget.
    """

    edited = Signal()

    def __init__(
        self, workspace: Workspace, current: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("environmentsDialog")
        self.setWindowTitle(f"Environments — {workspace.name}")
        self._ws = workspace
        self._editing: str | None = None
        self._dirty = False
        self._force = False
        self.environments = EnvironmentModel(parent=self)
        self.environments.set_store(workspace.environments)
        self.variables = VariablesModel(self)
        self._build()
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.variables.changed.connect(self._on_variables_changed)
        row = self.environments.row_of(current) if current else 0
        if self.environments.rowCount() > 0:
            self.list_view.setCurrentIndex(self.environments.index(max(row, 0), 0))
        self._update_buttons()

    def _build(self) -> None:
        self.list_view = QListView(self)
        self.list_view.setObjectName("environmentList")
        self.list_view.setModel(self.environments)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.new_name = QLineEdit(self)
        self.new_name.setObjectName("newEnvironmentName")
        self.new_name.setPlaceholderText("New environment, e.g. dev")
        self.add_button = QPushButton("Add", self)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setToolTip("Delete the environment (Edit ▸ Undo brings it back)")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list_view, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.add_button)
        left_layout.addLayout(add_row)
        left_layout.addWidget(self.delete_button)
        right = self._build_table()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 460])
        bottom = QHBoxLayout()
        note = QLabel(f"Secret values are kept in {self._ws.environments.secrets.describe()}.")
        note.setObjectName("secretsNote")
        note.setEnabled(False)
        bottom.addWidget(note, 1)
        bottom.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.resize(680, 400)

        self.add_button.clicked.connect(self.add_environment)
        self.new_name.returnPressed.connect(self.add_environment)
        self.delete_button.clicked.connect(self.delete_environment)
        self.add_variable_button.clicked.connect(self._add_variable)
        self.remove_variable_button.clicked.connect(self._remove_variables)
        self.save_button.clicked.connect(self.save)
        self.done_button.clicked.connect(self._done)

    def _build_table(self) -> QWidget:
        self.heading = QLabel(self)
        self.heading.setObjectName("environmentHeading")
        self.table = QTableView(self)
        self.table.setObjectName("variablesTable")
        self.table.setModel(self.variables)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.SECRET, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(Column.NAME, 150)
        self.add_variable_button = QPushButton("Add variable", self)
        self.remove_variable_button = QPushButton("Remove", self)
        self.status = QLabel(self)
        self.status.setObjectName("environmentStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = QPushButton("Save", self)
        self.done_button = QPushButton("Done", self)
        self.done_button.setDefault(True)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_variable_button)
        buttons.addWidget(self.remove_variable_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.status)
        return right

    # -- actions --------------------------------------------------------------------------

    @property
    def editing(self) -> str | None:
        """The environment shown in the table."""
        return self._editing

    def add_environment(self) -> bool:
        """Create the environment named in the box and select it."""
        name = self.new_name.text().strip()
        if not self._save_pending():
            return False
        try:
            self._ws.environments.save(Environment(name))
        except WorkbenchError as exc:
            self._show_status(exc.user_text(), error=True)
            return False
        self.new_name.clear()
        self.list_view.setCurrentIndex(self.environments.index(self.environments.row_of(name), 0))
        self.edited.emit()
        return True

    def delete_environment(self) -> None:
        """Delete the selected environment (its secrets stay, for an undo)."""
        name = self._editing
        if name is None:
            return
        # Forget the edits first: removing the row moves the list to another environment.
        dirty, self._dirty, self._editing = self._dirty, False, None
        try:
            self._ws.delete_environment(name)
        except WorkbenchError as exc:
            self._dirty, self._editing = dirty, name
            self._show_status(exc.user_text(), error=True)
            return
        self.edited.emit()
        index = self.list_view.currentIndex()
        self._load(self.environments.name_at(index.row()) if index.isValid() else None)

    def save(self) -> bool:
        """Write the environment shown; ``False`` (with the reason shown) when it cannot be."""
        name = self._editing
        if name is None:
            return True
        problems = self.variables.problems()
        if problems:
            self._show_status("Not saved: " + "; ".join(problems), error=True)
            return False
        rows = [r for r in self.variables.rows() if r.name.strip()]
        store = self._ws.environments
        try:
            env = store.get(name)
            secrets = tuple(r.name for r in rows if r.secret)
            for row in rows:
                if row.secret:
                    store.secrets.set(env.name, row.name, row.value)
            for gone in set(env.secrets) - set(secrets):
                store.secrets.delete(env.name, gone)
            variables = {r.name: r.value for r in rows if not r.secret}
            store.save(replace(env, variables=variables, secrets=secrets), force=self._force)
        except ConflictError as exc:
            self._force = True
            self._show_status(f"{exc.message}. Save again to overwrite it.", error=True)
            return False
        except WorkbenchError as exc:
            self._show_status(exc.user_text(), error=True)
            return False
        self._force = False
        self._dirty = False
        self.edited.emit()
        self._check(name)
        return True

    # -- internals ------------------------------------------------------------------------

    def _save_pending(self) -> bool:
        return not self._dirty or self.save()

    def _done(self) -> None:
        if self._save_pending():
            self.accept()

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        name = self.environments.name_at(current.row()) if current.isValid() else None
        if name == self._editing:
            return
        if self._dirty and not self.save():
            # Stay on the environment that could not be saved, so its edits are not lost.
            self.list_view.selectionModel().setCurrentIndex(
                previous, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            return
        self._load(name)

    def _load(self, name: str | None) -> None:
        self._editing = name
        self._force = False
        rows: list[VariableRow] = []
        if name is not None:
            env = self._ws.environments.get(name)
            store = self._ws.environments.secrets
            for key, value in env.variables.items():
                if key not in env.secrets:
                    rows.append(VariableRow(key, value))
            for key in env.secrets:
                try:
                    secret = store.get(env.name, key)
                except WorkbenchError as exc:
                    logger.info("secret %s of %s not read: %s", key, env.name, exc)
                    secret = None
                rows.append(VariableRow(key, secret or "", secret=True))
        self.variables.set_rows(rows)
        self._dirty = False
        self.heading.setText(f"Variables of {name}" if name else "No environment selected")
        self._update_buttons()
        if name is not None:
            self._check(name)
        else:
            self._show_status("")

    def _check(self, name: str) -> None:
        """Say whether the saved environment resolves (cycles, unknown references)."""
        try:
            _values, unknown = self._ws.environments.values(name)
        except WorkbenchError as exc:
            self._show_status(exc.message, error=True)
            return
        if unknown:
            listing = ", ".join(f"{{{{{u.name}}}}} in {u.where}" for u in unknown)
            self._show_status(f"Unknown variables: {listing}", error=True)
        else:
            self._show_status("")

    def _on_variables_changed(self) -> None:
        self._dirty = True
        problems = self.variables.problems()
        self._show_status("; ".join(problems), error=bool(problems))

    def _add_variable(self) -> None:
        index = self.variables.add_row()
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def _remove_variables(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        for row in reversed(rows):
            self.variables.removeRow(row)

    def _update_buttons(self) -> None:
        editing = self._editing is not None
        for widget in (
            self.table,
            self.add_variable_button,
            self.remove_variable_button,
            self.save_button,
            self.delete_button,
        ):
            widget.setEnabled(editing)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(f"color: {theme.colors().error};" if error else "")
        self.status.setText(text)
