"""File → Settings… (Ctrl+,): the user's settings, applied as they are changed.

Every edit goes straight to the :class:`~workbench.core.settings.SettingsStore` (which
notifies the appearance, the window and the tabs, and is saved by the autosave a moment
later), so there is no OK/Cancel: like a desktop settings panel, what you see is in effect.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontInfo, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import SettingValueError
from workbench.core.settings import THEMES, Settings, SettingsStore

logger = logging.getLogger(__name__)

__all__ = ["SettingsDialog"]

_THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
_MAX_DEADLINE = 365 * 86400.0
_MAX_HISTORY = 1_000_000
_MAX_ROW_CAP = 1_000_000_000


class SettingsDialog(QDialog):
    """Edit the settings of ``store``; each change is applied at once.

    The dialog emits no signals of its own: the store notifies its subscribers.

    Args:
        store: the settings to edit.
        parent: the owning window.
    """

    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self._store = store
        self._labels: list[QLabel] = []
        self._build_fields()

        self.problem = QLabel(self)
        self.problem.setObjectName("settingsProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        note = QLabel("Changes apply at once and are saved automatically.", self)
        note.setObjectName("settingsNote")
        self.location = QLabel(self)
        self.location.setObjectName("settingsLocation")
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setToolTip(str(store.path))

        self.defaults_button = QPushButton("Restore defaults", self)
        self.defaults_button.setAutoDefault(False)
        self.defaults_button.clicked.connect(self.restore_defaults)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self._group("Appearance", self._appearance_rows()))
        layout.addWidget(self._group("Calls", self._call_rows()))
        layout.addWidget(self.problem)
        layout.addWidget(note)
        layout.addWidget(self.location)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self._align_labels()

        self._show(store.settings)
        if not store.writable:
            self._show_problem(
                "This settings file belongs to a newer version of gRPC Workbench: changes "
                "last until you quit."
            )
        self._connect_fields()

    # -- public ---------------------------------------------------------------------------

    def restore_defaults(self) -> None:
        """Put every setting on this page back to its default (recent targets stay)."""
        defaults = Settings()
        self._set(
            theme=defaults.theme,
            editor_font_family=defaults.editor_font_family,
            editor_font_size=defaults.editor_font_size,
            default_deadline_seconds=defaults.default_deadline_seconds,
            history_max_entries=defaults.history_max_entries,
            timeline_row_cap=defaults.timeline_row_cap,
            confirm_before_overwrite=defaults.confirm_before_overwrite,
        )
        self._show(self._store.settings)

    def problem_text(self) -> str:
        """The problem shown under the fields ('' for none)."""
        return self.problem.text() if not self.problem.isHidden() else ""

    # -- internals ------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.theme_box = QComboBox(self)
        self.theme_box.setObjectName("themeBox")
        for theme in THEMES:
            self.theme_box.addItem(_THEME_LABELS[theme], theme)
        self.font_box = QFontComboBox(self)
        self.font_box.setObjectName("editorFontBox")
        self.font_box.setFontFilters(QFontComboBox.FontFilter.MonospacedFonts)
        self.font_size = QSpinBox(self)
        self.font_size.setObjectName("editorFontSize")
        self.font_size.setRange(4, 72)
        self.font_size.setSuffix(" pt")

        self.deadline = QDoubleSpinBox(self)
        self.deadline.setObjectName("defaultDeadline")
        self.deadline.setRange(0.0, _MAX_DEADLINE)
        self.deadline.setDecimals(1)
        self.deadline.setSingleStep(1.0)
        self.deadline.setSuffix(" s")
        self.deadline.setSpecialValueText("None")  # shown at the minimum, 0
        self.deadline.setToolTip(
            "The deadline of calls whose tab and connection set none; None waits for ever"
        )
        self.history = QSpinBox(self)
        self.history.setObjectName("historySize")
        self.history.setRange(0, _MAX_HISTORY)
        self.history.setSingleStep(100)
        self.history.setSuffix(" calls")
        self.history.setSpecialValueText("Keep none")
        self.row_cap = QSpinBox(self)
        self.row_cap.setObjectName("timelineRowCap")
        self.row_cap.setRange(0, _MAX_ROW_CAP)
        self.row_cap.setSingleStep(1000)
        self.row_cap.setSuffix(" messages")
        self.row_cap.setSpecialValueText("Keep all")
        self.row_cap.setToolTip(
            "How many rows a stream's timeline keeps; older ones are dropped (new streams)"
        )
        self.confirm = QCheckBox("Ask before overwriting a file changed on disk", self)
        self.confirm.setObjectName("confirmOverwrite")

    def _connect_fields(self) -> None:
        self.theme_box.currentIndexChanged.connect(
            lambda _i: self._set(theme=self.theme_box.currentData())
        )
        self.font_box.currentFontChanged.connect(
            lambda font: self._set(editor_font_family=font.family())
        )
        self.font_size.valueChanged.connect(lambda v: self._set(editor_font_size=v))
        self.deadline.valueChanged.connect(
            lambda v: self._set(default_deadline_seconds=v if v > 0 else None)
        )
        self.history.valueChanged.connect(lambda v: self._set(history_max_entries=v))
        self.row_cap.valueChanged.connect(lambda v: self._set(timeline_row_cap=v or None))
        self.confirm.toggled.connect(lambda on: self._set(confirm_before_overwrite=on))

    def _appearance_rows(self) -> list[tuple[str, QWidget]]:
        return [
            ("Theme:", self.theme_box),
            ("Editor font:", self.font_box),
            ("Editor font size:", self.font_size),
        ]

    def _call_rows(self) -> list[tuple[str, QWidget]]:
        return [
            ("Default deadline:", self.deadline),
            ("History keeps:", self.history),
            ("Stream timelines keep:", self.row_cap),
            ("", self.confirm),
        ]

    def _group(self, title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for text, widget in rows:
            if text:
                label = QLabel(text, box)
                label.setBuddy(widget)
                self._labels.append(label)
                form.addRow(label, widget)
            else:
                form.addRow(widget)
        return box

    def _align_labels(self) -> None:
        """One label column width for both groups, so their fields line up."""
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setMinimumWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Implements ``QWidget.resizeEvent``: the file path, shortened to fit."""
        super().resizeEvent(event)
        path = str(self._store.path)
        width = max(80, self.location.width())
        elided = self.location.fontMetrics().elidedText(path, Qt.TextElideMode.ElideMiddle, width)
        self.location.setText(elided)

    def _show(self, settings: Settings) -> None:
        """Show ``settings`` in the fields without writing them back."""
        widgets = (
            self.theme_box,
            self.font_box,
            self.font_size,
            self.deadline,
            self.history,
            self.row_cap,
            self.confirm,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(settings.theme)))
            # A generic family ("monospace") shows as the font it resolves to.
            resolved = QFontInfo(QFont(settings.editor_font_family)).family()
            self.font_box.setCurrentFont(QFont(resolved))
            self.font_size.setValue(settings.editor_font_size)
            self.deadline.setValue(settings.default_deadline_seconds or 0.0)
            self.history.setValue(settings.history_max_entries)
            self.row_cap.setValue(settings.timeline_row_cap or 0)
            self.confirm.setChecked(settings.confirm_before_overwrite)
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def _set(self, **changes: object) -> None:
        try:
            self._store.update(**changes)
        except SettingValueError as exc:  # the fields' ranges should prevent this
            logger.info("setting rejected: %s", exc)
            self._show_problem(exc.user_text())
            self._show(self._store.settings)
            return
        if self._store.writable:
            self.problem.hide()

    def _show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {text}")
        self.problem.show()
