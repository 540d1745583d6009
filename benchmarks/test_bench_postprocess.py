"""Seed-mode post-processing: Python reference and C++ core side by side.

Every benchmark checks its result (against the reference, computed once
outside the timing). Groups put the two implementations of one case together.
Run:  python -m pytest benchmarks --benchmark-enable --benchmark-group-by=group
With --benchmark-disable (the project default) each runs once: a quick
correctness check.
"""

from __future__ import annotations

import numpy as np
import pytest

import bench_cases as bc
import openpose

pytest.importorskip("cv2")

PHOTO_CASES = ["000000000192", "000000000395", "000000000544"]
BIG_CASES = ["mosaic4", "mosaic16", "video-4k"]
_REF = {}


def _reference(key, out, size):
    if key not in _REF:
        _REF[key] = openpose.postprocess(out, mode="seed", image_size=size, implementation="python")
    return _REF[key]


def _run(benchmark, implementation, out, size, ref, rounds):
    if implementation == "python":
        res = benchmark.pedantic(openpose.postprocess, args=(out,),
                                 kwargs={"image_size": size, "implementation": implementation, "mode": "seed"},
                                 rounds=rounds, iterations=1)
    else:
        res = benchmark(openpose.postprocess, out, image_size=size, implementation=implementation, mode="seed")
    assert bc.same_result(res, ref)
    return res


@pytest.mark.parametrize("implementation", ["python", "cpp"])
@pytest.mark.parametrize("name", PHOTO_CASES)
def test_pipeline_real_photo(benchmark, real_cases, name, implementation):
    out, size = real_cases[name]
    benchmark.group = f"pipeline photo {name} {size[0]}x{size[1]}"
    res = _run(benchmark, implementation, out, size, _reference(name, out, size), rounds=3)
    assert len(res) > 0


@pytest.mark.parametrize("implementation", ["python", "cpp"])
@pytest.mark.parametrize("name", BIG_CASES)
def test_pipeline_real_large(benchmark, real_cases, name, implementation):
    out, size = real_cases[name]
    benchmark.group = f"pipeline {name} {size[0]}x{size[1]}"
    res = _run(benchmark, implementation, out, size, _reference(name, out, size), rounds=1)
    assert len(res) > 0


@pytest.mark.parametrize("implementation", ["python", "cpp"])
@pytest.mark.parametrize("n_people", [1, 25, 100, 200])
def test_pipeline_synthetic_crowd(benchmark, n_people, implementation):
    out = bc.crowd(n_people)
    size = bc.CROWD_IMAGE
    benchmark.group = f"pipeline synthetic crowd {n_people:3d} people {size[0]}x{size[1]}"
    _run(benchmark, implementation, out, size, _reference(("crowd", n_people), out, size), rounds=1)


@pytest.mark.parametrize("implementation", ["python", "cpp"])
@pytest.mark.parametrize("size", bc.IMAGE_SIZES, ids=[f"{w}x{h}" for w, h in bc.IMAGE_SIZES])
def test_pipeline_synthetic_image_size(benchmark, size, implementation):
    out = bc.crowd(4)
    benchmark.group = f"pipeline synthetic 4 people {size[0]:4d}x{size[1]}"
    _run(benchmark, implementation, out, size, _reference(("size", size), out, size), rounds=1)


# --- stages, on one real photo ---------------------------------------------

STAGE_PHOTO = "000000000395"


@pytest.mark.parametrize("implementation", ["python", "cpp"])
def test_stage_find_peaks(benchmark, real_cases, implementation):
    out, size = real_cases[STAGE_PHOTO]
    benchmark.group = f"stage find_peaks (18 heatmaps) {STAGE_PHOTO}"
    full = _reference(STAGE_PHOTO, out, size)
    decoder = openpose.SeedDecoder("coco", implementation=implementation)  # built once, outside the timing

    def run():
        found, next_id = [], 0
        for p in range(18):
            found.append(decoder.find_peaks(out[0, p], image_size=size, first_id=next_id))
            next_id += len(found[-1])
        return found

    got = benchmark(run)
    for g, e in zip(got, full.keypoints):
        np.testing.assert_array_equal(g[:, :3], e[:, :3])
        np.testing.assert_allclose(g[:, 3], e[:, 3], rtol=1e-5, atol=0)
    assert sum(len(g) for g in got) > 0


@pytest.mark.parametrize("implementation", ["python", "cpp"])
def test_stage_score_limbs(benchmark, real_cases, implementation):
    out, size = real_cases[STAGE_PHOTO]
    benchmark.group = f"stage score_limb (19 limbs) {STAGE_PHOTO}"
    full = _reference(STAGE_PHOTO, out, size)
    decoder = openpose.SeedDecoder("coco", implementation=implementation)

    def run():
        return [decoder.score_limb(out[0, cx], out[0, cy], full.keypoints[a], full.keypoints[b], image_size=size)
                for a, b, cx, cy in decoder.limbs]

    got = benchmark(run)
    for g, e in zip(got, full.valid_pairs):
        np.testing.assert_array_equal(g[:, :2], e[:, :2])
        np.testing.assert_allclose(g[:, 2], e[:, 2], rtol=1e-5, atol=0)


@pytest.mark.parametrize("implementation", ["python", "cpp"])
def test_stage_assemble(benchmark, real_cases, implementation):
    out, size = real_cases[STAGE_PHOTO]
    benchmark.group = f"stage assemble_persons {STAGE_PHOTO}"
    full = _reference(STAGE_PHOTO, out, size)
    decoder = openpose.SeedDecoder("coco", implementation=implementation)
    got = benchmark(decoder.assemble, full.valid_pairs)
    np.testing.assert_array_equal(got, full.persons)
    assert len(got) > 0


# --- the original program --------------------------------------------------

@pytest.mark.parametrize("name", ["000000000192", "mosaic4"])
def test_original_program(benchmark, real_cases, name):
    """The seed compiled against OpenCV (tests/oracle), timed in-process by itself; same people."""
    if bc.oracle_exe() is None:
        pytest.skip("the seed oracle needs pkg-config, opencv4 (libopencv-dev) and a C++ compiler")
    out, size = real_cases[name]
    benchmark.group = f"original program {name}"
    result = benchmark.pedantic(bc.run_oracle, args=(out, size), rounds=1, iterations=1)
    benchmark.extra_info["original_postprocess_ms"] = result["timing_ms"]["postprocess_median"]
    np.testing.assert_array_equal(bc.oracle_persons(result), openpose.postprocess(out, mode="seed", image_size=size).persons)


# --- batches ---------------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 2])
def test_batch_threads(benchmark, real_cases, threads):
    names = sorted(n for n in real_cases if n.startswith("0000"))
    outs = [real_cases[n][0] for n in names]
    sizes = [real_cases[n][1] for n in names]
    benchmark.group = f"postprocess_batch {len(outs)} photos"
    expected = [openpose.postprocess(o, mode="seed", image_size=s) for o, s in zip(outs, sizes)]
    got = benchmark(openpose.postprocess_batch, outs, image_sizes=sizes, threads=threads, mode="seed")
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g.persons, e.persons)
        np.testing.assert_array_equal(g.poses, e.poses)
