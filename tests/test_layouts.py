"""Layouts as data: channel maps against CMU's network definitions, colours, seed mode on every layout."""

from __future__ import annotations

import re

import numpy as np
import pytest

import openpose
from conftest import shared_path
from openpose.layouts import LAYOUTS, get_layout, layout_for_channels

LAYOUT_IDS = sorted(LAYOUTS)

COCO17_NAMES = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)


@pytest.mark.parametrize("name", LAYOUT_IDS, ids=LAYOUT_IDS)
def test_paf_channels_fill_the_output_after_the_heatmaps(name):
    lay = LAYOUTS[name]
    limbs = lay.limb_table("cmu")
    paf = np.sort(limbs[:, 2:].ravel())
    np.testing.assert_array_equal(paf, np.arange(lay.n_heatmaps, lay.n_channels))
    assert lay.n_heatmaps + 2 * len(limbs) == lay.n_channels
    assert limbs[:, :2].max() < lay.n_parts


@pytest.mark.parametrize(
    ("name", "n_parts", "n_limbs", "channels"),
    [("coco", 18, 19, 57), ("mpi", 15, 14, 44), ("body_25", 25, 26, 78)],
    ids=["coco", "mpi", "body_25"],
)
def test_sizes(name, n_parts, n_limbs, channels):
    lay = get_layout(name)
    assert (lay.n_parts, len(lay.limbs), lay.n_channels) == (n_parts, n_limbs, channels)
    assert layout_for_channels(channels) is lay


@pytest.mark.parametrize(
    ("folder", "name"),
    [("coco", "coco"), ("mpi", "mpi"), ("body_25", "body_25")],
    ids=["coco", "mpi", "body_25"],
)
def test_channel_counts_match_cmu_prototxt(folder, name):
    """The prototxt's net_output concatenates heatmaps (first) and PAFs."""
    folder_path = shared_path(f"models/caffe/{folder}")
    text = next(folder_path.glob("*.prototxt")).read_text()
    layers = re.findall(r"layer\s*\{(.*?)\n\}", text, flags=re.DOTALL)
    num_output = {}
    concat = None
    for body in layers:
        layer_name = re.search(r'name:\s*"([^"]+)"', body).group(1)
        out = re.search(r"num_output:\s*(\d+)", body)
        if out:
            num_output[layer_name] = int(out.group(1))
        if re.search(r'top:\s*"net_output"', body):
            concat = re.findall(r'bottom:\s*"([^"]+)"', body)
    lay = get_layout(name)
    assert concat is not None and len(concat) == 2
    assert num_output[concat[0]] == lay.n_heatmaps
    assert num_output[concat[0]] + num_output[concat[1]] == lay.n_channels


@pytest.mark.parametrize("name", LAYOUT_IDS, ids=LAYOUT_IDS)
def test_colours_and_render_pairs(name):
    lay = LAYOUTS[name]
    assert len(lay.colors) == lay.n_parts
    assert all(len(c) == 3 and all(0 <= x <= 255 for x in c) for c in lay.colors)
    limb_pairs = {(a, b) for a, b, _, _ in lay.limbs}
    assert set(lay.drawn_pairs()) <= limb_pairs


def test_coco_colours_are_openposes():
    # POSE_COCO_COLORS_RENDER_GPU (RGB): first, neck, last entries; stored BGR.
    coco = get_layout("coco")
    assert coco.colors[0] == (85, 0, 255)
    assert coco.colors[1] == (0, 0, 255)
    assert coco.colors[17] == (255, 0, 85)
    assert len(set(coco.colors)) == 18


def test_cmu_render_pairs_leave_out_the_ear_shoulder_limbs():
    assert (2, 16) not in get_layout("coco").drawn_pairs()
    assert len(get_layout("coco").drawn_pairs()) == 17
    assert (2, 17) not in get_layout("body_25").drawn_pairs()
    assert len(get_layout("body_25").drawn_pairs()) == 24
    assert len(get_layout("mpi").drawn_pairs()) == 14


@pytest.mark.parametrize("name", ["coco", "body_25"], ids=["coco", "body_25"])
def test_coco17_mapping_names(name):
    lay = get_layout(name)
    def as_cmu(coco_name):
        side, _, part = coco_name.partition("_")
        return {"left": "L", "right": "R"}[side] + part.capitalize() if part else side.capitalize()
    assert [lay.keypoint_names[i] for i in lay.coco17_index] == [as_cmu(n) for n in COCO17_NAMES]


def test_mpi_has_no_coco17_mapping():
    assert get_layout("mpi").coco17_index is None


def test_body25_seed_table_moves_the_redundant_limbs_last():
    lay = get_layout("body_25")
    seed = lay.limb_table("seed")
    cmu = lay.limb_table("cmu")
    assert sorted(map(tuple, seed)) == sorted(map(tuple, cmu))
    assert [tuple(r[:2]) for r in seed[-2:]] == [(2, 17), (5, 18)]
    assert lay.seed_starts_person().tolist() == [1] * 24 + [0, 0]


def test_mpi_every_limb_may_start_a_person():
    assert get_layout("mpi").seed_starts_person().tolist() == [1] * 14


def test_coco_seed_rule_unchanged():
    assert get_layout("coco").seed_starts_person().tolist() == [1] * 17 + [0, 0]


@pytest.mark.parametrize("name", LAYOUT_IDS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("seed", [0, 1], ids=["seed0", "seed1"])
def test_seed_mode_runs_on_every_layout_and_implementations_agree(name, seed):
    lay = LAYOUTS[name]
    rng = np.random.default_rng(seed)
    out = rng.random((lay.n_channels, 23, 31)).astype(np.float32)
    cpp = openpose.postprocess(out, image_size=(124, 92), layout=name, implementation="cpp")
    py = openpose.postprocess(out, image_size=(124, 92), layout=name, implementation="python")
    assert cpp.layout.name == name and cpp.poses.shape[1:] == (lay.n_parts, 3)
    assert len(cpp) > 0
    np.testing.assert_array_equal(cpp.poses, py.poses)
    np.testing.assert_array_equal(cpp.persons, py.persons)


@pytest.mark.parametrize(("channels", "name"), [(44, "mpi"), (78, "body_25")], ids=["mpi", "body_25"])
def test_layout_inferred_from_channels(channels, name):
    out = np.zeros((1, channels, 8, 8), np.float32)
    assert openpose.postprocess(out, image_size=(64, 64)).layout.name == name


def test_unknown_channel_count():
    with pytest.raises(ValueError, match="cannot infer the layout"):
        layout_for_channels(50)
