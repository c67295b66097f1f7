"""The small models of request tabs: metadata rows and the response tree (qtmodeltester)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from PySide6.QtCore import Qt

from workbench.core.calls.events import Finished
from workbench.core.errors import TlsError
from workbench.ui import call_status
from workbench.ui.models.message_tree_model import MessageTreeModel, value_text
from workbench.ui.models.metadata_model import MetadataModel, MetadataRow, ProblemRole
from workbench.ui.views.request_tab import merge_metadata

pytestmark = pytest.mark.gui


def test_metadata_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = MetadataModel()
    model.set_entries([("x-a", "1"), ("x-b-bin", b"\x00\x01")])
    model.add_row("", "")
    qtmodeltester.check(model, force_py=True)
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    model.removeRows(1, 1)
    qtmodeltester.check(model, force_py=True)


def test_metadata_rows_are_checked_with_the_grpc_rules() -> None:
    model = MetadataModel()
    model.add_row("x-ok", "fine")
    model.add_row("Bad Key", "x")
    model.add_row("x-data-bin", "AAE")  # unpadded base64 is accepted
    model.add_row("grpc-timeout", "1S")
    model.add_row("x-off", "é", enabled=False)  # unticked rows are neither sent nor checked
    model.add_row("", "")  # blank rows are ignored
    assert model.entries() == [("x-ok", "fine"), ("x-data-bin", b"\x00\x01")]
    problems = model.problems()
    assert len(problems) == 2
    assert problems[0].startswith("row 2 (Bad Key): bad metadata key 'Bad Key'")
    assert problems[1].startswith("row 4 (grpc-timeout): metadata key 'grpc-timeout' is reserved")
    assert model.index(1, 1).data(ProblemRole) is not None
    assert model.index(4, 0).data(Qt.ItemDataRole.ToolTipRole) == "Not sent (ticked rows are sent)"
    assert MetadataRow("x-bin", "!!").problem() == (
        "the value is not base64 (keys ending in -bin take base64, e.g. AAEC)"
    )


def test_message_tree_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = MessageTreeModel()
    model.set_value({"name": "x", "items": [{"id": 1}, {"id": 2, "tags": ["a"]}], "empty": {}})
    qtmodeltester.check(model, force_py=True)
    items = model.index(1, 0)
    assert model.rowCount(items) == 2
    assert model.index(1, 0, items).data() == "[1]"
    assert model.index(1, 1, items).data() == "{2 fields}"
    model.set_value("2024-01-01T00:00:00Z")  # a well-known type's scalar JSON
    assert model.index(0, 1).data() == '"2024-01-01T00:00:00Z"'
    qtmodeltester.check(model, force_py=True)


def test_long_values_are_cut_in_cells() -> None:
    text = value_text("x" * 1000)
    assert len(text) == 300 and text.endswith("…")
    assert value_text([1, 2]) == "[2 items]" and value_text({"a": 1}) == "{1 field}"


def test_request_metadata_replaces_defaults_with_the_same_key() -> None:
    defaults = (("x-tenant", "acme"), ("x-user", "default"))
    assert merge_metadata(defaults, [("x-user", "me")]) == [("x-tenant", "acme"), ("x-user", "me")]


def test_outcomes_in_plain_words() -> None:
    def finished(code: grpc.StatusCode, message: str = "", **kw: Any) -> Finished:
        return Finished(1.0, code, message, (), 0.25, **kw)

    assert call_status.describe(finished(grpc.StatusCode.OK), None).ok
    deadline = call_status.describe(finished(grpc.StatusCode.DEADLINE_EXCEEDED), 0.2)
    assert deadline.text == "The deadline of 0.2 s passed before the server answered."
    cancelled = call_status.describe(
        finished(grpc.StatusCode.CANCELLED, "cancelled by the client"), None
    )
    assert cancelled.text == "You cancelled the call after 250.0 ms."
    tls = TlsError(
        "TLS handshake failed: the server certificate is not trusted",
        hint="pass the CA that signed the server certificate with --cacert, "
        "or --insecure to skip verification",
    )
    outcome = call_status.describe(finished(grpc.StatusCode.UNAVAILABLE, error=tls), None)
    assert outcome.hint == (
        "pass the CA that signed the server certificate in “CA certificate”, or tick “Skip "
        "certificate verification” (see Connection… next to the address bar)"
    )
