"""Seed-mode peaks on large upscales (block bounds) equal the full-image computation.

From a 16x upscale on, the C++ core decides most pixels of a window by
per-block lower and upper bounds of the blurred map (certainly above or
certainly not above the threshold; certainly below the best value found)
and computes exact values only where the bounds cannot decide. These maps
are built to break such bounds: plateaus at exactly the threshold and one
float step above or below it, equal maxima (the first in raster order must
win), maxima on resize-cell edges, tiny maps blown up to 4K, huge and
negative values, subnormal values at threshold 0. Expected values come from
the Python reference (cv2's findContours and fillConvexPoly on the full-size
maps), never from the C++ code.
"""

from __future__ import annotations

import numpy as np
import pytest

import openpose

pytest.importorskip("cv2")

T = np.float32(0.1)
ABOVE = np.nextafter(T, np.float32(1))
BELOW = np.nextafter(T, np.float32(0))


def _compare(heatmap, size, threshold=0.1, at_least=1):
    ref = openpose.find_peaks(heatmap, image_size=size, threshold=threshold, mode="seed", implementation="python")
    got = openpose.find_peaks(heatmap, image_size=size, threshold=threshold, mode="seed", implementation="cpp")
    assert len(ref) >= at_least
    np.testing.assert_array_equal(got[:, :3], ref[:, :3])
    np.testing.assert_allclose(got[:, 3], ref[:, 3], rtol=1e-6, atol=0)


def _gauss(shape, cx, cy, sigma, amp):
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return (amp * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma**2))).astype(np.float32)


def plateaus(seed, shape, values):
    """Rectangles of source pixels set to exactly one of `values`, on zero."""
    rng = np.random.default_rng(seed)
    h, w = shape
    m = np.zeros(shape, np.float32)
    for _ in range(6):
        x0, y0 = rng.integers(0, w - 2), rng.integers(0, h - 2)
        m[y0:y0 + rng.integers(1, 5), x0:x0 + rng.integers(1, 5)] = values[rng.integers(len(values))]
    return m


# Image sizes: 16x and up from the map (the bounded path), at odd ratios so
# cell edges fall at every offset of the bound blocks.
PLATEAU_CASES = [
    ("at-threshold", (T,)),
    ("above", (ABOVE,)),
    ("below-and-above", (BELOW, ABOVE)),
    ("mixed-ulps", (BELOW, T, ABOVE)),
]
SIZES = [(3840, 2160), (1000, 741), (2003, 1499)]


@pytest.mark.parametrize(("name", "values"), PLATEAU_CASES, ids=[c[0] for c in PLATEAU_CASES])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_plateaus_within_one_ulp_of_threshold(name, values, size):
    # The resized value of a constant plateau is the constant only up to the
    # rounding of w0 + w1, so which pixels pass is decided in the last bit.
    heatmap = plateaus(sum(map(ord, name)), (46, 62), values)
    ref = openpose.find_peaks(heatmap, image_size=size, mode="seed", implementation="python")
    got = openpose.find_peaks(heatmap, image_size=size, mode="seed", implementation="cpp")
    np.testing.assert_array_equal(got[:, :3], ref[:, :3])
    np.testing.assert_allclose(got[:, 3], ref[:, 3], rtol=1e-6, atol=0)
    assert len(ref) > 0


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_equal_maxima_first_in_raster_order(size):
    """Flat tops: many pixels share the maximum; the first in raster order wins."""
    m = np.zeros((46, 62), np.float32)
    m[10:13, 20:24] = 0.7        # a flat top, one blob
    m[30:32, 5:7] = 0.7          # another blob with the same top value
    m[30, 40] = m[30, 42] = 0.9  # two equal spikes in one blob
    m[29:32, 39:44] = np.maximum(m[29:32, 39:44], 0.5)
    _compare(m, size, at_least=3)


@pytest.mark.parametrize("size", [(3840, 2160), (1984, 1472), (1985, 1473), (2500, 1100)],
                         ids=["3840x2160", "32x-exact", "32x-plus-1", "anisotropic"])
def test_spikes_on_cell_edges(size):
    """Single-pixel maxima: the resized maximum sits where a cell starts (fraction 0)."""
    rng = np.random.default_rng(7)
    m = np.zeros((46, 62), np.float32)
    for _ in range(8):
        x, y = rng.integers(0, 62), rng.integers(0, 46)
        m[max(y - 1, 0):y + 2, max(x - 1, 0):x + 2] = rng.uniform(0.2, 0.4)
        m[y, x] = rng.uniform(0.5, 1.0)
    m[0, 0] = 0.8    # corners and edges: clamped resize samples
    m[45, 61] = 0.8
    m[20, 61] = 0.6
    _compare(m, size, at_least=4)


@pytest.mark.parametrize(("shape", "size"), [((2, 3), (3840, 2160)), ((1, 5), (3000, 2000)), ((4, 1), (1700, 2900)),
                                             ((3, 3), (2048, 2048))],
                         ids=["3x2->4K", "5x1->3000x2000", "1x4->1700x2900", "3x3->2048"])
def test_tiny_maps_to_huge_images(shape, size):
    rng = np.random.default_rng(3)
    m = rng.uniform(0.0, 0.3, shape).astype(np.float32)
    m.flat[rng.integers(m.size)] = 0.9
    _compare(m, size)


def test_large_and_negative_values():
    """Huge magnitudes widen the rounding margin: nearly every block is computed exactly."""
    rng = np.random.default_rng(5)
    m = (rng.normal(0, 1, (46, 62)) * 1e3).astype(np.float32)
    m[rng.random((46, 62)) < 0.5] *= -1
    _compare(m, (2000, 1500), at_least=10)


def test_subnormal_values_at_threshold_zero():
    """Products of subnormal values underflow: the bounds' absolute margin must cover it."""
    rng = np.random.default_rng(11)
    tiny = np.float32(1e-39)
    m = (rng.integers(-3, 4, (46, 62)) * tiny).astype(np.float32)
    m[5:8, 5:8] = np.float32(1e-45)  # the smallest subnormal
    _compare(m, (1600, 1200), threshold=0.0, at_least=5)


@pytest.mark.parametrize("size", [(930, 690), (992, 736), (1008, 752)],
                         ids=["15x-dense", "16x-bounded", "16.3x-bounded"])
def test_blobs_either_side_of_the_bounded_path(size):
    rng = np.random.default_rng(13)
    m = np.zeros((46, 62), np.float32)
    for _ in range(12):
        m = np.maximum(m, _gauss((46, 62), rng.uniform(0, 62), rng.uniform(0, 46), rng.uniform(0.5, 3),
                                 rng.uniform(0.05, 1.0)))
    _compare(m, size, at_least=5)


def test_blurred_peak_between_blocks_with_noise():
    """Noisy blobs at 4K: many local maxima close in value, contours with holes."""
    rng = np.random.default_rng(17)
    m = np.zeros((46, 82), np.float32)
    for _ in range(6):
        m = np.maximum(m, _gauss((46, 82), rng.uniform(0, 82), rng.uniform(0, 46), rng.uniform(1, 3), 0.9))
    m += rng.normal(0, 0.05, m.shape).astype(np.float32)
    _compare(m, (3840, 2160), at_least=5)


FUZZ_VALUES = np.array([-1000.0, -3.0, -0.2, 0.0, 0.05, BELOW, T, ABOVE, 0.2, 0.3, 1.0, 40.0], np.float32)


def _hostile_map(seed):
    rng = np.random.default_rng(100 + seed)
    h, w = rng.integers(2, 7), rng.integers(2, 9)
    m = rng.choice(FUZZ_VALUES, size=(h, w)).astype(np.float32)
    return m, (int(w * rng.uniform(16, 40)), int(h * rng.uniform(16, 40)))


CHUNK = 250


@pytest.mark.parametrize("first", range(0, 2000, CHUNK), ids=[f"seeds{s}-{s + CHUNK - 1}" for s in range(0, 2000, CHUNK)])
def test_random_hostile_maps(first):
    """Small maps of extreme values (steep ramps both ways, pixels at the threshold and one ulp off) at 16x to 40x.

    A bound that forgets the blur's neighbour row or column misclassifies a
    one-pixel border of some blobs; only a few maps in a thousand turn that
    into a different peak, hence many maps.
    """
    differ = []
    for seed in range(first, first + CHUNK):
        m, size = _hostile_map(seed)
        ref = openpose.find_peaks(m, image_size=size, mode="seed", implementation="python")
        got = openpose.find_peaks(m, image_size=size, mode="seed", implementation="cpp")
        if ref.shape != got.shape or not np.array_equal(got[:, :3], ref[:, :3]) or not np.allclose(
                got[:, 3], ref[:, 3], rtol=1e-6, atol=0):
            differ.append(seed)
    assert differ == []
