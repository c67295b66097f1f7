"""The connection settings of one server: TLS, certificates, authority, default metadata.

The dialog edits a :class:`~workbench.ui.views.connect.ConnectionSettings` for the address
in the address bar and reports the result through :attr:`ConnectionDialog.applied`; the
window then remembers it for that address and reconnects. Settings that contradict each
other, or name files that do not exist, are explained inline and OK stays disabled.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.calls.channels import TlsConfig
from workbench.core.errors import UsageError, WorkbenchError
from workbench.ui.call_status import gui_words
from workbench.ui.form.form_cells import error_color
from workbench.ui.views.connect import ConnectionSettings
from workbench.ui.views.metadata_table import MetadataTable

__all__ = ["ConnectionDialog"]

logger = logging.getLogger(__name__)

_MODES = (
    (None, "Auto: plaintext on this machine, TLS elsewhere"),
    (True, "Plaintext (no TLS)"),
    (False, "TLS"),
)
_PEM_FILTER = "PEM files (*.pem *.crt *.cer *.key);;All files (*)"
_INSECURE_WARNING = (
    "⚠ The server's certificate will not be checked: the traffic is encrypted, but anyone "
    "between you and the server could pose as it. Use this only for testing."
)
_METADATA_HINT = (
    "Sent with reflection and with every call; a request's own metadata replaces entries "
    "with the same key. Keys ending in -bin take base64 values."
)


class ConnectionDialog(QDialog):
    """Edit how to reach one server.

    Signals:
        applied(object): OK was pressed with valid settings; carries the new
            :class:`ConnectionSettings`.

    Args:
        address: the server the settings are for.
        settings: the settings to start from.
        parent: the parent widget.
    """

    applied = Signal(object)

    def __init__(
        self, address: str, settings: ConnectionSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle(f"Connection settings — {address}")
        self._address = address
        self._base = settings

        self.mode_box = QComboBox(self)
        for value, text in _MODES:
            self.mode_box.addItem(text, value)
        self.mode_box.setCurrentIndex([m for m, _ in _MODES].index(settings.plaintext))
        self.ca_edit, self._ca_row = self._file_row(
            "system trust store", "Choose the CA certificate"
        )
        self.cert_edit, self._cert_row = self._file_row("none", "Choose the client certificate")
        self.key_edit, self._key_row = self._file_row("none", "Choose the client private key")
        self.ca_edit.setText(settings.tls.ca_file or "")
        self.cert_edit.setText(settings.tls.cert_file or "")
        self.key_edit.setText(settings.tls.key_file or "")
        self.insecure_box = QCheckBox("Skip certificate verification (insecure)", self)
        self.insecure_box.setChecked(settings.tls.insecure)
        self.insecure_warning = QLabel(_INSECURE_WARNING, self)
        self.insecure_warning.setObjectName("insecureWarning")
        self.insecure_warning.setWordWrap(True)
        self.authority_edit = QLineEdit(settings.authority or "", self)
        self.authority_edit.setPlaceholderText("the host of the address")
        self.authority_edit.setToolTip(
            "The :authority header, and the name the server certificate must be valid for"
        )
        self.deadline_edit = QLineEdit(self)
        self.deadline_edit.setPlaceholderText("none")
        self.deadline_edit.setToolTip("Seconds a call may take when its tab sets no deadline")
        if settings.default_timeout:
            self.deadline_edit.setText(f"{settings.default_timeout:g}")
        self.size_edit = QLineEdit(self)
        self.size_edit.setPlaceholderText("gRPC's default (4 MiB to receive)")
        self.size_edit.setToolTip("The largest message sent or received, in bytes")
        if settings.max_msg_size:
            self.size_edit.setText(str(settings.max_msg_size))
        self.metadata = MetadataTable(_METADATA_HINT, self)
        self.metadata.set_entries(list(settings.metadata))
        self.metadata.setMinimumHeight(150)
        self.problem = QLabel(self)
        self.problem.setObjectName("connectionProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Apply and reconnect")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self._build_layout(address)
        for edit in (self.ca_edit, self.cert_edit, self.key_edit, self.authority_edit):
            edit.textChanged.connect(self._validate)
        self.deadline_edit.textChanged.connect(self._validate)
        self.size_edit.textChanged.connect(self._validate)
        self.mode_box.currentIndexChanged.connect(self._validate)
        self.insecure_box.toggled.connect(self._validate)
        self.metadata.changed.connect(self._validate)
        self._validate()

    def _build_layout(self, address: str) -> None:
        server = QLabel(address, self)
        server.setObjectName("connectionAddress")
        server.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = server.font()
        font.setBold(True)
        server.setFont(font)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Server", server)
        form.addRow("Security", self.mode_box)
        form.addRow("CA certificate", self._ca_row)
        form.addRow("Client certificate", self._cert_row)
        form.addRow("Client key", self._key_row)
        form.addRow("", self.insecure_box)
        form.addRow("", self.insecure_warning)
        form.addRow("Authority", self.authority_edit)
        form.addRow("Default deadline (s)", self.deadline_edit)
        form.addRow("Max message size (bytes)", self.size_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Default metadata", self))
        layout.addWidget(self.metadata, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(620, 600)

    def _file_row(self, placeholder: str, title: str) -> tuple[QLineEdit, QWidget]:
        row = QWidget(self)
        edit = QLineEdit(row)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        browse = QPushButton("Browse…", row)
        browse.clicked.connect(lambda: self._choose_file(edit, title))
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(browse)
        return edit, row

    # -- the result -----------------------------------------------------------------------

    def settings(self) -> ConnectionSettings:
        """The settings as edited.

        Raises:
            UsageError: they contradict each other, or a field is unusable.
        """
        plaintext = self.mode_box.currentData()
        tls_on = plaintext is not True
        insecure = tls_on and self.insecure_box.isChecked()
        tls = TlsConfig(
            ca_file=_path(self.ca_edit) if tls_on and not insecure else None,
            cert_file=_path(self.cert_edit) if tls_on else None,
            key_file=_path(self.key_edit) if tls_on else None,
            insecure=insecure,
        )
        if not self.metadata.is_valid():
            raise UsageError(f"default metadata {self.metadata.validity_text()}")
        settings = dataclasses.replace(
            self._base,
            plaintext=plaintext,
            tls=tls,
            authority=self.authority_edit.text().strip() or None,
            metadata=tuple(self.metadata.entries()),
            default_timeout=_seconds(self.deadline_edit.text()),
            max_msg_size=_bytes(self.size_edit.text()),
        )
        settings.target(self._address)  # raises on contradictions
        for path, what in (
            (tls.ca_file, "CA certificate"),
            (tls.cert_file, "client certificate"),
            (tls.key_file, "client key"),
        ):
            if path is not None and not Path(path).expanduser().is_file():
                raise UsageError(f"{what} file not found: {path}")
        return settings

    def problem_text(self) -> str:
        """Why OK is disabled ('' when it is not)."""
        return self.problem.text()

    def accept(self) -> None:
        """Implements QDialog.accept: emit :attr:`applied` with valid settings, then close."""
        try:
            settings = self.settings()
        except WorkbenchError as exc:
            self._show_problem(exc)
            return
        self.applied.emit(settings)
        super().accept()

    # -- internals ------------------------------------------------------------------------

    def _validate(self) -> None:
        plaintext = self.mode_box.currentData() is True
        for widget in (self._cert_row, self._key_row, self.insecure_box):
            widget.setEnabled(not plaintext)
        self._ca_row.setEnabled(not plaintext and not self.insecure_box.isChecked())
        self.insecure_warning.setVisible(not plaintext and self.insecure_box.isChecked())
        self.insecure_warning.setStyleSheet(f"color: {error_color().name()};")
        try:
            self.settings()
        except WorkbenchError as exc:
            self._show_problem(exc)
        else:
            self._show_problem(None)

    def _show_problem(self, error: WorkbenchError | None) -> None:
        self.problem.setStyleSheet(f"color: {error_color().name()};")
        self.problem.setText(f"⚠ {gui_words(error.user_text())}" if error is not None else "")
        self.problem.setVisible(error is not None)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(error is None)

    def _choose_file(self, edit: QLineEdit, title: str) -> None:
        start = edit.text().strip() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, title, start, _PEM_FILTER)
        if path:
            edit.setText(path)


def _path(edit: QLineEdit) -> str | None:
    return edit.text().strip() or None


def _seconds(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise UsageError(f"the default deadline {text!r} is not a positive number of seconds")
    return seconds


def _bytes(text: str) -> int | None:
    text = text.strip().replace("_", "").replace(",", "")
    if not text:
        return None
    if not text.isdigit() or int(text) <= 0:
        raise UsageError(f"the max message size {text!r} is not a positive number of bytes")
    return int(text)
