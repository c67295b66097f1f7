"""Help → Keyboard shortcuts: every shortcut of the window, read from its actions.

The list is generated from the window's ``QAction`` s (its menus, then the actions added to
the window itself), so it can never disagree with what the keys really do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

logger = logging.getLogger(__name__)

__all__ = ["Shortcut", "ShortcutsDialog", "window_shortcuts"]

#: The heading of actions that are on the window but in no menu.
OTHER_GROUP = "Window"


@dataclass(frozen=True)
class Shortcut:
    """One action with keys.

    Attributes:
        group: the menu it is in (without the ``&`` mnemonic), or :data:`OTHER_GROUP`.
        action: what it does, as the menu says it (``&`` and a trailing ``…`` removed).
        keys: its key sequences in the platform's notation, e.g. ``("Ctrl+Return",)``.
    """

    group: str
    action: str
    keys: tuple[str, ...]

    @property
    def keys_text(self) -> str:
        """The keys, joined with " or "."""
        return " or ".join(self.keys)


def _clean(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _keys(action: QAction) -> tuple[str, ...]:
    return tuple(
        seq.toString(QKeySequence.SequenceFormat.NativeText)
        for seq in action.shortcuts()
        if not seq.isEmpty()
    )


def window_shortcuts(window: QMainWindow) -> list[Shortcut]:
    """The shortcuts of ``window``: menu by menu, then actions in no menu.

    An action listed once is not listed again (a toolbar shares the menu's action).
    """
    seen: set[int] = set()
    out: list[Shortcut] = []

    def visit(menu: QMenu, group: str) -> None:
        for action in menu.actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                visit(submenu, group)
                continue
            add(action, group)

    def add(action: QAction, group: str) -> None:
        if id(action) in seen or action.isSeparator():
            return
        seen.add(id(action))
        keys = _keys(action)
        if keys:
            out.append(Shortcut(group, _clean(action.text()), keys))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            visit(menu, _clean(top.text()))
    for action in window.actions():
        add(action, OTHER_GROUP)
    return out


class ShortcutsDialog(QDialog):
    """A table of the window's shortcuts, grouped by menu.

    The dialog emits no signals of its own.

    Args:
        window: the window whose actions to list.
        parent: the owning widget (``window`` by default).
    """

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self._shortcuts = window_shortcuts(window)
        self.table = QTreeWidget(self)
        self.table.setObjectName("shortcutsTable")
        self.table.setColumnCount(2)
        self.table.setHeaderLabels(["Action", "Keys"])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        groups: dict[str, QTreeWidgetItem] = {}
        for shortcut in self._shortcuts:
            group = groups.get(shortcut.group)
            if group is None:
                group = QTreeWidgetItem(self.table, [shortcut.group])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
                groups[shortcut.group] = group
            QTreeWidgetItem(group, [shortcut.action, shortcut.keys_text])
        self.table.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.setMinimumSize(420, 420)
        self.resize(460, 540)

    def shortcuts(self) -> list[Shortcut]:
        """The shortcuts listed."""
        return list(self._shortcuts)

    def rows(self) -> list[tuple[str, str]]:
        """``(action, keys)`` as shown, top to bottom (group headings left out)."""
        out: list[tuple[str, str]] = []
        for g in range(self.table.topLevelItemCount()):
            group = self.table.topLevelItem(g)
            if group is None:
                continue
            for i in range(group.childCount()):
                child = group.child(i)
                if child is not None:
                    out.append((child.text(0), child.text(1)))
        return out
