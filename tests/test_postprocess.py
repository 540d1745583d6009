"""The public post-processing: C++ and Python implementations agree, shapes are fixed."""

from __future__ import annotations

import numpy as np
import pytest

import openpose
from conftest import chained_candidates
from openpose.synthetic import synthetic_net_output

pytest.importorskip("cv2")  # the Python reference traces contours with cv2


def assert_same_result(a, b):
    """Identical ids, coordinates, pairs and people; scores within float32 rounding."""
    assert len(a.keypoints) == len(b.keypoints)
    for ka, kb in zip(a.keypoints, b.keypoints):
        np.testing.assert_array_equal(ka[:, :3], kb[:, :3])
        np.testing.assert_allclose(ka[:, 3], kb[:, 3], rtol=1e-5, atol=0)
    assert len(a.valid_pairs) == len(b.valid_pairs)
    for pa, pb in zip(a.valid_pairs, b.valid_pairs):
        np.testing.assert_array_equal(pa[:, :2], pb[:, :2])
        np.testing.assert_allclose(pa[:, 2], pb[:, 2], rtol=1e-5, atol=0)
    assert a.invalid_pairs == b.invalid_pairs
    np.testing.assert_array_equal(a.persons, b.persons)
    np.testing.assert_array_equal(a.poses[..., :2], b.poses[..., :2])
    np.testing.assert_allclose(a.poses[..., 2], b.poses[..., 2], rtol=1e-5, atol=0)


def test_implementations_agree_on_real_outputs(real_outputs):
    found = 0
    for _name, out, size in real_outputs:
        cpp = openpose.postprocess(out, image_size=size, mode="seed", implementation="cpp")
        ref = openpose.postprocess(out, image_size=size, mode="seed", implementation="python")
        assert_same_result(cpp, ref)
        found += len(cpp)
    assert found > 20, "the shared model should find people in the shared photos"


SYNTH = [(1, (62, 46), (640, 480), 0), (6, (82, 46), (656, 368), 1), (25, (90, 60), (1280, 720), 2),
         (3, (40, 30), (40, 30), 3), (4, (50, 40), (33, 27), 4)]


@pytest.mark.parametrize(("n", "map_size", "image_size", "seed"), SYNTH,
                         ids=[f"{n}people-{m}->{s}" for n, m, s, _ in SYNTH])
def test_implementations_agree_on_synthetic_outputs(n, map_size, image_size, seed):
    out = synthetic_net_output(n, map_size=map_size, seed=seed)
    cpp = openpose.postprocess(out, image_size=image_size, mode="seed", implementation="cpp")
    ref = openpose.postprocess(out, image_size=image_size, mode="seed", implementation="python")
    assert_same_result(cpp, ref)
    assert sum(len(k) for k in cpp.keypoints) > 0


def test_stages_agree_and_compose_to_postprocess():
    out = synthetic_net_output(5, map_size=(70, 50), seed=7)
    size = (560, 400)
    full = openpose.postprocess(out, image_size=size, mode="seed")
    lay = openpose.get_layout("coco")
    cands = chained_candidates(out, size, "seed", full)
    pairs = []
    for k, (a, b, cx, cy) in enumerate(lay.limb_table("seed")):
        got = {be: openpose.score_limb(out[0, cx], out[0, cy], cands[a], cands[b], image_size=size, mode="seed",
                                      implementation=be)
               for be in ("cpp", "python")}
        np.testing.assert_array_equal(got["cpp"], got["python"])
        np.testing.assert_array_equal(got["cpp"], full.valid_pairs[k])
        pairs.append(got["cpp"])
    for be in ("cpp", "python"):
        persons = openpose.assemble_persons(pairs, layout="coco", mode="seed", implementation=be)
        np.testing.assert_array_equal(persons, full.persons)


def test_find_peaks_at_image_size_equals_resized_input():
    """A drop-in for getKeyPoints: an already-resized map gives the same peaks as resizing inside."""
    out = synthetic_net_output(3, map_size=(40, 30), seed=11)
    resized = openpose.reference.resize_linear(out[0, 0], 320, 240)
    np.testing.assert_array_equal(openpose.find_peaks(resized, mode="seed"),
                                  openpose.find_peaks(out[0, 0], image_size=(320, 240), mode="seed"))


@pytest.mark.parametrize("implementation", ["cpp", "python"])
def test_empty_result_keeps_its_shapes(implementation):
    out = np.zeros((1, 57, 20, 30), np.float32)
    res = openpose.postprocess(out, image_size=(240, 160), mode="seed", implementation=implementation)
    assert res.poses.shape == (0, 18, 3) and res.poses.dtype == np.float32
    assert res.persons.shape == (0, 18) and res.persons.dtype == np.int32
    assert res.scores.shape == (0,)
    assert [k.shape for k in res.keypoints] == [(0, 4)] * 18
    assert [p.shape for p in res.valid_pairs] == [(0, 3)] * 19
    assert res.invalid_pairs == list(range(19))
    assert openpose.find_peaks(out[0, 0], mode="seed", implementation=implementation).shape == (0, 4)


def test_poses_follow_persons_and_keypoints():
    out = synthetic_net_output(8, map_size=(80, 60), seed=5)
    res = openpose.postprocess(out, image_size=(640, 480), mode="seed")
    table = {int(r[0]): r[1:] for k in res.keypoints for r in k}
    assert len(res) == res.persons.shape[0] > 0
    for p, row in enumerate(res.persons):
        for part, kid in enumerate(row):
            expected = table[int(kid)] if kid >= 0 else np.zeros(3, np.float32)
            np.testing.assert_array_equal(res.poses[p, part], expected)
        found = row >= 0
        assert res.scores[p] == pytest.approx(res.poses[p, found, 2].mean(), rel=1e-6)


def test_input_layouts_and_dtypes_are_accepted():
    out = synthetic_net_output(3, map_size=(40, 30), seed=2)
    ref = openpose.postprocess(out, image_size=(200, 150), mode="seed")
    variants = {
        "chw": out[0],
        "float64": out.astype(np.float64),
        "fortran": np.asfortranarray(out[0]),
        "strided": np.repeat(out, 2, axis=3)[..., ::2],
    }
    for name, arr in variants.items():
        got = openpose.postprocess(arr, image_size=(200, 150), mode="seed")
        np.testing.assert_array_equal(got.persons, ref.persons, err_msg=name)
        np.testing.assert_array_equal(got.poses, ref.poses, err_msg=name)


def test_seed_tables_are_the_original_programs():
    """The COCO seed tables equal the mapIdx and posePairs written in the original program."""
    import re

    from conftest import shared_path

    text = shared_path("seed/000_29c420e0834f4170.txt").read_text(encoding="utf-8")

    def table(name):
        body = re.search(name + r"\s*=\s*\{(.*?)\};", text, re.DOTALL).group(1)
        return [tuple(map(int, m)) for m in re.findall(r"\{(\d+),(\d+)\}", body)]

    seed = openpose.get_layout("coco").limb_table("seed")
    assert [tuple(r[:2]) for r in seed] == table("posePairs")
    assert [tuple(r[2:]) for r in seed] == table("mapIdx")
    assert openpose.get_layout("coco").seed_starts_person().tolist() == [1] * 17 + [0, 0]
