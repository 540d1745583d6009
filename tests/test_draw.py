"""openpose.draw: a new image with the skeletons in OpenPose's colours."""

from __future__ import annotations

import numpy as np
import pytest

import openpose
from openpose.layouts import get_layout


def make_result(points, layout="coco"):
    """One person with the given {part: (x, y, score)}."""
    lay = get_layout(layout)
    poses = np.zeros((1, lay.n_parts, 3), np.float32)
    for part, value in points.items():
        poses[0, part] = value
    return openpose.PoseResult(poses=poses, scores=np.array([0.5], np.float32),
                               persons=np.full((1, lay.n_parts), -1, np.int32), keypoints=[], valid_pairs=[],
                               invalid_pairs=[], layout=lay, image_size=(400, 300), mode="seed")


@pytest.fixture
def image():
    return np.full((300, 400, 3), 40, np.uint8)


def test_returns_a_new_image_and_leaves_the_input(image):
    before = image.copy()
    res = make_result({1: (200, 50, 0.9), 2: (150, 60, 0.9), 3: (140, 150, 0.9)})
    out = openpose.draw(image, res)
    assert out is not image and out.shape == image.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(image, before)
    assert (out != before).any()


def test_keypoint_and_limb_colours(image):
    coco = get_layout("coco")
    # Neck (1) - RShoulder (2): CMU draws the limb in the colour of its second part.
    res = make_result({1: (100, 150, 0.9), 2: (300, 150, 0.9)})
    out = openpose.draw(image, res)
    assert tuple(out[150, 100]) == coco.colors[1]
    assert tuple(out[150, 300]) == coco.colors[2]
    assert tuple(out[150, 200]) == coco.colors[2]


def test_below_threshold_is_not_drawn(image):
    res = make_result({1: (100, 150, 0.04), 2: (300, 150, 0.9)})
    out = openpose.draw(image, res)
    assert tuple(out[150, 100]) == (40, 40, 40)
    assert tuple(out[150, 200]) == (40, 40, 40)  # no limb without both ends
    assert tuple(out[150, 300]) == get_layout("coco").colors[2]


def test_redundant_ear_shoulder_limb_is_not_drawn(image):
    res = make_result({2: (100, 150, 0.9), 16: (300, 150, 0.9)})  # RShoulder - REar
    out = openpose.draw(image, res)
    assert tuple(out[150, 200]) == (40, 40, 40)


def test_no_people_gives_an_equal_copy(image):
    res = make_result({})
    out = openpose.draw(image, res)
    np.testing.assert_array_equal(out, image)


@pytest.mark.parametrize("layout", ["coco", "mpi", "body_25"], ids=["coco", "mpi", "body_25"])
def test_every_layout_draws(image, layout):
    lay = get_layout(layout)
    rng = np.random.default_rng(0)
    pts = {k: (float(rng.integers(10, 390)), float(rng.integers(10, 290)), 0.8) for k in range(lay.n_parts)}
    out = openpose.draw(image, make_result(pts, layout))
    for x, y, _ in pts.values():
        assert (out[int(y), int(x)] != 40).any()


def test_grayscale_input(image):
    out = openpose.draw(image[:, :, 0], make_result({1: (100, 150, 0.9)}))
    assert out.shape == (300, 400, 3)


def test_bad_arguments(image):
    with pytest.raises(TypeError, match="`result`"):
        openpose.draw(image, None)
    with pytest.raises(ValueError, match="is None"):
        openpose.draw(None, make_result({}))


def test_a_custom_layout_is_drawn_with_its_own_tables(image):
    # A result carries its Layout object, not a name to look up again: a
    # layout that is in no registry (here COCO renamed, with one colour for
    # every part) is drawn with its own colours.
    import dataclasses

    custom = dataclasses.replace(get_layout("coco"), name="mine", aliases=(), colors=((0, 0, 255),))
    net = np.zeros((1, 57, 46, 46), np.float32)
    for part, (x, y) in {1: (20, 10), 2: (14, 11), 3: (12, 20)}.items():
        net[0, part, y - 1:y + 2, x - 1:x + 2] = 0.9
    res = openpose.postprocess(net, image_size=(400, 300), layout=custom, mode="seed")
    assert res.layout is custom
    drawn = openpose.draw(image, make_result({1: (200, 50, 0.9), 2: (150, 60, 0.9)}, layout=custom))
    colours = {tuple(int(c) for c in px) for px in drawn.reshape(-1, 3)}
    assert colours == {(40, 40, 40), (0, 0, 255)}


# --- track id labels -------------------------------------------------------------------------------------------


def _people(heads, layout="coco"):
    """One person per head (x, y), each with only the nose drawn."""
    lay = get_layout(layout)
    poses = np.zeros((len(heads), lay.n_parts, 3), np.float32)
    for p, (x, y) in enumerate(heads):
        poses[p, 0] = (x, y, 0.9)
    return openpose.PoseResult(poses=poses, scores=np.full(len(heads), 0.5, np.float32),
                               persons=np.full((len(heads), lay.n_parts), -1, np.int32), keypoints=[], valid_pairs=[],
                               invalid_pairs=[], layout=lay, image_size=(320, 240), mode="seed")


def _label_pixels(drawn, heads, ids):
    """Per id, the (y, x) of the pixels in that id's colour away from the heads (its label's text)."""
    from openpose.draw import id_color

    yy, xx = np.mgrid[: drawn.shape[0], : drawn.shape[1]]
    near_a_head = np.zeros(drawn.shape[:2], bool)
    for x, y in heads:
        near_a_head |= (xx - x) ** 2 + (yy - y) ** 2 <= 8**2
    pixels = drawn.astype(np.float64)
    lit = (pixels.max(axis=2) > 60) & ~near_a_head
    directions = pixels / np.maximum(pixels.max(axis=2, keepdims=True), 1)
    colours = np.array([id_color(i) for i in ids], np.float64)
    colours /= colours.max(axis=1, keepdims=True)
    nearest = np.argmin(((directions[:, :, None, :] - colours[None, None]) ** 2).sum(axis=3), axis=2)
    return [np.argwhere(lit & (nearest == k)) for k in range(len(ids))]


def test_the_ids_of_people_side_by_side_do_not_overlap():
    # Two heads 6 px apart (frame 200 of the shared video: ids 19 and 39 read as "139").
    heads, ids = [(150, 120), (156, 121)], [19, 39]
    drawn = openpose.draw(np.zeros((240, 320, 3), np.uint8), _people(heads), ids=ids)
    boxes = []
    for found in _label_pixels(drawn, heads, ids):
        assert len(found) > 10  # each label is drawn
        (y0, x0), (y1, x1) = found.min(axis=0), found.max(axis=0)
        boxes.append((x0, y0, x1, y1))
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes
    assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0, boxes  # was: one over the other
    assert max(ay1, by1) < 120  # both above the heads


def test_label_boxes_never_overlap_and_stay_in_the_image():
    from openpose.draw import _label_boxes

    rng = np.random.default_rng(3)
    anchors = [(float(x), float(y)) for x, y in rng.uniform((20, 30), (300, 60), (13, 2))]  # 13 heads in a band
    sizes = [(24, 14)] * len(anchors)
    corners = _label_boxes(sizes, anchors, 320, 240)
    boxes = [(x, y, x + w, y + h) for (x, y), (w, h) in zip(corners, sizes)]
    for i, (ax0, ay0, ax1, ay1) in enumerate(boxes):
        assert ax0 >= 0 and ay0 >= 0 and ax1 <= 320 and ay1 <= 240
        for bx0, by0, bx1, by1 in boxes[:i]:
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0
    # A label with room above its head is right above it.
    [(x, y)] = _label_boxes([(20, 12)], [(100.0, 80.0)], 320, 240)
    assert (x, y) == (90, 80 - 12 - 2)
