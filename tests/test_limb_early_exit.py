"""Seed-mode limb scoring stops reading samples once a pair cannot pass; the pairs stay the same.

The C++ core rejects a candidate pair as soon as too many of its samples are
at or below ``paf_threshold`` for the ``min_fraction`` test to pass. These
cases vary ``min_fraction`` and ``n_samples`` around the rounding of
``over / n_samples`` (0.7 with 10 samples: 7 samples above is not enough, 8
is) on crowds with many wrong pairs, and compare with the Python reference,
which always reads every sample.
"""

from __future__ import annotations

import numpy as np
import pytest

import openpose
from openpose.layouts import get_layout
from openpose.synthetic import synthetic_net_output

pytest.importorskip("cv2")

SIZE = (656, 368)

PARAMS = [(10, 0.7), (10, 0.69999), (10, 0.0), (10, 0.95), (10, 1.0), (10, -0.5), (3, 0.5), (2, 0.4), (25, 0.8)]


@pytest.fixture(scope="module")
def crowd():
    out = synthetic_net_output(12, map_size=(82, 46), seed=5)[0]
    cands, next_id = [], 0
    for p in range(18):
        cands.append(openpose.find_peaks(out[p], image_size=SIZE, mode="seed", implementation="python", first_id=next_id))
        next_id += len(cands[-1])
    return out, cands


@pytest.mark.parametrize(("n_samples", "min_fraction"), PARAMS, ids=[f"n{n}-f{f}" for n, f in PARAMS])
def test_pairs_equal_reference(crowd, n_samples, min_fraction):
    out, cands = crowd
    n_pairs = 0
    for part_a, part_b, cx, cy in get_layout("coco").limb_table("seed"):
        a, b = cands[part_a], cands[part_b]
        if not len(a) or not len(b):
            continue
        got, ref = (openpose.score_limb(out[cx], out[cy], a, b, image_size=SIZE, mode="seed", implementation=be,
                                        n_samples=n_samples, min_fraction=min_fraction) for be in ("cpp", "python"))
        np.testing.assert_array_equal(got[:, :2], ref[:, :2])
        np.testing.assert_allclose(got[:, 2], ref[:, 2], rtol=1e-6, atol=0)
        n_pairs += len(ref)
    if min_fraction < 0.95:
        assert n_pairs > 0
