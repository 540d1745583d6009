"""The wire-format reader and writer behind ONNX metadata and cut networks (openpose._protobuf)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openpose._protobuf import encode_field, encode_varint, fields, length_delimited, read_varint, strings


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_varints_round_trip(value):
    data = encode_varint(value)
    assert len(data) == max(1, (value.bit_length() + 6) // 7)
    stream = io.BytesIO(data + b"\x01")
    assert read_varint(stream) == value and stream.tell() == len(data)


def test_known_encodings():
    # protobuf's documentation examples: 1 is 01, 150 is 96 01; field 1 = "testing" is 0a 07 ...
    assert encode_varint(1) == b"\x01" and encode_varint(150) == b"\x96\x01"
    assert encode_field(1, b"testing") == b"\x0a\x07testing"


@given(st.lists(st.tuples(st.integers(1, 2000), st.binary(max_size=300)), max_size=8))
def test_fields_give_back_what_was_encoded(entries):
    varint = encode_varint(3 << 3) + encode_varint(2**40)  # field 3, a varint: no value
    fixed = encode_varint(4 << 3 | 5) + b"\x00\x00\x80\x3f"  # field 4, a 32-bit float
    message = varint + b"".join(encode_field(n, v) for n, v in entries) + fixed
    got = fields(message)
    assert [f.number for f in got] == [3, *(n for n, _ in entries), 4]
    assert [f.value for f in got] == [None, *(v for _, v in entries), None]
    assert b"".join(f.raw for f in got) == message
    for number in {n for n, _ in entries}:
        wanted = [v for n, v in entries if n == number]
        assert list(length_delimited(io.BytesIO(message), len(message), number)) == wanted


def test_strings_and_broken_messages():
    message = encode_field(1, b"a") + encode_field(2, b"x") + encode_field(1, "é".encode())
    assert strings(message, 1) == ["a", "é"] and strings(message, 9) == []
    with pytest.raises(EOFError):
        fields(encode_field(1, b"abc")[:-1])  # a value cut short
    with pytest.raises(EOFError):
        fields(b"\x08")  # a key without its varint
    with pytest.raises(ValueError, match="wire type 3"):
        fields(b"\x0b")  # group start: not in ONNX
    with pytest.raises(ValueError, match="longer than 10 bytes"):
        read_varint(io.BytesIO(b"\xff" * 11))
