"""Inference engines: pre-processing as data, the engine registry, cv2 vs onnxruntime, threads.

Oracles, none produced by the code under test:
- ``cv2.dnn.blobFromImage`` for `openpose.models.prepare` (bit for bit);
- a ``cv2.dnn`` forward run here (conftest's ``real_outputs``) for the cv2 engine;
- the cv2 engine for the onnxruntime engine (the same people, keypoints within 1 px);
- single-threaded calls for calls from 8 threads.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, net_input_size, photos, shared_path
from openpose.engines import Engine, EngineNotInstalledError, create_engine, engine_class, engine_names
from openpose.models import ModelSpec, model_spec, prepare


def blob_from_image(image, spec: ModelSpec, size):
    return cv2.dnn.blobFromImage(image, spec.scale, size, spec.mean, swapRB=spec.channel_order == "rgb", crop=False)


# ------------------------------------------------------------ pre-processing
SPECS = {
    "mobilenet": model_spec("openpose_mobilenet_v2_small_coco.onnx"),
    "cmu": model_spec("pose_deploy_linevec.prototxt"),
    # Values that are not exact in float32, a channel swap and unequal means.
    "imagenet-rgb": ModelSpec("x", "*", scale=1 / 58.395, mean=(123.675, 116.28, 103.53), channel_order="rgb"),
    "odd-bgr": ModelSpec("x", "*", scale=0.0039215, mean=(0.5, 17.3, 250.9)),
}


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_prepare_is_blob_from_image_on_the_shared_photos(spec):
    if not photos():
        pytest.skip("no shared photos")
    for path in photos():
        image = cv2.imread(str(path))
        size = net_input_size(image.shape[1], image.shape[0])
        np.testing.assert_array_equal(prepare(image, spec, size), blob_from_image(image, spec, size), err_msg=path.name)


def test_prepare_is_blob_from_image_on_the_shared_video():
    capture = cv2.VideoCapture(str(shared_path("media/video.avi")))
    spec = SPECS["mobilenet"]
    frames = 0
    try:
        while frames < 40:
            ok, frame = capture.read()
            if not ok:
                break
            size = net_input_size(frame.shape[1], frame.shape[0])
            np.testing.assert_array_equal(prepare(frame, spec, size), blob_from_image(frame, spec, size))
            frames += 1
    finally:
        capture.release()
    assert frames == 40


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
@pytest.mark.parametrize(
    ("image_hw", "net_wh"),
    [((37, 53), (31, 17)), ((1, 1), (16, 16)), ((5, 700), (48, 3)), ((96, 64), (64, 96)), ((45, 62), (62, 45))],
    ids=["odd", "one-pixel", "wide-down", "transposed", "same-size"],
)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_prepare_is_blob_from_image_on_odd_sizes(spec, image_hw, net_wh, dtype):
    rng = np.random.default_rng(sum(image_hw) + sum(net_wh))
    image = rng.integers(0, 256, (*image_hw, 3)).astype(dtype)
    if dtype == np.float32:
        image += rng.uniform(0, 1, image.shape).astype(np.float32)
    blob = prepare(image, spec, net_wh)
    assert blob.shape == (1, 3, net_wh[1], net_wh[0]) and blob.dtype == np.float32 and blob.flags.c_contiguous
    np.testing.assert_array_equal(blob, blob_from_image(image, spec, net_wh))


def test_prepare_of_a_view_and_leaves_the_image_alone():
    image = np.random.default_rng(1).integers(0, 256, (80, 90, 3), dtype=np.uint8)
    before = image.copy()
    view = image[::2, 1::3]
    spec = SPECS["imagenet-rgb"]
    expected = blob_from_image(np.ascontiguousarray(view), spec, (32, 48))
    np.testing.assert_array_equal(prepare(view, spec, (32, 48)), expected)
    np.testing.assert_array_equal(prepare(image, spec, (90, 80)), blob_from_image(image, spec, (90, 80)))
    np.testing.assert_array_equal(image, before)


@pytest.mark.parametrize(
    ("changes", "match"),
    [({"channel_order": "bgra"}, "`channel_order`"), ({"scale": float("nan")}, "`scale`"),
     ({"mean": (1.0, 2.0)}, "`mean`"), ({"size_multiple": 0}, "`size_multiple`"),
     ({"net_height": 1.5}, "`net_height`")],
    ids=["order", "scale", "mean", "multiple", "height"],
)
def test_model_spec_checks_its_fields(changes, match):
    with pytest.raises(ValueError, match=match):
        ModelSpec("x", "*", **changes)


# ------------------------------------------------------------ the registry
def test_engine_names_are_the_engine_modules():
    names = engine_names()
    assert names[0] == "cv2" and set(names) >= {"cv2", "onnxruntime"}
    for name in names:
        cls = engine_class(name)
        assert issubclass(cls, Engine) and cls.name == name


@pytest.mark.parametrize(("name", "error"), [("tensorrt", ValueError), ("", ValueError), (None, TypeError)])
def test_unknown_engine_is_a_clear_error(name, error):
    with pytest.raises(error, match=r"`engine`.*cv2"):
        engine_class(name)
    with pytest.raises(error, match=r"`engine`"):
        openpose.PoseEstimator("never-read.onnx", engine=name)


def test_missing_runtime_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if the extra were not installed
    with pytest.raises(EngineNotInstalledError, match=r'pip install "openpose\[onnxruntime\]"') as info:
        create_engine("onnxruntime", "never-read.onnx")
    assert isinstance(info.value, ImportError) and isinstance(info.value, ValueError)


def test_importing_openpose_imports_no_runtime():
    import subprocess

    code = ("import openpose, sys; "
            "print([m for m in ('onnxruntime', 'openpose.engines.onnxruntime_engine') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------ cv2 engine
def test_cv2_engine_gives_the_network_output_bit_for_bit(estimator, real_outputs):
    by_name = {p.stem: p for p in photos()}
    assert estimator.engine.name == "cv2"
    for name, out, size in real_outputs:
        got, got_size = estimator.forward(cv2.imread(str(by_name[name])))
        assert got_size == size
        np.testing.assert_array_equal(got, out, err_msg=name)


def test_engine_output_is_not_overwritten_by_the_next_call(estimator):
    paths = photos()[:2]
    if len(paths) < 2:
        pytest.skip("needs two shared photos")
    first, _ = estimator.forward(cv2.imread(str(paths[0])))
    kept = first.copy()
    estimator.forward(cv2.imread(str(paths[1])))
    np.testing.assert_array_equal(first, kept)


# ------------------------------------------------------------ onnxruntime engine
@pytest.fixture(scope="module")
def ort_estimator():
    pytest.importorskip("onnxruntime", reason="the onnxruntime engine needs openpose[onnxruntime]")
    return openpose.PoseEstimator(shared_path("models/openpose_mobilenet_v2_small_coco.onnx"), engine="onnxruntime")


@pytest.fixture(scope="module")
def cv2_estimator():
    return openpose.PoseEstimator(model_for_this_opencv())


def _match_people(a: np.ndarray, b: np.ndarray):
    """Pairs (i, j) of people of `a` and `b`, nearest first by mean keypoint distance (greedy)."""
    if len(a) != len(b):
        return None
    pairs, free = [], set(range(len(b)))
    for i in range(len(a)):
        best = min(free, key=lambda j: np.abs(a[i, :, :2] - b[j, :, :2]).sum())
        pairs.append((i, best))
        free.discard(best)
    return pairs


def assert_same_people_on_photos(reference, other, name: str) -> None:
    """`other` finds the people `reference` (cv2) finds on every shared photo: same parts, within one pixel."""
    if not photos():
        pytest.skip("no shared photos")
    total = 0
    for path in photos():
        image = cv2.imread(str(path))
        a, b = reference.estimate(image), other.estimate(image)
        pairs = _match_people(a.poses, b.poses)
        assert pairs is not None, f"{path.name}: {len(a)} people with cv2, {len(b)} with {name}"
        for i, j in pairs:
            pa, pb = a.poses[i], b.poses[j]
            np.testing.assert_array_equal(pa[:, 2] > 0, pb[:, 2] > 0, err_msg=f"{path.name}: person {i}: parts found")
            found = pa[:, 2] > 0
            np.testing.assert_allclose(pa[found, :2], pb[found, :2], rtol=0, atol=1.0, err_msg=path.name)
        total += len(a)
    assert total > 0


def test_both_engines_find_the_same_people_within_one_pixel(ort_estimator, cv2_estimator):
    assert_same_people_on_photos(cv2_estimator, ort_estimator, "onnxruntime")


def test_onnxruntime_engine_output_is_close_to_cv2(ort_estimator, cv2_estimator):
    if not photos():
        pytest.skip("no shared photos")
    image = cv2.imread(str(photos()[0]))
    a, size_a = cv2_estimator.forward(image)
    b, size_b = ort_estimator.forward(image)
    assert size_a == size_b and a.shape == b.shape and b.dtype == np.float32
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-3)


def test_onnxruntime_on_a_fixed_shape_file_says_what_to_do():
    pytest.importorskip("onnxruntime")
    engine = create_engine("onnxruntime", shared_path("models/openpose_mobilenet_v2_small_coco_368x432.onnx"))
    assert engine.fixed_input_size == (368, 432)
    (out,) = engine.run(np.zeros((1, 3, 368, 432), np.float32)).values()
    assert out.shape == (1, 57, 46, 54)
    with pytest.raises(ValueError, match=r"fixed input width of 432.*dynamic input shape"):
        engine.run(np.zeros((1, 3, 368, 496), np.float32))


def test_onnxruntime_rejects_a_file_that_is_not_onnx(tmp_path):
    pytest.importorskip("onnxruntime")
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x08\x07not a model at all" * 10)
    with pytest.raises(ValueError, match="onnxruntime could not import"):
        create_engine("onnxruntime", garbage)
    with pytest.raises(FileNotFoundError, match="downloads nothing"):
        create_engine("onnxruntime", tmp_path / "absent.onnx")


def test_onnxruntime_runs_a_caffe_model_through_its_conversion(tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from caffe_model import write_tiny_caffe_model

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    proto, weights = write_tiny_caffe_model(tmp_path, seed=2)
    image = np.random.default_rng(0).integers(0, 256, (70, 100, 3), dtype=np.uint8)
    ort = openpose.PoseEstimator(proto, weights=weights, engine="onnxruntime", net_height=64, mode="seed")
    ref = openpose.PoseEstimator(proto, weights=weights, net_height=64, mode="seed")
    np.testing.assert_allclose(ort.forward(image)[0], ref.forward(image)[0], rtol=0, atol=1e-4)


# ------------------------------------------------------------ threads
def _estimates_from_threads(estimator, images, threads=8, rounds=3):
    jobs = [k % len(images) for k in range(threads * rounds * len(images) // 2)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return jobs, list(pool.map(lambda k: estimator.estimate(images[k]), jobs))


@pytest.mark.parametrize("engine", ["cv2", "onnxruntime"])
def test_one_estimator_in_eight_threads_gives_the_single_threaded_results(engine, request):
    if engine == "onnxruntime":
        est = request.getfixturevalue("ort_estimator")
    else:
        est = openpose.PoseEstimator(model_for_this_opencv())
    images = [cv2.imread(str(p)) for p in photos()[:6]]
    if not images:
        pytest.skip("no shared photos")
    # Different sizes: a cv2.dnn.Net shared without a lock reshapes under another call.
    images[1::2] = [cv2.resize(im, (im.shape[1] // 2 + 1, im.shape[0] // 2 + 3)) for im in images[1::2]]
    expected = [est.estimate(im) for im in images]
    jobs, results = _estimates_from_threads(est, images)
    for k, res in zip(jobs, results, strict=True):
        np.testing.assert_array_equal(res.poses, expected[k].poses)
        np.testing.assert_array_equal(res.scores, expected[k].scores)


def test_network_calls_of_an_engine_that_is_not_thread_safe_do_not_overlap():
    est = openpose.PoseEstimator(model_for_this_opencv(), mode="seed")
    assert not est.engine.thread_safe
    inner = est.engine.run
    state = {"running": 0, "overlaps": 0, "calls": 0}
    guard = threading.Lock()

    def run(blob):
        with guard:
            state["running"] += 1
            state["calls"] += 1
            state["overlaps"] += state["running"] > 1
        time.sleep(0.002)
        try:
            return inner(blob)
        finally:
            with guard:
                state["running"] -= 1

    est.engine.run = run
    image = np.random.default_rng(0).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: est.forward(image), range(32)))
    assert state == {"running": 0, "overlaps": 0, "calls": 32}


def test_repr_names_the_engine(estimator):
    assert "engine='cv2'" in repr(estimator)


# ------------------------------------------------------------ the commands
def _openpose(*args, pythonpath=None):
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    if pythonpath is not None:  # put first on the path: shadows an installed package
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


def test_command_engine_option(tmp_path):
    import json

    pytest.importorskip("onnxruntime")
    paths = photos()
    if not paths:
        pytest.skip("no shared photos")
    model = shared_path("models/openpose_mobilenet_v2_small_coco.onnx")
    res = _openpose(paths[0], "--model", model, "--engine", "onnxruntime", "--write-json", tmp_path, "--quiet")
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / f"{paths[0].stem}_keypoints.json").read_text())
    got = np.asarray([p["pose_keypoints_2d"] for p in doc["people"]], np.float32).reshape(-1, 18, 3)
    expected = openpose.PoseEstimator(model, engine="onnxruntime").estimate(cv2.imread(str(paths[0])))
    np.testing.assert_array_equal(got, expected.poses)


def test_command_rejects_an_unknown_engine_and_names_the_missing_extra(tmp_path):
    res = _openpose("photo.jpg", "--model", "m.onnx", "--engine", "tensorrt")
    assert res.returncode == 2 and "--engine" in res.stderr and "onnxruntime" in res.stderr
    # An interpreter where onnxruntime cannot be imported: the error names the extra, no traceback.
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "onnxruntime.py").write_text("raise ImportError('blocked for this test')\n")
    res = _openpose("photo.jpg", "--model", "m.onnx", "--engine", "onnxruntime", pythonpath=blocker)
    assert res.returncode == 2, res.stderr
    assert 'pip install "openpose[onnxruntime]"' in res.stderr and "Traceback" not in res.stderr


def test_batch_command_takes_the_engine():
    from openpose import batch_cli

    parser = batch_cli.build_parser()
    args = parser.parse_args(["in", "--model", "m.onnx", "--output", "out", "--engine", "onnxruntime"])
    assert args.engine == "onnxruntime"
    assert batch_cli.build_parser().parse_args(["in", "--model", "m.onnx", "--output", "out"]).engine == "cv2"
    with pytest.raises(SystemExit):
        batch_cli.build_parser().parse_args(["in", "--output", "out", "--engine", "tensorrt"])
