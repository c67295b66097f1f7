"""Connection settings per server, remembered across sessions in the window state.

The connection dialog's result is kept per address: in the loader for this session, and as
JSON in :class:`~workbench.ui.state.UiState` for the next. Settings given on the command
line stay the default for addresses that have none of their own.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from typing import Any

from workbench.core.calls.channels import TlsConfig
from workbench.core.errors import UsageError
from workbench.ui.state import UiState
from workbench.ui.views.connect import ConnectionSettings, SchemaLoader

__all__ = ["remember", "restore_saved", "settings_from_dict", "settings_to_dict"]

logger = logging.getLogger(__name__)


def settings_to_dict(settings: ConnectionSettings) -> dict[str, Any]:
    """A JSON-ready form of ``settings`` (binary metadata in base64)."""
    return {
        "plaintext": settings.plaintext,
        "ca_file": settings.tls.ca_file,
        "cert_file": settings.tls.cert_file,
        "key_file": settings.tls.key_file,
        "insecure": settings.tls.insecure,
        "authority": settings.authority,
        "metadata": [
            [key, base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value]
            for key, value in settings.metadata
        ],
        "connect_timeout": settings.connect_timeout,
        "default_timeout": settings.default_timeout,
        "max_msg_size": settings.max_msg_size,
    }


def settings_from_dict(data: Mapping[str, Any]) -> ConnectionSettings:
    """Read what :func:`settings_to_dict` wrote.

    Raises:
        UsageError: the data is not in that form (e.g. a hand-edited state file).
    """
    try:
        metadata: list[tuple[str, str | bytes]] = []
        for raw_key, raw_value in data.get("metadata") or ():
            key, value = str(raw_key), str(raw_value)
            metadata.append((key, base64.b64decode(value) if key.endswith("-bin") else value))
        plaintext = data.get("plaintext")
        timeout = data.get("default_timeout")
        max_size = data.get("max_msg_size")
        return ConnectionSettings(
            plaintext=plaintext if isinstance(plaintext, bool) else None,
            tls=TlsConfig(
                ca_file=_text_or_none(data.get("ca_file")),
                cert_file=_text_or_none(data.get("cert_file")),
                key_file=_text_or_none(data.get("key_file")),
                insecure=bool(data.get("insecure", False)),
            ),
            authority=_text_or_none(data.get("authority")),
            metadata=tuple(metadata),
            connect_timeout=float(data.get("connect_timeout") or 10.0),
            default_timeout=float(timeout) if timeout else None,
            max_msg_size=int(max_size) if max_size else None,
        )
    except (TypeError, ValueError, binascii.Error) as exc:
        raise UsageError(f"unreadable connection settings: {exc}") from None


def restore_saved(loader: SchemaLoader, state: UiState, address: str) -> None:
    """Give ``loader`` the settings saved for ``address``, unless this session set some."""
    address = address.strip()
    saved = state.connection_settings(address) if address else None
    if saved is None or loader.settings_for(address) is not loader.settings:
        return
    try:
        loader.set_settings_for(address, settings_from_dict(saved))
    except UsageError as exc:
        logger.info("ignoring the saved settings of %s: %s", address, exc)


def remember(
    loader: SchemaLoader, state: UiState, address: str, settings: ConnectionSettings
) -> None:
    """Use ``settings`` for ``address`` from now on, in this session and the next."""
    loader.set_settings_for(address, settings)
    state.save_connection_settings(address, settings_to_dict(settings))


def _text_or_none(value: object) -> str | None:
    return str(value) if value else None
