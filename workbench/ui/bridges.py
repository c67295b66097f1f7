"""The message bridge: user-facing messages from anywhere become Qt signals.

Producers (the bootstrap's crash handler, owner objects, core warnings through logging) call
:func:`info`, :func:`warning`, :func:`error` or :func:`report_crash` without knowing whether a
window exists yet; the bridge queues messages until the UI calls
:meth:`MessageBridge.set_ready`, then delivers them in order. Messages sent from a worker
thread arrive on the GUI thread (the bridge lives there and signals are queued across
threads).
"""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from workbench.core.errors import ProtoParseError, WorkbenchError

logger = logging.getLogger(__name__)

#: How many protoc diagnostics a message lists before "… and N more".
MAX_DIAGNOSTICS = 8


class Level(enum.Enum):
    """How loud a message is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class UserMessage:
    """One message for the user.

    Attributes:
        level: how loud it is.
        text: one line naming what happened.
        hint: what the user can do about it ('' when nothing).
    """

    level: Level
    text: str
    hint: str = ""

    def full_text(self) -> str:
        """The text and, on its own line, the hint."""
        return f"{self.text}\n  hint: {self.hint}" if self.hint else self.text

    @classmethod
    def for_error(cls, error: WorkbenchError) -> UserMessage:
        """An error message for ``error``; each protoc diagnostic gets a line of its own."""
        text = error.message
        if isinstance(error, ProtoParseError) and len(error.diagnostics) > 1:
            shown = [str(d) for d in error.diagnostics[:MAX_DIAGNOSTICS]]
            more = len(error.diagnostics) - len(shown)
            text = "\n".join(shown + ([f"… and {more} more"] if more > 0 else []))
        return cls(Level.ERROR, text, error.hint)


@dataclass(frozen=True)
class CrashReport:
    """An unexpected exception (a bug) to show in a dialog.

    Attributes:
        summary: ``ExceptionType: message``.
        details: the formatted traceback.
    """

    summary: str
    details: str


class MessageBridge(QObject):
    """Queues messages until the UI is up, then re-emits each one as a signal.

    Signals:
        messageShown(UserMessage): a message for the status bar or an inline banner.
        crashReported(CrashReport): an unexpected exception the user should know about.
    """

    messageShown = Signal(object)
    crashReported = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._ready = False
        self._pending: list[UserMessage | CrashReport] = []

    @property
    def ready(self) -> bool:
        """Whether messages are delivered right away."""
        return self._ready

    def show(self, message: UserMessage) -> None:
        """Deliver ``message`` now, or when the UI is ready."""
        self._post(message)

    def crash(self, report: CrashReport) -> None:
        """Deliver a crash report now, or when the UI is ready."""
        self._post(report)

    def set_ready(self, ready: bool = True) -> None:
        """Start (or stop) delivering; starting flushes the queue in order."""
        with self._lock:
            self._ready = ready
            pending, self._pending = (self._pending, []) if ready else ([], self._pending)
        for item in pending:
            self._emit(item)

    def _post(self, item: UserMessage | CrashReport) -> None:
        with self._lock:
            if not self._ready:
                self._pending.append(item)
                return
        self._emit(item)

    def _emit(self, item: UserMessage | CrashReport) -> None:
        if isinstance(item, CrashReport):
            self.crashReported.emit(item)
        else:
            self.messageShown.emit(item)


class BridgeLogHandler(logging.Handler):
    """Forwards log records (WARNING and up, by default) to a bridge as user messages.

    Installed on the ``workbench.core`` logger by the GUI bootstrap, so that what the core
    reports about the user's files ("skipped a bad collection file") reaches the window.
    """

    def __init__(self, bridge: MessageBridge, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self._bridge = bridge

    def emit(self, record: logging.LogRecord) -> None:
        """Implements ``logging.Handler.emit``."""
        try:
            text = record.getMessage()
        except (TypeError, ValueError):  # a malformed log call must not take the app down
            self.handleError(record)
            return
        level = Level.ERROR if record.levelno >= logging.ERROR else Level.WARNING
        self._bridge.show(UserMessage(level, text))


_bridge: MessageBridge | None = None


def global_bridge() -> MessageBridge:
    """The process-wide bridge (created on first use; call from the GUI thread first)."""
    global _bridge  # noqa: PLW0603 - one bridge per process, like QApplication
    if _bridge is None:
        _bridge = MessageBridge()
    return _bridge


def info(text: str) -> None:
    """Tell the user something in passing (status bar)."""
    global_bridge().show(UserMessage(Level.INFO, text))


def warning(text: str, hint: str = "") -> None:
    """Warn the user about something they may want to fix."""
    global_bridge().show(UserMessage(Level.WARNING, text, hint))


def error(text: str, hint: str = "") -> None:
    """Report a failure the user caused or can fix."""
    global_bridge().show(UserMessage(Level.ERROR, text, hint))


def report_error(exc: WorkbenchError) -> None:
    """Report a :class:`WorkbenchError` with its hint."""
    global_bridge().show(UserMessage.for_error(exc))


def report_crash(summary: str, details: str) -> None:
    """Report an unexpected exception (the crash handler calls this)."""
    global_bridge().crash(CrashReport(summary, details))
