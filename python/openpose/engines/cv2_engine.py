"""The ``cv2`` engine: ``cv2.dnn``, the default (OpenCV is a required dependency)."""

from __future__ import annotations

import numpy as np

from ..models import load_net
from . import Engine

__all__ = ["ENGINE", "Cv2Engine"]


class Cv2Engine(Engine):
    """``cv2.dnn.Net`` of an ``.onnx`` file or a CMU ``.prototxt`` (see `openpose.models.load_net`).

    A ``cv2.dnn.Net`` keeps its input and output in the object: it is not
    thread-safe, and `openpose.PoseEstimator` serialises its calls.
    """

    name = "cv2"
    extra = None
    thread_safe = False

    def __init__(self, model, *, weights=None) -> None:
        self.net, _ = load_net(model, weights=weights)

    def run(self, blob: np.ndarray) -> np.ndarray:
        self.net.setInput(blob)
        # A copy: the array cv2 returns may share memory with the net's output blob.
        return np.array(self.net.forward(), dtype=np.float32, copy=True)


ENGINE = Cv2Engine
