"""benchmarks/tfpose_grouping.py: tf-pose-estimation's post-processing (the
comparison row of the accuracy table), checked against hand-derived values."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from openpose.layouts import get_layout
from openpose.synthetic import synthetic_net_output

ROOT = Path(__file__).resolve().parent.parent


def _load():
    path = ROOT / "benchmarks" / "tfpose_grouping.py"
    if not path.is_file():
        pytest.skip(f"{path} is not here (tests copied without benchmarks/)", allow_module_level=True)
    spec = importlib.util.spec_from_file_location("tfpose_grouping", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tg = _load()


# ---------------------------------------------------------------- resize_area

def test_area_upsampling_by_4_repeats_each_cell():
    x = np.array([[[1.0, 2.0], [3.0, 4.0]]], np.float32)
    out = tg.upsample_area(x, (8, 8))
    expected = np.kron(x[0], np.ones((4, 4), np.float32))
    np.testing.assert_array_equal(out[0], expected)


def test_area_upsampling_2_to_3_blends_only_straddling_footprints():
    # Output pixel 1 of 3 covers [2/3, 4/3) of the input: a third of each cell,
    # so it is their mean; pixels 0 and 2 lie inside one cell each.
    a, b, c, d = 1.0, 2.0, 4.0, 8.0
    x = np.array([[[a, b], [c, d]]], np.float32)
    expected = [
        [a, (a + b) / 2, b],
        [(a + c) / 2, (a + b + c + d) / 4, (b + d) / 2],
        [c, (c + d) / 2, d],
    ]
    np.testing.assert_allclose(tg.upsample_area(x, (3, 3))[0], expected, rtol=1e-6)


def test_area_upsampling_3_to_4():
    # scale 3/4: [0, .75) -> a; [.75, 1.5) -> (.25 a + .5 b) / .75;
    # [1.5, 2.25) -> (.5 b + .25 c) / .75; [2.25, 3) -> c.
    a, b, c = 3.0, 6.0, 12.0
    x = np.array([[[a, b, c]]], np.float32)
    expected = [a, (a + 2 * b) / 3, (2 * b + c) / 3, c]
    np.testing.assert_allclose(tg.upsample_area(x, (1, 4))[0, 0], expected, rtol=1e-6)


@pytest.mark.parametrize("size", [(8, 8), (5, 11), (23, 17)], ids=["x4", "x2.5-x5.5", "x11.5-x8.5"])
def test_area_upsampling_agrees_with_opencv_inter_area(size):
    # OpenCV's INTER_AREA, when enlarging, weights the source cells by the
    # same footprint overlaps (an independent implementation: float32
    # rounding apart, the values agree).
    cv2 = pytest.importorskip("cv2")
    x = np.random.default_rng(3).random((2, 2)).astype(np.float32)
    theirs = cv2.resize(x, size[::-1], interpolation=cv2.INTER_AREA)
    np.testing.assert_allclose(tg.upsample_area(x[None], size)[0], theirs, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------- Smoother

def test_smoother_kernel_is_the_square_root_of_the_outer_product():
    # The Smoother's 2-D kernel, built its way: normal probabilities of 25
    # bins of width 7/25 sigma, sqrt of the outer product, normalised.
    edges = np.linspace(-3.0 - 0.14, 3.0 + 0.14, 26)
    k = np.diff([0.5 * (1 + math.erf(e / math.sqrt(2))) for e in edges])
    direct = np.sqrt(np.outer(k, k))
    direct /= direct.sum()
    f = tg.smoother_kernel_1d(25, 3.0)
    np.testing.assert_allclose(np.outer(f, f), direct, rtol=1e-12)


@pytest.mark.parametrize("where", [(15, 15), (0, 0)], ids=["centre", "corner"])
def test_smoothing_a_delta_gives_the_kernel_with_zero_same_padding(where):
    y, x = where
    maps = np.zeros((1, 31, 31), np.float32)
    maps[0, y, x] = 1.0
    out = tg.smooth(maps)[0]
    f = tg.smoother_kernel_1d()
    kernel = np.outer(f, f)
    # SAME with an odd kernel: centred; outside the map the input is 0.
    expected = np.zeros((31 + 24, 31 + 24))
    expected[y:y + 25, x:x + 25] = kernel
    np.testing.assert_allclose(out, expected[12:12 + 31, 12:12 + 31], rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------- Peaks

def test_peaks_max_pool_same_threshold_and_unsmoothed_score():
    smoothed = np.full((1, 5, 5), 0.01, np.float32)  # a plateau below the threshold
    smoothed[0, 0, 0] = 0.9  # corner: SAME padding never beats it
    smoothed[0, 0, 1] = smoothed[0, 1, 0] = 0.2  # next to a larger value
    smoothed[0, 2, 3] = 0.5
    smoothed[0, 4, 2] = smoothed[0, 4, 3] = 0.3  # a tie: both equal their max-pool
    smoothed[0, 4, 0] = 0.04  # a local maximum below 0.05
    heat = np.arange(25, dtype=np.float32).reshape(1, 5, 5) / 100  # score = (5 y + x) / 100
    peaks = tg.find_peaks(smoothed, heat)
    expected = [[0, 0, 0.0], [3, 2, 0.13], [2, 4, 0.22], [3, 4, 0.23]]  # raster order, [x, y, score]
    np.testing.assert_allclose(peaks[0], expected, rtol=1e-6)


# ---------------------------------------------------------------------- Limbs

def _paf_row(shape, points, value=(1.0, 0.0)):
    px, py = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    for x, y in points:
        px[y, x], py[y, x] = value
    return px, py


@pytest.mark.parametrize(("n_bad", "kept"), [(4, False), (3, True)], ids=["6-of-10-rejected", "7-of-10-kept"])
def test_limb_needs_more_than_6_supporting_samples(n_bad, kept):
    # pafprocess.h of the mobilenet-v2 code: THRESH_VECTOR_CNT1 = 6.
    # A = (10, 20), B = (30, 20): samples at x = 10, 12, ..., 28 on row 20.
    samples = [(10 + 2 * i, 20) for i in range(10)]
    px, py = _paf_row((100, 100), samples)
    for x, y in samples[3:3 + n_bad]:
        px[y, x] = 0.0
    conns = tg.connect_limb(np.array([[10, 20]]), np.array([[30, 20]]), px, py, height=100)
    if kept:
        # mean 7/10, no length penalty (0.5 * 100 / 20 - 1 > 0)
        np.testing.assert_allclose(conns, [[0, 0, 0.7]], rtol=1e-6)
    else:
        assert conns.shape == (0, 3)


def test_limb_length_penalty():
    samples = [(10 + 2 * i, 20) for i in range(10)]
    px, py = _paf_row((30, 100), samples)
    conns = tg.connect_limb(np.array([[10, 20]]), np.array([[30, 20]]), px, py, height=30)
    # 1 + min(0, 0.5 * 30 / 20 - 1) = 0.75
    np.testing.assert_allclose(conns, [[0, 0, 0.75]], rtol=1e-6)


def test_limb_samples_round_half_up():
    # A = (0, 0), B = (5, 3): x = 0.5 i, y = 0.3 i rounded by (int)(v + 0.5):
    xs = [0, 1, 1, 2, 2, 3, 3, 4, 4, 5]
    ys = [0, 0, 1, 1, 1, 2, 2, 2, 2, 3]
    u = np.array([5.0, 3.0]) / math.sqrt(34.0)
    px, py = _paf_row((20, 20), list(zip(xs, ys)), value=tuple(u))
    conns = tg.connect_limb(np.array([[0, 0]]), np.array([[5, 3]]), px, py, height=20)
    # every sample reads a unit PAF along AB (banker's rounding would miss 4)
    np.testing.assert_allclose(conns, [[0, 0, 1.0]], rtol=1e-6)


def test_limb_matching_is_greedy_and_one_to_one():
    px = np.zeros((60, 60), np.float32)
    px[18:27, :] = 1.0  # a horizontal field over rows 18..26
    py = np.zeros_like(px)
    a = np.array([[10, 20], [10, 24]])
    b = np.array([[30, 20]])
    conns = tg.connect_limb(a, b, px, py, height=60)
    # both pairs pass; the straight one (score 1) wins and B is taken
    np.testing.assert_allclose(conns, [[0, 0, 1.0]], rtol=1e-6)
    conns = tg.connect_limb(a, np.array([[30, 20], [30, 24]]), px, py, height=60)
    np.testing.assert_allclose(conns, [[0, 0, 1.0], [1, 1, 1.0]], rtol=1e-6)


# --------------------------------------------------------------------- People

def _conns(**by_pair):
    out = [np.zeros((0, 3), np.float32) for _ in tg.COCOPAIRS]
    for name, rows in by_pair.items():
        out[int(name[1:])] = np.array(rows, np.float32).reshape(-1, 3)
    return out


# peak ids: 0 nose (unused), 1 neck, 2 rshoulder, 3 relbow, 4 rwrist
SCORES = np.array([0.5, 0.9, 0.8, 0.7, 0.6], np.float32)


def test_three_parts_are_deleted_four_kept_with_total_over_count():
    three = _conns(p0=[[1, 2, 0.5]], p2=[[2, 3, 0.4]])  # neck-rsho, rsho-relb
    assert tg.assemble_people(three, SCORES).shape == (0, 20)
    four = _conns(p0=[[1, 2, 0.5]], p2=[[2, 3, 0.4]], p3=[[3, 4, 0.3]])
    rows = tg.assemble_people(four, SCORES)
    assert rows.shape == (1, 20)
    np.testing.assert_array_equal(rows[0, [1, 2, 3, 4]], [1, 2, 3, 4])
    assert (rows[0, [0, *range(5, 18)]] == -1).all()
    # (0.9 + 0.8 + 0.5) + (0.7 + 0.4) + (0.6 + 0.3) = 4.2 over 4 parts
    np.testing.assert_allclose(rows[0, 18:], [4.2, 4], rtol=1e-6)


def test_low_mean_score_is_deleted():
    low = np.full(5, 0.1, np.float32)
    rows = tg.assemble_people(_conns(p0=[[1, 2, 0.1]], p2=[[2, 3, 0.1]], p3=[[3, 4, 0.1]]), low)
    assert rows.shape == (0, 20)  # 0.7 / 4 < 0.4


def test_two_fragments_sharing_no_part_merge():
    # ids: 1 neck, 2 rsho, 3 relb, 4 reye, 5 rear
    scores = np.array([0.5, 0.9, 0.8, 0.7, 0.6, 0.5], np.float32)
    conns = _conns(
        p0=[[1, 2, 0.5]], p2=[[2, 3, 0.4]],  # fragment 1: neck, rsho, relb (total 3.3)
        p14=[[4, 5, 0.3]],                   # fragment 2: reye, rear (total 1.4)
        p17=[[2, 5, 0.2]],                   # rsho-rear touches both: merge
    )
    rows = tg.assemble_people(conns, scores)
    assert rows.shape == (1, 20)
    np.testing.assert_array_equal(rows[0, [1, 2, 3, 14, 16]], [1, 2, 3, 4, 5])
    np.testing.assert_allclose(rows[0, 18:], [3.3 + 1.4 + 0.2, 5], rtol=1e-6)


def test_ear_shoulder_limbs_never_start_a_person():
    scores = np.ones(20, np.float32)
    rows = tg.assemble_people(_conns(p16=[[1, 2, 1.0]], p17=[[3, 4, 1.0]], p18=[[5, 6, 1.0]]), scores,
                              thresh_part_cnt=2)
    assert rows.shape == (1, 20)
    np.testing.assert_array_equal(rows[0, [15, 17]], [1, 2])


# ---------------------------------------------------------------- Whole thing

def test_tables_are_the_coco_layout_limbs():
    coco = get_layout("coco")
    assert [tuple(limb[:2]) for limb in coco.limbs] == list(tg.COCOPAIRS)
    assert [(cx - 19, cy - 19) for _, _, cx, cy in coco.limbs] == list(tg.COCOPAIRS_NET)


def test_separated_synthetic_people_are_found_in_place():
    # Three one-person synthetic tiles side by side (seeds whose 18 parts all
    # lie inside their tile): three people, each whole and in its tile.
    tile_w, h = 36, 46
    tiles = [synthetic_net_output(1, map_size=(tile_w, h), person_scale=0.4, seed=s)[0] for s in (1, 8, 9)]
    net = np.concatenate(tiles, axis=2)[None]
    res = tg.tfpose_postprocess(net, image_size=(3 * tile_w * 8, h * 8))
    assert res.poses.shape == (3, 18, 3) and res.scores.shape == (3,) and res.layout.name == "coco"
    found = set()
    for t, tile in enumerate(tiles):
        heat = tile[:18].reshape(18, -1)
        assert (heat.max(axis=1) > 0.3).all()  # precondition: every part drawn in the tile
        ys, xs = np.unravel_index(heat.argmax(axis=1), (h, tile_w))
        # map cell m is upsampled pixels 4m..4m+3; tf-pose reports a pixel's
        # left edge: the block's middle pixels are image x 8m + 2 or 8m + 4.
        expected = np.column_stack([8 * (xs + t * tile_w) + 3, 8 * ys + 3])
        err = [np.abs(p[:, :2] - expected).max() for p in res.poses]
        who = int(np.argmin(err))
        assert err[who] <= 4.0
        assert (res.poses[who, :, 2] > 0).all()
        found.add(who)
    assert found == {0, 1, 2}
    # score = total / part count: each person is a tree of the 17 limbs that
    # may start people (no merge), so total = its 18 part scores + those 17
    # connection scores.
    for who in range(3):
        ids = set(res.persons[who].tolist())
        conn = sum(float(r[2]) for k in range(17) for r in res.valid_pairs[k] if int(r[0]) in ids)
        total = float(res.poses[who, :, 2].sum(dtype=np.float64)) + conn
        np.testing.assert_allclose(res.scores[who], total / 18, rtol=1e-5)


def test_empty_output_keeps_shapes():
    res = tg.tfpose_postprocess(np.zeros((1, 57, 10, 12), np.float32), image_size=(96, 80))
    assert res.poses.shape == (0, 18, 3) and res.poses.dtype == np.float32
    assert res.scores.shape == (0,) and res.persons.shape == (0, 18)
    assert len(res.keypoints) == 18 and len(res.valid_pairs) == 19 and res.invalid_pairs == list(range(19))


def test_wrong_channel_count_is_refused():
    with pytest.raises(ValueError, match="`net_output` must have 57 channels"):
        tg.tfpose_postprocess(np.zeros((1, 44, 10, 12), np.float32), image_size=(96, 80))
