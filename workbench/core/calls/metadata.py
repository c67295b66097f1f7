"""Call metadata (gRPC headers and trailers): validation, conversion and display.

gRPC metadata is an ordered multi-map of lower-case ASCII keys. Keys ending in ``-bin`` carry
arbitrary bytes (base64-encoded on the wire by the transport, not by us); every other key
carries printable ASCII text. grpc raises deep inside the C core on a violation, so we check
before the call starts and name the offending entry.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence

from workbench.core.errors import UsageError

#: One metadata entry: ``-bin`` keys carry bytes, all others text.
MetadataValue = str | bytes
#: Metadata as the engine keeps it: an immutable ordered sequence of entries.
Metadata = tuple[tuple[str, MetadataValue], ...]

# Headers the transport owns; setting them from an application is either rejected by
# grpc or silently overwritten, which would make the request view lie.
_RESERVED = frozenset({"content-type", "te", "host", "connection", "grpc-timeout", "grpc-encoding"})
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def normalize_metadata(items: Iterable[tuple[str, MetadataValue]]) -> Metadata:
    """Validate outgoing metadata and return it in the engine's form.

    Keys are lower-cased. A text value given for a ``-bin`` key is encoded as UTF-8.

    Raises:
        UsageError: a key is empty, has characters gRPC forbids, is reserved by the
            transport, or a non-``-bin`` key has a bytes or non-printable value.
    """
    out: list[tuple[str, MetadataValue]] = []
    for raw_key, value in items:
        key = raw_key.strip().lower()
        if not key or not set(key) <= _KEY_CHARS:
            raise UsageError(
                f"bad metadata key {raw_key!r}",
                hint="keys may use letters, digits, '-', '_' and '.'",
            )
        if key.startswith((":", "grpc-")) or key in _RESERVED:
            raise UsageError(
                f"metadata key {key!r} is reserved by the gRPC transport",
                hint="remove it; the transport sets it itself",
            )
        if key.endswith("-bin"):
            out.append((key, value.encode() if isinstance(value, str) else bytes(value)))
            continue
        if isinstance(value, bytes):
            raise UsageError(
                f"metadata {key!r} has a binary value but is not a binary key",
                hint=f"name it {key}-bin to send bytes",
            )
        if not value.isascii() or not value.isprintable():
            raise UsageError(
                f"metadata {key!r} has a value with non-printable or non-ASCII characters",
                hint=f"send it as binary under {key}-bin, or percent-encode it",
            )
        out.append((key, value))
    return tuple(out)


def from_grpc(metadata: Iterable[tuple[str, MetadataValue]] | None) -> Metadata:
    """Convert grpc's ``Metadata`` (or any sequence of pairs) to the engine's form."""
    if not metadata:
        return ()
    return tuple((str(k), v) for k, v in metadata)


def metadata_get(metadata: Metadata, key: str) -> list[MetadataValue]:
    """All values of ``key`` in ``metadata``, in order."""
    return [v for k, v in metadata if k == key]


def format_value(value: MetadataValue) -> str:
    """A value as text: binary values as base64 (the form ``-H`` takes them back in)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def format_metadata(metadata: Metadata) -> list[str]:
    """``key: value`` lines for display (binary values base64-encoded)."""
    return [f"{k}: {format_value(v)}" for k, v in metadata]


def decode_binary_value(text: str) -> bytes:
    """The bytes of a ``-bin`` metadata value given as base64, padded or not.

    Raises:
        binascii.Error: ``text`` is not base64.
    """
    # Accept unpadded base64 too: grpc itself emits it without padding.
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def parse_metadata(items: Sequence[str]) -> list[tuple[str, MetadataValue]]:
    """Parse ``-H 'key: value'`` strings; ``-bin`` keys take base64 and become bytes.

    Raises:
        UsageError: an item has no ``:``, a bad key, or a ``-bin`` value that is not base64.
    """
    out: list[tuple[str, MetadataValue]] = []
    for item in items:
        key, sep, value = item.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            raise UsageError(f"bad metadata {item!r}", hint="use -H 'key: value'")
        if not set(key) <= _KEY_CHARS:
            raise UsageError(
                f"bad metadata key {key!r}", hint="keys may use letters, digits, '-', '_', '.'"
            )
        value = value.strip()
        if key.endswith("-bin"):
            try:
                out.append((key, decode_binary_value(value)))
            except (binascii.Error, ValueError):
                raise UsageError(
                    f"metadata {key!r} is a binary key but its value is not base64",
                    hint="-bin keys take base64, e.g. -H 'trace-bin: AAEC'",
                ) from None
        else:
            out.append((key, value))
    return out
