"""Image primitives of the C++ core against cv2 and against the Python reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openpose import _ext, reference

cv2 = pytest.importorskip("cv2")


@pytest.fixture
def generic_cv2():
    """cv2 with its optimised (SIMD/IPP) paths off: the generic code the original program gets."""
    previous = cv2.useOptimized()
    cv2.setUseOptimized(False)
    yield cv2
    cv2.setUseOptimized(previous)


def _is_half(src_shape, width, height):
    # OpenCV switches to its area path for an exact 2x downscale on both axes
    # (documented divergence: the core keeps the linear formula there).
    h, w = src_shape
    return w == 2 * width and h == 2 * height


SIZES = [
    ((46, 62), (640, 480)),   # typical upscale
    ((46, 34), (480, 640)),
    ((46, 62), (62, 46)),     # identity: a copy
    ((46, 62), (31, 20)),     # downscale
    ((1, 1), (17, 5)),
    ((1, 9), (40, 3)),
    ((9, 1), (1, 40)),
    ((5, 7), (1, 1)),
    ((46, 82), (1920, 1080)),
]


@pytest.mark.parametrize(("src_shape", "dsize"), SIZES, ids=[f"{s}->{d}" for s, d in SIZES])
def test_resize_matches_cv2_generic_and_reference(generic_cv2, src_shape, dsize):
    rng = np.random.default_rng(sum(src_shape) + sum(dsize))
    src = rng.standard_normal(src_shape).astype(np.float32)
    expected = generic_cv2.resize(src, dsize, interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(_ext.resize_linear(src, *dsize), expected)
    np.testing.assert_array_equal(reference.resize_linear(src, *dsize), expected)


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 40), w=st.integers(1, 40), width=st.integers(1, 300), height=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
)
def test_resize_any_size_matches_cv2(h, w, width, height, seed):
    if _is_half((h, w), width, height):
        return
    src = np.random.default_rng(seed).uniform(-2, 2, (h, w)).astype(np.float32)
    previous = cv2.useOptimized()
    cv2.setUseOptimized(False)
    try:
        expected = cv2.resize(src, (width, height), interpolation=cv2.INTER_LINEAR)
    finally:
        cv2.setUseOptimized(previous)
    np.testing.assert_array_equal(_ext.resize_linear(src, width, height), expected)
    np.testing.assert_array_equal(reference.resize_linear(src, width, height), expected)


def test_resize_close_to_optimised_cv2():
    """The pip wheels' optimised float resize differs from the generic one only in the last bits."""
    src = np.random.default_rng(3).uniform(0, 1, (46, 62)).astype(np.float32)
    np.testing.assert_allclose(_ext.resize_linear(src, 640, 480), cv2.resize(src, (640, 480)), rtol=1e-5, atol=5e-6)


@settings(max_examples=100, deadline=None)
@given(h=st.integers(1, 50), w=st.integers(1, 50), seed=st.integers(0, 2**32 - 1))
def test_blur_matches_cv2_and_reference(h, w, seed):
    src = np.random.default_rng(seed).uniform(-1, 1, (h, w)).astype(np.float32)
    expected = cv2.GaussianBlur(src, (3, 3), 0)
    np.testing.assert_array_equal(_ext.gaussian_blur3(src), expected)
    np.testing.assert_array_equal(reference.gaussian_blur3(src), expected)


def test_primitives_reject_bad_arrays():
    with pytest.raises(ValueError, match="src"):
        _ext.resize_linear(np.zeros((0, 3), np.float32), 4, 4)
    with pytest.raises(ValueError, match="image_size"):
        _ext.resize_linear(np.zeros((3, 3), np.float32), 0, 4)
    with pytest.raises(TypeError):
        _ext.gaussian_blur3(np.zeros((3, 3), np.float64))  # the private module never casts silently
