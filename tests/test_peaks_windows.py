"""Seed-mode peaks computed blob by blob equal the full-image computation.

The C++ core finds candidate regions at network resolution and resizes,
blurs, thresholds and traces contours only inside image windows around them.
These maps are built to stress that: blobs close to each other (windows that
must merge), rings (holes and nested contours, whose order depends on the
whole image), blobs on the image border, many blobs (more than OpenCV's 126
unique contour labels, with and without holes), up- and down-scaling and the
identity size. Expected values come from the Python reference (cv2's
findContours and fillConvexPoly on the full-size maps).
"""

from __future__ import annotations

import numpy as np
import pytest

import openpose

pytest.importorskip("cv2")


def _gauss(shape, cx, cy, sigma, amp):
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return (amp * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma**2))).astype(np.float32)


def _ring(shape, cx, cy, radius, width, amp):
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
    return (amp * np.exp(-((r - radius) ** 2) / (2 * width**2))).astype(np.float32)


def blobs_map(seed, shape, n_blobs, n_rings=0, noise=0.0):
    rng = np.random.default_rng(seed)
    h, w = shape
    m = np.zeros(shape, np.float32)
    for _ in range(n_blobs):
        m = np.maximum(m, _gauss(shape, rng.uniform(-1, w), rng.uniform(-1, h), rng.uniform(0.4, 2.5),
                                 rng.uniform(0.05, 1.0)))
    for _ in range(n_rings):
        m = np.maximum(m, _ring(shape, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, 6),
                                rng.uniform(0.4, 1.0), rng.uniform(0.3, 1.0)))
    if noise:
        m += rng.normal(0, noise, shape).astype(np.float32)
    return m


CASES = [
    # (seed, map (h, w), image (w, h), blobs, rings, noise, threshold)
    (0, (46, 62), (640, 480), 6, 0, 0.0, 0.1),
    (1, (46, 82), (656, 368), 12, 2, 0.0, 0.1),
    (2, (30, 40), (40, 30), 10, 2, 0.0, 0.1),
    (3, (60, 80), (33, 27), 20, 3, 0.0, 0.1),
    (4, (46, 62), (3840, 2160), 8, 1, 0.0, 0.1),
    (5, (46, 62), (640, 480), 10, 2, 0.02, 0.0),
    (6, (40, 50), (317, 241), 8, 2, 0.03, 0.1),
    (7, (46, 62), (641, 479), 0, 0, 0.06, 0.1),
    (8, (120, 160), (480, 360), 260, 0, 0.0, 0.1),
    (9, (120, 160), (480, 360), 220, 12, 0.0, 0.1),
    (10, (3, 2), (5, 7), 1, 0, 0.0, 0.1),
    (11, (46, 62), (62, 1), 5, 0, 0.0, 0.1),
    # Crowded maps at the crowd benchmarks' scale: chains of windows merge
    # into boxes with gaps between their parts (computed only inside the
    # parts), rings whose fill spans those gaps.
    (12, (46, 82), (1280, 720), 90, 6, 0.0, 0.1),
    (13, (46, 82), (1280, 720), 60, 10, 0.01, 0.1),
    (14, (92, 122), (960, 720), 150, 8, 0.0, 0.1),
]


@pytest.mark.parametrize(("seed", "shape", "size", "n_blobs", "n_rings", "noise", "threshold"), CASES,
                         ids=[f"seed{c[0]}-{c[1][1]}x{c[1][0]}->{c[2][0]}x{c[2][1]}" for c in CASES])
def test_windowed_peaks_equal_full_image_peaks(seed, shape, size, n_blobs, n_rings, noise, threshold):
    heatmap = blobs_map(seed, shape, n_blobs, n_rings, noise)
    ref = openpose.find_peaks(heatmap, image_size=size, threshold=threshold, mode="seed", implementation="python")
    got = openpose.find_peaks(heatmap, image_size=size, threshold=threshold, mode="seed", implementation="cpp")
    np.testing.assert_array_equal(got[:, :3], ref[:, :3])
    np.testing.assert_allclose(got[:, 3], ref[:, 3], rtol=1e-6, atol=0)
    if n_blobs or noise:
        assert len(ref) > 0


def test_windowed_peaks_at_image_size():
    """A map already at image size (no resize) goes through the same windows."""
    heatmap = blobs_map(21, (240, 320), 40, 4, 0.01)
    ref = openpose.find_peaks(heatmap, mode="seed", implementation="python")
    got = openpose.find_peaks(heatmap, mode="seed", implementation="cpp")
    assert len(ref) > 20
    np.testing.assert_array_equal(got, ref)


def test_nested_rings_keep_opencv_order():
    """Rings inside rings beside plain blobs: nesting and order as cv2.findContours gives them."""
    shape = (80, 100)
    m = np.zeros(shape, np.float32)
    for cx, cy in ((25, 25), (70, 50)):
        for radius in (4, 10, 16):
            m = np.maximum(m, _ring(shape, cx, cy, radius, 1.0, 0.8))
        m = np.maximum(m, _gauss(shape, cx, cy, 0.8, 0.9))
    m = np.maximum(m, _gauss(shape, 90, 10, 1.5, 0.7))
    m = np.maximum(m, _gauss(shape, 5, 70, 1.5, 0.7))
    for size, at_least in (((100, 80), 10), ((300, 240), 10), ((57, 45), 4)):
        ref = openpose.find_peaks(m, image_size=size, mode="seed", implementation="python")
        got = openpose.find_peaks(m, image_size=size, mode="seed", implementation="cpp")
        assert len(ref) >= at_least
        np.testing.assert_array_equal(got[:, :3], ref[:, :3])
        np.testing.assert_allclose(got[:, 3], ref[:, 3], rtol=1e-6, atol=0)


def _grid_of_blobs(shape, step, rings=()):
    m = np.zeros(shape, np.float32)
    h, w = shape
    for cy in range(step // 2, h, step):
        for cx in range(step // 2, w, step):
            m = np.maximum(m, _gauss(shape, cx + 0.3 * (cy % 3), cy, 0.8, 0.5 + 0.01 * ((cx * 7 + cy) % 40)))
    for cx, cy, radius in rings:
        m = np.maximum(m, _ring(shape, cx, cy, radius, 0.8, 0.9))
    return m


@pytest.mark.parametrize("rings", [(), ((20.5, 20.5, 6.0), (60.5, 40.5, 7.0))], ids=["no-holes", "with-holes"])
def test_more_contours_than_opencv_labels(rings):
    """More than 126 contours: OpenCV reuses its 7-bit border labels; peaks and order still match."""
    m = _grid_of_blobs((90, 120), 6, rings)
    size = (480, 360)
    ref = openpose.find_peaks(m, image_size=size, mode="seed", implementation="python")
    got = openpose.find_peaks(m, image_size=size, mode="seed", implementation="cpp")
    assert len(ref) > 200
    np.testing.assert_array_equal(got[:, :3], ref[:, :3])
    np.testing.assert_allclose(got[:, 3], ref[:, 3], rtol=1e-6, atol=0)
