"""One request tab tied to the workspace: its saved request, its variables, its history.

Every method tab gets a :class:`RequestBinding`. It turns the tab into a
:class:`~workbench.core.store.requests.SavedRequest` (:meth:`RequestBinding.snapshot`) and
back (:meth:`RequestBinding.load`), and marks the tab unsaved while the two differ (a tab
can also be an edit of its saved request from the start: :meth:`RequestBinding.edit_of`, used
to bring back drafts, see :mod:`workbench.ui.tab_drafts`). Its
:attr:`RequestBinding.hook` (a :class:`~workbench.ui.send_variables.SendVariables`) fills
in ``{{variables}}`` at send time and records each call in the history; for client and bidi
streams, :attr:`RequestBinding.stream` keeps the list of messages to send.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPlainTextEdit

from workbench.core.errors import (
    MessageFormatError,
    RequestParseError,
    UsageError,
    WorkbenchError,
)
from workbench.core.messages.codec import parse_value, to_dict
from workbench.core.messages.jsontext import load_json
from workbench.core.store.atomic import Fingerprint
from workbench.core.store.documents import dump_json
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget, TlsSettings
from workbench.core.store.tree import RequestNode
from workbench.ui.form.request_editor import EditorMode
from workbench.ui.send_variables import SendVariables
from workbench.ui.stream_messages import StreamMessages
from workbench.ui.views.connect import SchemaLoader
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.request_bar import RequestBar
from workbench.ui.views.request_tab import EndpointProvider
from workbench.ui.workspace_controller import WorkspaceController

__all__ = ["DeletedRequest", "RequestBinding", "method_name"]

logger = logging.getLogger(__name__)

#: A saved target's settings besides the address: plaintext, TLS, authority.
TargetExtras = tuple[bool | None, str | TlsSettings | None, str | None]


class DeletedRequest(NamedTuple):
    """The saved request a tab showed until it was deleted (an undo may bring it back).

    Attributes:
        path: its file.
        file_sha256: the file's SHA-256 as it was deleted.
        tab_sha256: the file's SHA-256 as the tab last loaded or saved it.
    """

    path: Path
    file_sha256: str
    tab_sha256: str


def method_name(tab: MethodTab) -> str:
    """The tab's method as a saved request names it: ``pkg.Service/Method``."""
    method = tab.method
    return f"{method.containing_service.full_name}/{method.name}"


class RequestBinding(QObject):
    """Connects a :class:`MethodTab` to the saved request it shows, if any.

    Parts (public attributes): :attr:`tab`, :attr:`bar` (the server field and the stream
    list), :attr:`notes` (a page beside the request editor), :attr:`hook` (the tab's send
    hook), :attr:`stream` (the messages of a client or bidi stream; ``None`` for other
    methods) and :attr:`node` (the saved request shown; ``None`` for one not saved yet).

    Signals:
        stateChanged(): the saved request, its name or the unsaved marker changed.
        edited(): the user edited the request (body, metadata, deadline, server or notes).

    Args:
        tab: the tab.
        controller: the workspace, the environment and the history.
        loader: where channels and per-server connection settings come from.
        default_endpoint: where calls go when the request names no server of its own.
        window_address: the address bar's server, for the field's placeholder.
    """

    stateChanged = Signal()
    edited = Signal()

    def __init__(
        self,
        tab: MethodTab,
        controller: WorkspaceController,
        loader: SchemaLoader,
        default_endpoint: EndpointProvider,
        window_address: Any = lambda: "",
    ) -> None:
        super().__init__(tab)
        self.tab = tab
        self.node: RequestNode | None = None
        self._controller = controller
        self._default_endpoint = default_endpoint
        self._window_address = window_address
        self._fingerprint: object = None
        self._baseline: SavedRequest | None = None
        self._target_extras: TargetExtras | None = None
        self._extra: dict[str, Any] = {}
        self._loading = False
        self._dirty = False
        #: Set by :meth:`detach` when the saved request shown was deleted.
        self.deleted: DeletedRequest | None = None
        self._deleting: DeletedRequest | None = None
        self.saving = False

        request = tab.request
        self.bar = RequestBar(streaming=bool(tab.method.client_streaming), parent=tab)
        tab.insert_bar(self.bar)
        self.notes = QPlainTextEdit(tab)
        self.notes.setObjectName("requestNotes")
        self.notes.setPlaceholderText("Notes saved with the request, e.g. what it is for")
        request.side_tabs.insertTab(2, self.notes, "Notes")
        self.stream: StreamMessages | None = None
        if tab.method.client_streaming:
            self.stream = StreamMessages(request, self)
            self.stream.changed.connect(self._show_stream)
            self.stream.loadProblem.connect(self.bar.show_warning)
            self.bar.previousClicked.connect(self.stream.previous)
            self.bar.nextClicked.connect(self.stream.next)
            self.bar.addClicked.connect(self.stream.add)
            self.bar.removeClicked.connect(self.stream.remove)
            self.bar.sendAllClicked.connect(self.stream.send_all)
            self._show_stream()
        self.hook = SendVariables(self, controller, loader, default_endpoint)
        request.send_hook = self.hook
        request.set_endpoint(self.hook.endpoint)
        request.edited.connect(self._on_edited)
        request.controls.deadlineEdited.connect(self._on_edited)
        request.runner.eventReceived.connect(self.hook.on_call_event)
        self.notes.textChanged.connect(self._on_edited)
        self.bar.addressEdited.connect(self._on_address_edited)
        controller.variablesChanged.connect(self.refresh_variables)
        self.refresh_variables()

    # -- state ----------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the tab differs from the saved request it shows."""
        return self._dirty

    @property
    def baseline(self) -> SavedRequest | None:
        """The saved request as the tab showed it when loaded (``None``: not saved)."""
        return self._baseline

    def title(self) -> str | None:
        """The tab title: the saved name, with "•" while unsaved (``None``: not saved)."""
        if self.node is None:
            return None
        return f"{self.node.name} •" if self._dirty else self.node.name

    def changed_on_disk(self) -> bool:
        """Whether the saved file changed since this tab loaded or saved it."""
        return self.node is not None and self.node.fingerprint != self._fingerprint

    def loaded_sha256(self) -> str:
        """The saved file's SHA-256 as this tab last loaded or saved it ('' for none)."""
        return sha256_of(self._fingerprint)

    # -- the request ----------------------------------------------------------------------

    def snapshot(self, *, for_save: bool = False) -> SavedRequest:
        """The tab as a saved request (variables not substituted).

        Args:
            for_save: the version to write: an empty server becomes the address bar's (with
                its connection settings), and unusable input raises instead of being
                approximated.

        Raises:
            UsageError: ``for_save`` and the deadline or the request JSON is unusable.
        """
        tab = self.tab.request
        address = self.address()
        extras = self.target_extras
        if for_save and not address:
            address, extras = self._window_target()
        rows = tab.metadata.model().rows()
        metadata = tuple(
            MetadataEntry(r.key.strip(), r.value.strip()) for r in rows if r.enabled and not r.blank
        )
        try:
            timeout = tab.deadline()
        except UsageError:
            if for_save:
                raise
            timeout = None
        messages = tuple(self.stream.values()) if self.stream else (self.body(strict=for_save),)
        return SavedRequest(
            method=method_name(self.tab),
            target=SavedTarget(address, *extras),
            messages=messages,
            metadata=metadata,
            timeout=timeout,
            notes=self.notes.toPlainText(),
            name=self.node.name if self.node is not None else "",
            extra=dict(self._extra),
        )

    def load(self, request: SavedRequest, node: RequestNode | None = None) -> None:
        """Show ``request`` in the tab; ``node`` is where it is saved (``None``: nowhere)."""
        tab = self.tab.request
        self._loading = True
        problem = ""
        try:
            self.node = node
            self.deleted = None
            self._fingerprint = node.fingerprint if node is not None else None
            self._extra = dict(request.extra)
            target = request.target
            self._target_extras = (target.plaintext, target.tls, target.authority)
            self.bar.address_edit.setText(target.address)
            tab.metadata.set_entries([(m.name, m.value) for m in request.metadata])
            tab.deadline_edit.setText(f"{request.timeout:g}" if request.timeout else "")
            self.notes.setPlainText(request.notes)
            if self.stream is not None:
                self.stream.set_messages(list(request.messages))
            else:
                problem = self._load_body(request.body)
                if len(request.messages) > 1:
                    problem = " ".join(
                        p
                        for p in (
                            problem,
                            f"The saved request has {len(request.messages)} messages but "
                            f"{self.tab.method.name} takes one: the first is shown.",
                        )
                        if p
                    )
        finally:
            self._loading = False
        if self.stream is None:
            self.bar.show_warning(problem)
        self._baseline = self.snapshot() if node is not None else None
        self._set_dirty(False)
        self.refresh_variables()

    def saved(self, node: RequestNode, request: SavedRequest) -> None:
        """The tab was just saved as ``request`` in ``node``."""
        self.node = node
        self.deleted = None
        self._fingerprint = node.fingerprint
        self._extra = dict(request.extra)
        target = request.target
        self._target_extras = (target.plaintext, target.tls, target.authority)
        if not self.bar.address_edit.text().strip():
            self._loading = True
            self.bar.address_edit.setText(target.address)
            self._loading = False
        self._baseline = self.snapshot()
        self._set_dirty(False)
        self.bar.show_warning("")

    def node_changed(self) -> None:
        """The saved file changed (on disk, or renamed): follow it unless there are edits."""
        if self.node is None or self.saving:
            return
        if self.node.fingerprint == self._fingerprint:
            self.stateChanged.emit()  # renamed or moved: the title may change
            return
        if not self._dirty:
            self.load(self.node.request, self.node)
            return
        self._warn_changed_on_disk(self.node)

    def edit_of(self, baseline: SavedRequest | None, *, stale: bool = False) -> None:
        """Treat what the tab shows as an edit of ``baseline`` (its saved request as loaded).

        Args:
            baseline: :meth:`snapshot` just after loading the saved request; ``None`` for a
                tab saved nowhere.
            stale: the file changed on disk since the edit began: saving asks first.
        """
        self._baseline = baseline if self.node is not None else None
        if stale and self.node is not None:
            self._fingerprint = None
            self._warn_changed_on_disk(self.node)
        self._set_dirty(self._baseline is not None and self.snapshot() != self._baseline)

    def deleting(self) -> None:
        """The saved request shown is about to be deleted: remember it for :meth:`detach`."""
        node = self.node
        if node is not None:
            file_sha = sha256_of(node.fingerprint)
            self._deleting = DeletedRequest(node.path, file_sha, self.loaded_sha256())

    def detach(self) -> None:
        """Stop showing the saved request: the tab keeps its content, saved nowhere.

        After :meth:`deleting`, :attr:`deleted` remembers the request, so that an undo of
        the delete can bind the tab to it again.
        """
        self.deleted, self._deleting = self._deleting, None
        self.node = None
        self._baseline = None
        self._set_dirty(False)

    # -- slots ----------------------------------------------------------------------------

    def refresh_variables(self) -> None:
        """Show the server as it will be called and re-check Send (the environment changed)."""
        self.bar.set_default_address(self._window_address())
        text, error = self.hook.resolved_address()
        self.bar.set_resolved(text, error=error)
        self.tab.request.update_controls()

    def _on_address_edited(self, _text: str) -> None:
        self.refresh_variables()
        self._on_edited()

    def _on_edited(self) -> None:
        if self._loading or (self.stream is not None and self.stream.loading):
            return
        if self.stream is not None:
            self.stream.commit()
        if self._baseline is not None:
            self._set_dirty(self.snapshot() != self._baseline)
        self.tab.request.update_controls()
        self.edited.emit()

    def _show_stream(self) -> None:
        if self.stream is not None:
            self.bar.set_stream_position(
                self.stream.index, self.stream.count, busy=self.stream.busy
            )

    # -- helpers --------------------------------------------------------------------------

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.stateChanged.emit()

    def _warn_changed_on_disk(self, node: RequestNode) -> None:
        self.bar.show_warning(
            f"{node.path} changed on disk since this tab loaded it; "
            "saving asks before overwriting it."
        )

    def address(self) -> str:
        """The request's own server as typed ('' to use the address bar's)."""
        return self.bar.address_edit.text().strip()

    @property
    def target_extras(self) -> TargetExtras:
        """The saved target's plaintext, TLS and authority settings (``None`` s: unset)."""
        return self._target_extras or (None, None, None)

    def pool(self) -> Any:
        """The descriptor pool of the tab's schema."""
        schema = self.tab.request.editor.schema()
        return schema.pool if schema is not None else None

    def typed_metadata(self) -> tuple[MetadataEntry, ...]:
        """The ticked metadata rows as typed (placeholders and all)."""
        rows = self.tab.request.metadata.model().rows()
        return tuple(MetadataEntry(r.key, r.value) for r in rows if r.enabled and not r.blank)

    def body(self, *, strict: bool) -> Any:
        """The form's message as JSON; unparsable JSON text is kept as typed (or raises)."""
        editor = self.tab.request.editor
        if editor.mode() is EditorMode.JSON and not editor.is_valid():
            text = editor.json_editor().json()
            try:
                return load_json(text)
            except (RequestParseError, ValueError) as exc:
                if strict:
                    raise UsageError(
                        f"the request JSON does not parse: {exc}", hint="fix it, then save"
                    ) from None
                return text
        try:
            return to_dict(editor.message(), pool=self.pool())
        except MessageFormatError:
            if strict:
                raise
            return {}

    def _load_body(self, body: Any) -> str:
        """Put ``body`` in the editor; a body that does not fit stays as JSON (a warning)."""
        editor = self.tab.request.editor
        try:
            message = parse_value(body, editor.descriptor(), self.pool())
        except RequestParseError as exc:
            editor.set_mode(EditorMode.JSON)
            editor.json_editor().set_json(dump_json(body))
            editor.apply_json()
            return (
                f"The saved body does not fit {editor.descriptor().full_name} any more "
                f"({exc.message}); it is kept as JSON: fix it here, or save to keep it as is."
            )
        editor.set_message(message)
        return ""

    def _window_target(self) -> tuple[str, TargetExtras]:
        """The address bar's server and its connection settings, for saving."""
        try:
            target = self._default_endpoint().target
        except WorkbenchError:
            return self._window_address(), (None, None, None)
        tls_config = target.tls
        tls = None
        if tls_config.ca_file or tls_config.cert_file or tls_config.key_file or tls_config.insecure:
            tls = TlsSettings(
                tls_config.ca_file, tls_config.cert_file, tls_config.key_file, tls_config.insecure
            )
        return target.address, (target.plaintext, tls, target.authority)


def sha256_of(fingerprint: object) -> str:
    """The SHA-256 of a file's :class:`Fingerprint` ('' for none)."""
    return fingerprint.sha256 if isinstance(fingerprint, Fingerprint) else ""
