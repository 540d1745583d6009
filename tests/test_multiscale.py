"""Multi-scale and flip inference (`openpose.multiscale`) and their estimator options."""

from __future__ import annotations

import numpy as np
import pytest

from openpose.layouts import LAYOUTS, get_layout
from openpose.multiscale import average_outputs, flip_tables, mirror_part, scale_heights, unflip


def _render(layout, points, w=40, h=30):
    """A (1, C, h, w) output drawn from one person's part positions (x, y) on the grid.

    Heatmaps: a Gaussian per part; PAFs: the limb's unit vector within 1.5
    cells of the segment. Written from the definitions, mirror-exact.
    """
    lay = get_layout(layout)
    out = np.zeros((1, lay.n_channels, h, w), np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    for p, (x, y) in enumerate(points):
        out[0, p] = np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / 4.0)
    for a, b, cx, cy in lay.limbs:
        (xa, ya), (xb, yb) = points[a], points[b]
        d = np.array([xb - xa, yb - ya], np.float64)
        n = np.hypot(*d)
        if n == 0:
            continue
        u = d / n
        t = np.clip(((xs - xa) * u[0] + (ys - ya) * u[1]) / n, 0, 1)
        dist = np.hypot(xs - (xa + t * d[0]), ys - (ya + t * d[1]))
        near = dist <= 1.5
        out[0, cx][near] += u[0]
        out[0, cy][near] += u[1]
    return out


def _swap_name(name: str) -> str:
    if name[:1] in "LR" and name[1:2].isupper():
        return ("R" if name[0] == "L" else "L") + name[1:]
    return name


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_unflip_of_the_mirrored_scene_is_the_scene(name):
    lay = get_layout(name)
    w = 40
    rng = np.random.default_rng(3)
    points = [tuple(p) for p in rng.uniform(2, 27, size=(lay.n_parts, 2)).round()]
    # The mirrored scene: every part moves to x -> w - 1 - x and takes its mirror's name.
    names = lay.keypoint_names
    mirrored = [None] * lay.n_parts
    for p, (x, y) in enumerate(points):
        mirrored[names.index(_swap_name(names[p])) if _swap_name(names[p]) in names else p] = (w - 1 - x, y)
    scene, mirror_scene = _render(lay, points, w=w), _render(lay, mirrored, w=w)
    np.testing.assert_allclose(unflip(mirror_scene, lay), scene, atol=1e-5)
    assert not np.allclose(mirror_scene, scene, atol=1e-3)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_a_mirror_symmetric_output_is_its_own_unflip(name):
    lay = get_layout(name)
    w = 41
    names = lay.keypoint_names
    rng = np.random.default_rng(5)
    points = [None] * lay.n_parts
    for p, part in enumerate(names):
        other = _swap_name(part)
        if points[p] is not None:
            continue
        y = float(rng.integers(2, 27))
        if other == part or other not in names:
            points[p] = (20.0, y)  # central parts on the axis
        else:
            x = float(rng.integers(2, 18))
            points[p], points[names.index(other)] = (x, y), (w - 1 - x, y)
    sym = _render(lay, points, w=w)
    np.testing.assert_allclose(unflip(sym, lay), sym, atol=1e-5)


def test_flip_tables_of_coco():
    coco = get_layout("coco")
    source, sign = flip_tables(coco)
    assert source[2] == 5 and source[5] == 2 and source[0] == 0 and source[1] == 1  # shoulders swap, nose stays
    assert source[14] == 15 and source[16] == 17 and source[18] == 18  # eyes, ears; background kept
    # Neck-RShoulder (31, 32) is read from Neck-LShoulder (39, 40), x negated.
    assert (source[31], source[32], sign[31], sign[32]) == (39, 40, -1.0, 1.0)
    assert mirror_part(coco, 3) == 6
    # Applying the tables twice is the identity.
    net = np.random.default_rng(0).normal(size=(1, 57, 6, 9)).astype(np.float32)
    np.testing.assert_array_equal(unflip(unflip(net, coco), coco), net)


def test_scale_heights():
    assert scale_heights(368, 1, 0.25, 16) == [368]
    assert scale_heights(656, 3, 0.25, 16) == [656, 496, 336]
    with pytest.raises(ValueError, match="`scale_gap`"):
        scale_heights(368, 5, 0.25, 16)
    with pytest.raises(TypeError, match="`scale_number`"):
        scale_heights(368, 1.5, 0.25, 16)


def test_average_outputs_resizes_to_the_first_grid():
    a = np.ones((1, 3, 8, 10), np.float32)
    b = np.full((1, 3, 4, 5), 3.0, np.float32)
    out = average_outputs([a, b])
    assert out.shape == a.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, 2.0, atol=1e-5)
    assert average_outputs([a]) is not None
