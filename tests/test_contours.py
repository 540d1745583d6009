"""The C++ findContours / fillConvexPoly against OpenCV (cv2), bit for bit.

openpose._ext.find_contours(mask) must return exactly what
cv2.findContours(mask, RETR_TREE, CHAIN_APPROX_SIMPLE) returns: the same
contours, in the same order, each with the same starting point, direction and
points. openpose._ext.fill_convex_poly(poly, width, height) must paint exactly
the pixels cv2.fillConvexPoly(img, poly, 1) (LINE_8, shift 0) paints, for any
polygon, convex or not, degenerate or partly / wholly outside the image.

The C++ code follows OpenCV 4.6 (the version the original program used). The
cases here give the same result with cv2 4.6, 4.14 and 5.0.
"""

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from openpose import _ext  # noqa: E402

HYPOTHESIS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --------------------------------------------------------------------------
# Helpers


def cv_contours(mask):
    """cv2.findContours(RETR_TREE, CHAIN_APPROX_SIMPLE) as a list of (n, 2) arrays."""
    found = cv2.findContours(np.ascontiguousarray(mask).copy(), cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    return [np.asarray(c, dtype=np.int32).reshape(-1, 2) for c in found[-2]]


def assert_same_contours(mask):
    """Our contours equal cv2's: count, order and every point. Returns them."""
    expected = cv_contours(mask)
    actual = _ext.find_contours(mask)
    assert isinstance(actual, list)
    assert len(actual) == len(expected), f"{len(actual)} contours, cv2 has {len(expected)}"
    for i, (ours, theirs) in enumerate(zip(actual, expected)):
        ours = np.asarray(ours)
        assert ours.dtype == np.int32, f"contour {i} has dtype {ours.dtype}"
        assert ours.ndim == 2 and ours.shape[1] == 2, f"contour {i} has shape {ours.shape}"
        np.testing.assert_array_equal(ours, theirs, err_msg=f"contour {i} of {len(expected)}")
    return expected


def cv_fill(poly, width, height):
    img = np.zeros((height, width), np.uint8)
    cv2.fillConvexPoly(img, np.asarray(poly, dtype=np.int32).reshape(-1, 1, 2), 1)
    return img


def assert_same_fill(poly, width, height):
    poly = np.ascontiguousarray(np.asarray(poly, dtype=np.int32).reshape(-1, 2))
    expected = cv_fill(poly, width, height)
    actual = _ext.fill_convex_poly(poly, width, height)
    assert actual.dtype == np.uint8
    assert actual.shape == (height, width)
    np.testing.assert_array_equal(actual, expected, err_msg=f"polygon {poly.tolist()} on {width}x{height}")


def from_rows(*rows):
    """Mask from strings: '#' foreground, '.' background."""
    return np.array([[255 if ch == "#" else 0 for ch in row] for row in rows], dtype=np.uint8)


def paint_rects(shape, rects):
    mask = np.zeros(shape, np.uint8)
    for y0, x0, y1, x1, value in rects:
        mask[y0:y1, x0:x1] = value
    return mask


def nested_squares(levels, gap=2):
    """Blob in a hole in a blob ... `levels` alternating rings."""
    size = 2 * levels * gap + 1
    mask = np.zeros((size, size), np.uint8)
    for level in range(levels):
        lo, hi = level * gap, size - level * gap
        mask[lo:hi, lo:hi] = 255 if level % 2 == 0 else 0
    return mask


def rings(height, width, cy, cx, period):
    yy, xx = np.mgrid[0:height, 0:width]
    r = np.hypot(yy - cy, xx - cx)
    return ((np.floor(r / period) % 2) == 0).astype(np.uint8) * 255


def spiral(size):
    mask = np.zeros((size, size), np.uint8)
    x = y = 0
    dx, dy = 1, 0
    lo_x, lo_y, hi_x, hi_y = 0, 2, size - 1, size - 1
    for _ in range(size * size):
        mask[y, x] = 255
        nx, ny = x + dx, y + dy
        if dx == 1 and nx > hi_x:
            dx, dy, hi_x = 0, 1, hi_x - 2
        elif dy == 1 and ny > hi_y:
            dx, dy, hi_y = -1, 0, hi_y - 2
        elif dx == -1 and nx < lo_x:
            dx, dy, lo_x = 0, -1, lo_x + 2
        elif dy == -1 and ny < lo_y:
            dx, dy, lo_y = 1, 0, lo_y + 2
        else:
            x, y = nx, ny
            continue
        if lo_x > hi_x or lo_y > hi_y:
            break
        x, y = x + dx, y + dy
    return mask


# --------------------------------------------------------------------------
# findContours: hand-made masks

HANDMADE = {
    "empty": np.zeros((7, 9), np.uint8),
    "empty_1x1": np.zeros((1, 1), np.uint8),
    "full_1x1": np.full((1, 1), 255, np.uint8),
    "full": np.full((6, 8), 255, np.uint8),
    "full_row": np.full((1, 10), 255, np.uint8),
    "full_column": np.full((10, 1), 255, np.uint8),
    "single_row_pieces": from_rows("##.#..###.#"),
    "single_column_pieces": from_rows("#", "#", ".", "#", ".", ".", "#", "#", "#"),
    "pixel_center": paint_rects((5, 5), [(2, 2, 3, 3, 255)]),
    "pixel_top_left": paint_rects((5, 6), [(0, 0, 1, 1, 255)]),
    "pixel_top_right": paint_rects((5, 6), [(0, 5, 1, 6, 255)]),
    "pixel_bottom_left": paint_rects((5, 6), [(4, 0, 5, 1, 255)]),
    "pixel_bottom_right": paint_rects((5, 6), [(4, 5, 5, 6, 255)]),
    "pixels_all_corners": paint_rects(
        (4, 5), [(0, 0, 1, 1, 255), (0, 4, 1, 5, 255), (3, 0, 4, 1, 255), (3, 4, 4, 5, 255)]
    ),
    "blob_top_border": paint_rects((8, 8), [(0, 2, 3, 6, 255)]),
    "blob_bottom_border": paint_rects((8, 8), [(5, 2, 8, 6, 255)]),
    "blob_left_border": paint_rects((8, 8), [(2, 0, 6, 3, 255)]),
    "blob_right_border": paint_rects((8, 8), [(2, 5, 6, 8, 255)]),
    "blob_top_left_corner": paint_rects((8, 8), [(0, 0, 3, 3, 255)]),
    "blob_top_right_corner": paint_rects((8, 8), [(0, 5, 3, 8, 255)]),
    "blob_bottom_left_corner": paint_rects((8, 8), [(5, 0, 8, 3, 255)]),
    "blob_bottom_right_corner": paint_rects((8, 8), [(5, 5, 8, 8, 255)]),
    "frame_of_image": from_rows("######", "#....#", "#....#", "######"),
    "frame_with_blob_inside": from_rows("#######", "#.....#", "#..#..#", "#.....#", "#######"),
    "square_with_hole": from_rows(".....", ".###.", ".#.#.", ".###.", "....."),
    "hole_one_pixel_wall": from_rows("###", "#.#", "###"),
    "two_holes": from_rows("#######", "#.#.#.#", "#######"),
    "holes_touching_diagonally": from_rows("#####", "#.###", "##.##", "###.#", "#####"),
    "nested_3": nested_squares(3),
    "nested_5": nested_squares(5),
    "nested_8_thin": nested_squares(8, gap=1),
    "touching_4_connected": from_rows("##..", "####", "..##"),
    "touching_diagonally": from_rows("##..", "##..", "..##", "..##"),
    "diagonal_chain": from_rows("#...", ".#..", "..#.", "...#"),
    "anti_diagonal_chain": from_rows("...#", "..#.", ".#..", "#..."),
    "checkerboard": (np.indices((6, 7)).sum(axis=0) % 2 * 255).astype(np.uint8),
    "checkerboard_inverse": ((np.indices((7, 6)).sum(axis=0) + 1) % 2 * 255).astype(np.uint8),
    "plus": from_rows("..#..", "..#..", "#####", "..#..", "..#.."),
    "cross_x": from_rows("#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "u_shape": from_rows("#...#", "#...#", "#...#", "#####"),
    "n_shape": from_rows("#####", "#...#", "#...#", "#...#"),
    "comb": from_rows("#.#.#.#", "#.#.#.#", "#######"),
    "staircase": from_rows("#....", "##...", "###..", "####.", "#####"),
    "thin_ring_in_border": from_rows("#####", "#...#", "#.#.#", "#...#", "#####"),
    "spiral_15": spiral(15),
    "spiral_22": spiral(22),
    "rings_centered": rings(31, 31, 15, 15, 2.0),
    "rings_off_center": rings(40, 27, 5.5, 30.2, 1.7),
    "values_not_255": paint_rects((6, 6), [(1, 1, 5, 5, 1), (2, 2, 4, 4, 0), (0, 5, 2, 6, 7)]),
    "values_128_and_up": paint_rects((5, 9), [(0, 0, 5, 3, 128), (1, 5, 4, 8, 200)]),
}


@pytest.mark.parametrize("mask", list(HANDMADE.values()), ids=list(HANDMADE))
def test_find_contours_handmade(mask):
    assert_same_contours(mask)


def test_find_contours_empty_has_no_contour():
    assert _ext.find_contours(np.zeros((5, 5), np.uint8)) == []


def test_find_contours_pixel_and_hole_points():
    # Pins OpenCV's conventions: an outer border starts at its first pixel in
    # raster order and goes down the left side first; a hole border starts at
    # the foreground pixel left of the hole's first pixel and goes up first.
    contours = assert_same_contours(from_rows(".....", ".###.", ".#.#.", ".###.", "....."))
    np.testing.assert_array_equal(contours[0], [[1, 1], [1, 3], [3, 3], [3, 1]])
    np.testing.assert_array_equal(contours[1], [[1, 2], [2, 1], [3, 2], [2, 3]])
    single = assert_same_contours(paint_rects((3, 4), [(1, 2, 2, 3, 255)]))
    np.testing.assert_array_equal(single[0], [[2, 1]])


def test_find_contours_order_is_bottom_blob_first():
    mask = paint_rects((9, 9), [(0, 0, 2, 2, 255), (4, 4, 6, 6, 255), (7, 0, 9, 2, 255)])
    contours = assert_same_contours(mask)
    assert [int(c[0, 1]) for c in contours] == [7, 4, 0]


@pytest.mark.parametrize("value", [1, 2, 127, 128, 254, 255], ids=lambda v: f"value{v}")
def test_find_contours_any_nonzero_is_foreground(value):
    mask = nested_squares(4)
    mask[mask > 0] = value
    assert_same_contours(mask)


def test_find_contours_strided_view():
    rng = np.random.default_rng(7)
    big = (rng.random((40, 50)) < 0.45).astype(np.uint8) * 255
    view = big[5:33, 7:41]  # rows longer than the window
    assert not view.flags.c_contiguous
    expected = cv_contours(np.ascontiguousarray(view))
    actual = _ext.find_contours(view)
    assert len(actual) == len(expected)
    for ours, theirs in zip(actual, expected):
        np.testing.assert_array_equal(ours, theirs)


# --------------------------------------------------------------------------
# findContours: random masks (seeded)


def random_mask(seed):
    """A mask of one of several kinds, chosen and drawn from `seed`."""
    rng = np.random.default_rng(seed)
    kind = seed % 6
    if kind == 0:  # salt and pepper of random density
        h, w = rng.integers(1, 40, size=2)
        mask = rng.random((h, w)) < rng.uniform(0.05, 0.95)
    elif kind == 1:  # smooth blobs, like a thresholded heatmap
        h, w = rng.integers(8, 120, size=2)
        field = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), rng.uniform(1.0, 4.0))
        mask = field > np.quantile(field, rng.uniform(0.3, 0.9))
    elif kind == 2:  # blocky shapes from upscaled noise
        sh, sw = rng.integers(1, 12, size=2)
        small = (rng.random((sh, sw)) < 0.5).astype(np.uint8)
        h, w = rng.integers(5, 60, size=2)
        mask = cv2.resize(small, (int(w), int(h)), interpolation=cv2.INTER_NEAREST) > 0
    elif kind == 3:  # dense noise: hundreds of contours (7-bit label reuse)
        h, w = rng.integers(60, 160, size=2)
        mask = rng.random((h, w)) < rng.uniform(0.3, 0.7)
    elif kind == 4:  # concentric rings with noise: deep nesting
        h, w = rng.integers(10, 90, size=2)
        mask = rings(h, w, rng.uniform(0, h), rng.uniform(0, w), rng.uniform(1.0, 4.0)) > 0
        mask ^= rng.random((h, w)) < 0.03
    else:  # a heatmap-like sum of gaussians, thresholded
        h, w = rng.integers(20, 100, size=2)
        yy, xx = np.mgrid[0:h, 0:w]
        field = np.zeros((h, w))
        for _ in range(rng.integers(1, 8)):
            cy, cx, s = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(1, 6)
            field += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
        mask = field > rng.uniform(0.1, 0.8)
    return mask.astype(np.uint8) * 255


@pytest.mark.parametrize("seed", range(240), ids=lambda s: f"seed{s}")
def test_find_contours_random(seed):
    assert_same_contours(random_mask(seed))


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
def test_find_contours_many_contours(seed):
    # Thousands of contours, nested in rings: exercises OpenCV's reuse of
    # 7-bit border labels when it looks up a new border's parent.
    rng = np.random.default_rng(1000 + seed)
    mask = rings(200, 230, rng.uniform(0, 200), rng.uniform(0, 230), rng.uniform(2.0, 6.0))
    mask[rng.random(mask.shape) < 0.25] ^= 255
    contours = assert_same_contours(mask)
    assert len(contours) > 300


@HYPOTHESIS
@given(hnp.arrays(np.bool_, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=24)))
def test_find_contours_hypothesis(mask):
    assert_same_contours(mask.astype(np.uint8) * 255)


@HYPOTHESIS
@given(
    st.integers(1, 30),
    st.integers(1, 30),
    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29), st.integers(1, 12), st.integers(1, 12), st.booleans()),
             max_size=12),
)
def test_find_contours_hypothesis_rectangles(height, width, rects):
    # Overlapping filled and cleared rectangles: blobs, holes, nesting, borders.
    mask = np.zeros((height, width), np.uint8)
    for y, x, h, w, fill in rects:
        mask[y:y + h, x:x + w] = 255 if fill else 0
    assert_same_contours(mask)


# --------------------------------------------------------------------------
# fillConvexPoly

POLYGONS = {
    # convex
    "triangle": ([[2, 1], [12, 4], [5, 11]], 16, 14),
    "triangle_reversed": ([[5, 11], [12, 4], [2, 1]], 16, 14),
    "square": ([[3, 3], [10, 3], [10, 10], [3, 10]], 14, 14),
    "thin_slanted": ([[0, 0], [15, 3], [15, 4], [0, 1]], 16, 6),
    "steep": ([[4, 0], [6, 19], [5, 19]], 10, 20),
    "hexagon": ([[5, 0], [10, 3], [10, 8], [5, 11], [0, 8], [0, 3]], 11, 12),
    "flat_top_and_bottom": ([[2, 2], [9, 2], [12, 7], [-1, 7]], 12, 9),
    "whole_image": ([[0, 0], [9, 0], [9, 7], [0, 7]], 10, 8),
    # not convex
    "l_shape": ([[1, 1], [4, 1], [4, 8], [9, 8], [9, 11], [1, 11]], 12, 13),
    "star": ([[8, 0], [10, 6], [16, 6], [11, 10], [13, 16], [8, 12], [3, 16], [5, 10], [0, 6], [6, 6]], 17, 17),
    "zigzag": ([[0, 0], [3, 8], [6, 0], [9, 8], [12, 0], [12, 10], [0, 10]], 13, 11),
    "self_intersecting": ([[1, 1], [10, 10], [10, 1], [1, 10]], 12, 12),
    "arrow_head": ([[0, 0], [10, 5], [0, 10], [4, 5]], 11, 11),
    # degenerate
    "one_point": ([[3, 4]], 8, 8),
    "one_point_corner": ([[7, 7]], 8, 8),
    "two_points": ([[1, 1], [6, 4]], 8, 8),
    "two_equal_points": ([[2, 5], [2, 5]], 8, 8),
    "three_equal_points": ([[2, 5], [2, 5], [2, 5]], 8, 8),
    "collinear_horizontal": ([[1, 3], [6, 3], [4, 3]], 8, 8),
    "collinear_vertical": ([[3, 1], [3, 6], [3, 4]], 8, 8),
    "collinear_diagonal": ([[0, 0], [3, 3], [7, 7], [5, 5]], 8, 8),
    "collinear_slanted": ([[0, 1], [6, 4], [2, 2]], 8, 8),
    "back_and_forth": ([[1, 1], [6, 1], [1, 1], [6, 1]], 8, 8),
    # partly or wholly outside
    "one_point_outside": ([[-1, 3]], 8, 8),
    "two_points_crossing": ([[-5, -3], [12, 9]], 8, 8),
    "two_points_outside": ([[-5, -3], [-1, 9]], 8, 8),
    "left_of_image": ([[-9, 1], [-2, 1], [-2, 6], [-9, 6]], 8, 8),
    "right_of_image": ([[8, 1], [12, 1], [12, 6]], 8, 8),
    "above_image": ([[1, -9], [6, -9], [4, -1]], 8, 8),
    "below_image": ([[1, 8], [6, 9], [4, 12]], 8, 8),
    "covers_image": ([[-20, -20], [30, -20], [30, 30], [-20, 30]], 8, 8),
    "crosses_top_left": ([[-4, -6], [5, -1], [3, 6], [-3, 4]], 8, 8),
    "crosses_bottom_right": ([[5, 5], [14, 6], [9, 13]], 8, 8),
    "far_away_huge": ([[-100000, -70000], [90000, -10], [60000, 80000]], 20, 15),
    "long_thin_across": ([[-300, 2], [300, 5], [300, 6], [-300, 3]], 16, 10),
    "tall_thin_across": ([[4, -300], [6, 300], [5, 300]], 10, 10),
    "nonconvex_partly_outside": ([[-3, -3], [12, 2], [2, 4], [12, 9], [-3, 11]], 10, 10),
}


@pytest.mark.parametrize(("poly", "width", "height"), list(POLYGONS.values()), ids=list(POLYGONS))
def test_fill_convex_poly_handmade(poly, width, height):
    assert_same_fill(poly, width, height)


def test_fill_convex_poly_empty():
    painted = _ext.fill_convex_poly(np.zeros((0, 2), np.int32), 5, 4)
    np.testing.assert_array_equal(painted, np.zeros((4, 5), np.uint8))


@pytest.mark.parametrize("seed", range(120), ids=lambda s: f"seed{s}")
def test_fill_convex_poly_real_contours(seed):
    # The original program fills every contour findContours returns (outer
    # and hole, convex or not) with fillConvexPoly.
    mask = random_mask(seed)
    height, width = mask.shape
    for contour in cv_contours(mask):
        assert_same_fill(contour, width, height)


def random_polygon(seed):
    rng = np.random.default_rng(seed)
    width, height = (int(v) for v in rng.integers(1, 50, size=2))
    n = int(rng.integers(1, 12))
    kind = seed % 4
    if kind == 0:  # around and over the image
        poly = rng.integers(-8, max(width, height) + 8, size=(n, 2))
    elif kind == 1:  # large coordinates
        poly = rng.integers(-2000, 2000, size=(n, 2))
    elif kind == 2:  # convex hull, either orientation
        points = rng.integers(-4, max(width, height) + 4, size=(n + 3, 2)).astype(np.int32)
        poly = cv2.convexHull(points).reshape(-1, 2)
        if rng.random() < 0.5:
            poly = poly[::-1]
    else:  # collinear points, repeated points
        start = rng.integers(-5, 50, size=2)
        direction = rng.integers(-3, 4, size=2)
        poly = start + np.outer(rng.integers(-5, 10, size=n), direction)
    return poly.astype(np.int32), width, height


@pytest.mark.parametrize("seed", range(400), ids=lambda s: f"seed{s}")
def test_fill_convex_poly_random(seed):
    assert_same_fill(*random_polygon(seed))


@HYPOTHESIS
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.lists(st.tuples(st.integers(-15, 55), st.integers(-15, 55)), min_size=1, max_size=10),
)
def test_fill_convex_poly_hypothesis(width, height, points):
    assert_same_fill(points, width, height)
