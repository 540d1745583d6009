"""The openvino engine: the same people as cv2, one compile per input shape, the precision it was asked for.

Oracles, none produced by the code under test: the cv2 engine (the same
people, keypoints within 1 px; outputs within 1e-3), the compiled model's own
properties (OpenVINO's INFERENCE_PRECISION_HINT), and a count of compiles.
Every test skips with a reason when openvino is not installed.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, photos, shared_path
from openpose.engines import create_engine, engine_class
from test_engines import assert_same_people_on_photos

MODEL = "models/openpose_mobilenet_v2_small_coco.onnx"


@pytest.fixture(scope="module")
def ov_estimator():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    return openpose.PoseEstimator(shared_path(MODEL), engine="openvino")


@pytest.fixture(scope="module")
def cv2_estimator():
    return openpose.PoseEstimator(model_for_this_opencv())


def test_openvino_finds_the_same_people_as_cv2_within_one_pixel(ov_estimator, cv2_estimator):
    assert_same_people_on_photos(cv2_estimator, ov_estimator, "openvino")


def test_openvino_fp32_output_is_close_to_cv2(ov_estimator, cv2_estimator):
    if not photos():
        pytest.skip("no shared photos")
    image = cv2.imread(str(photos()[0]))
    a, size_a = cv2_estimator.forward(image)
    b, size_b = ov_estimator.forward(image)
    assert size_a == size_b and a.shape == b.shape and b.dtype == np.float32
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-3)


def test_a_video_compiles_once_and_each_new_shape_once():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    engine = create_engine("openvino", shared_path(MODEL))
    rng = np.random.default_rng(0)
    small, wide = (1, 3, 64, 80), (1, 3, 64, 128)
    outs = [engine.run(rng.normal(size=small).astype(np.float32)) for _ in range(4)]
    assert engine.compiles == 1 and list(outs[0]) == ["net_output"] and outs[0]["net_output"].shape == (1, 57, 8, 10)
    assert engine.run(rng.normal(size=wide).astype(np.float32))["net_output"].shape == (1, 57, 8, 16)
    assert engine.compiles == 2
    engine.run(rng.normal(size=small).astype(np.float32))
    assert engine.compiles == 2  # the first shape is still compiled


def test_the_compiled_shapes_are_bounded():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    engine = create_engine("openvino", shared_path(MODEL))
    engine.MAX_SHAPES = 2
    blobs = [np.zeros((1, 3, 32, 32 + 16 * k), np.float32) for k in range(3)]
    for blob in blobs:
        engine.run(blob)
    assert engine.compiles == 3 and len(engine._requests) == 2
    engine.run(blobs[0])  # evicted: compiled again
    assert engine.compiles == 4


def test_the_output_is_not_overwritten_by_the_next_call():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    engine = create_engine("openvino", shared_path(MODEL))
    rng = np.random.default_rng(1)
    first = engine.run(rng.normal(size=(1, 3, 64, 64)).astype(np.float32))["net_output"]
    kept = first.copy()
    engine.run(rng.normal(size=(1, 3, 64, 64)).astype(np.float32))
    np.testing.assert_array_equal(first, kept)


@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_the_compiled_model_runs_in_the_precision_asked_for(precision):
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    cls = engine_class("openvino")
    if precision not in cls.supported_precisions():
        pytest.skip(f"this CPU does not support {precision} in OpenVINO ({cls.supported_precisions()})")
    engine = create_engine("openvino", shared_path(MODEL), precision=precision)
    requests = engine._request((1, 3, 64, 64)).requests
    hint = requests[0].get_compiled_model().get_property("INFERENCE_PRECISION_HINT").get_type_name()
    # fp32 is set explicitly: on CPUs with native bf16 OpenVINO would otherwise choose bf16 itself (it does on
    # the AMX machines this was written on).
    assert hint == {"fp32": "f32", "bf16": "bf16", "fp16": "f16"}[precision]
    # A reduced precision: the body in it, the output heads in f32 (the whole network in one part for fp32).
    assert len(requests) == (1 if precision == "fp32" else 2)
    if precision != "fp32":
        heads = requests[1].get_compiled_model()
        assert heads.get_property("INFERENCE_PRECISION_HINT").get_type_name() == "f32"
        precisions = {op.get_rt_info()["runtimePrecision"].astype(str)
                      for op in heads.get_runtime_model().get_ordered_ops()
                      if op.get_rt_info()["layerType"].astype(str) == "Convolution"}
        assert precisions == {"f32"}


def test_the_output_heads_are_the_last_convolution_of_each_branch():
    ov = pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    from openpose.engines.openvino_engine import output_convolutions

    model = ov.Core().read_model(str(shared_path(MODEL)))
    # The shared model's two stage-6 branches (PAFs, L1; heatmaps, L2) end in a 1x1 convolution and a BatchNorm.
    assert output_convolutions(model) == ("Openpose/MConv_Stage6_L1_5_pointwise/Conv2D",
                                          "Openpose/MConv_Stage6_L2_5_pointwise/Conv2D")


def test_reduced_precision_output_maps_are_not_rounded_to_it():
    """The f32 heads' output keeps f32's fine values; the maps of a bf16 output would all end in 16 zero bits."""
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    if "bf16" not in engine_class("openvino").supported_precisions():
        pytest.skip("this CPU does not support bf16 in OpenVINO")
    x = np.random.default_rng(2).normal(size=(1, 3, 64, 80)).astype(np.float32)
    out = create_engine("openvino", shared_path(MODEL), precision="bf16").run(x)
    low_bits = out.view(np.uint32) & 0xFFFF
    assert np.mean(low_bits != 0) > 0.9
    reference = create_engine("openvino", shared_path(MODEL)).run(x)
    assert 0 < np.abs(out - reference).max() < 0.5


def test_reduced_precision_finds_people_on_a_shared_photo(cv2_estimator):
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    reduced = [p for p in engine_class("openvino").supported_precisions() if p != "fp32"]
    if not reduced or not photos():
        pytest.skip("this CPU has no reduced precision in OpenVINO, or no shared photos")
    image = cv2.imread(str(photos()[0]))
    expected = len(cv2_estimator.estimate(image))
    for precision in reduced:
        est = openpose.PoseEstimator(shared_path(MODEL), engine="openvino", precision=precision)
        out, _ = est.forward(image)
        ref, _ = cv2_estimator.forward(image)
        # Reduced precision changes the maps by up to a few tenths, not more (the accuracy cost is measured on
        # the dev set by benchmarks/engines.py).
        assert 0 < np.abs(out - ref).max() < 0.5, precision
        assert abs(len(est.estimate(image)) - expected) <= max(1, expected // 5), precision


def test_an_unsupported_precision_names_what_the_cpu_reports(monkeypatch):
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    cls = engine_class("openvino")
    monkeypatch.setattr(cls, "_capabilities", classmethod(lambda c, core=None: ("FP32", "INT8")))
    with pytest.raises(ValueError, match=r"`precision` 'bf16' is not supported by the openvino engine.*'fp32'.*"
                                         r"reports FP32, INT8"):
        create_engine("openvino", "never-read.onnx", precision="bf16")


def test_openvino_has_no_cuda():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    with pytest.raises(ValueError, match=r"`device` 'cuda' is not available: OpenVINO does not run on NVIDIA"):
        create_engine("openvino", "never-read.onnx", device="cuda")


def test_openvino_rejects_a_file_that_is_not_onnx(tmp_path):
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x08\x07not a model at all" * 10)
    with pytest.raises(ValueError, match="OpenVINO could not import"):
        create_engine("openvino", garbage)
