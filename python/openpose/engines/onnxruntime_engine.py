"""The ``onnxruntime`` engine: ONNX Runtime on the CPU (``pip install "openpose[onnxruntime]"``)."""

from __future__ import annotations

import numpy as np

from ..models import onnx_file
from . import Engine

__all__ = ["ENGINE", "OnnxruntimeEngine"]


class OnnxruntimeEngine(Engine):
    """An ``onnxruntime.InferenceSession`` (CPU) on an ``.onnx`` file.

    A CMU ``.prototxt`` is converted once to ONNX with a free input size and
    cached (`openpose.models.onnx_file`; needs ``openpose[convert]`` too).
    ``InferenceSession.run`` is thread-safe, so calls are not serialised.
    """

    name = "onnxruntime"
    extra = "onnxruntime"
    thread_safe = True

    def __init__(self, model, *, weights=None) -> None:
        ort = self.import_runtime("onnxruntime")
        path = onnx_file(model, weights=weights, why="onnxruntime reads only ONNX")
        try:
            self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own exception types (InvalidProtobuf, Fail, ...)
            msg = f"onnxruntime could not import {str(path)!r}: {str(exc).strip()[-300:]}"
            raise ValueError(msg) from None
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            shapes = [(i.name, i.shape) for i in inputs]
            msg = f"{str(path)!r} is not a pose network with one image input (N, 3, H, W): its inputs are {shapes}"
            raise ValueError(msg)
        self._input = inputs[0].name
        # A declared height and width (ints) are the only ones onnxruntime accepts.
        self._fixed = tuple(d if isinstance(d, int) else None for d in inputs[0].shape[2:])
        self._path = path

    def run(self, blob: np.ndarray) -> np.ndarray:
        for declared, got, side in zip(self._fixed, blob.shape[2:], ("height", "width"), strict=True):
            if declared is not None and declared != got:
                msg = (
                    f"{self._path.name!r} declares a fixed input {side} of {declared}, and onnxruntime runs it "
                    f"at that size only (this input is {blob.shape[3]}x{blob.shape[2]}): use a model with a "
                    "dynamic input shape with onnxruntime, or the cv2 engine"
                )
                raise ValueError(msg)
        return np.asarray(self.session.run(None, {self._input: blob})[0], dtype=np.float32)  # a new array


ENGINE = OnnxruntimeEngine
