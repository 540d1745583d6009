"""Seed-mode post-processing against the original C++ program itself.

``tests/oracle/seed_oracle.cpp`` is the seed program (../shared/seed) with its
GUI and console output removed and a ``main`` that reads a network output
blob from a file and prints every intermediate result as JSON. It is compiled
once per session against the system OpenCV (``pkg-config opencv4``, e.g.
Debian's ``libopencv-dev``); the whole module is skipped when that or a C++
compiler is missing.

For every real network output (fixture ``real_outputs``) and for seeded
synthetic blobs, ``openpose.postprocess(..., mode="seed")`` must agree with
the oracle, for both implementations:

- keypoints: same number per part, ids, x and y exactly; score rel. 1e-5;
- valid pairs: same number per limb, ids exactly; score rel. 1e-5;
- invalid pairs: identical;
- persons: identical (order included).

The oracle is built against OpenCV 4 (the seed needs 4.x: it uses
readNetFromCaffe). Its bilinear ``cv::resize`` of float maps (Debian 4.6) is
not bit-identical to the pip ``cv2.resize`` of OpenCV 5.0 (ulp differences on
most pixels); real photos do not notice, but the "tall-plateau" case (flat
heatmap tops, exact ties in the peak search) does, so a implementation that calls
pip ``cv2.resize`` will not match it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

import openpose

ORACLE_SRC = Path(__file__).parent / "oracle" / "seed_oracle.cpp"
IMPLEMENTATIONS = ("cpp", "python")
SCORE_RTOL = 1e-5
MAX_REPORTED = 12  # mismatching rows listed per stage

PART_NAMES = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow",
    "LWrist", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye",
    "LEye", "REar", "LEar",
)
# The seed's tables (posePairs[k] is scored from PAF channels mapIdx[k]).
POSE_PAIRS = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
    (1, 11), (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
    (2, 17), (5, 16),
)
MAP_IDX = (
    (31, 32), (39, 40), (33, 34), (35, 36), (41, 42), (43, 44), (19, 20),
    (21, 22), (23, 24), (25, 26), (27, 28), (29, 30), (47, 48), (49, 50),
    (53, 54), (51, 52), (55, 56), (37, 38), (45, 46),
)


# --------------------------------------------------------------------------
# Building and running the oracle
# --------------------------------------------------------------------------


def _find_compiler() -> str | None:
    for cand in (os.environ.get("CXX"), "g++", "c++", "clang++"):
        if cand and shutil.which(cand):
            return cand
    return None


@pytest.fixture(scope="session")
def oracle_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed oracle, compiled once per session with -O2 against opencv4."""
    if shutil.which("pkg-config") is None:
        pytest.skip("seed oracle needs pkg-config and OpenCV 4 (apt-get install libopencv-dev)")
    if subprocess.run(["pkg-config", "--exists", "opencv4"], check=False).returncode != 0:
        pytest.skip("seed oracle needs OpenCV 4 headers: `pkg-config --exists opencv4` failed "
                    "(apt-get install libopencv-dev)")
    cxx = _find_compiler()
    if cxx is None:
        pytest.skip("seed oracle needs a C++ compiler (g++ / c++ / clang++ not found)")
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "opencv4"],
        check=True, capture_output=True, text=True,
    ).stdout
    exe = tmp_path_factory.mktemp("seed_oracle") / "seed_oracle"
    cmd = [cxx, "-O2", "-std=c++17", str(ORACLE_SRC), "-o", str(exe), *shlex.split(flags)]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"compiling the seed oracle failed:\n{shlex.join(cmd)}\n{proc.stderr}")
    return exe


def write_blob(path: Path, net_output: np.ndarray, image_size: tuple[int, int]) -> None:
    """Oracle input format: int32 C, h, w, W, H then C*h*w float32, little-endian."""
    arr = np.asarray(net_output)
    if arr.ndim != 4 or arr.shape[0] != 1:
        msg = f"net_output must have shape (1, C, h, w), got {arr.shape}"
        raise ValueError(msg)
    _, c, h, w = arr.shape
    width, height = image_size
    with path.open("wb") as f:
        f.write(struct.pack("<5i", c, h, w, int(width), int(height)))
        f.write(np.ascontiguousarray(arr, dtype="<f4").tobytes())


@pytest.fixture(scope="session")
def run_oracle(oracle_exe: Path, tmp_path_factory: pytest.TempPathFactory):
    """Callable (net_output, image_size, key) -> the oracle's JSON dict (cached by key)."""
    workdir = tmp_path_factory.mktemp("seed_oracle_blobs")
    cache: dict[str, dict] = {}

    def _run(net_output: np.ndarray, image_size: tuple[int, int], key: str) -> dict:
        if key not in cache:
            blob = workdir / f"{len(cache):03d}.blob"
            write_blob(blob, net_output, image_size)
            proc = subprocess.run(
                [str(oracle_exe), str(blob)],
                check=False, capture_output=True, text=True, timeout=300,
            )
            if proc.returncode != 0:
                pytest.fail(f"seed oracle failed on {key}: rc={proc.returncode}\n{proc.stderr}")
            cache[key] = json.loads(proc.stdout)
        return cache[key]

    return _run


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def _rows_mismatch(exp: np.ndarray, got: np.ndarray, n_exact: int) -> list[int]:
    """Row indices where the first n_exact columns differ or the score is off by > rtol."""
    exact_bad = np.any(exp[:, :n_exact] != got[:, :n_exact], axis=1)
    score_bad = ~(np.abs(got[:, n_exact] - exp[:, n_exact]) <= SCORE_RTOL * np.abs(exp[:, n_exact]))
    return np.flatnonzero(exact_bad | score_bad).tolist()


def _fmt_rows(rows: np.ndarray) -> str:
    rows = np.atleast_2d(rows)
    return "[" + ", ".join("[" + ", ".join(f"{v:.9g}" for v in r) + "]" for r in rows) + "]"


def _compare_table(where: str, exp: np.ndarray, got: np.ndarray, n_exact: int, cols: str) -> list[str]:
    """Rows [exact columns..., score]: shapes equal, exact columns equal, score within rtol."""
    if got.shape != exp.shape:
        if got.size == 0 and exp.size == 0:
            return []
        got_rows = got.reshape(-1, got.shape[-1]) if got.ndim else got
        return [(f"{where}: shape {got.shape}, oracle {exp.shape}\n"
                f"    oracle={_fmt_rows(exp)}\n    got   ={_fmt_rows(got_rows)}")]
    bad = _rows_mismatch(exp, got, n_exact)
    if not bad:
        return []
    lines = [f"    row {i}: oracle {cols}={_fmt_rows(exp[i])} got={_fmt_rows(got[i])}"
             for i in bad[:MAX_REPORTED]]
    return [f"{where}: {len(bad)} of {len(exp)} rows differ\n" + "\n".join(lines)]


def compare_with_oracle(label: str, ref: dict, res) -> list[str]:
    """Every disagreement between the oracle's JSON and a postprocess result, as text."""
    msgs: list[str] = []

    # keypoints: 18 arrays (n_i, 4) [id, x, y, score]
    if len(res.keypoints) != 18:
        msgs.append(f"{label}: keypoints has {len(res.keypoints)} parts, expected 18")
    for p in range(min(18, len(res.keypoints))):
        exp = np.asarray(ref["keypoints"][p], dtype=np.float64).reshape(-1, 4)
        got = np.asarray(res.keypoints[p], dtype=np.float64)
        where = f"{label}: keypoints part {p} ({PART_NAMES[p]})"
        msgs += _compare_table(where, exp, got, 3, "[id,x,y,score]")

    # valid pairs: 19 arrays (m_k, 3) [a_id, b_id, score]
    if len(res.valid_pairs) != 19:
        msgs.append(f"{label}: valid_pairs has {len(res.valid_pairs)} limbs, expected 19")
    for k in range(min(19, len(res.valid_pairs))):
        exp = np.asarray(ref["valid_pairs"][k], dtype=np.float64).reshape(-1, 3)
        got = np.asarray(res.valid_pairs[k], dtype=np.float64)
        a, b = POSE_PAIRS[k]
        where = f"{label}: valid_pairs limb {k} ({PART_NAMES[a]}-{PART_NAMES[b]})"
        msgs += _compare_table(where, exp, got, 2, "[a,b,score]")

    # invalid pairs
    got_inv = [int(k) for k in res.invalid_pairs]
    if got_inv != ref["invalid_pairs"]:
        msgs.append(f"{label}: invalid_pairs oracle={ref['invalid_pairs']} got={got_inv}")

    # persons (P, 18), -1 = missing, in the seed's order
    exp_persons = np.asarray(ref["persons"], dtype=np.int64).reshape(-1, 18)
    got_persons = np.asarray(res.persons)
    if got_persons.shape != exp_persons.shape or not np.array_equal(got_persons, exp_persons):
        msgs.append(f"{label}: persons differ (oracle {exp_persons.shape}, got {got_persons.shape})\n"
                    f"    oracle={exp_persons.tolist()}\n    got   ={got_persons.tolist()}")
    elif got_persons.dtype.kind not in "iu":
        msgs.append(f"{label}: persons dtype {got_persons.dtype}, expected an integer dtype")

    # poses (P, 18, 3) float32: joints present in `persons` sit at the keypoint's x, y
    poses = np.asarray(res.poses)
    if poses.shape != (exp_persons.shape[0], 18, 3) or poses.dtype != np.float32:
        msgs.append(f"{label}: poses shape/dtype {poses.shape}/{poses.dtype}, "
                    f"expected ({exp_persons.shape[0]}, 18, 3)/float32")
    else:
        xy_by_id = {int(r[0]): (r[1], r[2]) for part in ref["keypoints"] for r in part}
        for n, person in enumerate(exp_persons):
            for j, kid in enumerate(person):
                if kid >= 0 and tuple(poses[n, j, :2].tolist()) != xy_by_id[int(kid)]:
                    msgs.append(f"{label}: poses[{n}, {j}] xy={poses[n, j, :2].tolist()}, "
                                f"keypoint id {kid} is at {xy_by_id[int(kid)]}")
    return msgs


# --------------------------------------------------------------------------
# Synthetic network outputs
# --------------------------------------------------------------------------

# A standing person, joint positions in units of body height (x right, y down).
_TEMPLATE = np.array([
    (0.00, 0.06), (0.00, 0.17), (-0.10, 0.18), (-0.14, 0.32), (-0.16, 0.45),
    (0.10, 0.18), (0.14, 0.32), (0.16, 0.45), (-0.06, 0.50), (-0.07, 0.70),
    (-0.08, 0.90), (0.06, 0.50), (0.07, 0.70), (0.08, 0.90), (-0.03, 0.04),
    (0.03, 0.04), (-0.06, 0.05), (0.06, 0.05),
])


def make_synthetic(seed: int, h: int, w: int, n_people: int, variant: str = "plain") -> np.ndarray:
    """A (1, 57, h, w) float32 blob with Gaussian heatmaps and consistent PAFs.

    variant: "plain"; "plateau" (heatmaps clipped flat at the top: ties in the
    peak search); "ring" (some heatmaps are annuli: contours with holes);
    "crescent" (some joints get a C-shaped region around their peak: the seed
    fills each contour with fillConvexPoly, which covers the concavity);
    "crossed-ears" (the shoulder-ear PAFs of limbs 17 and 18 lead to the next
    person's ear).
    """
    rng = np.random.default_rng(seed)
    out = np.zeros((1, 57, h, w), dtype=np.float64)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    paf_sum = np.zeros((19, 2, h, w))
    paf_cnt = np.zeros((19, h, w))

    def paint_limb(k: int, ja: np.ndarray, jb: np.ndarray) -> None:
        v = jb - ja
        length = np.hypot(*v)
        if length < 1e-6:
            return
        u = v / length
        rel_x, rel_y = xx - ja[0], yy - ja[1]
        along = rel_x * u[0] + rel_y * u[1]
        across = np.abs(rel_x * u[1] - rel_y * u[0])
        band = (along >= -1.0) & (along <= length + 1.0) & (across <= rng.uniform(0.8, 1.6))
        mag = rng.uniform(0.5, 1.0)
        paf_sum[k, 0][band] += u[0] * mag
        paf_sum[k, 1][band] += u[1] * mag
        paf_cnt[k][band] += 1

    people = []
    for _ in range(n_people):
        height = rng.uniform(0.35, 0.9) * h
        cx = rng.uniform(0.1, 0.9) * w
        top = rng.uniform(-0.05, 0.95 - height / h) * h
        mirror = rng.choice([-1.0, 1.0])
        joints = np.empty((18, 2))
        joints[:, 0] = cx + mirror * _TEMPLATE[:, 0] * height * rng.uniform(0.8, 1.3)
        joints[:, 1] = top + _TEMPLATE[:, 1] * height
        joints += rng.normal(0.0, 0.03 * height, size=joints.shape)
        visible = rng.random(18) > 0.15
        for j in range(18):
            if not visible[j]:
                continue
            amp = rng.uniform(0.3, 0.95)
            sigma = rng.uniform(0.7, 2.0)
            d2 = (xx - joints[j, 0]) ** 2 + (yy - joints[j, 1]) ** 2
            if variant == "ring" and rng.random() < 0.4:
                r0 = rng.uniform(2.0, 3.5)
                g = amp * np.exp(-((np.sqrt(d2) - r0) ** 2) / (2 * 0.6**2))
            elif variant == "crescent" and rng.random() < 0.5:
                # a C-shaped (non-convex) region around a stronger separate peak
                r0 = rng.uniform(3.5, 5.0)
                gap_dir = rng.uniform(0, 2 * np.pi)
                ang = np.arctan2(yy - joints[j, 1], xx - joints[j, 0]) - gap_dir
                in_c = np.cos(ang) < np.cos(np.deg2rad(50))
                ring = rng.uniform(0.3, 0.5) * np.exp(-((np.sqrt(d2) - r0) ** 2) / (2 * 0.7**2)) * in_c
                g = np.maximum(ring, amp * np.exp(-d2 / (2 * 0.9**2)))
            else:
                g = amp * np.exp(-d2 / (2 * sigma**2))
                if variant == "plateau":
                    g = np.minimum(g, round(amp * 0.7, 2))
            out[0, j] = np.maximum(out[0, j], g)
        people.append((joints, visible))
        for k, (a, b) in enumerate(POSE_PAIRS):
            if not (visible[a] and visible[b]):
                continue
            if variant == "crossed-ears" and k >= 17:
                continue
            paint_limb(k, joints[a], joints[b])
    if variant == "crossed-ears":
        # limbs 17 (RShoulder-LEar) and 18 (LShoulder-REar) point at the next
        # person's ear: the seed's assembly then overwrites ears across people
        for i, (joints, visible) in enumerate(people):
            other, other_visible = people[(i + 1) % len(people)]
            for k in (17, 18):
                a, b = POSE_PAIRS[k]
                if visible[a] and other_visible[b]:
                    paint_limb(k, joints[a], other[b])
    # spurious weak peaks without limbs
    for _ in range(rng.integers(2, 6)):
        j = rng.integers(0, 18)
        px, py = rng.uniform(0, w), rng.uniform(0, h)
        g = rng.uniform(0.12, 0.35) * np.exp(-((xx - px) ** 2 + (yy - py) ** 2) / (2 * 1.0**2))
        out[0, j] = np.maximum(out[0, j], g)
    cnt = np.maximum(paf_cnt, 1)
    for k, (cxi, cyi) in enumerate(MAP_IDX):
        out[0, cxi] = paf_sum[k, 0] / cnt[k]
        out[0, cyi] = paf_sum[k, 1] / cnt[k]
    out[0, 18] = 1.0 - out[0, :18].max(axis=0)
    noise = rng.normal(0.0, 0.01, size=out.shape)
    if variant == "plateau":
        noise[0, :18] = 0.0  # keep the plateaus exactly flat
    out += noise
    out[0, :19] = np.clip(out[0, :19], 0.0, 1.0)
    return out.astype(np.float32)


# (id, seed, net h, net w, image (W, H), people, variant)
SYNTHETIC_CASES = [
    ("landscape-3p", 0, 46, 62, (640, 480), 3, "plain"),
    ("portrait-5p", 1, 46, 34, (480, 640), 5, "plain"),
    ("crowd-9p", 2, 46, 82, (640, 360), 9, "plain"),
    ("tall-plateau", 3, 46, 30, (665, 1000), 3, "plateau"),
    ("rings", 4, 46, 62, (500, 375), 4, "ring"),
    ("small-downscale", 5, 23, 31, (200, 150), 3, "plain"),
    ("odd-size-6p", 6, 46, 68, (641, 427), 6, "plain"),
    ("crescents", 7, 46, 62, (640, 480), 3, "crescent"),
    ("crossed-ears", 8, 46, 62, (640, 480), 4, "crossed-ears"),
]


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_real_outputs_match_seed_oracle(run_oracle, real_outputs, implementation):
    msgs: list[str] = []
    n_persons = 0
    for name, net_output, image_size in real_outputs:
        size = tuple(image_size)
        ref = run_oracle(net_output, size, key=f"real:{name}")
        n_persons += len(ref["persons"])
        res = openpose.postprocess(net_output, image_size=size, mode="seed", implementation=implementation)
        msgs += compare_with_oracle(f"{name} {size} [implementation={implementation}]", ref, res)
    assert n_persons > 0, "the oracle found nobody in any real photo: the fixture or oracle is broken"
    assert not msgs, "disagreements with the seed oracle:\n" + "\n".join(msgs)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("seed", "h", "w", "image_size", "n_people", "variant"),
    [case[1:] for case in SYNTHETIC_CASES],
    ids=[case[0] for case in SYNTHETIC_CASES],
)
def test_synthetic_outputs_match_seed_oracle(run_oracle, seed, h, w, image_size, n_people, variant, implementation):
    net_output = make_synthetic(seed, h, w, n_people, variant)
    key = f"synthetic:{seed}:{h}x{w}:{image_size}:{n_people}:{variant}"
    ref = run_oracle(net_output, image_size, key=key)
    assert len(ref["persons"]) > 0, "synthetic blob produced no person in the oracle: generator is broken"
    res = openpose.postprocess(net_output, image_size=image_size, mode="seed", implementation=implementation)
    label = f"synthetic seed={seed} {variant} {h}x{w}->{image_size} [implementation={implementation}]"
    msgs = compare_with_oracle(label, ref, res)
    assert not msgs, "disagreements with the seed oracle:\n" + "\n".join(msgs)
