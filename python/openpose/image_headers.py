"""What an image file's first bytes say, read without decoding it.

`image_header_size` reads the size from the header of the formats OpenCV
decodes (PNG, JPEG, BMP, WebP, TIFF, PNM, GIF), so that the input layer
(`openpose.sources`) refuses a huge image before its pixels are allocated;
`jpeg_is_truncated` walks a JPEG's marker structure, because OpenCV decodes
a truncated JPEG "successfully" (grey rows and a warning).
"""

from __future__ import annotations

__all__ = ["JPEG_EXTENSIONS", "image_header_size", "jpeg_is_truncated"]


def _be(data: bytes, i: int, n: int) -> int:
    return int.from_bytes(data[i:i + n], "big")


def _le(data: bytes, i: int, n: int) -> int:
    return int.from_bytes(data[i:i + n], "little")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 3 < n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            i += 2
            continue
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if i + 9 > n:
                return None
            return _be(data, i + 7, 2), _be(data, i + 5, 2)
        if marker == 0xDA:
            return None
        i += 2 + _be(data, i + 2, 2)
    return None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    get = _le if data[:2] == b"II" else _be
    ifd = get(data, 4, 4)
    if ifd + 2 > len(data):
        return None
    width = height = None
    for k in range(get(data, ifd, 2)):
        e = ifd + 2 + 12 * k
        if e + 12 > len(data):
            break
        tag, typ = get(data, e, 2), get(data, e + 2, 2)
        value = get(data, e + 8, 2) if typ == 3 else get(data, e + 8, 4)
        if tag == 256:
            width = value
        elif tag == 257:
            height = value
    return (width, height) if width and height else None


def _pnm_size(data: bytes) -> tuple[int, int] | None:
    tokens: list[int] = []
    for line in data[2:4096].split(b"\n"):
        for token in line.split(b"#")[0].split():
            if not token.isdigit():
                return None
            tokens.append(int(token))
            if len(tokens) == 2:
                return tokens[0], tokens[1]
    return None


def image_header_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from the header of a PNG, JPEG, BMP, WebP, TIFF, PNM or GIF file, None for other files.

    Read from the bytes without decoding, so that a huge image is refused
    before its pixels are allocated.
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return _be(data, 16, 4), _be(data, 20, 4)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:2] == b"BM" and len(data) >= 26:
        return abs(int.from_bytes(data[18:22], "little", signed=True)), abs(
            int.from_bytes(data[22:26], "little", signed=True))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            return 1 + _le(data, 24, 3), 1 + _le(data, 27, 3)
        if chunk == b"VP8L":
            bits = _le(data, 21, 4)
            return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        if chunk == b"VP8 ":
            return _le(data, 26, 2) & 0x3FFF, _le(data, 28, 2) & 0x3FFF
        return None
    if data[:4] in (b"II*\x00", b"MM\x00*") and len(data) >= 8:
        return _tiff_size(data)
    if len(data) >= 3 and data[:1] == b"P" and data[1:2] in b"123456" and data[2:3].isspace():
        return _pnm_size(data)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return _le(data, 6, 2), _le(data, 8, 2)  # the logical screen, which holds every frame
    return None


#: File name extensions of JPEG files.
JPEG_EXTENSIONS = frozenset((".jpg", ".jpeg", ".jpe"))


def jpeg_is_truncated(data: bytes) -> bool:
    """True for a JPEG stream that ends before its end-of-image marker.

    OpenCV (libjpeg) decodes such a file "successfully", painting the
    missing rows gray and only printing a warning, so the command checks the
    marker structure itself: segments are skipped by their lengths (an EXIF
    thumbnail's own end marker is inside one), entropy-coded data up to the
    next marker that is not a restart marker or a stuffed 0xFF; data after
    the end marker (e.g. a motion photo's video) is fine. Anything that is
    not a JPEG, or not well formed, is left to the decoder (False).
    """
    n = len(data)
    if data[:2] != b"\xff\xd8":
        return False
    i = 2
    while i + 1 < n:
        if data[i] != 0xFF:
            return False  # malformed: the decoder will say so
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:  # end of image
            return False
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            i += 2
            continue
        if i + 3 >= n:
            return True
        i += 2 + ((data[i + 2] << 8) | data[i + 3])
        if marker != 0xDA:  # not a start of scan
            continue
        while True:  # entropy-coded data
            j = data.find(b"\xff", i)
            if j < 0 or j + 1 >= n:
                return True
            following = data[j + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                i = j + 1
                continue
            i = j
            break
    return True
