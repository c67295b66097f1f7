"""The request editor a request tab hosts: a generated form and a JSON view of one message.

Both views edit the same live message — there is no copy to keep in sync. The form writes
each field into it as it is committed; JSON text is parsed after a short pause and, when it
is valid, copied *into* the message (``CopyFrom``), after which the form shows the new
content. Switching to JSON renders the message afresh. Invalid input in either view is
marked where it is, and the editor reports itself invalid (``validityChanged``) with the
first problem as explanation until it is fixed.
"""

from __future__ import annotations

import enum
import logging
import re

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import MessageFormatError, RequestParseError
from workbench.core.messages.codec import parse_json, to_json
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.skeleton import example_message
from workbench.core.schema.schema import Schema
from workbench.ui.form.form_cells import error_color
from workbench.ui.form.form_model import FormModel
from workbench.ui.form.form_view import FormView
from workbench.ui.form.json_editor import JsonEditor

__all__ = ["EditorMode", "RequestEditor"]

logger = logging.getLogger(__name__)

#: How long typing must pause before JSON text is parsed into the message (ms).
JSON_PARSE_DELAY_MS = 350
_EXAMPLE_DEPTH = 3


class EditorMode(enum.Enum):
    """Which view of the request is shown."""

    FORM = "form"
    JSON = "json"


class RequestEditor(QWidget):
    """Edits one request message as a form or as JSON.

    Signals:
        validityChanged(bool, str): whether the request can be sent; if not, why (the
            first problem, e.g. ``"int32_value: 3000000000 is out of range …"``).
        messageChanged(): the message was edited in either view (or reset/cleared).
        modeChanged(str): the view switched to ``"form"`` or ``"json"``.

    Args:
        descriptor: the request message type.
        schema: the schema it comes from (comments, Any types); optional.
        message: the message to edit in place; a new empty one when omitted.
        parent: the parent widget.
    """

    validityChanged = Signal(bool, str)
    messageChanged = Signal()
    modeChanged = Signal(str)

    def __init__(
        self,
        descriptor: Descriptor,
        *,
        schema: Schema | None = None,
        message: Message | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._descriptor = descriptor
        self._schema = schema
        self._message = message if message is not None else new_message(descriptor)
        self._check_type(self._message)
        self._mode = EditorMode.FORM
        self._json_error: RequestParseError | MessageFormatError | None = None
        self._json_stale = True
        self._validity: tuple[bool, str] = (True, "")

        self._model = FormModel(self._message, schema=schema, parent=self)
        self._form = FormView(self)
        self._form.setModel(self._model)
        self._json = JsonEditor(self)
        self._json_timer = QTimer(self)
        self._json_timer.setSingleShot(True)
        self._json_timer.setInterval(JSON_PARSE_DELAY_MS)
        self._json_timer.timeout.connect(self.apply_json)

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._form)
        self._stack.addWidget(self._json)
        self._status = QLabel(self)
        self._status.setWordWrap(True)
        self._status.setObjectName("request-editor-status")
        self._status.setContentsMargins(6, 2, 6, 4)
        self._status.hide()
        self._toolbar = self._build_toolbar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._toolbar)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self._status)

        self._model.messageEdited.connect(self._on_form_edited)
        self._model.errorsChanged.connect(self._update_validity)
        self._form.statusMessage.connect(self._show_note)
        self._json.edited.connect(self._json_timer.start)
        self._update_validity()

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar(self)
        bar.setObjectName("request-editor-toolbar")
        group = QActionGroup(self)
        group.setExclusive(True)
        self.form_action = QAction("Form", group, checkable=True, checked=True)
        self.form_action.setToolTip("Edit the request as a form")
        self.json_action = QAction("JSON", group, checkable=True)
        self.json_action.setToolTip("Edit the request as JSON")
        self.form_action.triggered.connect(lambda: self.set_mode(EditorMode.FORM))
        self.json_action.triggered.connect(lambda: self.set_mode(EditorMode.JSON))
        bar.addAction(self.form_action)
        bar.addAction(self.json_action)
        bar.addSeparator()
        self._list_actions = [
            self._form.add_action,
            self._form.remove_action,
            self._form.up_action,
            self._form.down_action,
        ]
        for action in self._list_actions:
            bar.addAction(action)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.example_action = bar.addAction("Reset to example", self.reset_to_example)
        self.example_action.setToolTip("Fill every field with an example value")
        self.clear_action = bar.addAction("Clear", self.clear)
        self.clear_action.setToolTip("Unset every field")
        return bar

    # -- the message ----------------------------------------------------------------------

    def message(self) -> Message:
        """The live request message (the same object both views edit)."""
        return self._message

    def set_message(self, message: Message) -> None:
        """Edit ``message`` from now on (e.g. a request loaded from history).

        Raises:
            ValueError: ``message`` is not of the editor's message type.
        """
        self._check_type(message)
        self._message = message
        self._model.set_message(message)
        self._after_replace()

    def descriptor(self) -> Descriptor:
        """The request message type."""
        return self._descriptor

    def schema(self) -> Schema | None:
        """The schema (for comments and the Any type picker)."""
        return self._schema

    def form_view(self) -> FormView:
        """The form tree."""
        return self._form

    def form_model(self) -> FormModel:
        """The model behind the form."""
        return self._model

    def json_editor(self) -> JsonEditor:
        """The JSON text view."""
        return self._json

    def reset_to_example(self) -> None:
        """Fill the message with a generated example (every field set)."""
        self._message.CopyFrom(example_message(self._descriptor, max_depth=_EXAMPLE_DEPTH))
        self._model.reload()
        self._after_replace()

    def clear(self) -> None:
        """Unset every field of the message."""
        self._message.Clear()
        self._model.reload()
        self._after_replace()

    def _after_replace(self) -> None:
        self._json_error = None
        self._json_stale = True
        if self._mode is EditorMode.JSON:
            self._render_json()
        self._update_validity()
        self.messageChanged.emit()

    def _check_type(self, message: Message) -> None:
        name = descriptor_of(message).full_name
        if name != self._descriptor.full_name:
            raise ValueError(f"expected a {self._descriptor.full_name} message, got {name}")

    # -- views ----------------------------------------------------------------------------

    def mode(self) -> EditorMode:
        """The view shown."""
        return self._mode

    def set_mode(self, mode: EditorMode) -> None:
        """Show the form or the JSON text (both of the same message)."""
        if mode is self._mode:
            return
        if mode is EditorMode.FORM and self._json_timer.isActive():
            self.apply_json()
        self._mode = mode
        if mode is EditorMode.JSON and (self._json_stale or self._json_error is None):
            self._render_json()
        self._stack.setCurrentWidget(self._json if mode is EditorMode.JSON else self._form)
        self.json_action.setChecked(mode is EditorMode.JSON)
        self.form_action.setChecked(mode is EditorMode.FORM)
        for action in self._list_actions:
            action.setVisible(mode is EditorMode.FORM)
        self._update_validity()
        self.modeChanged.emit(mode.value)

    def _render_json(self) -> None:
        pool = self._schema.pool if self._schema is not None else None
        try:
            text = to_json(self._message, pool=pool, indent=2)
        except MessageFormatError as exc:
            self._json.set_json("")
            self._json_error = exc
            self._json.set_error(None, None, exc.user_text())
        else:
            self._json.set_json(text)
            self._json_error = None
        self._json_stale = False

    def apply_json(self) -> bool:
        """Parse the JSON text into the message now (it is also done after a typing pause).

        Returns:
            Whether the text was valid; if not, the problem is marked in the text.
        """
        self._json_timer.stop()
        pool = self._schema.pool if self._schema is not None else None
        try:
            parsed = parse_json(self._json.json(), self._descriptor, pool=pool)
        except RequestParseError as exc:
            self._json_error = exc
            line, column = exc.line, exc.column
            if line is None and exc.path:
                # The text is JSON but a value does not fit: point at its key.
                found = self._json.find_key(_key_names(exc.path))
                line, column = found if found is not None else (None, None)
            self._json.set_error(line, column, exc.user_text())
            self._update_validity()
            return False
        self._message.CopyFrom(parsed)
        self._json_error = None
        self._json.clear_error()
        self._model.reload()
        self._update_validity()
        self.messageChanged.emit()
        return True

    # -- validity -------------------------------------------------------------------------

    def is_valid(self) -> bool:
        """Whether the request can be sent as it is."""
        return self._validity[0]

    def validity_text(self) -> str:
        """Why the request cannot be sent ('' when it can)."""
        return self._validity[1]

    def problems(self) -> list[str]:
        """Every current problem, one line each (JSON first, then form fields)."""
        problems = []
        if self._json_error is not None and self._mode is EditorMode.JSON:
            problems.append(f"JSON: {self._json_error.message}")
        problems.extend(f"{path}: {reason}" for path, reason in self._model.errors())
        if not self._message.IsInitialized():
            # proto2 required fields: the message cannot even be serialized without them.
            found: list[str] = self._message.FindInitializationErrors()  # type: ignore[attr-defined]
            missing = ", ".join(found)
            problems.append(f"required field not set: {missing}")
        return problems

    def _update_validity(self) -> None:
        problems = self.problems()
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            state = (False, problems[0] + more)
        else:
            state = (True, "")
        self._show_status(state[1])
        if state != self._validity:
            self._validity = state
            self.validityChanged.emit(*state)

    def _show_status(self, text: str) -> None:
        self._status.setStyleSheet(f"color: {error_color().name()};")
        self._status.setText(f"⚠ {text}" if text else "")
        self._status.setToolTip("\n".join(self.problems()))
        self._status.setVisible(bool(text))

    def _show_note(self, text: str) -> None:
        if self._validity[0]:
            self._status.setStyleSheet("")
            self._status.setText(text)
            self._status.setVisible(bool(text))

    def _on_form_edited(self) -> None:
        self._json_stale = True
        self._update_validity()
        self.messageChanged.emit()


def _key_names(path: str) -> list[str]:
    """The JSON spellings (proto name and lowerCamel) of the last field in ``path``."""
    last = re.split(r"[.\[]", path)[-1].rstrip("]")
    if not re.fullmatch(r"[A-Za-z_]\w*", last):
        return []
    head, *rest = last.split("_")
    camel = head + "".join(part[:1].upper() + part[1:] for part in rest)
    return list(dict.fromkeys([last, camel]))
