"""The catalogue: the models built into the package, and the other model files openpose knows.

Built-in models are package data (``openpose/_data/``), each with its
NOTICE, and have short names that ``--model`` and ``PoseEstimator(model=...)``
take besides paths (`resolve_model`). `KNOWN_MODELS` lists the files that
are not shipped (CMU's), with where they come from, for ``openpose models``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BUILTIN_MODEL",
    "BUILTIN_MODELS",
    "DEFAULT_MODEL",
    "KNOWN_MODELS",
    "BuiltinModel",
    "KnownModel",
    "builtin_model",
    "builtin_model_path",
    "resolve_model",
]

_DATA = Path(__file__).resolve().parent.parent / "_data"


@dataclass(frozen=True)
class BuiltinModel:
    """A model that ships inside the package.

    Attributes
    ----------
    name : str
        Its short name (``--model NAME``, ``PoseEstimator(NAME)``).
    file : str
        Its file name in the package's ``_data`` folder.
    title : str
        What it is, in a few words.
    licence : str
    ap : tuple of (str, float)
        Its COCO OKS AP on the dev set per preset, and
    fps : tuple of (str, float)
        the ``openpose`` command's frames/s on the shared video per engine at
        the balanced preset: the figures of the docs' accuracy table
        (``benchmarks/accuracy.py``), which ``tests/test_builtin_model.py``
        holds these to.
    note : str
        What else to know, one line.
    """

    name: str
    file: str
    title: str
    licence: str
    ap: tuple[tuple[str, float], ...]
    fps: tuple[tuple[str, float], ...]
    note: str = ""

    @property
    def path(self) -> Path:
        """The file, inside the installed package."""
        return _DATA / self.file

    @property
    def notice(self) -> Path:
        """Its NOTICE file: origin, changes, licence, checksum."""
        return _DATA / f"{self.name}.NOTICE"

    @property
    def summary(self) -> str:
        """Its accuracy and speed in one line (``openpose models``)."""
        ap = ", ".join(f"{preset} {value:.3f}" for preset, value in self.ap)
        fps = ", ".join(f"{engine} {value:.1f}" for engine, value in self.fps)
        text = f"dev-set AP: {ap}; balanced frames/s on the shared 1280x720 video (2 AVX2 cores): {fps}"
        return f"{text}. {self.note}" if self.note else text


#: The built-in models, the default first.
BUILTIN_MODELS: tuple[BuiltinModel, ...] = (
    BuiltinModel("lightweight", "human-pose-estimation-0001-int8.onnx",
                 "Lightweight OpenPose (Intel Open Model Zoo human-pose-estimation-0001, int8)", "Apache-2.0",
                 ap=(("fast", 0.309), ("balanced", 0.485), ("best", 0.561)),
                 fps=(("cv2", 2.5), ("onnxruntime", 5.1), ("openvino", 5.9)),
                 note="The default: every preset runs it."),
    BuiltinModel("tfpose", "openpose_mobilenet_v2_small_coco.onnx",
                 "tf-pose-estimation's mobilenet_v2_small COCO model", "Apache-2.0",
                 ap=(("fast", 0.189), ("balanced", 0.256), ("best", 0.338)),
                 fps=(("cv2", 11.2), ("onnxruntime", 10.4), ("openvino", 15.0)),
                 note="Smaller and less accurate; OpenCV >= 5 or --engine onnxruntime."),
)

#: The short name of the model `PoseEstimator` and the commands run when none is given.
DEFAULT_MODEL = BUILTIN_MODELS[0].name

#: File name of the default built-in model.
BUILTIN_MODEL = BUILTIN_MODELS[0].file


def builtin_model(name: str) -> BuiltinModel:
    """The built-in model called `name`.

    Raises
    ------
    ValueError
        An unknown name; the message lists the known ones.
    """
    for model in BUILTIN_MODELS:
        if model.name == name:
            return model
    msg = f"no built-in model {name!r}: the built-in models are {', '.join(m.name for m in BUILTIN_MODELS)}"
    raise ValueError(msg)


def builtin_model_path(name: str = DEFAULT_MODEL) -> Path:
    """The path of a built-in model's file (default: the default model), inside the installed package.

    Its licence and provenance are in its ``NOTICE`` file next to it
    (`BuiltinModel.notice`).

    Examples
    --------
    >>> from openpose.models import builtin_model_path
    >>> builtin_model_path().name
    'human-pose-estimation-0001-int8.onnx'
    >>> builtin_model_path("tfpose").name
    'openpose_mobilenet_v2_small_coco.onnx'
    """
    return builtin_model(name).path


def resolve_model(model=None) -> Path | str:
    """The model file to load: a built-in model's file for its short name or None, else `model` itself.

    The command's ``--model`` and ``$OPENPOSE_MODEL`` are resolved by the
    command before this (``openpose.cli``); the library reads no environment.
    A short name is never a model file (those end in ``.onnx``, ``.xml``
    or ``.prototxt``), so the two cannot be confused.

    Examples
    --------
    >>> from openpose.models import resolve_model, builtin_model_path
    >>> resolve_model() == builtin_model_path()
    True
    >>> resolve_model("tfpose") == builtin_model_path("tfpose")
    True
    >>> resolve_model("my_model.onnx")
    'my_model.onnx'
    """
    if model is None:
        return builtin_model_path()
    if isinstance(model, str) and model in {m.name for m in BUILTIN_MODELS}:
        return builtin_model_path(model)
    return model


@dataclass(frozen=True)
class KnownModel:
    """A model file openpose knows but does not ship, for ``openpose models``.

    Attributes
    ----------
    name : str
        The `openpose.models.MODELS` spec it gets.
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

#: The model files openpose knows besides the built-in ones, for ``openpose models``.
KNOWN_MODELS: tuple[KnownModel, ...] = (
    KnownModel("lightweight_ir", "human-pose-estimation-0001.xml + .bin (FP32, FP16 or FP16-INT8)", "coco",
               "the OpenVINO IR of the built-in lightweight model, from Intel's Open Model Zoo (Apache-2.0): "
               'runs on --engine openvino (pip install "openpose[openvino]")'),
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
