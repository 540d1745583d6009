"""The protobuf wire format, as far as reading and re-writing ONNX files needs it.

ONNX files are protobuf messages (``onnx.proto``). Reading a few fields of
one (its metadata, `openpose.models.onnx_metadata`) or keeping only some of
its repeated fields (a network cut after a stage, `openpose.stages`) needs
neither onnx nor protobuf: a message is a sequence of fields, each a key
(field number and wire type, a varint) and a value. ONNX uses three wire
types: varints (0), 64-bit (1) and 32-bit (5) scalars, and length-delimited
values (2: strings, bytes, sub-messages, packed arrays).
"""

from __future__ import annotations

import io
from typing import BinaryIO, NamedTuple

__all__ = ["Field", "encode_field", "encode_varint", "fields", "length_delimited", "read_varint", "strings"]

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_FIXED = {FIXED64: 8, FIXED32: 4}


def read_varint(stream: BinaryIO) -> int:
    """The varint at the stream's position (the position moves past it)."""
    result = shift = 0
    while True:
        byte = stream.read(1)
        if not byte:
            msg = "truncated varint"
            raise EOFError(msg)
        result |= (byte[0] & 0x7F) << shift
        if byte[0] < 0x80:
            return result
        shift += 7
        if shift > 63:
            msg = "varint longer than 10 bytes"
            raise ValueError(msg)


def _walk(stream: BinaryIO, end: int):
    """``(number, start, value_start, stop)`` of each field from the stream's position to `end`.

    `start` and `stop` bound the whole field (key included); `value_start`
    is where a length-delimited value begins (None for the other wire
    types). Values are skipped, not read: the caller may read one between
    two steps, and the walk goes on from `stop`.
    """
    while stream.tell() < end:
        start = stream.tell()
        key = read_varint(stream)
        number, wire = key >> 3, key & 7
        value_start = None
        if wire == VARINT:
            read_varint(stream)
        elif wire in _FIXED:
            stream.seek(_FIXED[wire], 1)
        elif wire == LENGTH_DELIMITED:
            length = read_varint(stream)
            value_start = stream.tell()
            stream.seek(length, 1)
        else:
            msg = f"wire type {wire} is not used by ONNX"
            raise ValueError(msg)
        stop = stream.tell()
        if stop > end:
            msg = "field runs past the end"
            raise EOFError(msg)
        yield number, start, value_start, stop
        stream.seek(stop)


def length_delimited(stream: BinaryIO, end: int, wanted: int):
    """The bytes of each length-delimited field number `wanted` before `end`; other fields are skipped."""
    for number, _, value_start, stop in _walk(stream, end):
        if number == wanted and value_start is not None:
            stream.seek(value_start)
            yield stream.read(stop - value_start)


class Field(NamedTuple):
    """One field of a message: its number, its encoded bytes (key included) and, if length-delimited, its value."""

    number: int
    raw: bytes
    value: bytes | None


def fields(message: bytes) -> list[Field]:
    """The fields of an encoded message, in order."""
    return [Field(number, message[start:stop], None if value_start is None else message[value_start:stop])
            for number, start, value_start, stop in _walk(io.BytesIO(message), len(message))]


def strings(message: bytes, number: int) -> list[str]:
    """The values of the (repeated) string field `number` of an encoded message."""
    return [f.value.decode("utf-8") for f in fields(message) if f.number == number and f.value is not None]


def encode_varint(value: int) -> bytes:
    """A varint's bytes."""
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def encode_field(number: int, value: bytes) -> bytes:
    """A length-delimited field: key, length, value."""
    return encode_varint(number << 3 | LENGTH_DELIMITED) + encode_varint(len(value)) + value
