"""``--net-resolution WxH`` / ``Wx-1`` / ``-1xH`` and ``PoseEstimator(net_resolution=)`` on real photos.

WxH: the image is scaled to fit inside W x H (aspect ratio kept) at the
top-left corner of a black W x H canvas; the results must be those of
running the canvas yourself, mapped back to original pixels.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, shared_path
from test_cli_options import poses_of, run

PHOTO = "media/COCO_val2014_000000000395.jpg"  # landscape, four people
PORTRAIT = "media/COCO_val2014_000000000241.jpg"  # 480 x 640


def _canvas(image, width, height):
    """The photo scaled to fit inside width x height, at the top-left of a black canvas (built here)."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    fit_w, fit_h = min(width, round(w * scale)), min(height, round(h * scale))
    canvas = np.zeros((height, width, 3), np.uint8)
    canvas[:fit_h, :fit_w] = cv2.resize(image, (fit_w, fit_h), interpolation=cv2.INTER_LINEAR)
    return canvas, (fit_w, fit_h)


def _to_original(poses, size, fit):
    """Canvas pixels -> original pixels (the inverse of the resize, pixel-centre convention)."""
    out = poses.astype(np.float64).copy()
    present = out[..., 2] > 0
    for axis in (0, 1):
        mapped = (out[..., axis] + 0.5) * size[axis] / fit[axis] - 0.5
        out[..., axis] = np.where(present, mapped, 0.0)
    return out


@pytest.mark.parametrize(("name", "portrait"), [(PHOTO, False), (PORTRAIT, True)], ids=["landscape", "portrait"])
def test_fixed_resolution_is_the_padded_image_run_yourself(tmp_path, name, portrait):
    photo = shared_path(name)
    image = cv2.imread(str(photo))
    assert (image.shape[0] > image.shape[1]) == portrait
    h, w = image.shape[:2]
    width, height = 656, 368
    canvas, fit = _canvas(image, width, height)
    assert (fit[0] < width) if portrait else (fit[1] == height and fit[0] < width)
    cv2.imwrite(str(tmp_path / "canvas.png"), canvas)

    res = run(photo, "--net-resolution", f"{width}x{height}", "--write-json", tmp_path / "fixed",
              "--write-coco-json", tmp_path / "coco.json")
    assert res.returncode == 0, res.stderr
    mine = run(tmp_path / "canvas.png", "--net-resolution", f"-1x{height}", "--write-json", tmp_path / "canvas")
    assert mine.returncode == 0, mine.stderr
    got = poses_of(tmp_path / "fixed" / f"{photo.stem}_keypoints.json")
    on_canvas = poses_of(tmp_path / "canvas" / "canvas_keypoints.json")
    assert len(got) == len(on_canvas) >= (1 if portrait else 2)
    np.testing.assert_allclose(got, _to_original(on_canvas, (w, h), fit), rtol=1e-5, atol=2e-3)
    present = got[..., 2] > 0
    # Original-image pixels: inside the photo, spread over it (not squeezed into the canvas's share).
    assert got[present][:, 0].max() < w and got[present][:, 1].max() < h
    assert got[present][:, 0].max() > fit[0] or got[present][:, 1].max() > fit[1]
    # COCO JSON in original pixels too.
    coco = json.loads((tmp_path / "coco.json").read_text())
    assert len(coco) == len(got)


def test_fixed_resolution_api_network_input_and_multiscale_flip(tmp_path):
    image = cv2.imread(str(shared_path(PHOTO)))
    h, w = image.shape[:2]
    model = model_for_this_opencv()
    est = openpose.PoseEstimator(model, net_resolution=(656, 368), scale_number=2, flip=True)
    assert est.net_resolution == (656, 368) and est.net_height == 368
    assert est.net_input_size((w, h)) == (656, 368) and est.net_input_size((h, w)) == (656, 368)
    canvas, fit = _canvas(image, 656, 368)
    assert est.net_content_size((w, h)) == fit
    # The network sees the canvas: the same output as the canvas run with net_height, bit for bit.
    on_canvas = openpose.PoseEstimator(model, net_height=368, scale_number=2, flip=True)
    out, size = est.forward(image)
    expected, _ = on_canvas.forward(canvas)
    assert size == (w, h) and out.shape[-2:] == (368 // 8, 656 // 8)
    np.testing.assert_array_equal(out, expected)
    result = est.postprocess(out, image_size=size)
    reference = on_canvas.postprocess(expected, image_size=(656, 368))
    assert result.image_size == (w, h)
    np.testing.assert_allclose(result.poses, _to_original(reference.poses, (w, h), fit), rtol=1e-5, atol=1e-3)


def test_width_fixed_height_follows_the_aspect_ratio(tmp_path):
    photo = shared_path(PHOTO)
    image = cv2.imread(str(photo))
    h, w = image.shape[:2]
    model = model_for_this_opencv()
    est = openpose.PoseEstimator(model, net_resolution=(432, -1))
    net_h = max(16, round(432 * h / w / 16) * 16)
    assert est.net_input_size((w, h)) == (432, net_h) and est.net_height is None
    # The network input is the photo resized to 432 x net_h (built here), nothing else.
    blob = cv2.dnn.blobFromImage(image, 1.0, (432, net_h), (0, 0, 0), swapRB=False, crop=False)
    expected = est.run_network(blob)
    out, _ = est.forward(image)
    np.testing.assert_array_equal(out, expected)
    res = run(photo, "--net-resolution", "432x-1", "--write-json", tmp_path / "j")
    assert res.returncode == 0, res.stderr
    got = poses_of(tmp_path / "j" / f"{photo.stem}_keypoints.json")
    np.testing.assert_allclose(got, est.postprocess(expected, image_size=(w, h)).poses, rtol=1e-6, atol=1e-4)
    assert len(got) >= 2


def test_minus_one_by_h_is_net_height_in_the_api(tmp_path):
    image = cv2.imread(str(shared_path(PHOTO)))
    model = model_for_this_opencv()
    a = openpose.PoseEstimator(model, net_resolution=(-1, 256)).estimate(image)
    b = openpose.PoseEstimator(model, net_height=256).estimate(image)
    np.testing.assert_array_equal(a.poses, b.poses)
    assert openpose.PoseEstimator(model, net_resolution=(-1, 256)).net_resolution is None


def test_fixed_resolution_keypoint_scale_1_is_the_images_share_of_the_input(tmp_path):
    photo = shared_path(PHOTO)
    h, w = cv2.imread(str(photo)).shape[:2]
    for scale in (0, 1):
        res = run(photo, "--net-resolution", "656x368", "--keypoint-scale", scale, "--write-json", tmp_path / str(scale))
        assert res.returncode == 0, res.stderr
    pixels = poses_of(tmp_path / "0" / f"{photo.stem}_keypoints.json")
    scaled = poses_of(tmp_path / "1" / f"{photo.stem}_keypoints.json")
    _, fit = _canvas(cv2.imread(str(photo)), 656, 368)
    present = pixels[..., 2] > 0
    np.testing.assert_allclose(scaled[..., 0][present], pixels[..., 0][present] * fit[0] / w, rtol=1e-5)
    np.testing.assert_allclose(scaled[..., 1][present], pixels[..., 1][present] * fit[1] / h, rtol=1e-5)


def test_fixed_resolution_part_to_show_renders(tmp_path):
    photo = shared_path(PHOTO)
    res = run(photo, "--net-resolution", "656x368", "--part-to-show", "20", "--write-images", tmp_path)
    assert res.returncode == 0, res.stderr
    rendered = cv2.imread(str(tmp_path / f"{photo.stem}_rendered.png"))
    assert rendered.shape == cv2.imread(str(photo)).shape


@pytest.mark.parametrize(("value", "message"), [
    ("650x368", "multiples of 16"), ("656x360", "multiples of 16"), ("-1x-1", "one of them possibly -1"),
    ("0x368", "positive sides"), ("656x", "expected WIDTHxHEIGHT")])
def test_bad_net_resolution_is_a_usage_error(value, message):
    res = run(shared_path(PHOTO), "--net-resolution", value)
    assert res.returncode == 2 and message in res.stderr, res.stderr


def test_net_resolution_and_net_height_must_agree():
    res = run(shared_path(PHOTO), "--net-resolution", "656x368", "--net-height", "256")
    assert res.returncode == 2 and "disagree" in res.stderr
    with pytest.raises(ValueError, match="`net_height`"):
        openpose.PoseEstimator(model_for_this_opencv(), net_resolution=(656, 368), net_height=256)
    with pytest.raises(TypeError, match="`net_resolution`"):
        openpose.PoseEstimator(model_for_this_opencv(), net_resolution=656)
