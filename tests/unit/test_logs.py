"""Application logging: the rotating file in the user log folder and warnings on stderr."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.app import logs
from workbench.core import paths


@pytest.fixture(autouse=True)
def restore_logging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A log folder of the test's own; the root logger as it was afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in logs._QUIET}
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
        for name, old in quiet.items():
            logging.getLogger(name).setLevel(old)
        logging.captureWarnings(False)


def flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_the_log_file_lives_in_the_user_log_folder(tmp_path: Path) -> None:
    path = logs.setup_logging(verbose=False)
    assert path == paths.log_dir() / "grpc-workbench.log"
    assert path.is_relative_to(tmp_path / "state")
    assert path.is_file()


def test_info_goes_to_the_file_and_warnings_also_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = logs.setup_logging(verbose=False)
    log = logging.getLogger("workbench.test")
    log.debug("a debug detail")
    log.info("connected to somewhere")
    log.warning("settings file was corrupt")
    flush()
    text = path.read_text(encoding="utf-8")
    assert "grpc-workbench 0.1.0, Python" in text  # the header a bug report needs
    assert "INFO     workbench.test: connected to somewhere" in text
    assert "WARNING  workbench.test: settings file was corrupt" in text
    assert "a debug detail" not in text
    err = capsys.readouterr().err
    assert "WARNING workbench.test: settings file was corrupt" in err
    assert "connected to somewhere" not in err


def test_verbose_records_debug_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    path = logs.setup_logging(verbose=True)
    logging.getLogger("workbench.test").debug("frame %d", 7)
    flush()
    assert "DEBUG    workbench.test: frame 7" in path.read_text(encoding="utf-8")
    assert "DEBUG workbench.test: frame 7" in capsys.readouterr().err


def test_a_second_setup_replaces_the_first(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging(verbose=True)
    path = logs.setup_logging(verbose=False)
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logs._OurHandler)]
    assert len(ours) == 2
    logging.getLogger("workbench.test").warning("once")
    flush()
    assert capsys.readouterr().err.count("once") == 1
    assert path.read_text(encoding="utf-8").count("once") == 1


def test_the_file_rotates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = logs.setup_logging(verbose=False)
    log = logging.getLogger("workbench.test")
    for i in range(200):
        log.info("line %d %s", i, "x" * 40)
    flush()
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == [
        "grpc-workbench.log",
        "grpc-workbench.log.1",
        "grpc-workbench.log.2",
        "grpc-workbench.log.3",
    ]
    assert "line 199" in path.read_text(encoding="utf-8")


def test_python_warnings_are_logged() -> None:
    path = logs.setup_logging(verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
    flush()
    assert "DeprecationWarning: old API" in path.read_text(encoding="utf-8")


def test_an_unwritable_log_folder_falls_back_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # the folder cannot be created
    path = logs.setup_logging(verbose=False)
    assert not path.exists()
    assert f"not writing a log file to {path.parent}" in capsys.readouterr().err
    logging.getLogger("workbench.test").error("still shown")
    assert "still shown" in capsys.readouterr().err
