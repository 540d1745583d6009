"""Model registry and loading through cv2.dnn (ONNX; Caffe where OpenCV has it)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import openpose
from caffe_model import weights, write_tiny_caffe_model
from conftest import MODEL, MODEL_FIXED, shared_path
from openpose.models import MODELS, file_spec, load_net, model_spec, onnx_metadata, opencv_major, prepare

HAS_CAFFE = hasattr(cv2.dnn, "readNetFromCaffe")


@pytest.mark.parametrize(
    ("name", "spec_name", "layout"),
    [
        ("openpose_mobilenet_v2_small_coco.onnx", "mobilenet_v2_small_coco", "coco"),
        ("openpose_mobilenet_v2_small_coco_368x432.onnx", "mobilenet_v2_small_coco", "coco"),
        ("pose_deploy_linevec_faster_4_stages.prototxt", "cmu_mpi_4_stages", "mpi"),
        ("pose_deploy_linevec.prototxt", "cmu_coco", None),
        ("pose_deploy.prototxt", "cmu_body_25", None),
        ("other.onnx", "onnx", None),
        ("Other.PROTOTXT", "caffe", None),
    ],
    ids=["mobilenet", "mobilenet-fixed", "cmu-mpi", "cmu-coco", "cmu-body25", "onnx-default", "caffe-default"],
)
def test_registry_matches_file_names(name, spec_name, layout):
    spec = model_spec(f"/somewhere/{name}")
    assert spec.name == spec_name
    assert spec.layout == layout


def test_shared_model_preprocessing_is_models_md():
    # ../shared/models/MODELS.md: BGR, raw 0..255, sides multiples of 16.
    spec = model_spec(MODEL)
    assert (spec.scale, spec.mean, spec.channel_order, spec.size_multiple) == (1.0, (0.0, 0.0, 0.0), "bgr", 16)


def test_cmu_caffe_preprocessing_is_img_over_256_minus_half():
    spec = model_spec("pose_deploy_linevec.prototxt")
    image = np.full((32, 32, 3), 200, np.uint8)
    blob = prepare(image, spec, (32, 32))
    np.testing.assert_allclose(blob, 200 / 256 - 0.5, rtol=0, atol=1e-6)


def test_registry_is_data():
    assert all(isinstance(s, openpose.ModelSpec) for s in MODELS)


def test_unknown_file_type_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\.onnx.*\.prototxt"):
        model_spec("model.pth")


def test_missing_model_says_where_models_come_from(tmp_path):
    with pytest.raises(FileNotFoundError, match="downloads nothing") as info:
        load_net(tmp_path / "absent.onnx")
    # What a user can do, not a path inside this repository.
    assert "--model" in str(info.value) and "openpose convert" in str(info.value)
    assert "shared" not in str(info.value)


def test_model_spec_has_no_with_options():
    assert not hasattr(openpose.ModelSpec, "with_options")  # removed: dataclasses.replace does it


def test_shared_model_metadata_and_spec():
    path = shared_path("models/openpose_mobilenet_v2_small_coco.onnx")
    meta = onnx_metadata(path)
    onnx = pytest.importorskip("onnx")
    assert meta == {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    assert file_spec(path) == model_spec(path)  # the registry knows it; its layout stays "coco"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x08", b"\x72\x05ab", b"\x72\x04\x0a\x02\xff\xfe", b"\x0b\x00", b"\xff" * 12, b"not an onnx file"],
    ids=["empty", "cut-varint", "cut-field", "bad-utf8", "group", "long-varint", "text"],
)
def test_metadata_of_a_broken_file_is_empty(tmp_path, data):
    path = tmp_path / "broken.onnx"
    path.write_bytes(data)
    assert onnx_metadata(path) == {}
    assert onnx_metadata(tmp_path / "absent.onnx") == {}


def test_model_must_be_a_path():
    with pytest.raises(TypeError, match="`model`"):
        load_net(42)


def test_onnx_takes_no_weights():
    path = shared_path("models/openpose_mobilenet_v2_small_coco_368x432.onnx")
    with pytest.raises(ValueError, match="`weights`"):
        load_net(path, weights="x.caffemodel")


def test_dynamic_onnx_file_on_this_opencv():
    """OpenCV 5 imports the dynamic-shape file; OpenCV 4 gets an error that names the fix."""
    path = shared_path("models/openpose_mobilenet_v2_small_coco.onnx")
    if opencv_major() >= 5:
        net, spec = load_net(path)
        net.setInput(np.zeros((1, 3, 368, 432), np.float32))
        assert net.forward().shape == (1, 57, 46, 54)
    else:
        with pytest.raises(ValueError, match=r"dynamic.*_368x432\.onnx"):
            load_net(path)


def test_fixed_shape_onnx_accepts_other_multiples_of_16():
    net, _ = load_net(shared_path("models/openpose_mobilenet_v2_small_coco_368x432.onnx"))
    net.setInput(np.zeros((1, 3, 160, 224), np.float32))
    assert net.forward().shape == (1, 57, 20, 28)


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    """A private user cache directory (Caffe models converted on OpenCV 5 are cached there)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.mark.skipif(HAS_CAFFE, reason="this OpenCV has a Caffe importer (no conversion needed)")
def test_caffe_on_opencv5_is_converted_once_and_cached(tmp_path, user_cache):
    pytest.importorskip("onnx")
    proto, model = write_tiny_caffe_model(tmp_path, seed=3, zero_kernels=True)
    first = openpose.PoseEstimator(proto, weights=model, net_height=64)
    cached = sorted(user_cache.rglob("*.onnx"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    second = openpose.PoseEstimator(proto, weights=model, net_height=64)
    assert sorted(user_cache.rglob("*.onnx")) == cached and cached[0].stat().st_mtime_ns == stamp
    image = np.zeros((64, 96, 3), np.uint8)
    np.testing.assert_array_equal(first.forward(image)[0], second.forward(image)[0])


@pytest.mark.skipif(HAS_CAFFE, reason="this OpenCV has a Caffe importer (no conversion needed)")
def test_caffe_on_opencv5_without_converter_says_what_to_install(tmp_path, user_cache, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)  # as if the extra were not installed
    proto, model = write_tiny_caffe_model(tmp_path)
    with pytest.raises(ValueError, match=r"no Caffe importer.*openpose\[convert\]"):
        openpose.PoseEstimator(proto, weights=model)


def test_caffe_weights_are_read_and_concat_is_heatmaps_first(tmp_path, user_cache):
    if not HAS_CAFFE:
        pytest.importorskip("onnx")  # OpenCV 5: loaded through the converter
    # Kernels all zero: every output channel is its layer's bias, so the
    # blob shows which weights were read and the channel order.
    proto, model = write_tiny_caffe_model(tmp_path, seed=3, zero_kernels=True)
    est = openpose.PoseEstimator(proto, weights=model, net_height=64)
    out, size = est.forward(np.zeros((64, 96, 3), np.uint8))
    assert out.shape == (1, 57, 8, 12) and size == (96, 64)
    w = weights(3, zero_kernels=True)
    expected = np.concatenate([w["heatmaps"][1], w["pafs"][1]])
    np.testing.assert_allclose(out[0, :, 4, 5], expected, rtol=0, atol=1e-6)


def test_caffe_model_end_to_end(tmp_path, user_cache):
    if not HAS_CAFFE:
        pytest.importorskip("onnx")  # OpenCV 5: loaded through the converter
    proto, model = write_tiny_caffe_model(tmp_path, seed=1)
    est = openpose.PoseEstimator(proto, mode="seed")  # the only .caffemodel next to it
    image = np.random.default_rng(0).integers(0, 256, (100, 140, 3), dtype=np.uint8)
    res = est.estimate(image)
    assert res.layout.name == "coco"  # inferred from the 57 channels
    assert res.poses.shape[1:] == (18, 3) and res.poses.dtype == np.float32
    out, size = est.forward(image)
    expected = openpose.postprocess(out, image_size=size, mode="seed")
    np.testing.assert_array_equal(res.poses, expected.poses)


def test_caffe_without_weights_is_a_clear_error(tmp_path):
    proto, model = write_tiny_caffe_model(tmp_path)
    model.unlink()
    with pytest.raises(FileNotFoundError, match="needs its weights"):
        openpose.PoseEstimator(proto)


def test_fixed_and_dynamic_files_agree_on_opencv5():
    if opencv_major() < 5:
        pytest.skip("OpenCV 4.x cannot import the dynamic-shape file")
    blob = np.random.default_rng(0).uniform(0, 255, (1, 3, 368, 496)).astype(np.float32)
    outs = []
    for path in (MODEL, MODEL_FIXED):
        net, _ = load_net(shared_path(f"models/{path.name}"))
        net.setInput(blob)
        outs.append(net.forward().copy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=0, atol=1e-4)
