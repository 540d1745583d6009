"""PoseEstimator: the shared model end to end, image conversions, input errors."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, net_input_size, photos
from openpose.estimator import as_bgr


def test_estimate_matches_postprocess_of_an_independent_forward(estimator, real_outputs):
    # conftest's real_outputs runs the network itself (blobFromImage 1.0,
    # BGR, height 368, width rounded to 16); the estimator must match it.
    by_name = {p.stem: p for p in photos()}
    for name, out, size in real_outputs:
        res = estimator.estimate(cv2.imread(str(by_name[name])))
        expected = openpose.postprocess(out, image_size=size, mode="seed")
        assert res.image_size == size
        np.testing.assert_array_equal(res.poses, expected.poses, err_msg=name)
        np.testing.assert_array_equal(res.scores, expected.scores, err_msg=name)


def test_result_shapes_and_people_found(estimator):
    total = 0
    for path in photos()[:5]:
        res = estimator.estimate(cv2.imread(str(path)))
        assert res.poses.dtype == np.float32 and res.poses.shape[1:] == (18, 3)
        assert res.scores.shape == (len(res),) and res.scores.dtype == np.float32
        h, w = cv2.imread(str(path)).shape[:2]
        present = res.poses[..., 2] > 0
        assert (res.poses[..., 0][present] < w).all() and (res.poses[..., 1][present] < h).all()
        assert (res.poses[~present] == 0).all()
        total += len(res)
    if not photos():
        pytest.skip("no shared photos")
    assert total > 0


def test_net_input_size_follows_the_aspect_ratio(estimator):
    assert estimator.net_input_size((640, 480)) == net_input_size(640, 480)
    assert estimator.net_input_size((1280, 720)) == (656, 368)
    assert estimator.net_input_size((10, 2000)) == (16, 368)


@pytest.fixture(scope="module")
def photo():
    paths = photos()
    if not paths:
        pytest.skip("no shared photos")
    return cv2.imread(str(paths[0]))


def test_grayscale_is_converted(estimator, photo):
    gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    as_color = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    for image in (gray, gray[:, :, None]):
        np.testing.assert_array_equal(estimator.estimate(image).poses, estimator.estimate(as_color).poses)


def test_bgra_is_converted(estimator, photo):
    bgra = cv2.cvtColor(photo, cv2.COLOR_BGR2BGRA)
    bgra[:, :, 3] = 7
    np.testing.assert_array_equal(estimator.estimate(bgra).poses, estimator.estimate(photo).poses)


def test_non_contiguous_image(estimator, photo):
    view = photo[::2, ::2]
    np.testing.assert_array_equal(estimator.estimate(view).poses,
                                  estimator.estimate(np.ascontiguousarray(view)).poses)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (None, ValueError, "is None"),
        (np.zeros((0, 10, 3), np.uint8), ValueError, "empty"),
        (np.zeros((10, 10, 2), np.uint8), ValueError, "must be an image of shape"),
        (np.zeros((2, 10, 10, 3), np.uint8), ValueError, "must be an image of shape"),
        (np.zeros((10, 10, 3), np.int64), TypeError, "uint8"),
        ([[0, 1], [2, 3]], TypeError, "numpy array"),
        ("photo.jpg", TypeError, "numpy array"),
        (np.full((10, 10, 3), np.nan, np.float32), ValueError, "NaN"),
    ],
    ids=["none", "empty", "two-channels", "batch", "int64", "list", "path", "nan"],
)
def test_bad_images_are_clear_errors(estimator, image, error, match):
    with pytest.raises(error, match=match):
        estimator.estimate(image)


def test_as_bgr_passes_bgr_through():
    image = np.zeros((4, 5, 3), np.uint8)
    assert as_bgr(image) is image


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"net_height": 100}, ValueError, "multiple of 16"),
        ({"net_height": 0}, ValueError, "multiple of 16"),
        ({"net_height": 368.0}, TypeError, "`net_height`"),
        ({"mode": "fast"}, ValueError, "`mode`"),
        ({"implementation": "gpu"}, ValueError, "`implementation`"),
        ({"layout": "hands"}, ValueError, "known layouts"),
        ({"thresh": 0.2}, TypeError, "unknown option"),
        ({"threshold": -1.0}, ValueError, "`threshold`"),
    ],
    ids=["height-not-16", "height-zero", "height-float", "mode", "implementation", "layout", "option", "option-value"],
)
def test_bad_options_fail_at_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        openpose.PoseEstimator(model_for_this_opencv(), **kwargs)


def test_options_reach_postprocess(photo):
    model = model_for_this_opencv()
    strict = openpose.PoseEstimator(model, mode="seed", threshold=0.5)
    out, size = strict.forward(photo)
    expected = openpose.postprocess(out, image_size=size, mode="seed", threshold=0.5)
    np.testing.assert_array_equal(strict.estimate(photo).poses, expected.poses)


def test_python_implementation_agrees(photo):
    model = model_for_this_opencv()
    small = cv2.resize(photo, (200, 150))
    cpp = openpose.PoseEstimator(model, implementation="cpp", net_height=160).estimate(small)
    py = openpose.PoseEstimator(model, implementation="python", net_height=160).estimate(small)
    np.testing.assert_array_equal(cpp.poses, py.poses)


def test_explicit_layout(photo):
    res = openpose.PoseEstimator(model_for_this_opencv(), layout="coco18").estimate(photo)
    assert res.layout.name == "coco"


def test_result_offers_openpose_json(estimator, photo):
    res = estimator.estimate(photo)
    doc = res.to_openpose_json()
    assert len(doc["people"]) == len(res)


def test_a_custom_layout_is_kept_whole(photo):
    # PoseEstimator(layout=custom) keeps the Layout itself; its results draw.
    import dataclasses

    custom = dataclasses.replace(openpose.get_layout("coco"), name="mine", aliases=())
    est = openpose.PoseEstimator(model_for_this_opencv(), layout=custom)
    assert est.layout is custom
    res = est.estimate(photo)
    assert res.layout is custom and len(res) > 0
    assert openpose.draw(photo, res).shape == photo.shape


def test_the_decoder_is_built_once(photo, monkeypatch):
    # The estimator's options are checked and its decoder built at
    # construction (or, without a layout, once per channel count), never
    # per frame.
    import openpose.estimator as estimator_module

    built = []
    real = estimator_module.make_decoder
    monkeypatch.setattr(estimator_module, "make_decoder", lambda *a, **k: built.append(1) or real(*a, **k))
    for layout in ("coco", None):
        est = openpose.PoseEstimator(model_for_this_opencv(), layout=layout, mode="accurate", threshold=0.06)
        before = len(built)
        first = est.estimate(photo)
        for _ in range(3):
            again = est.estimate(photo)
            np.testing.assert_array_equal(again.poses, first.poses)
        assert len(built) - before <= 1
        assert est.decoder_for(57).threshold == 0.06


def test_the_upsampling_ratio_reaches_the_decoder_from_every_command():
    """--upsampling-ratio N (declared by EstimatorOptions alone): PoseEstimator(factor=N) in all three commands."""
    from openpose import batch_cli, cli, eval_cli
    from openpose.estimator import EstimatorOptions
    from openpose.options import from_namespace

    for build in (cli.build_parser, batch_cli.build_parser, eval_cli.build_parser):
        args = build().parse_args([*(["x", "y"] if build is eval_cli.build_parser else ["x"]),
                                   *(["--output", "o"] if build is batch_cli.build_parser else []),
                                   "--upsampling-ratio", "2", "--preset", "fast"])
        options = from_namespace(EstimatorOptions, args)
        assert options.factor == 2 and options.kwargs()["factor"] == 2
    assert "factor" not in EstimatorOptions().kwargs()  # not given: the preset's
    est = openpose.PoseEstimator.from_options(EstimatorOptions(preset="fast", factor=2))
    assert est.options["factor"] == 2
    assert openpose.PoseEstimator.from_options(EstimatorOptions(preset="fast")).options["factor"] == 8
