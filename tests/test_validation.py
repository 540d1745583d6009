"""Bad input gets a clear ValueError/TypeError naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest

import openpose

GOOD = np.zeros((1, 57, 10, 12), np.float32)


def nan_at(index):
    out = GOOD.copy()
    out[index] = np.nan
    return out


BAD_NET = [
    ("ndim2", np.zeros((10, 12), np.float32), ValueError, "net_output"),
    ("ndim5", np.zeros((1, 1, 57, 10, 12), np.float32), ValueError, "net_output"),
    ("batch2", np.zeros((2, 57, 10, 12), np.float32), ValueError, "one image"),
    ("few_channels", np.zeros((1, 40, 10, 12), np.float32), ValueError, "channels"),
    ("empty_maps", np.zeros((1, 57, 0, 12), np.float32), ValueError, "empty"),
    ("complex", np.zeros((1, 57, 4, 4), np.complex64), TypeError, "net_output"),
    ("bool", np.zeros((1, 57, 4, 4), bool), TypeError, "net_output"),
    ("strings", [["a"]], TypeError, "net_output"),
    ("nan", nan_at((0, 3, 2, 2)), ValueError, "NaN"),
    ("inf_paf", nan_at((0, 40, 0, 0)) * 0 + np.where(np.isnan(nan_at((0, 40, 0, 0))), np.inf, 0),
     ValueError, "infinite"),
]


@pytest.mark.parametrize("implementation", ["cpp", "python"])
@pytest.mark.parametrize(("name", "net", "error", "match"), BAD_NET, ids=[b[0] for b in BAD_NET])
def test_bad_net_output(implementation, name, net, error, match):
    with pytest.raises(error, match=match):
        openpose.postprocess(net, image_size=(120, 100), implementation=implementation)


BAD_SIZES = [
    ("zero", (0, 10), ValueError),
    ("negative", (10, -5), ValueError),
    ("huge", (100_000, 10), ValueError),
    ("huge_area", (30_000, 30_000), ValueError),
    ("float", (10.5, 10), TypeError),
    ("bool", (True, 10), TypeError),
    ("three", (1, 2, 3), TypeError),
    ("none", None, TypeError),
]


@pytest.mark.parametrize(("name", "size", "error"), BAD_SIZES, ids=[b[0] for b in BAD_SIZES])
def test_bad_image_size(name, size, error):
    with pytest.raises(error, match="image_size"):
        openpose.postprocess(GOOD, image_size=size)


def test_unknown_mode_implementation_layout_option():
    with pytest.raises(ValueError, match="mode"):
        openpose.postprocess(GOOD, image_size=(10, 10), mode="fast")
    with pytest.raises(ValueError, match="implementation"):
        openpose.postprocess(GOOD, image_size=(10, 10), implementation="cuda")
    with pytest.raises(ValueError, match=r"layout.*coco"):
        openpose.postprocess(GOOD, image_size=(10, 10), layout="nope")
    with pytest.raises(TypeError, match="threshhold"):
        openpose.postprocess(GOOD, image_size=(10, 10), threshhold=0.2)
    with pytest.raises(ValueError, match="threshold"):
        openpose.postprocess(GOOD, image_size=(10, 10), threshold=-1)
    with pytest.raises(ValueError, match="threshold"):
        openpose.postprocess(GOOD, image_size=(10, 10), threshold=float("nan"))
    with pytest.raises(ValueError, match="n_samples"):
        openpose.postprocess(GOOD, image_size=(10, 10), mode="seed", n_samples=1)
    with pytest.raises(ValueError, match="cannot infer the layout"):
        openpose.postprocess(np.zeros((1, 60, 4, 4), np.float32), image_size=(10, 10))


@pytest.mark.parametrize("implementation", ["cpp", "python"])
def test_stage_validation(implementation):
    with pytest.raises(ValueError, match="heatmap"):
        openpose.find_peaks(np.zeros((3, 3, 3), np.float32), implementation=implementation)
    with pytest.raises(ValueError, match="first_id"):
        openpose.find_peaks(np.zeros((3, 3), np.float32), first_id=-1, implementation=implementation)
    with pytest.raises(TypeError, match="first_id"):
        openpose.find_peaks(np.zeros((3, 3), np.float32), first_id=1.5, mode="seed", implementation=implementation)
    with pytest.raises(ValueError, match=r"paf_x.*paf_y"):
        openpose.score_limb(np.zeros((4, 4)), np.zeros((4, 5)), [], [], implementation=implementation)
    with pytest.raises(ValueError, match="candidates_a"):
        openpose.score_limb(np.zeros((4, 4)), np.zeros((4, 4)), [[0, 1.5, 1, 1]], [], mode="seed", implementation=implementation)
    with pytest.raises(ValueError, match="outside"):
        openpose.score_limb(np.zeros((4, 4)), np.zeros((4, 4)), [[0, 9, 1, 1]], [[1, 0, 0, 1]], mode="seed",
                            implementation=implementation)
    with pytest.raises(ValueError, match="valid_pairs"):
        openpose.assemble_persons([np.zeros((0, 3))] * 3, layout="coco", mode="seed", implementation=implementation)
    with pytest.raises(ValueError, match=r"valid_pairs\[2\]"):
        openpose.assemble_persons([np.zeros((0, 3))] * 2 + [np.zeros((1, 4))] + [np.zeros((0, 3))] * 16,
                                  implementation=implementation)


def test_cpp_core_raises_value_error_not_crash():
    """The compiled classes check their own input too (std::invalid_argument -> ValueError)."""
    from openpose import _ext

    lay = openpose.get_layout("coco")
    limbs, starts = lay.limb_table("seed"), lay.seed_starts_person()
    decoder = _ext.SeedDecoder(limbs, starts, 18)
    net = np.zeros((57, 10, 12), np.float32)
    with pytest.raises(ValueError, match="channels"):
        decoder.decode(net[:30], 100, 100)
    with pytest.raises(ValueError, match="image_size"):
        decoder.decode(net, -3, 100)
    # A bad value in a heatmap, the background (unused), a PAF channel, the
    # last channel: each channel is checked once, before its first use.
    for channel, value in [(5, np.inf), (18, np.nan), (40, -np.inf), (56, np.nan)]:
        bad = net.copy()
        bad[channel, 1, 1] = value
        with pytest.raises(ValueError, match="infinite"):
            decoder.decode(bad, 100, 100)
    with pytest.raises(ValueError, match="part"):
        _ext.SeedDecoder(np.array([[0, 99, 19, 20]], np.int32), np.ones(1, np.uint8), 18)
    with pytest.raises(ValueError, match="starts_person"):
        _ext.SeedDecoder(limbs, starts[:3], 18)
