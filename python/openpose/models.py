"""Model files and their pre-processing, as data.

A `ModelSpec` says how an image becomes the network's input (scale, mean,
channel order, the multiple the input sides must be, the usual input
height) and which keypoint layout the output has. `MODELS` holds the specs of
known model files, matched by file name; files not in the registry get the
default of their format. An ONNX file written by ``openpose convert`` names
its layout in its metadata (``openpose.layout``), which `file_spec` reads;
otherwise the layout is inferred from the output's channel count (57 COCO-18,
44 MPI-15, 78 BODY_25).

`prepare` turns an image into the network input from the spec alone; the
engines (`openpose.engines`) run the network on it. `load_net` loads a file
into ``cv2.dnn`` and `onnx_file` gives the ONNX file of a model for runtimes
that read only ONNX.

Nothing is downloaded: a missing file is an error that says where models
come from.
"""

from __future__ import annotations

import fnmatch
import logging
import math
import numbers
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ._protobuf import length_delimited
from .stages import CutNetwork

__all__ = [
    "BUILTIN_MODEL",
    "KNOWN_MODELS",
    "MODELS",
    "KnownModel",
    "ModelSpec",
    "builtin_model_path",
    "file_spec",
    "load_net",
    "model_spec",
    "onnx_file",
    "onnx_metadata",
    "onnx_source",
    "opencv_major",
    "prepare",
    "resolve_model",
]

logger = logging.getLogger(__name__)

_WHERE_MODELS_COME_FROM = (
    "openpose downloads nothing; one model is built in (the default; `openpose models` lists the others): "
    "pass the path of a model file with --model / PoseEstimator(model), or set "
    "OPENPOSE_MODEL for the command. It can be an ONNX OpenPose network (output: heatmaps then part affinity "
    "fields, in the COCO-18, MPI-15 or BODY_25 layout) or one of CMU's Caffe models "
    "(pose_deploy*.prototxt + pose_iter_*.caffemodel, from the CMU OpenPose project's models/getModels script); "
    "`openpose convert` turns a Caffe model into ONNX."
)

CHANNEL_ORDERS = ("bgr", "rgb")


@dataclass(frozen=True)
class ModelSpec:
    """How to feed a model and read its output.

    The network input is the image resized (bilinear) to height `net_height`
    and the aspect-preserving width, both multiples of `size_multiple`, then
    ``(pixel - mean) * scale`` per channel, in `channel_order`, as a float32
    ``(1, 3, H, W)`` array (see `prepare`).

    Attributes
    ----------
    name : str
        Registry name.
    pattern : str
        ``fnmatch`` pattern on the file name (lower case) that selects the spec.
    layout : str or None
        Layout name; None: inferred from the output's channel count.
    scale : float
        Multiplier applied after the mean is subtracted.
    mean : (float, float, float)
        Subtracted per channel, in the network's channel order (`channel_order`).
    channel_order : {"bgr", "rgb"}
        The channel order the network wants (images are BGR, as cv2 reads them).
    size_multiple : int
        Input height and width must be multiples of this (the network's stride).
    net_height : int
        The usual input height.
    decoder_defaults : tuple of (str, value)
        Accurate-mode decoder options this model is best read with (its
        thresholds, person filters, ...), used where not given; empty: the
        mode's own (CMU's constants).
    stage_outputs : tuple of (str, str)
        The network's stages (`openpose.stages`), first to last: for each,
        the names of the ONNX tensors of its heatmaps and of its part
        affinity fields. The network's output is the last stage's, and
        ``stages=k`` runs the network cut after the k-th. Empty: the stages
        are not known, and the whole network runs.
    """

    name: str
    pattern: str
    layout: str | None = None
    scale: float = 1.0
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    channel_order: str = "bgr"
    size_multiple: int = 16
    net_height: int = 368
    decoder_defaults: tuple[tuple[str, object], ...] = ()
    stage_outputs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.channel_order not in CHANNEL_ORDERS:
            msg = f"`channel_order` must be one of {CHANNEL_ORDERS}, got {self.channel_order!r}"
            raise ValueError(msg)
        if isinstance(self.scale, bool) or not isinstance(self.scale, numbers.Real) or not math.isfinite(self.scale):
            msg = f"`scale` must be a finite number, got {self.scale!r}"
            raise ValueError(msg)
        mean = tuple(self.mean)
        if len(mean) != 3 or not all(isinstance(m, numbers.Real) and math.isfinite(m) for m in mean):
            msg = f"`mean` must be three finite numbers, got {self.mean!r}"
            raise ValueError(msg)
        for name in ("size_multiple", "net_height"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                msg = f"`{name}` must be a positive integer, got {value!r}"
                raise ValueError(msg)
        stages = self.stage_outputs
        if not isinstance(stages, (tuple, list)) or not all(
                isinstance(stage, (tuple, list)) and len(stage) == 2 and all(isinstance(t, str) and t for t in stage)
                for stage in stages):
            msg = ("`stage_outputs` must hold one (heatmaps, PAFs) pair of tensor names per stage, got "
                   f"{self.stage_outputs!r}")
            raise ValueError(msg)
        object.__setattr__(self, "stage_outputs", tuple(tuple(stage) for stage in stages))


# CMU's Caffe models are fed img/256 - 0.5 (its own normalisation);
# stride 8, sides multiples of 16 as in CMU's demo.
_CMU = ModelSpec("caffe", "*.prototxt", layout=None, scale=1.0 / 256.0, mean=(128.0, 128.0, 128.0),
                 channel_order="bgr", size_multiple=16, net_height=368)

#: Known model files (first match wins), then the per-format defaults.
MODELS: tuple[ModelSpec, ...] = (
    # The shared mobilenet model (its MODELS.md): BGR, raw 0..255 (the graph
    # normalises internally), sides multiples of 16, output 57 channels COCO-18.
    # Its maps peak lower than CMU's VGG network's: peaks and PAF samples
    # count from 0.02 (CMU: 0.05), people from a mean score of 0.2
    # (CMU: 0.4), grouped as OpenPose's GPU build groups them (all
    # connections ranked together); measured on ../shared/data/dev (README,
    # benchmarks/accuracy.py). People need 4 parts (CMU: 3): the same AP
    # within 0.001 at every preset, and no 3-part ghost on a black frame
    # (one appears there at factor 8). Six stages, as tf-pose-estimation
    # builds it: MConv_Stage{1..6}, each ending in a heatmap branch (L2, 19
    # channels) and a PAF branch (L1, 38 channels).
    ModelSpec("mobilenet_v2_small_coco", "openpose_mobilenet_v2_small_coco*.onnx", layout="coco",
              scale=1.0, mean=(0.0, 0.0, 0.0), channel_order="bgr", size_multiple=16, net_height=368,
              decoder_defaults=(("threshold", 0.02), ("paf_threshold", 0.02), ("min_mean_score", 0.2),
                                ("min_parts", 4), ("grouping", "gpu")),
              stage_outputs=tuple((f"Openpose/MConv_Stage{k}_L2_5_pointwise/BatchNorm/FusedBatchNorm:0",
                                   f"Openpose/MConv_Stage{k}_L1_5_pointwise/BatchNorm/FusedBatchNorm:0")
                                  for k in range(1, 7))),
    replace(_CMU, name="cmu_coco", pattern="pose_deploy_linevec.prototxt"),  # COCO or MPI: same name
    replace(_CMU, name="cmu_mpi_4_stages", pattern="pose_deploy_linevec_faster_4_stages.prototxt", layout="mpi"),
    replace(_CMU, name="cmu_body_25", pattern="pose_deploy.prototxt"),
    # Defaults per format; the layout comes from the output's channel count.
    ModelSpec("onnx", "*.onnx", layout=None, scale=1.0, mean=(0.0, 0.0, 0.0), channel_order="bgr"),
    _CMU,
)


def model_spec(path) -> ModelSpec:
    """The registry's spec for a model file (by its name).

    Raises
    ------
    ValueError
        If the file is neither ``.onnx`` nor ``.prototxt``.
    """
    name = Path(path).name.lower()
    for spec in MODELS:
        if fnmatch.fnmatch(name, spec.pattern):
            return spec
    msg = (
        f"`model` {str(path)!r} is not a model file openpose can load: expected an ONNX file (.onnx) "
        "or a Caffe network definition (.prototxt, with its .caffemodel weights)"
    )
    raise ValueError(msg)


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
        spec = replace(_CMU, name=spec.name, pattern=spec.pattern)
    if spec.layout is None and meta.get("openpose.layout"):
        spec = replace(spec, layout=meta["openpose.layout"])
    return spec


def prepare(image: np.ndarray, spec: ModelSpec, net_size: tuple[int, int]) -> np.ndarray:
    """The network input for one image, from the spec alone.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8 or float32
        BGR, as ``cv2.imread`` gives it.
    spec : ModelSpec
        Its ``scale``, ``mean`` and ``channel_order`` are used.
    net_size : (int, int)
        ``(width, height)`` of the network input.

    Returns
    -------
    ndarray of shape (1, 3, height, width), float32
        The image resized bilinearly (``cv2.resize``, ``INTER_LINEAR``, in its
        own dtype) to `net_size`, converted to float32, then
        ``(pixel - mean) * scale`` in float32, in `channel_order`: bit for
        bit what ``cv2.dnn.blobFromImage(image, scale, net_size, mean,
        swapRB=channel_order == "rgb", crop=False)`` gives.
    """
    import cv2

    width, height = (int(n) for n in net_size)
    if image.shape[:2] != (height, width):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    if spec.channel_order == "rgb":
        image = image[:, :, ::-1]
    # Planar first, in the image's own dtype (a quarter of the bytes of
    # float32 for uint8), then float32; every step is per element, so the
    # order changes no bit. A zero mean and a unit scale are skipped (exact).
    blob = np.ascontiguousarray(image.transpose(2, 0, 1)).astype(np.float32)  # a copy
    mean = np.asarray(spec.mean, dtype=np.float32)
    if mean.any():
        blob -= mean[:, np.newaxis, np.newaxis]
    if np.float32(spec.scale) != 1:
        blob *= np.float32(spec.scale)
    return blob[np.newaxis]


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
        msg = f"{what} {str(path)!r} does not exist. {_WHERE_MODELS_COME_FROM}"
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
        f".caffemodel file (found next to it: {found}). {_WHERE_MODELS_COME_FROM}"
    )
    raise FileNotFoundError(msg)


def _model_path(model) -> Path:
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
    from .convert import cached_onnx_for

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
        As `load_net`.
    """
    if isinstance(model, CutNetwork):
        _no_weights_for_onnx(weights)
        return model
    path = _model_path(model)
    if path.suffix.lower() == ".onnx":
        _no_weights_for_onnx(weights)
        return path
    return _converted(path, _caffe_weights(path, weights), why=why, input_size=None)


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

    cut = model if isinstance(model, CutNetwork) else None
    path = cut.source if cut is not None else _model_path(model)
    spec = file_spec(path)
    major = opencv_major()
    if path.suffix.lower() == ".onnx":
        _no_weights_for_onnx(weights)
        try:
            # The bytes as a uint8 array: cv2.dnn's in-memory ONNX reader (a bytes object is not one).
            net = cv2.dnn.readNetFromONNX(str(path) if cut is None else np.frombuffer(cut.data, np.uint8))
        except cv2.error as exc:
            hint = ""
            if major < 5 and _is_builtin(path):
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


# ---------------------------------------------------------------- the built-in model
#: File name of the model that ships inside the package (package data in
#: ``openpose/_data/``, with its NOTICE): tf-pose-estimation's
#: mobilenet_v2_small COCO model, 2 MB, Apache-2.0.
BUILTIN_MODEL = "openpose_mobilenet_v2_small_coco.onnx"
_DATA = "_data"


def builtin_model_path() -> Path:
    """The path of the built-in model file (`BUILTIN_MODEL`), inside the installed package.

    Its licence and provenance are in the ``NOTICE`` file next to it.

    Examples
    --------
    >>> from openpose.models import builtin_model_path
    >>> builtin_model_path().name
    'openpose_mobilenet_v2_small_coco.onnx'
    >>> (builtin_model_path().parent / "NOTICE").is_file()
    True
    """
    return Path(__file__).resolve().parent / _DATA / BUILTIN_MODEL


def _is_builtin(path) -> bool:
    try:
        return Path(path).resolve() == builtin_model_path()
    except OSError:
        return False


def resolve_model(model=None) -> Path | str:
    """The model file to load: `model` itself, or the built-in one when it is None.

    The command's ``--model`` and ``$OPENPOSE_MODEL`` are resolved by the
    command before this (``openpose.cli``); the library reads no environment.

    Examples
    --------
    >>> from openpose.models import resolve_model, builtin_model_path
    >>> resolve_model() == builtin_model_path()
    True
    >>> resolve_model("my_model.onnx")
    'my_model.onnx'
    """
    return builtin_model_path() if model is None else model


def _builtin_on_opencv4_hint() -> str:
    import cv2

    return (
        f" This is the built-in model, whose input shape is dynamic: OpenCV {cv2.__version__}'s ONNX importer "
        "cannot read such files (OpenCV 5 can). Either install OpenCV 5 "
        "(pip install 'opencv-python-headless>=5'), or use the onnxruntime engine "
        '(pip install "openpose[onnxruntime]", then --engine onnxruntime / PoseEstimator(engine="onnxruntime")), '
        "or pass another model with --model / PoseEstimator(model) (`openpose models` lists them)."
    )


@dataclass(frozen=True)
class KnownModel:
    """A model file openpose knows, for ``openpose models``.

    Attributes
    ----------
    name : str
        The `MODELS` spec it gets.
    files : str
        Its file names.
    layout : str
        Its keypoint layout.
    where : str
        Where it comes from, and how to make it usable here.
    """

    name: str
    files: str
    layout: str
    where: str


_CMU_WHERE = (
    "CMU OpenPose's weights (the .prototxt is in github.com/CMU-Perceptual-Computing-Lab/openpose under "
    "models/; models/getModels.sh names the .caffemodel, but CMU's server it downloads from has been offline "
    "for years: look for a mirror of the file by its name). Put the .caffemodel next to the .prototxt and "
    "pass the .prototxt as --model (OpenCV 4 reads it directly; OpenCV 5 converts it once, cached), or "
    "convert it once (pip install \"openpose[convert]\"): openpose convert {prototxt} {weights} -o {onnx}. "
    "Licence: CMU's, for non-commercial research only"
)

#: The known model files and layouts, for ``openpose models``.
KNOWN_MODELS: tuple[KnownModel, ...] = (
    KnownModel("mobilenet_v2_small_coco", BUILTIN_MODEL, "coco",
               "built in (the default); tf-pose-estimation's mobilenet_v2_small, Apache-2.0; OpenCV >= 5 or "
               "--engine onnxruntime. A copy with a fixed declared input shape (_368x432) loads in OpenCV 4"),
    KnownModel("cmu_coco", "pose/coco/pose_deploy_linevec.prototxt + pose_iter_440000.caffemodel", "coco",
               _CMU_WHERE.format(prototxt="pose_deploy_linevec.prototxt", weights="pose_iter_440000.caffemodel",
                                 onnx="cmu_coco.onnx")),
    KnownModel("cmu_mpi_4_stages",
               "pose/mpi/pose_deploy_linevec_faster_4_stages.prototxt + pose_iter_160000.caffemodel", "mpi",
               _CMU_WHERE.format(prototxt="pose_deploy_linevec_faster_4_stages.prototxt",
                                 weights="pose_iter_160000.caffemodel", onnx="cmu_mpi.onnx")),
    KnownModel("cmu_body_25", "pose/body_25/pose_deploy.prototxt + pose_iter_584000.caffemodel", "body_25",
               _CMU_WHERE.format(prototxt="pose_deploy.prototxt", weights="pose_iter_584000.caffemodel",
                                 onnx="cmu_body_25.onnx")),
)
