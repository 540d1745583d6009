"""openpose: multi-person 2D pose estimation in the OpenPose style.

`PoseEstimator` runs an OpenPose network in cv2.dnn on images; the
post-processing of its outputs (heatmaps + part affinity fields) into people
is a decoder (`SeedDecoder`, `AccurateDecoder`, built once) that runs in a
C++ core, with a pure-Python reference. Importing the package does
no work: no model loading, no downloads.
"""

from .decoders import AccurateDecoder, SeedDecoder, make_decoder
from .draw import draw
from .estimator import PoseEstimator
from .layouts import LAYOUTS, Layout, get_layout
from .models import MODELS, ModelSpec
from .openpose_json import to_openpose_json, write_openpose_json
from .postprocess import (
    AccurateParams,
    SeedParams,
    assemble_persons,
    find_peaks,
    postprocess,
    postprocess_batch,
    score_limb,
)
from .result import PoseResult
from .tracking import OneEuroFilter, PoseTracker

__version__ = "0.1.0"


def convert_caffe(prototxt, caffemodel, output, **options):
    """Convert a Caffe pose network (``.prototxt`` + ``.caffemodel``) to an ONNX file.

    A thin front for :func:`openpose.convert.convert_caffe` (see there for the
    options): the converter and its optional dependencies (``onnx``,
    ``protobuf``: ``pip install "openpose[convert]"``) are imported only
    when it is called.
    """
    from .convert import convert_caffe as _convert_caffe

    return _convert_caffe(prototxt, caffemodel, output, **options)

__all__ = [
    "LAYOUTS",
    "MODELS",
    "AccurateDecoder",
    "AccurateParams",
    "Layout",
    "ModelSpec",
    "OneEuroFilter",
    "PoseEstimator",
    "PoseResult",
    "PoseTracker",
    "SeedDecoder",
    "SeedParams",
    "__version__",
    "assemble_persons",
    "convert_caffe",
    "draw",
    "find_peaks",
    "get_layout",
    "make_decoder",
    "postprocess",
    "postprocess_batch",
    "score_limb",
    "to_openpose_json",
    "write_openpose_json",
]
