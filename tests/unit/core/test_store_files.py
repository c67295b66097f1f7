"""Versioned JSON documents and atomic writes: the primitives every workspace file uses."""

from __future__ import annotations

import errno
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.core.errors import FileFormatError, StoreWriteError
from workbench.core.store import atomic
from workbench.core.store.atomic import atomic_write, read_if_changed, read_with_fingerprint
from workbench.core.store.documents import (
    dump_document,
    dump_json,
    load_json_bytes,
    parse_document,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_dump_json_matches_the_standard_pretty_printer(value: object) -> None:
    assert dump_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_numbers_survive_exactly_as_written(tmp_path: Path) -> None:
    text = '{"a": 1.10, "b": 1e3, "c": 9007199254740993, "d": -0.0}'
    value = load_json_bytes(text.encode(), tmp_path / "x.json")
    assert isinstance(value["a"], Decimal)
    assert (
        dump_json(value) == '{\n  "a": 1.10,\n  "b": 1e3,\n  "c": 9007199254740993,\n  "d": -0.0\n}'
    )


def test_document_header_and_trailing_newline() -> None:
    data = dump_document("request", 1, {"method": "a.B/C"})
    assert (
        data
        == b'{\n  "format": "grpc-workbench/request",\n  "version": 1,\n  "method": "a.B/C"\n}\n'
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'{"format": "grpc-workbench/request", "version": 1,,}',
            "line 1, column 51: invalid JSON",
        ),
        (b"", "the file is empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"format": "grpc-workbench/environment", "version": 1}', "not a request file"),
        (b'{"version": 1}', 'no "format" field'),
        (b'{"format": "grpc-workbench/request", "version": "1"}', '"version" must be'),
        (
            b'{"format": "grpc-workbench/request", "version": 7}',
            "written by a newer grpc-workbench",
        ),
        (b'{"format": "grpc-workbench/request", "version": 1, "x": NaN}', "NaN is not valid"),
    ],
)
def test_bad_documents_say_which_file_and_what(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "r.request.json"
    with pytest.raises(FileFormatError) as info:
        parse_document(content, path, kind="request", max_version=1)
    assert str(path) in info.value.message
    assert expected in info.value.message


def test_atomic_write_replaces_and_fingerprints(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    fp1 = atomic_write(path, b"one\n")
    assert path.read_bytes() == b"one\n"
    fp2 = atomic_write(path, b"two\n")
    assert path.read_bytes() == b"two\n"
    assert fp1.sha256 != fp2.sha256
    assert read_if_changed(path, fp2) is None
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_touch_without_content_change_is_not_a_change(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    fp = atomic_write(path, b"same\n")
    os.utime(path, ns=(fp.mtime_ns + 5_000_000_000, fp.mtime_ns + 5_000_000_000))
    assert read_if_changed(path, fp) is None
    path.write_bytes(b"other\n")
    fresh = read_if_changed(path, fp)
    assert fresh is not None and fresh[0] == b"other\n"


def test_disk_full_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.json"
    atomic_write(path, b"precious\n")

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", full)
    with pytest.raises(StoreWriteError) as info:
        atomic_write(path, b"new\n")
    assert "the disk is full" in info.value.message
    assert "nothing was lost" in info.value.hint
    assert path.read_bytes() == b"precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "f.json").write_bytes(b"keep\n")
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreWriteError) as info:
            atomic_write(folder / "f.json", b"new\n")
    finally:
        folder.chmod(0o700)
    assert "permission denied" in info.value.message
    assert "not writable" in info.value.hint
    assert (folder / "f.json").read_bytes() == b"keep\n"


def test_read_only_folder_reports_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores permission bits, so simulate what the OS says for a read-only folder.
    def refuse(**kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(StoreWriteError) as info:
        atomic_write(tmp_path / "f.json", b"x", what='request "Get"')
    assert info.value.message == 'cannot save request "Get": permission denied'
    assert str(tmp_path) in info.value.hint


def test_new_files_get_normal_permissions_and_secrets_private(tmp_path: Path) -> None:
    atomic_write(tmp_path / "shared.json", b"{}\n")
    atomic_write(tmp_path / "secret.json", b"{}\n", mode=0o600)
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "shared.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "secret.json").stat().st_mode & 0o777 == 0o600
    data, fp = read_with_fingerprint(tmp_path / "shared.json")
    assert data == b"{}\n" and fp.size == 3


DOC = Path(__file__).resolve().parents[3] / "docs" / "workspace-format.md"


def test_documented_examples_are_exactly_what_the_app_writes(tmp_path: Path) -> None:
    from workbench.core.store.environments import Environment
    from workbench.core.store.requests import load_request
    from workbench.core.store.workspace_file import WorkspaceSettings

    blocks = DOC.read_text().split("```json\n")[1:]
    checked = set()
    for block in blocks:
        text = block.split("```", 1)[0]
        data = text.encode()
        kind = json.loads(text)["format"].split("/", 1)[1]
        path = tmp_path / f"example.{kind}.json"
        if kind == "request":
            written = load_request(data, path, name="example").to_bytes()
        elif kind == "workspace":
            written = WorkspaceSettings.from_bytes(data, path).to_bytes()
        elif kind == "environment":
            written = Environment.from_bytes(data, path, name="dev").to_bytes()
        else:
            written = (dump_json(load_json_bytes(data, path)) + "\n").encode()
        assert written.decode() == text, kind
        checked.add(kind)
    assert checked == {"workspace", "request", "environment", "secrets", "collection"}
