"""A stream of JSON documents → request messages, for client and bidi streaming from stdin.

``grpc-workbench call -d @-`` reads messages as a person types them or as another program
writes them: JSON values concatenated or one per line. Each one must be sent as soon as its
closing brace arrives, so :class:`JsonDocumentSplitter` is incremental: it only tracks
nesting and strings (braces inside strings and escaped quotes do not count) and hands out
each complete document with its starting position in the whole input. Parsing is left to
:func:`parse_document`, which reports errors with line/column relative to the whole stream.

A top-level JSON array is taken as a list of messages (``[{...}, {...}]`` sends two), unless
the request type is itself ``google.protobuf.ListValue`` or ``Value``, whose JSON form is an
array. Anything else between documents (a stray ``}`` or a separating comma) becomes a
one-character document that fails to parse at its own position, so errors stay in order.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from workbench.core.errors import RequestParseError
from workbench.core.messages import wkt
from workbench.core.messages.codec import parse_value
from workbench.core.messages.fieldpath import index_path
from workbench.core.messages.jsontext import load_json

__all__ = ["Document", "JsonDocumentSplitter", "iter_documents", "parse_document"]

_NON_SPACE: Final = re.compile(r"\S")
_CONTAINER_EVENT: Final = re.compile(r'[{}\[\]"]')
_STRING_EVENT: Final = re.compile(r'["\\]')
_LITERAL_END: Final = re.compile(r'[\s{}\[\]",:]')
_STRAY: Final = frozenset("}],:")
_CLOSER: Final = {"{": "}", "[": "]"}


@dataclass(frozen=True)
class Document:
    """One complete top-level JSON value cut from a stream.

    Attributes:
        text: the value's text, exactly as in the input.
        line: 1-based line of its first character in the whole input.
        column: 1-based column of its first character.
        offset: 0-based character offset of its first character.
    """

    text: str
    line: int
    column: int
    offset: int


class _State(enum.Enum):
    BETWEEN = "between"
    CONTAINER = "container"
    STRING = "string"  # a top-level string value
    LITERAL = "literal"  # a top-level number, true, false or null


class JsonDocumentSplitter:
    """Cuts a character stream into top-level JSON values as soon as each one is complete.

    Feed it chunks of any size (a line from a terminal, a block from a pipe); the boundaries
    may fall anywhere, even inside a string or an escape sequence.
    """

    def __init__(self) -> None:
        self._state = _State.BETWEEN
        self._parts: list[str] = []
        self._openers: list[str] = []  # the unclosed '{' and '[' of the current document
        self._in_string = False
        self._escape = False
        self._line, self._column, self._offset = 1, 1, 0  # position of the next character
        self._start = (1, 1, 0)

    def feed(self, chunk: str) -> list[Document]:
        """Consume ``chunk`` and return the documents it completed, in order."""
        done: list[Document] = []
        if self._offset == 0 and not self._parts:
            # A byte-order mark from a Windows editor or shell is not part of the JSON.
            chunk = chunk.removeprefix("\ufeff")
        i, n = 0, len(chunk)
        while i < n:
            if self._state is _State.BETWEEN:
                i = self._begin(chunk, i, done)
            elif self._state is _State.LITERAL:
                m = _LITERAL_END.search(chunk, i)
                end = m.start() if m else n
                self._take(chunk, i, end)
                i = end
                if m:
                    done.append(self._finish())
            else:
                i = self._scan(chunk, i, done)
        return done

    def close(self) -> list[Document]:
        """End the input; return a trailing top-level literal (``42``) if one was pending.

        Raises:
            RequestParseError: the input ended inside a document; the position is where that
                document starts.
        """
        if self._state is _State.LITERAL:
            return [self._finish()]
        if self._state is _State.BETWEEN:
            return []
        if self._in_string:
            missing = 'a closing " (the input ends inside a string)'
        else:
            missing = " ".join(_CLOSER[o] for o in reversed(self._openers))
        line, column, _ = self._start
        raise RequestParseError(
            f"the input ended before this JSON value was complete: missing {missing}",
            line=line,
            column=column,
        )

    # -- scanning ---------------------------------------------------------------------

    def _begin(self, chunk: str, i: int, done: list[Document]) -> int:
        m = _NON_SPACE.search(chunk, i)
        if m is None:
            self._advance(chunk, i, len(chunk))
            return len(chunk)
        start = m.start()
        self._advance(chunk, i, start)
        self._start = (self._line, self._column, self._offset)
        ch = chunk[start]
        self._take(chunk, start, start + 1)
        if ch in _CLOSER:
            self._state = _State.CONTAINER
            self._openers = [ch]
        elif ch == '"':
            self._state = _State.STRING
            self._in_string = True
        elif ch in _STRAY:
            done.append(self._finish())
        else:
            self._state = _State.LITERAL
        return start + 1

    def _scan(self, chunk: str, i: int, done: list[Document]) -> int:
        """Consume container or string text from ``i``; finish the document if it closes."""
        n = len(chunk)
        while i < n:
            if self._in_string:
                end = self._string_end(chunk, i)
                self._take(chunk, i, n if end is None else end)
                if end is None:
                    return n
                i = end
                self._in_string = False
                if self._state is _State.STRING:
                    done.append(self._finish())
                    return i
                continue
            m = _CONTAINER_EVENT.search(chunk, i)
            if m is None:
                self._take(chunk, i, n)
                return n
            self._take(chunk, i, m.end())
            i = m.end()
            ch = m.group()
            if ch == '"':
                self._in_string = True
            elif ch in _CLOSER:
                self._openers.append(ch)
            else:
                # A mismatched closer still closes a level; the parser reports the mismatch.
                self._openers.pop()
                if not self._openers:
                    done.append(self._finish())
                    return i
        return i

    def _string_end(self, chunk: str, i: int) -> int | None:
        """Index just past the closing quote, or None when the chunk ends inside the string."""
        n = len(chunk)
        while i < n:
            if self._escape:  # the escaped character may be the first of a new chunk
                self._escape = False
                i += 1
                continue
            m = _STRING_EVENT.search(chunk, i)
            if m is None:
                return None
            i = m.end()
            if m.group() == '"':
                return i
            self._escape = True
        return None

    def _take(self, chunk: str, start: int, end: int) -> None:
        self._parts.append(chunk[start:end])
        self._advance(chunk, start, end)

    def _advance(self, chunk: str, start: int, end: int) -> None:
        newlines = chunk.count("\n", start, end)
        if newlines:
            self._line += newlines
            self._column = end - chunk.rfind("\n", start, end)
        else:
            self._column += end - start
        self._offset += end - start

    def _finish(self) -> Document:
        line, column, offset = self._start
        doc = Document("".join(self._parts), line, column, offset)
        self._parts = []
        self._openers = []
        self._state = _State.BETWEEN
        return doc


def iter_documents(text: str) -> Iterator[Document]:
    """Every top-level JSON value in ``text``.

    Raises:
        RequestParseError: the text ends inside a value.
    """
    splitter = JsonDocumentSplitter()
    yield from splitter.feed(text)
    yield from splitter.close()


def parse_document(
    doc: Document,
    desc: Descriptor,
    *,
    pool: descriptor_pool.DescriptorPool | None = None,
    ignore_unknown: bool = False,
    expand_arrays: bool = True,
) -> list[Message]:
    """The request messages in one document: one, or one per element of a top-level array.

    Args:
        doc: a document from :class:`JsonDocumentSplitter` or :func:`iter_documents`.
        desc: the request message type.
        pool: resolves ``Any`` type URLs; defaults to the pool ``desc`` belongs to.
        ignore_unknown: skip unknown fields and enum names instead of failing.
        expand_arrays: treat a top-level array as a list of messages (paths then start with
            the element index, ``[2].name``); ignored for ``ListValue``/``Value`` requests.

    Raises:
        RequestParseError: with ``line``/``column`` relative to the whole input: where the
            syntax error is, or where the document starts for a bad field value.
    """
    if doc.text in _STRAY:
        raise RequestParseError(
            f"unexpected {doc.text!r} between JSON values",
            line=doc.line,
            column=doc.column,
            hint="separate messages with spaces or newlines, or send them as one JSON array",
        )
    try:
        value = load_json(doc.text)
        if isinstance(value, list) and expand_arrays and desc.full_name not in _ARRAY_TYPES:
            return [
                parse_value(item, desc, pool, index_path("", i), ignore_unknown=ignore_unknown)
                for i, item in enumerate(value)
            ]
        return [parse_value(value, desc, pool, ignore_unknown=ignore_unknown)]
    except RequestParseError as exc:
        raise _relocate(exc, doc) from exc


_ARRAY_TYPES: Final = frozenset({wkt.LIST_VALUE, wkt.VALUE})


def _relocate(exc: RequestParseError, doc: Document) -> RequestParseError:
    """``exc`` with its position moved from document-relative to stream-relative."""
    detail = exc.message
    if exc.line is not None:
        prefix = f"line {exc.line}" + (f", column {exc.column}" if exc.column is not None else "")
        detail = detail.removeprefix(prefix + ": ")
        line = doc.line + exc.line - 1
        column = exc.column
        if column is not None and exc.line == 1:
            column += doc.column - 1
    else:
        line, column = doc.line, doc.column
    if exc.path:
        detail = detail.removeprefix(f"{exc.path}: ")
    return RequestParseError(detail, path=exc.path, line=line, column=column, hint=exc.hint)
