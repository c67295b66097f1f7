"""Command-line options shared by the CLI commands and the GUI, and what they build.

The options map one to one onto core objects: connection flags → :class:`Target`, source
flags → a :class:`DescriptorSource`. Nothing here talks to a server.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from workbench.core.calls.channels import Target, TlsConfig
from workbench.core.calls.metadata import parse_metadata
from workbench.core.errors import UsageError
from workbench.core.schema.sources import DescriptorSource


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """--proto/-I/--protoset: read the schema from files instead of reflection."""
    g = parser.add_argument_group("schema source (default: server reflection)")
    g.add_argument(
        "--proto",
        action="append",
        default=[],
        metavar="FILE",
        help=".proto file to read the schema from (repeatable)",
    )
    g.add_argument(
        "-I",
        "--import-path",
        action="append",
        default=[],
        metavar="DIR",
        help="directory to resolve imports from (repeatable; detected when omitted)",
    )
    g.add_argument(
        "--protoset",
        action="append",
        default=[],
        metavar="FILE",
        help="FileDescriptorSet file to read the schema from (repeatable)",
    )


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """TLS, authority, metadata and timeouts."""
    g = parser.add_argument_group("connection")
    g.add_argument(
        "--plaintext",
        action="store_true",
        default=None,
        help="no TLS (the default for loopback addresses and unix sockets)",
    )
    g.add_argument(
        "--tls",
        dest="plaintext",
        action="store_false",
        help="use TLS even for a loopback address",
    )
    g.add_argument(
        "--insecure",
        action="store_true",
        help="TLS without verifying the server certificate (insecure!)",
    )
    g.add_argument("--cacert", metavar="FILE", help="CA certificates (PEM) to verify the server")
    g.add_argument("--cert", metavar="FILE", help="client certificate (PEM) for mutual TLS")
    g.add_argument("--key", metavar="FILE", help="client private key (PEM) for mutual TLS")
    g.add_argument(
        "--authority",
        metavar="NAME",
        help=":authority header, also the name checked in the server certificate",
    )
    g.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'KEY: VALUE'",
        help="request metadata (repeatable; -bin keys take base64)",
    )
    g.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the connection (default 10)",
    )


def add_call_options(parser: argparse.ArgumentParser) -> None:
    """Options only ``call`` has."""
    g = parser.add_argument_group("call")
    g.add_argument(
        "-d",
        "--data",
        metavar="JSON|@FILE|@-",
        help="request as JSON; @FILE reads a file, @- reads stdin (a stream of JSON objects "
        "for client and bidi streams). Default: an empty request",
    )
    g.add_argument(
        "-v", "--verbose", action="store_true", help="also print headers, trailers and timing"
    )
    g.add_argument("--max-time", type=float, metavar="SECONDS", help="deadline for the call")
    g.add_argument(
        "--emit-defaults", action="store_true", help="print fields that have default values"
    )
    g.add_argument(
        "--format", choices=("json", "text"), default="json", help="output format (default json)"
    )
    g.add_argument(
        "--describe-request",
        action="store_true",
        help="print an example request for METHOD as JSON and exit",
    )
    g.add_argument("--compression", choices=("none", "gzip", "deflate"), default="none")
    g.add_argument(
        "--max-msg-size", type=int, metavar="BYTES", help="max message size to send and receive"
    )
    g.add_argument(
        "--keepalive-time", type=float, metavar="SECONDS", help="send keepalive pings this often"
    )
    g.add_argument(
        "--keepalive-timeout", type=float, metavar="SECONDS", help="wait this long for a ping ack"
    )
    g.add_argument(
        "--lb",
        choices=("pick_first", "round_robin"),
        help="load-balancing policy for targets with several backends",
    )


@dataclass(frozen=True)
class Positionals:
    """ADDRESS and the command's symbol after interpreting the positional arguments."""

    address: str | None
    symbol: str | None


def looks_like_address(text: str) -> bool:
    """Whether ``text`` is a server address rather than a proto symbol."""
    return ":" in text


def split_positionals(args: argparse.Namespace, *, symbol_required: bool = False) -> Positionals:
    """Interpret ``[ADDRESS] [SYMBOL]`` the way grpcurl does.

    With a file source the address is optional, so a lone positional that does not look like
    an address (``host:port``, ``unix:...``) is the symbol.
    """
    pos: list[str] = list(args.positionals)
    has_files = bool(args.proto or args.protoset)
    if len(pos) > 2:
        raise UsageError(f"too many arguments: {' '.join(pos[2:])}")
    if len(pos) == 2:
        return Positionals(pos[0], pos[1])
    if len(pos) == 1:
        if has_files and not looks_like_address(pos[0]):
            return Positionals(None, pos[0])
        if symbol_required and not looks_like_address(pos[0]):
            raise UsageError(
                f"no server address given for {pos[0]}",
                hint="give ADDRESS first, or read the schema with --proto/--protoset",
            )
        return Positionals(pos[0], None)
    if has_files:
        return Positionals(None, None)
    raise UsageError(
        "no server address given",
        hint="give ADDRESS (e.g. localhost:50051) or read the schema with --proto/--protoset",
    )


def target_from_args(args: argparse.Namespace, address: str) -> Target:
    """The :class:`Target` the connection flags describe."""
    return Target(
        address=address,
        plaintext=args.plaintext,
        tls=TlsConfig(
            ca_file=args.cacert, cert_file=args.cert, key_file=args.key, insecure=args.insecure
        ),
        authority=args.authority,
        connect_timeout=args.connect_timeout,
        compression=getattr(args, "compression", "none"),
        max_msg_size=getattr(args, "max_msg_size", None),
        keepalive_time=getattr(args, "keepalive_time", None),
        keepalive_timeout=getattr(args, "keepalive_timeout", None),
        lb_policy=getattr(args, "lb", None),
    )


def metadata_from_args(args: argparse.Namespace) -> list[tuple[str, str | bytes]]:
    """The ``-H`` metadata."""
    return parse_metadata(args.header)


def source_from_args(
    args: argparse.Namespace, target: Target | None, *, channels: object | None = None
) -> DescriptorSource:
    """Files when --proto/--protoset were given, otherwise reflection on ``target``."""
    if args.proto and args.protoset:
        raise UsageError("use either --proto or --protoset, not both")
    if args.import_path and not args.proto:
        raise UsageError("-I/--import-path only makes sense with --proto")
    if args.proto:
        from workbench.core.schema.files import ProtoFileSource

        return ProtoFileSource(args.proto, args.import_path)
    if args.protoset:
        from workbench.core.schema.protoset import ProtosetSource

        return ProtosetSource(args.protoset)
    if target is None:
        raise UsageError("no server address given", hint="or use --proto/--protoset")
    from workbench.core.calls.channels import ChannelManager
    from workbench.core.schema.reflection import ReflectionSource

    return ReflectionSource(
        target,
        metadata=metadata_from_args(args),
        channels=channels if isinstance(channels, ChannelManager) else None,
    )
