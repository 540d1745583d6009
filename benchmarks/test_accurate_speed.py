"""Accurate mode speed: C++ vs the Python reference, side by side on the
shared model's outputs for the shared photos.

    python -m pytest benchmarks/test_accurate_speed.py --benchmark-enable -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import openpose

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(scope="module")
def outputs():
    cv2 = pytest.importorskip("cv2")
    model = SHARED / "models" / "openpose_mobilenet_v2_small_coco.onnx"
    if int(cv2.__version__.split(".")[0]) < 5:
        model = SHARED / "models" / "openpose_mobilenet_v2_small_coco_368x432.onnx"
    photos = sorted((SHARED / "media").glob("*.jpg"))
    if not model.exists() or not photos:
        pytest.skip("../shared model or photos not available")
    net = cv2.dnn.readNetFromONNX(str(model))
    items = []
    for path in photos:
        image = cv2.imread(str(path))
        h, w = image.shape[:2]
        size = (max(16, int(round(368 * w / h / 16.0)) * 16), 368)
        net.setInput(cv2.dnn.blobFromImage(image, 1.0, size, (0, 0, 0), swapRB=False, crop=False))
        items.append((np.array(net.forward(), np.float32, copy=True), (w, h)))
    return items


@pytest.mark.parametrize("factor", [8, 1], ids=["x8", "output-res"])
@pytest.mark.parametrize("implementation", ["cpp", "python"])
def test_accurate_postprocess(benchmark, outputs, implementation, factor):
    """One call = every shared photo once (divide by the photo count for per-image times)."""
    def run():
        return [openpose.postprocess(out, image_size=size, implementation=implementation, factor=factor) for out, size in outputs]

    results = benchmark.pedantic(run, rounds=3 if implementation == "python" else 20, iterations=1)
    assert sum(len(r) for r in results) > 0
