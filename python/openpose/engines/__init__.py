"""Inference engines: one interface that runs a network on a prepared input.

An engine loads one model (a file, or a network cut after a stage, in
memory: `openpose.stages`) and runs it: `Engine.run` takes the network
input that `openpose.models.prepare` makes from an image and the model's
`ModelSpec` (float32 ``(1, 3, H, W)``) and returns every output of the
network, by name, untouched; the model's spec makes the decoder's input of
them (`openpose.models.ModelSpec.net_output`: heatmaps then part affinity
fields). Everything before (pre-processing) and after (post-processing) is
the same for every engine.

Engines: ``cv2`` (``cv2.dnn``, the default and the only one that needs no
extra package), ``onnxruntime`` (``pip install "openpose[onnxruntime]"``) and
``openvino`` (``pip install "openpose[openvino]"``).

Every engine takes a `precision` (``"fp32"``, the default everywhere;
``"bf16"``, ``"fp16"``) and a `device` (``"cpu"``, the default; ``"cuda"``)
and supports what its runtime really can on this machine
(`Engine.supported_devices`, `Engine.supported_precisions`); anything else is
a ``ValueError`` that names what is supported. Each engine file documents
the threads it uses and why.

Adding an engine ``NAME`` is one file, ``openpose/engines/NAME_engine.py``,
that defines a subclass of `Engine` (with ``name = "NAME"`` and the extra
that installs its runtime) and binds it to the module-level name
``ENGINE``; plus that extra in ``pyproject.toml`` and its tests. Nothing
else lists the engines: `engine_names` finds the ``*_engine`` modules of this
package, and ``PoseEstimator(engine=...)``, ``openpose --engine`` and
``openpose batch --engine`` take every name it gives.
"""

from __future__ import annotations

import abc
import importlib
import os
import pkgutil
from typing import ClassVar

import numpy as np

__all__ = [
    "DEFAULT_DEVICE",
    "DEFAULT_ENGINE",
    "DEFAULT_PRECISION",
    "DEVICES",
    "PRECISIONS",
    "Engine",
    "EngineNotInstalledError",
    "cpu_threads",
    "create_engine",
    "engine_class",
    "engine_names",
]

#: The engine `PoseEstimator` uses unless told otherwise.
DEFAULT_ENGINE = "cv2"
#: Arithmetic precisions of the network (``precision=`` / ``--precision``), and the default.
PRECISIONS = ("fp32", "bf16", "fp16")
DEFAULT_PRECISION = "fp32"
#: Devices (``device=`` / ``--device``), and the default.
DEVICES = ("cpu", "cuda")
DEFAULT_DEVICE = "cpu"

_SUFFIX = "_engine"


class EngineNotInstalledError(ImportError, ValueError):
    """An engine whose runtime package is not installed; the message names the extra to install.

    Both an ``ImportError`` (a package is missing) and a ``ValueError`` (the
    `engine` option cannot be honoured), so callers that report bad options
    report it too.
    """


class Engine(abc.ABC):
    """Runs one network on prepared inputs.

    Subclasses set `name` and `extra`, load the model in ``__init__(model,
    *, weights=None, precision="fp32", device="cpu")`` (calling
    `check_options` first) and implement `run`; an engine that can run in
    other precisions or on other devices than fp32 on the CPU overrides
    `supported_devices` and `supported_precisions`.

    Attributes
    ----------
    name : str
        The engine's name (``engine=`` / ``--engine``).
    extra : str or None
        The optional extra of ``openpose`` that installs the runtime
        (``pip install "openpose[EXTRA]"``); None: always installed.
    thread_safe : bool
        True: `run` may be called from several threads at once. False (the
        default): `openpose.PoseEstimator` serialises its calls with a lock.
    fixed_input_size : (int or None, int or None)
        ``(height, width)`` the loaded model declares for its input and the
        runtime enforces: `run` takes only that side; None for a free side.
        The base: both free.
    """

    name: ClassVar[str]
    extra: ClassVar[str | None] = None
    thread_safe: ClassVar[bool] = False
    precision: str = DEFAULT_PRECISION
    device: str = DEFAULT_DEVICE

    @property
    def fixed_input_size(self) -> tuple[int | None, int | None]:
        """``(height, width)`` the runtime holds the input to (None: free); see the class's attributes."""
        return (None, None)

    @abc.abstractmethod
    def __init__(self, model, *, weights=None, precision: str = DEFAULT_PRECISION,
                 device: str = DEFAULT_DEVICE) -> None:
        """Load `model` for `precision` on `device`.

        `model` is a path (`weights`: the ``.caffemodel`` of a ``.prototxt``)
        or an ONNX network cut after a stage, in memory
        (`openpose.stages.CutNetwork`): `openpose.models.load_net` and
        `openpose.models.onnx_file` / `openpose.models.onnx_source` read both.
        """

    @classmethod
    def supported_devices(cls) -> tuple[str, ...]:
        """The devices this engine can run on here (the base: the CPU only)."""
        return (DEFAULT_DEVICE,)

    @classmethod
    def supported_precisions(cls, device: str = DEFAULT_DEVICE) -> tuple[str, ...]:
        """The precisions this engine can run in on `device` here (the base: fp32 only)."""
        return (DEFAULT_PRECISION,)

    @classmethod
    def unsupported_device_reason(cls, device: str) -> str:
        """Why `device` is not available to this engine here (part of the error message)."""
        return f"the {cls.name} engine does not run on {device!r}"

    @classmethod
    def check_options(cls, *, precision, device) -> tuple[str, str]:
        """`(precision, device)` if this engine supports them here, else a ValueError saying what it supports."""
        for value, name, options in ((precision, "precision", PRECISIONS), (device, "device", DEVICES)):
            if not isinstance(value, str) or value not in options:
                msg = f"unknown `{name}` {value!r}; expected one of {', '.join(map(repr, options))}"
                raise ValueError(msg)
        devices = cls.supported_devices()
        if device not in devices:
            msg = (f"`device` {device!r} is not available: {cls.unsupported_device_reason(device)}; "
                   f"the {cls.name} engine runs here on {', '.join(map(repr, devices))}")
            raise ValueError(msg)
        precisions = cls.supported_precisions(device)
        if precision not in precisions:
            msg = (f"`precision` {precision!r} is not supported by the {cls.name} engine on {device!r} here: "
                   f"it supports {', '.join(map(repr, precisions))}"
                   f"{cls._precision_note(device)}")
            raise ValueError(msg)
        return precision, device

    @classmethod
    def _precision_note(cls, device: str) -> str:
        """Appended to the precision error (e.g. what the CPU reports)."""
        return ""

    @abc.abstractmethod
    def run(self, blob: np.ndarray) -> dict[str, np.ndarray]:
        """Every output of the network for one prepared input.

        Parameters
        ----------
        blob : ndarray of shape (1, 3, H, W), float32
            C-contiguous, from `openpose.models.prepare`.

        Returns
        -------
        dict of str to ndarray (1, C, h, w), float32
            Each output by its name, in the network's order, as the runtime
            gives it: new arrays, not views of the runtime's buffers.
            `openpose.models.ModelSpec.net_output` makes the decoder's input
            of them.
        """

    @classmethod
    def import_runtime(cls, module: str):
        """Import the runtime's package, or raise `EngineNotInstalledError` naming the extra."""
        try:
            return importlib.import_module(module)
        except ImportError as exc:
            extra = f'pip install "openpose[{cls.extra}]"' if cls.extra else f"pip install {module}"
            msg = (f"the {cls.name!r} engine (`engine`) needs the package {module!r}, which is not installed: "
                   f"{extra} ({exc})")
            raise EngineNotInstalledError(msg, name=module) from None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} engine {self.name!r}>"


def engine_names() -> tuple[str, ...]:
    """The names of the engines of this package (``cv2`` first), whether or not their runtime is installed."""
    names = sorted(m.name[: -len(_SUFFIX)] for m in pkgutil.iter_modules(__path__) if m.name.endswith(_SUFFIX))
    return tuple(sorted(names, key=lambda n: n != DEFAULT_ENGINE))


def engine_class(name) -> type[Engine]:
    """The `Engine` subclass called `name` (its runtime is imported when it is built, not here).

    Raises
    ------
    ValueError
        An unknown name; the message lists the known ones.
    TypeError
        `name` is not a string.
    """
    if not isinstance(name, str):
        msg = f"`engine` must be an engine name (one of {engine_names()}), got {type(name).__name__}"
        raise TypeError(msg)
    names = engine_names()
    if name not in names:
        msg = f"`engine` must be one of {names}, got {name!r}"
        raise ValueError(msg)
    cls = importlib.import_module(f"{__name__}.{name}{_SUFFIX}").ENGINE
    if not (isinstance(cls, type) and issubclass(cls, Engine)) or cls.name != name:
        msg = f"{__name__}.{name}{_SUFFIX}.ENGINE must be an Engine subclass named {name!r}"
        raise TypeError(msg)
    return cls


def cpu_threads() -> int:
    """The CPU cores this process may run on (its affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def create_engine(name, model, *, weights=None, precision: str = DEFAULT_PRECISION,
                  device: str = DEFAULT_DEVICE) -> Engine:
    """The engine `name` with `model` loaded.

    Parameters
    ----------
    name : str
        One of `engine_names()`.
    model : str or path
        The model file (``.onnx``, or a CMU ``.prototxt``).
    weights : str or path, optional
        The ``.caffemodel`` of a ``.prototxt``.
    precision : {"fp32", "bf16", "fp16"}
        The network's arithmetic (what the engine supports here:
        ``engine_class(name).supported_precisions(device)``).
    device : {"cpu", "cuda"}
        Where it runs (``engine_class(name).supported_devices()``).

    Raises
    ------
    ValueError
        An unknown engine; a precision or device the engine does not support
        here (the message says what it supports); a model the engine cannot
        load.
    EngineNotInstalledError
        The engine's runtime is not installed (an ``ImportError`` and a
        ``ValueError``); the message names the extra.
    FileNotFoundError
        A missing model file.
    """
    return engine_class(name)(model, weights=weights, precision=precision, device=device)
