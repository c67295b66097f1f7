"""Start the GUI: the QApplication, the qasync loop, crash handling and the main window.

``run_gui(args)`` is called by the command line with its parsed arguments; everything Qt is
imported here, lazily, so the CLI's other commands never load Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

from workbench.core.errors import WorkbenchError

logger = logging.getLogger(__name__)

APP_NAME = "gRPC Workbench"
ORG_NAME = "grpc-workbench"
#: The reverse-DNS id of the desktop entry and AppStream metadata (packaging/).
DESKTOP_ID = "io.github.grpcworkbench.GrpcWorkbench"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class CrashHandler:
    """Logs uncaught exceptions and reports them to the user; the app keeps running.

    Installed as ``sys.excepthook`` (``qasync.asyncSlot`` routes slot exceptions there),
    ``threading.excepthook`` and the event loop's exception handler. A ``WorkbenchError``
    that escapes is a user error reported inline; anything else is a bug and gets the
    traceback in a dialog.

    Args:
        report_crash: shows ``(summary, details)`` to the user (the message bridge).
        report_error: shows a user error inline.
    """

    def __init__(
        self,
        report_crash: Callable[[str, str], None],
        report_error: Callable[[WorkbenchError], None],
    ) -> None:
        self._report_crash = report_crash
        self._report_error = report_error
        self._previous_hook: Callable[..., Any] | None = None
        self._previous_thread_hook: Callable[..., Any] | None = None
        self._handling = False

    def install(self) -> None:
        """Become ``sys.excepthook`` and ``threading.excepthook``."""
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Restore the hooks found at :meth:`install`."""
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
        if self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """Handle one uncaught exception (the ``sys.excepthook`` signature)."""
        if issubclass(exc_type, KeyboardInterrupt):
            _quit_application()
            return
        if self._handling:  # the report itself failed: fall back to printing
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._handling = True
        try:
            if isinstance(exc, WorkbenchError):
                logger.info("user error escaped to the crash handler: %s", exc)
                self._report_error(exc)
                return
            logger.critical("uncaught exception", exc_info=(exc_type, exc, tb))
            summary = "".join(traceback.format_exception_only(exc_type, exc)).strip()
            details = "".join(traceback.format_exception(exc_type, exc, tb))
            self._report_crash(summary, details)
        except Exception:
            sys.__excepthook__(exc_type, exc, tb)
        finally:
            self._handling = False

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """Handle an exception that ended a thread (the ``threading.excepthook`` signature)."""
        if args.exc_value is None or args.exc_type is SystemExit:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def loop_exception_handler(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        """The event loop's exception handler: callbacks and tasks nobody awaited."""
        exc = context.get("exception")
        if exc is None:
            logger.error("event loop: %s", context.get("message", context))
            return
        if isinstance(exc, asyncio.CancelledError):
            return
        logger.debug("event loop context: %s", context.get("message"))
        self.excepthook(type(exc), exc, exc.__traceback__)


def _quit_application() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        for window in app.topLevelWidgets():
            window.close()


def run_gui(args: argparse.Namespace) -> int:
    """Open the main window and run until it closes; returns the exit status.

    Args:
        args: the parsed command line: ``address`` (``str | None``), ``demo`` (bool),
            ``proto``, ``import_path`` and ``protoset`` (lists of paths), and the
            connection flags ``plaintext``, ``insecure``, ``cacert``, ``cert``, ``key``,
            ``authority`` and ``header`` (``'key: value'`` strings), and ``verbose``.
            Missing attributes read as unset.
    """
    os.environ.setdefault("QT_API", "pyside6")  # qasync picks its Qt binding from this
    import qasync
    from PySide6.QtWidgets import QApplication

    from workbench.app.logs import setup_logging
    from workbench.ui import bridges
    from workbench.ui.views.connect import ConnectionSettings

    setup_logging(bool(getattr(args, "verbose", False)))
    try:
        settings = ConnectionSettings.from_args(args)
    except WorkbenchError as exc:
        sys.stderr.write(f"grpc-workbench: {exc.user_text()}\n")
        return exc.exit_code

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setDesktopFileName(DESKTOP_ID)  # Wayland and the task bar find the icon through it
    # The window's close ends the main coroutine, which then closes channels and the demo
    # server while the loop still runs; Qt quitting on its own would stop the loop first.
    app.setQuitOnLastWindowClosed(False)

    bridge = bridges.global_bridge()
    crash = CrashHandler(bridges.report_crash, bridges.report_error)
    crash.install()
    core_log = logging.getLogger("workbench.core")
    forward = bridges.BridgeLogHandler(bridge)
    core_log.addHandler(forward)
    try:
        result: int = qasync.run(_main(app, args, settings, crash))
        return result
    finally:
        core_log.removeHandler(forward)
        crash.uninstall()


async def _main(app: Any, args: argparse.Namespace, settings: Any, crash: CrashHandler) -> int:
    from PySide6.QtCore import QTimer

    from workbench.app import smoke
    from workbench.app.demo_control import DemoControl
    from workbench.core.settings import SettingsStore, autosave
    from workbench.ui import bridges, resources
    from workbench.ui.appearance import Appearance
    from workbench.ui.views.connect import SchemaLoader
    from workbench.ui.views.main_window import MainWindow

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(crash.loop_exception_handler)
    store = SettingsStore.load()  # never raises: a bad file is logged and shown, not fatal
    appearance = Appearance(app, store)
    saver = autosave(store, loop=loop, on_error=bridges.report_error)
    app.setWindowIcon(resources.icon("app"))

    done = asyncio.Event()
    app.aboutToQuit.connect(done.set)
    # The demo server starts and stops on a plain worker thread, never on qasync's executor:
    # its QThread workers keep their last work item (here: the server) alive until the loop
    # closes, and the server's grpc objects must not die on a thread of their own choosing
    # (see _grpc_aio_anchor).
    async with _grpc_aio_anchor():
        with ThreadPoolExecutor(1, thread_name_prefix="demo-control") as pool:
            demo = DemoControl(pool)
            window = MainWindow(
                loader=SchemaLoader(settings),
                bridge=bridges.global_bridge(),
                settings=store,
                demo=demo.start,
            )
            window.workspace.open_initial()  # the last workspace, else the default one
            window.closed.connect(done.set)
            if smoke.enabled():
                smoke.quit_after_load(window)
            window.show()
            bridges.global_bridge().set_ready()

            # Python runs signal handlers only between bytecodes; an idle timer gives
            # Ctrl+C a chance.
            signal.signal(signal.SIGINT, lambda *_: window.close())
            wakeup = QTimer()
            wakeup.timeout.connect(lambda: None)
            wakeup.start(250)
            try:
                if not _start(window, args) and smoke.enabled():
                    smoke.report_and_close(window, window.loader.state)
                await done.wait()
            finally:
                wakeup.stop()
                signal.signal(signal.SIGINT, signal.default_int_handler)
                saver.close()  # the open tabs recorded at close, and anything else pending
                appearance.close()
                await demo.stop()
        del demo
    return 0


@contextlib.asynccontextmanager
async def _grpc_aio_anchor() -> AsyncIterator[None]:
    """Keep grpc.aio initialised from this (the Qt) thread until the very end.

    grpc.aio is reference counted by its channels and servers; the last one to go shuts it
    down and unregisters its wake-up socket from *every* loop it served, from whichever
    thread that happens on. If that is the embedded demo server's thread, it disables the
    Qt loop's QSocketNotifier from the wrong thread and Qt crashes (seen as a segfault on
    exit in about one run of ten). Holding one idle channel (lazy: it never connects) from
    before the demo starts until after it stopped makes the final shutdown ours. grpc-side
    the count drops when the Python objects are freed, hence the ``gc.collect()``.
    """
    import grpc.aio

    anchor = grpc.aio.insecure_channel("localhost:9")
    try:
        yield
    finally:
        gc.collect()  # free a stopped demo server's grpc objects while the anchor holds
        await anchor.close()


def _start(window: Any, args: argparse.Namespace) -> bool:
    """Act on the command line: start the demo, connect, or load files.

    Returns:
        Whether something is being loaded.
    """
    address = getattr(args, "address", None)
    protos = list(getattr(args, "proto", None) or [])
    protosets = list(getattr(args, "protoset", None) or [])
    if getattr(args, "demo", False):
        window.demo.try_demo()  # as the welcome page's "Try the demo server" does
        return True
    if protos or protosets:
        if address:
            window.address_box.setEditText(address)  # the schema comes from files; calls go here
        if protos:
            window.open_proto_files(protos, list(getattr(args, "import_path", None) or []))
        else:
            window.open_protosets(protosets)
        return True
    if address:
        window.connect_to(address)
        return True
    return False
