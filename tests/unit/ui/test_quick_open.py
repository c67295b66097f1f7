"""Ctrl+P quick-open: type a few letters of a method, Enter opens its tab."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from workbench.core.schema.schema import Schema
from workbench.ui.views.quick_open import QuickOpen

DEMO = "workbench.demo.v1.DemoService"


@pytest.fixture
def host(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def palette(qtbot: QtBot, host: QMainWindow, demo_schema: Schema) -> QuickOpen:
    host.resize(900, 600)
    host.show()
    palette = QuickOpen(host)
    palette.set_schema(demo_schema)
    palette.popup(host)
    qtbot.waitUntil(palette.isVisible)
    return palette


def test_lists_every_method_before_typing(palette: QuickOpen, demo_schema: Schema) -> None:
    count = sum(len(s.methods) for s in demo_schema.services())
    assert len(palette.shown_names()) == count
    assert palette.current_name() == palette.shown_names()[0]


def test_fuzzy_typing_ranks_and_enter_chooses(qtbot: QtBot, palette: QuickOpen) -> None:
    chosen: list[Any] = []
    palette.methodChosen.connect(chosen.append)
    qtbot.keyClicks(palette.filter_edit, "dsecho")
    assert palette.shown_names()[0] == "DemoService/Echo"
    assert all(name.startswith("DemoService/Echo") for name in palette.shown_names())
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Down)
    assert palette.current_name() == palette.shown_names()[1]
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Up)
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Return)
    assert [m.full_name for m in chosen] == [f"{DEMO}.Echo"]
    assert not palette.isVisible()


def test_no_match_says_so_and_escape_closes(qtbot: QtBot, palette: QuickOpen) -> None:
    chosen: list[Any] = []
    palette.methodChosen.connect(chosen.append)
    qtbot.keyClicks(palette.filter_edit, "zzzqqq")
    assert palette.shown_names() == []
    assert palette.empty.isVisible()
    assert "zzzqqq" in palette.empty.text()
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Return)  # nothing to open
    assert not chosen and palette.isVisible()
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Escape)
    assert not palette.isVisible()


def test_package_names_match_too(qtbot: QtBot, palette: QuickOpen) -> None:
    qtbot.keyClicks(palette.filter_edit, "inventory.v1 list")
    assert palette.shown_names()
    assert all(name.startswith("InventoryService/") for name in palette.shown_names())
