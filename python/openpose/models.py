"""Model files and their pre-processing, as data; loading them into cv2.dnn.

A `ModelSpec` says how an image becomes the network's input blob (scale,
mean, channel order, the multiple the input sides must be, the usual input
height) and which keypoint layout the output has. `MODELS` holds the specs of
known model files, matched by file name; files not in the registry get the
default of their format, and their layout is inferred from the output's
channel count (57 COCO-18, 44 MPI-15, 78 BODY_25).

Nothing is downloaded: a missing file is an error that says where models
come from.
"""

from __future__ import annotations

import fnmatch
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Tuple

__all__ = ["ModelSpec", "MODELS", "model_spec", "load_net", "opencv_major"]

logger = logging.getLogger(__name__)

_WHERE_MODELS_COME_FROM = (
    "openpose downloads nothing. The ONNX COCO model used by this project's tests and demos is "
    "../shared/models/openpose_mobilenet_v2_small_coco.onnx (and its _368x432 variant for OpenCV 4.x); "
    "CMU's Caffe models (pose_deploy*.prototxt + pose_iter_*.caffemodel) come from the CMU OpenPose "
    "project (its models/getModels script). Pass the path with --model / PoseEstimator(model), or set "
    "OPENPOSE_MODEL for the command."
)


@dataclass(frozen=True)
class ModelSpec:
    """How to feed a model and read its output.

    The blob is ``(image - mean) * scale`` in the given channel order, at
    height `net_height` and the aspect-preserving width, both multiples of
    `size_multiple` (``cv2.dnn.blobFromImage`` semantics).

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
        Subtracted per channel, in the input's channel order.
    swap_rb : bool
        True: the network wants RGB (the image is BGR, as cv2 reads it).
    size_multiple : int
        Input height and width must be multiples of this (the network's stride).
    net_height : int
        The usual input height.
    """

    name: str
    pattern: str
    layout: Optional[str] = None
    scale: float = 1.0
    mean: Tuple[float, float, float] = (0.0, 0.0, 0.0)
    swap_rb: bool = False
    size_multiple: int = 16
    net_height: int = 368

    def with_options(self, **changes) -> "ModelSpec":
        """A copy with some fields changed (None values are ignored)."""
        return replace(self, **{k: val for k, val in changes.items() if val is not None})


# CMU's Caffe models are fed img/256 - 0.5 (its own normalisation);
# stride 8, sides multiples of 16 as in CMU's demo.
_CMU = dict(scale=1.0 / 256.0, mean=(128.0, 128.0, 128.0), swap_rb=False, size_multiple=16, net_height=368)

#: Known model files (first match wins), then the per-format defaults.
MODELS: Tuple[ModelSpec, ...] = (
    # ../shared/models/MODELS.md: BGR, raw 0..255 (the graph normalises
    # internally), sides multiples of 16, output 57 channels COCO-18.
    ModelSpec("mobilenet_v2_small_coco", "openpose_mobilenet_v2_small_coco*.onnx", layout="coco",
              scale=1.0, mean=(0.0, 0.0, 0.0), swap_rb=False, size_multiple=16, net_height=368),
    ModelSpec("cmu_coco", "pose_deploy_linevec.prototxt", layout=None, **_CMU),  # COCO or MPI: same name
    ModelSpec("cmu_mpi_4_stages", "pose_deploy_linevec_faster_4_stages.prototxt", layout="mpi", **_CMU),
    ModelSpec("cmu_body_25", "pose_deploy.prototxt", layout=None, **_CMU),
    # Defaults per format; the layout comes from the output's channel count.
    ModelSpec("onnx", "*.onnx", layout=None, scale=1.0, mean=(0.0, 0.0, 0.0), swap_rb=False),
    ModelSpec("caffe", "*.prototxt", layout=None, **_CMU),
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


def opencv_major() -> int:
    """Major version of the installed OpenCV."""
    import cv2

    return int(cv2.__version__.split(".")[0])


def _existing(path, what: str) -> Path:
    path = Path(path)
    if path.is_dir():
        msg = f"{what} {str(path)!r} is a folder, not a file"
        raise IsADirectoryError(msg)
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


def load_net(model, *, weights=None):
    """Load a model file into a ``cv2.dnn.Net``.

    Parameters
    ----------
    model : str or path
        An ``.onnx`` file (``cv2.dnn.readNetFromONNX``) or a CMU ``.prototxt``
        (``cv2.dnn.readNetFromCaffe``, OpenCV 4.x only).
    weights : str or path, optional
        The ``.caffemodel`` of a ``.prototxt``; omitted: the only
        ``.caffemodel`` in the same folder.

    Returns
    -------
    (cv2.dnn.Net, ModelSpec)

    Raises
    ------
    FileNotFoundError
        A missing file; the message says where models come from.
    ValueError
        An unsupported file, or a model the installed OpenCV cannot import;
        the message says what to do.
    """
    import cv2

    if not isinstance(model, (str, Path)):
        msg = f"`model` must be a path to a model file, got {type(model).__name__}"
        raise TypeError(msg)
    spec = model_spec(model)
    path = _existing(model, "model file (`model`)")
    major = opencv_major()
    if path.suffix.lower() == ".onnx":
        if weights is not None:
            msg = "`weights` is only for Caffe models (.prototxt + .caffemodel); an ONNX file holds its weights"
            raise ValueError(msg)
        try:
            net = cv2.dnn.readNetFromONNX(str(path))
        except cv2.error as exc:
            hint = ""
            if major < 5:
                fixed = sorted(path.parent.glob(f"{path.stem}_*x*.onnx"))
                suggestion = f" such as {fixed[0].name!r} next to it" if fixed else " (e.g. the `_368x432` file)"
                hint = (
                    f" OpenCV {cv2.__version__} cannot import ONNX models whose input shape is dynamic: use "
                    f"the same model with a fixed declared input shape{suggestion} (OpenCV still accepts "
                    "other sides that are multiples of 16 at run time), or install OpenCV >= 5 "
                    "(pip install 'opencv-python-headless>=5')."
                )
            msg = f"cv2.dnn could not import {str(path)!r}.{hint} OpenCV said: {str(exc).strip()[-300:]}"
            raise ValueError(msg) from None
        return net, spec
    weights_path = _caffe_weights(path, weights)
    if not hasattr(cv2.dnn, "readNetFromCaffe"):
        # OpenCV 5 has no Caffe importer: convert once to ONNX (cached by the
        # weights' hash) and load that.
        try:
            from .convert import cached_onnx_for

            onnx_path = cached_onnx_for(path, weights_path)
        except ImportError as exc:
            msg = (
                f"OpenCV {cv2.__version__} has no Caffe importer (OpenCV 5 removed it); loading {path.name!r} "
                f'needs a conversion to ONNX, which needs the converter\'s extra: pip install "openpose[convert]" '
                f"(or `openpose convert` it once elsewhere, or use OpenCV 4.x). {exc}"
            )
            raise ValueError(msg) from None
        return cv2.dnn.readNetFromONNX(str(onnx_path)), spec
    try:
        net = cv2.dnn.readNetFromCaffe(str(path), str(weights_path))
    except cv2.error as exc:
        msg = f"cv2.dnn could not import the Caffe model {str(path)!r} with weights {str(weights_path)!r}: {str(exc).strip()[-300:]}"
        raise ValueError(msg) from None
    return net, spec
