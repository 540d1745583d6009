"""Caffe-to-ONNX conversion of OpenPose networks (CMU's COCO, MPI and BODY_25 models).

OpenCV 5 has no Caffe importer. :func:`convert_caffe` turns a ``.prototxt`` +
``.caffemodel`` pair into an ONNX model that ``cv2.dnn.readNetFromONNX``
(OpenCV 4.x, and every engine of 5.x) and onnxruntime load;
:func:`cached_onnx_for` converts once and reuses the result.

The conversion needs the optional dependencies ``onnx`` and ``protobuf``
(``pip install "openpose[convert]"``). Importing this package does not import
them: they are imported when a conversion runs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Union

from .._io import write_atomically

__all__ = ["DEFAULT_INPUT_SIZE", "SUPPORTED_LAYER_TYPES", "cached_onnx_for", "convert_caffe"]

logger = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

#: Default declared input size ``(width, height)``: the seed's 368-pixel-high, 656-wide input.
DEFAULT_INPUT_SIZE: tuple[int, int] = (656, 368)

#: Caffe layer types the converter handles (others raise ``ValueError`` naming the layer).
SUPPORTED_LAYER_TYPES = ("Input", "Convolution", "ReLU", "PReLU", "Pooling", "Concat", "Eltwise", "Dropout", "Split")

# Bump when the produced graph changes: cached conversions are keyed by it.
_FORMAT_VERSION = "1"

_INSTALL_HINT = 'pip install "openpose[convert]"'


def _require_dependencies():
    """Import the optional dependencies, or fail with the extra to install."""
    try:
        import google.protobuf  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as exc:
        msg = (
            f"converting Caffe models needs the optional dependencies `onnx` and `protobuf` "
            f"({exc}); install them with: {_INSTALL_HINT}"
        )
        raise ImportError(msg) from exc
    from . import _graph, _proto

    return _proto, _graph


def _check_input_size(input_size) -> tuple[int, int] | None:
    if input_size is None:
        return None
    try:
        width, height = input_size
    except (TypeError, ValueError):
        msg = f"`input_size` must be (width, height) or None, got {input_size!r}"
        raise TypeError(msg) from None
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or (not isinstance(value, (int,)) and not hasattr(value, "__index__")):
            msg = f"`input_size` {name} must be an integer, got {value!r}"
            raise TypeError(msg)
        if int(value) < 1:
            msg = f"`input_size` {name} must be positive, got {value!r}"
            raise ValueError(msg)
    return int(width), int(height)


def convert_caffe(
    prototxt: PathLike,
    caffemodel: PathLike,
    output: PathLike,
    *,
    input_size: tuple[int, int] | None = DEFAULT_INPUT_SIZE,
    outputs: Sequence[str] | None = None,
    layout: str | None = "auto",
) -> Path:
    """Convert a Caffe network to an ONNX file.

    Parameters
    ----------
    prototxt : str or path
        The deploy network description (Caffe text format), e.g. ``pose_deploy_linevec.prototxt``.
    caffemodel : str or path
        The trained weights (Caffe binary format), e.g. ``pose_iter_440000.caffemodel``.
    output : str or path
        The ONNX file to write (its folder must exist; an existing file is replaced).
    input_size : (int, int) or None, optional
        ``(width, height)`` declared for the input, batch 1: ``(656, 368)`` by default.
        OpenCV 4.x needs a declared size; the graph itself works at any size
        in runtimes that reshape (cv2.dnn does on ``setInput``) unless a pooling
        layer is padded. ``None`` declares a free batch, height and width
        (OpenCV 5.x, onnxruntime).
    outputs : sequence of str, optional
        Blobs to expose as outputs. Default: the blobs no layer consumes
        (``net_output`` in CMU's pose networks), named as in the prototxt.
    layout : str or None, optional
        Keypoint layout recorded in the model's metadata (``openpose.layout``).
        ``"auto"`` infers it from the output channel count: 57 COCO, 44 MPI,
        78 BODY_25 (no entry for other counts); ``None`` records none.

    Returns
    -------
    pathlib.Path
        `output`.

    Raises
    ------
    ImportError
        ``onnx`` or ``protobuf`` is missing (``pip install "openpose[convert]"``).
    ValueError
        A file cannot be parsed, a layer has a type the converter does not
        support (the message names the layer and its type), or weights are
        missing or mis-shaped.
    """
    input_size = _check_input_size(input_size)
    if layout is not None and not isinstance(layout, str):
        msg = f"`layout` must be a string or None, got {type(layout).__name__}"
        raise TypeError(msg)
    _proto, _graph = _require_dependencies()
    net = _proto.read_prototxt(prototxt)
    weights = _proto.read_caffemodel(caffemodel)
    model = _graph.build_model(net, weights, input_size=input_size, outputs=outputs, layout=layout,
                               source_name=Path(caffemodel).name)
    output = Path(output)
    data = model.SerializeToString()
    write_atomically(output, lambda tmp: Path(tmp).write_bytes(data))
    return output


def _user_cache_dir() -> Path:
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "openpose" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "openpose"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openpose"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_onnx_for(
    prototxt: PathLike,
    caffemodel: PathLike,
    *,
    cache_dir: PathLike | None = None,
    input_size: tuple[int, int] | None = DEFAULT_INPUT_SIZE,
) -> Path:
    """The ONNX conversion of a Caffe network, converted once and then reused.

    The cache key is the SHA-256 of the caffemodel and of the prototxt, the
    declared input size and the converter's format version, so edited or
    replaced weights are converted again.

    Parameters
    ----------
    prototxt, caffemodel : str or path
        The Caffe network, as for :func:`convert_caffe`.
    cache_dir : str or path, optional
        Where converted models are kept. Default: the user cache directory
        (``$XDG_CACHE_HOME/openpose`` or ``~/.cache/openpose`` on Linux,
        ``~/Library/Caches/openpose`` on macOS, ``%LOCALAPPDATA%\\openpose\\cache``
        on Windows).
    input_size : (int, int) or None, optional
        As for :func:`convert_caffe`.

    Returns
    -------
    pathlib.Path
        The cached ``.onnx`` file.
    """
    input_size = _check_input_size(input_size)
    prototxt, caffemodel = Path(prototxt), Path(caffemodel)
    for name, path in (("prototxt", prototxt), ("caffemodel", caffemodel)):
        if not path.is_file():
            msg = f"`{name}` {str(path)!r} is not a file"
            raise ValueError(msg)
    folder = Path(cache_dir) if cache_dir is not None else _user_cache_dir()
    size_tag = "any" if input_size is None else f"{input_size[0]}x{input_size[1]}"
    key = hashlib.sha256(
        f"{_sha256(caffemodel)}|{_sha256(prototxt)}|{size_tag}|{_FORMAT_VERSION}".encode()
    ).hexdigest()[:16]
    target = folder / f"{caffemodel.stem}.{size_tag}.{key}.onnx"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    megabytes = caffemodel.stat().st_size / 1e6
    logger.warning(
        "converting %s (%.0f MB) to ONNX once; the result is cached at %s", caffemodel.name, megabytes, target
    )
    convert_caffe(prototxt, caffemodel, target, input_size=input_size)
    return target
