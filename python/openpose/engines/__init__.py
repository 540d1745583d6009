"""Inference engines: one interface that runs a network on a prepared input.

An engine loads one model file and runs it: `Engine.run` takes the network
input that `openpose.models.prepare` makes from an image and the model's
`ModelSpec` (float32 ``(1, 3, H, W)``) and returns the network's output
(float32 ``(1, C, h, w)``: heatmaps then part affinity fields). Everything
before (pre-processing) and after (post-processing) is the same for every
engine.

Engines: ``cv2`` (``cv2.dnn``, the default and the only one that needs no
extra package) and ``onnxruntime`` (``pip install "openpose[onnxruntime]"``).

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
import pkgutil
from typing import ClassVar

import numpy as np

__all__ = ["DEFAULT_ENGINE", "Engine", "EngineNotInstalledError", "create_engine", "engine_class", "engine_names"]

#: The engine `PoseEstimator` uses unless told otherwise.
DEFAULT_ENGINE = "cv2"

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
    *, weights=None)`` and implement `run`.

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
    """

    name: ClassVar[str]
    extra: ClassVar[str | None] = None
    thread_safe: ClassVar[bool] = False

    @abc.abstractmethod
    def __init__(self, model, *, weights=None) -> None:
        """Load `model` (a path; `weights`: the ``.caffemodel`` of a ``.prototxt``)."""

    @abc.abstractmethod
    def run(self, blob: np.ndarray) -> np.ndarray:
        """The network's output for one prepared input.

        Parameters
        ----------
        blob : ndarray of shape (1, 3, H, W), float32
            C-contiguous, from `openpose.models.prepare`.

        Returns
        -------
        ndarray of shape (1, C, h, w), float32
            A new array (not a view of the runtime's buffers).
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


def create_engine(name, model, *, weights=None) -> Engine:
    """The engine `name` with `model` loaded.

    Parameters
    ----------
    name : str
        One of `engine_names()`.
    model : str or path
        The model file (``.onnx``, or a CMU ``.prototxt``).
    weights : str or path, optional
        The ``.caffemodel`` of a ``.prototxt``.

    Raises
    ------
    ValueError
        An unknown engine; a model the engine cannot load.
    EngineNotInstalledError
        The engine's runtime is not installed (an ``ImportError`` and a
        ``ValueError``); the message names the extra.
    FileNotFoundError
        A missing model file.
    """
    return engine_class(name)(model, weights=weights)
