"""Accurate mode skips work that cannot change its result; the results stay the same.

Two shortcuts in the C++ core:

- Peaks on an upsampled heatmap: a pixel of the bicubic map is at most
  (sum |wx|) (sum |wy|) times the largest magnitude of the source values it
  reads, so runs of pixels whose bound is not above the threshold are never
  computed; the rest are computed on demand. The oracle is the C++ core's
  plain path: upsample the whole map first (`_ext.accurate_upsample`) and
  scan every pixel at factor 1. Both use the same float arithmetic, so the
  peaks must be bit-identical. The maps are built to break such a bound:
  lone spikes whose upsampled top sits a float step around the threshold,
  plateaus, negative lobes, huge values, threshold 0 with subnormals,
  peak caps (the first in raster order), refinement windows reaching far
  into skipped pixels, odd factors.
- Limb scores: a pair stops being read once too few samples are left for
  the ``min_above`` test to pass. These cases sit on the rounding of
  ``kept / n`` (with 5 samples, 0.8 needs all 5, 0.79999 needs 4) and are
  compared with the Python reference, which reads every sample.
"""

from __future__ import annotations

import numpy as np
import pytest

import openpose
from openpose._cpp import ext
from openpose.layouts import get_layout
from openpose.synthetic import synthetic_net_output


def peaks_both_ways(heatmap, *, factor, threshold, radius=3, max_peaks=127):
    """(grid path, plain path) peaks of one heatmap, in the upsampled map's pixels."""
    size = (heatmap.shape[1] * factor, heatmap.shape[0] * factor)
    opts = dict(mode="accurate", implementation="cpp", threshold=threshold, radius=radius, max_peaks=max_peaks)
    grid = openpose.find_peaks(heatmap, image_size=size, factor=factor, **opts)
    up = ext().accurate_upsample(np.ascontiguousarray(heatmap, np.float32), factor=factor)
    plain = openpose.find_peaks(up, image_size=size, factor=1, **opts)
    return grid, plain


def assert_same_bits(a, b):
    assert a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def spike_top(factor: int) -> float:
    """The largest upsampled value of a unit spike (the source's centre is between pixels for even factors)."""
    src = np.zeros((9, 9), np.float32)
    src[4, 4] = 1.0
    return float(ext().accurate_upsample(src, factor=factor).max())


@pytest.mark.parametrize("factor", [2, 3, 4, 5, 8])
@pytest.mark.parametrize("step", [-2, -1, 0, 1, 2])
def test_lone_spikes_around_the_threshold(factor, step):
    threshold = np.float32(0.05)
    # Scaled so that the upsampled top lands `step` float steps from the threshold.
    height = np.float32(threshold / np.float32(spike_top(factor)))
    for _ in range(abs(step)):
        height = np.nextafter(height, np.float32(np.inf if step > 0 else -np.inf), dtype=np.float32)
    heatmap = np.zeros((20, 24), np.float32)
    heatmap[5, 6] = heatmap[12, 17] = height
    heatmap[16, 3] = -height  # a negative lobe next to nothing
    grid, plain = peaks_both_ways(heatmap, factor=factor, threshold=float(threshold))
    assert_same_bits(grid, plain)


@pytest.mark.parametrize("factor", [2, 4, 7])
def test_plateaus_and_edges(factor):
    heatmap = np.zeros((18, 22), np.float32)
    heatmap[3:8, 4:12] = 0.05  # a plateau at exactly the threshold
    heatmap[10:14, 0:3] = np.nextafter(np.float32(0.05), np.float32(1))  # one step above, at the left edge
    heatmap[0, 15:22] = 0.3  # maxima on the top row and right edge
    heatmap[17, 21] = 0.9
    heatmap[9, 9] = heatmap[9, 11] = 0.2  # equal maxima: both or neither, in raster order
    grid, plain = peaks_both_ways(heatmap, factor=factor, threshold=0.05)
    assert_same_bits(grid, plain)


@pytest.mark.parametrize("factor", [2, 3, 8])
@pytest.mark.parametrize("seed", range(4))
def test_noisy_maps_with_sparse_people(factor, seed):
    rng = np.random.default_rng(seed)
    heatmap = np.abs(rng.normal(0, 0.004, (30, 40))).astype(np.float32)
    heatmap -= 0.002  # negative background, as real networks give
    for _ in range(6):
        y, x = rng.integers(0, 30), rng.integers(0, 40)
        yy, xx = np.mgrid[0:30, 0:40]
        heatmap += (rng.uniform(0.03, 0.9) * np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / 2.0)).astype(np.float32)
    for threshold in (0.02, 0.05, 0.3):
        grid, plain = peaks_both_ways(heatmap, factor=factor, threshold=threshold)
        assert_same_bits(grid, plain)
        assert len(plain) > 0 or threshold == 0.3


@pytest.mark.parametrize("factor", [2, 3, 8])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (3, 2), (4, 1), (3, 5), (5, 4)])
def test_maps_narrower_than_the_bicubic_kernel(shape, factor):
    # Under 4 source pixels a side every tap range is clamped at a border,
    # so the bound reads no 4-column window; at 4 and 5 some ranges do.
    rng = np.random.default_rng(shape[0] * 10 + shape[1])
    heatmap = rng.uniform(-0.05, 0.6, shape).astype(np.float32)
    for threshold in (0.0, 0.05, 0.3):
        grid, plain = peaks_both_ways(heatmap, factor=factor, threshold=threshold)
        assert_same_bits(grid, plain)
        assert len(plain) > 0 or factor < 8 or shape == (1, 1)  # x8 leaves room for peaks off the border


@pytest.mark.parametrize("factor", [2, 4])
def test_threshold_zero_with_subnormals_and_huge_values(factor):
    heatmap = np.zeros((12, 14), np.float32)
    tiny = np.float32(1e-45)  # the smallest subnormal
    heatmap[2, 3], heatmap[2, 4] = tiny, 0.0
    heatmap[6, 9], heatmap[6, 10] = np.float32(3e38), np.float32(1e38)  # the bound overflows to inf
    heatmap[9, 2] = np.float32(-1e30)
    heatmap[9, 8], heatmap[10, 9] = 0.5, 0.2  # and one ordinary peak
    grid, plain = peaks_both_ways(heatmap, factor=factor, threshold=0.0)
    assert_same_bits(grid, plain)
    assert len(plain) >= 1


@pytest.mark.parametrize("max_peaks", [0, 1, 3, 10])
@pytest.mark.parametrize("radius", [0, 3, 16])
def test_peak_cap_and_windows_reaching_skipped_pixels(max_peaks, radius):
    heatmap = np.zeros((24, 30), np.float32)
    for k, (y, x) in enumerate([(2, 25), (3, 4), (3, 12), (10, 10), (10, 27), (20, 2), (21, 22)]):
        heatmap[y, x] = 0.2 + 0.1 * k
        heatmap[y + 1, x + 1] = 0.1  # one unique top, not a tie between the pixels around the centre
    grid, plain = peaks_both_ways(heatmap, factor=4, threshold=0.05, radius=radius, max_peaks=max_peaks)
    assert_same_bits(grid, plain)
    _, every = peaks_both_ways(heatmap, factor=4, threshold=0.05, radius=radius)
    assert len(every) >= 7
    assert_same_bits(plain, every[:max_peaks])


def test_real_outputs_at_the_presets_factors(real_outputs):
    found = 0
    for _name, out, _size in real_outputs[:6]:
        for part in (0, 4, 9, 17):
            for factor, threshold in ((2, 0.02), (4, 0.02), (8, 0.05)):
                grid, plain = peaks_both_ways(out[0, part], factor=factor, threshold=threshold)
                assert_same_bits(grid, plain)
                found += len(plain)
    assert found > 50


# --- limb scores ---------------------------------------------------------------

MIN_ABOVE = [0.95, 0.8, 0.79999, 0.6, 0.5, 0.0, 1.0]


@pytest.fixture(scope="module")
def crowd():
    out = synthetic_net_output(10, map_size=(60, 40), seed=3)[0]
    return out


@pytest.mark.parametrize("factor", [1, 2])
@pytest.mark.parametrize("min_above", MIN_ABOVE)
def test_limb_pairs_equal_reference(crowd, factor, min_above):
    size = (480, 320)
    cands, next_id = [], 0
    for p in range(18):
        cands.append(openpose.find_peaks(crowd[p], image_size=size, factor=factor, implementation="python",
                                         first_id=next_id))
        next_id += len(cands[-1])
    n_pairs = 0
    for part_a, part_b, paf_x, paf_y in get_layout("coco").limbs:
        a, b = cands[part_a], cands[part_b]
        if not len(a) or not len(b):
            continue
        got, ref = (openpose.score_limb(crowd[paf_x], crowd[paf_y], a, b, image_size=size,
                                        implementation=impl, factor=factor, min_above=min_above, paf_threshold=0.05)
                    for impl in ("cpp", "python"))
        np.testing.assert_array_equal(got[:, :2], ref[:, :2])
        np.testing.assert_allclose(got[:, 2], ref[:, 2], rtol=0, atol=1e-5)
        n_pairs += len(ref)
    assert n_pairs > 0
