"""Shared fixtures: the read-only material in ../shared and real network outputs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
# OPENPOSE_SHARED points at the shared material when the tests run outside the
# checkout (against an installed wheel, .ci/packaging); else ../shared.
SHARED = Path(os.environ["OPENPOSE_SHARED"]) if os.environ.get("OPENPOSE_SHARED") else ROOT.parent / "shared"
MODEL = SHARED / "models" / "openpose_mobilenet_v2_small_coco.onnx"
MODEL_FIXED = SHARED / "models" / "openpose_mobilenet_v2_small_coco_368x432.onnx"
MEDIA = SHARED / "media"


def shared_path(relative: str) -> Path:
    """A path under ../shared, or a clean skip when it is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is not available (tests that need the shared material skip)")
    return path


def photos():
    """The shared photos, sorted (empty when ../shared is absent)."""
    return sorted(MEDIA.glob("*.jpg")) if MEDIA.is_dir() else []


def net_input_size(width: int, height: int, net_height: int = 368):
    """(W, H) of the network input: height 368, aspect-preserving width rounded to a multiple of 16."""
    net_width = max(16, int(round(net_height * width / height / 16.0)) * 16)
    return net_width, net_height


@pytest.fixture(scope="session")
def shared_net():
    """The shared COCO model loaded in cv2.dnn."""
    cv2 = pytest.importorskip("cv2")
    model = MODEL if int(cv2.__version__.split(".")[0]) >= 5 else MODEL_FIXED
    if not model.exists():
        pytest.skip(f"{model} is not available (tests that need the shared model skip)")
    return cv2.dnn.readNetFromONNX(str(model))


@pytest.fixture(scope="session")
def real_outputs(shared_net):
    """(name, net_output (1, 57, h, w) float32, (width, height)) for every shared photo."""
    import cv2

    items = []
    for path in photos():
        image = cv2.imread(str(path))
        h, w = image.shape[:2]
        blob = cv2.dnn.blobFromImage(image, 1.0, net_input_size(w, h), (0, 0, 0), swapRB=False, crop=False)
        shared_net.setInput(blob)
        out = np.array(shared_net.forward(), dtype=np.float32, copy=True)
        items.append((path.stem, out, (w, h)))
    if not items:
        pytest.skip("../shared/media has no photos")
    return items


def model_for_this_opencv() -> Path:
    """The shared COCO model file the installed OpenCV can import (4.x: the fixed-shape one)."""
    cv2 = pytest.importorskip("cv2")
    model = MODEL if int(cv2.__version__.split(".")[0]) >= 5 else MODEL_FIXED
    if not model.exists():
        pytest.skip(f"{model} is not available (tests that need the shared model skip)")
    return model


@pytest.fixture(scope="session")
def estimator():
    """A PoseEstimator on the shared COCO model (seed mode, C++ implementation)."""
    import openpose

    return openpose.PoseEstimator(model_for_this_opencv(), mode="seed")


def chained_candidates(out, size, mode, full):
    """Candidates per part from `find_peaks` on each heatmap, numbered from `first_id` as `postprocess` numbers them.

    No glue: each table goes to `score_limb` and `assemble_persons` as it is.
    Asserts that both implementations find the same peaks and that they equal
    `full.keypoints` (the result of `postprocess` on the same output).
    """
    import openpose

    next_id, cands = 0, []
    for part in range(len(full.keypoints)):
        peaks = {b: openpose.find_peaks(out[0, part], image_size=size, mode=mode, implementation=b, first_id=next_id)
                 for b in ("cpp", "python")}
        np.testing.assert_array_equal(peaks["cpp"], peaks["python"])
        np.testing.assert_array_equal(peaks["cpp"], full.keypoints[part])
        cands.append(peaks["cpp"])
        next_id += len(peaks["cpp"])
    return cands
