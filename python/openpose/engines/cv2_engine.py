"""The ``cv2`` engine: ``cv2.dnn``, the default (OpenCV is a required dependency).

Threads: ``cv2.dnn`` runs on OpenCV's own thread pool, whose size is a
process-wide setting (``cv2.setNumThreads``; by default one thread per
core). The engine leaves it as it is: changing it would change every other
OpenCV call of the process (decoding, resizing) and the default results'
timing, and OpenCV's default already gives the network every core, which is
what the command wants (the other stages need little; see the docs' "Models
and engines" page).

Precision and devices: fp32 on the CPU (OpenCV's CPU fp16 target is for ARM
only). With an OpenCV built with CUDA and a CUDA device, ``device="cuda"``
uses the CUDA backend in fp32 or fp16 (``DNN_TARGET_CUDA_FP16``).
"""

from __future__ import annotations

import numpy as np

from ..models import load_net
from . import DEFAULT_DEVICE, DEFAULT_PRECISION, Engine

__all__ = ["ENGINE", "Cv2Engine"]


def _cuda_devices() -> int:
    """CUDA devices OpenCV can use (0 for a build without CUDA)."""
    import cv2

    try:
        return int(cv2.cuda.getCudaEnabledDeviceCount())
    except (AttributeError, cv2.error):
        return 0


def _cuda_targets() -> tuple[int, ...]:
    """The cv2.dnn targets of the CUDA backend in this build (empty without CUDA)."""
    import cv2

    backend = getattr(cv2.dnn, "DNN_BACKEND_CUDA", None)
    if backend is None:
        return ()
    try:
        return tuple(int(t) for t in cv2.dnn.getAvailableTargets(backend))
    except cv2.error:
        return ()


class Cv2Engine(Engine):
    """``cv2.dnn.Net`` of an ``.onnx`` file or a CMU ``.prototxt`` (see `openpose.models.load_net`).

    A ``cv2.dnn.Net`` keeps its input and output in the object: it is not
    thread-safe, and `openpose.PoseEstimator` serialises its calls.
    """

    name = "cv2"
    extra = None
    thread_safe = False

    @classmethod
    def supported_devices(cls) -> tuple[str, ...]:
        import cv2

        cuda = getattr(cv2.dnn, "DNN_TARGET_CUDA", None)
        if cuda is not None and _cuda_devices() > 0 and int(cuda) in _cuda_targets():
            return ("cpu", "cuda")
        return ("cpu",)

    @classmethod
    def supported_precisions(cls, device: str = DEFAULT_DEVICE) -> tuple[str, ...]:
        import cv2

        if device == "cuda":
            fp16 = getattr(cv2.dnn, "DNN_TARGET_CUDA_FP16", None)
            return ("fp32", "fp16") if fp16 is not None and int(fp16) in _cuda_targets() else ("fp32",)
        return ("fp32",)

    @classmethod
    def unsupported_device_reason(cls, device: str) -> str:
        import cv2

        if device != "cuda":
            return super().unsupported_device_reason(device)
        if not _cuda_targets():
            return (f"this OpenCV ({cv2.__version__}) is built without CUDA (the opencv-python wheels are; "
                    "a CUDA build of OpenCV is needed, or use the onnxruntime engine with onnxruntime-gpu)")
        return "OpenCV finds no CUDA device on this machine"

    def __init__(self, model, *, weights=None, precision: str = DEFAULT_PRECISION,
                 device: str = DEFAULT_DEVICE) -> None:
        self.precision, self.device = self.check_options(precision=precision, device=device)
        self.net, _ = load_net(model, weights=weights)
        self._outputs = list(self.net.getUnconnectedOutLayersNames())
        if self.device == "cuda":
            import cv2

            self.net.setPreferableBackend(cv2.dnn.DNN_BACKEND_CUDA)
            self.net.setPreferableTarget(cv2.dnn.DNN_TARGET_CUDA_FP16 if self.precision == "fp16"
                                         else cv2.dnn.DNN_TARGET_CUDA)

    def run(self, blob: np.ndarray) -> dict[str, np.ndarray]:
        self.net.setInput(blob)
        # Copies: the arrays cv2 returns may share memory with the net's output blobs.
        if len(self._outputs) == 1:
            return {self._outputs[0]: np.array(self.net.forward(), dtype=np.float32, copy=True)}
        outs = self.net.forward(self._outputs)
        return {name: np.array(out, dtype=np.float32, copy=True) for name, out in zip(self._outputs, outs)}


ENGINE = Cv2Engine
