"""The connection settings dialog: TLS to a real TLS server, validation, remembering."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QToolBar, QToolButton
from pytestqt.qtbot import QtBot

from tests.fixtures.servers import TlsFiles
from tests.unit.ui.calls_support import (
    WAIT_MS,
    activate,
    click_method,
    connect,
    press_send,
    type_into,
    wait_finished,
)
from workbench.core.calls.channels import TlsConfig
from workbench.ui.connection_store import settings_from_dict, settings_to_dict
from workbench.ui.state import UiState
from workbench.ui.views.connect import ConnectionSettings, Phase
from workbench.ui.views.connection_dialog import ConnectionDialog
from workbench.ui.views.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: Any, ui_state: UiState) -> MainWindow:
    win = MainWindow(state=ui_state)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    activate(qtbot, win)
    return win


def open_dialog(qtbot: QtBot, window: MainWindow) -> ConnectionDialog:
    """Click "Connection…" in the toolbar; returns the dialog it opens."""
    bar = window.findChild(QToolBar, "mainToolBar")
    button = bar.widgetForAction(window.act_connection)
    assert isinstance(button, QToolButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ConnectionDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def ok_button(dialog: ConnectionDialog) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_tls_with_a_ca_file_makes_the_tls_server_work(
    qtbot: QtBot, window: MainWindow, tls_demo_server: Any, tls_files: TlsFiles, ui_state: UiState
) -> None:
    address = tls_demo_server.address
    # Loopback is plaintext by default: the server says no.
    connect(qtbot, window, address, expect=Phase.FAILED)

    dialog = open_dialog(qtbot, window)
    assert dialog.windowTitle() == f"Connection settings — {address}"
    dialog.mode_box.setCurrentIndex(dialog.mode_box.findText("TLS"))
    qtbot.keyClicks(dialog.ca_edit, str(tls_files.ca))
    assert ok_button(dialog).isEnabled()
    qtbot.keyClicks(dialog.deadline_edit, "7")
    phases: list[Phase] = []
    window.loader.stateChanged.connect(lambda state: phases.append(state.phase))
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: phases[-1:] == [Phase.READY], timeout=WAIT_MS)
    assert window.findChild(ConnectionDialog) is None  # closed and deleted

    saved = ui_state.connection_settings(address)
    assert (
        saved is not None and saved["plaintext"] is False and saved["ca_file"] == str(tls_files.ca)
    )
    tab = click_method(qtbot, window, "Echo")
    assert tab.deadline_edit.placeholderText() == "default 7"
    type_into(qtbot, tab.editor, "string_value", "over TLS")
    press_send(qtbot, tab)
    finished = wait_finished(qtbot, tab)
    assert finished.ok, tab.response.error_text()
    assert tab.response.message_view.model().index(0, 1).data() == '"over TLS"'


def test_settings_are_remembered_per_address(
    qtbot: QtBot, qasync_loop: Any, ui_state: UiState, tls_demo_server: Any, tls_files: TlsFiles
) -> None:
    settings = ConnectionSettings(plaintext=False, tls=TlsConfig(ca_file=str(tls_files.ca)))
    ui_state.save_connection_settings(tls_demo_server.address, settings_to_dict(settings))
    win = MainWindow(state=ui_state)
    qtbot.addWidget(win)
    win.show()
    connect(qtbot, win, tls_demo_server.address)
    assert win.loader.state.phase is Phase.READY, win.loader.state.detail


def test_contradictions_and_missing_files_are_explained(
    qtbot: QtBot, qasync_loop: Any, tmp_path: Any
) -> None:
    dialog = ConnectionDialog("example.com:443", ConnectionSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    assert ok_button(dialog).isEnabled() and not dialog.problem.isVisible()
    assert not dialog.insecure_warning.isVisible()

    qtbot.keyClicks(dialog.cert_edit, str(tmp_path / "client.pem"))
    assert not ok_button(dialog).isEnabled()
    assert "“Client certificate” and “Client key” must be given together" in dialog.problem_text()
    qtbot.keyClicks(dialog.key_edit, str(tmp_path / "client.key"))
    assert "client certificate file not found" in dialog.problem_text()
    dialog.cert_edit.clear()
    dialog.key_edit.clear()
    assert ok_button(dialog).isEnabled()

    qtbot.mouseClick(
        dialog.insecure_box, Qt.MouseButton.LeftButton, pos=dialog.insecure_box.rect().center()
    )
    assert dialog.insecure_box.isChecked()
    assert dialog.insecure_warning.isVisible()
    assert "not be checked" in dialog.insecure_warning.text()
    assert not dialog.ca_edit.isEnabled()  # skipping verification needs no CA

    dialog.mode_box.setCurrentIndex(dialog.mode_box.findText("Plaintext (no TLS)"))
    assert not dialog.insecure_warning.isVisible() and not dialog.cert_edit.isEnabled()
    qtbot.keyClicks(dialog.deadline_edit, "soon")
    assert "not a positive number of seconds" in dialog.problem_text()
    dialog.deadline_edit.setText("2.5")
    dialog.metadata.add_row("authorization", "Bearer abc")
    applied: list[ConnectionSettings] = []
    dialog.applied.connect(applied.append)
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert applied == [
        ConnectionSettings(
            plaintext=True, metadata=(("authorization", "Bearer abc"),), default_timeout=2.5
        )
    ]


def test_settings_survive_a_round_trip_through_the_state_file() -> None:
    settings = ConnectionSettings(
        plaintext=None,
        tls=TlsConfig(cert_file="/c.pem", key_file="/k.pem", insecure=True),
        authority="api.example.com",
        metadata=(("x-a", "1"), ("x-b-bin", b"\x00\xff")),
        default_timeout=3.0,
        max_msg_size=8 << 20,
    )
    assert settings_from_dict(settings_to_dict(settings)) == settings


def test_default_metadata_goes_with_every_call(
    qtbot: QtBot, window: MainWindow, demo_address: str
) -> None:
    connect(qtbot, window, demo_address)
    dialog = open_dialog(qtbot, window)
    dialog.metadata.add_row("x-tenant", "acme")
    dialog.metadata.add_row("x-user", "default")
    phases: list[Phase] = []
    window.loader.stateChanged.connect(lambda state: phases.append(state.phase))
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: phases[-1:] == [Phase.READY], timeout=WAIT_MS)
    tab = click_method(qtbot, window, "EchoMetadata")
    tab.metadata.add_row("x-user", "mine")  # the request's own value wins
    press_send(qtbot, tab)
    assert wait_finished(qtbot, tab).ok
    headers = [(k, v) for k, v in tab.response.headers() if k.startswith("x-")]
    assert headers == [("x-tenant", "acme"), ("x-user", "mine")]


def test_a_larger_message_size_limit_lets_a_large_response_through(
    qtbot: QtBot, window: MainWindow, demo_address: str
) -> None:
    connect(qtbot, window, demo_address)
    dialog = open_dialog(qtbot, window)
    qtbot.keyClicks(dialog.size_edit, "lots")
    assert "not a positive number of bytes" in dialog.problem_text()
    dialog.size_edit.setText("16777216")
    phases: list[Phase] = []
    window.loader.stateChanged.connect(lambda state: phases.append(state.phase))
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: phases[-1:] == [Phase.READY], timeout=WAIT_MS)
    tab = click_method(qtbot, window, "Large")  # 6 MiB: over gRPC's default 4 MiB
    press_send(qtbot, tab)
    assert wait_finished(qtbot, tab).ok, tab.response.error_text()
