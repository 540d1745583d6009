"""Caffe-to-ONNX conversion: CMU's pose networks (shrunk, random weights) and small layer tests.

Oracles, none produced by the converter:
- OpenCV 4.x's own Caffe importer (``cv2.dnn.readNetFromCaffe``) on the same
  prototxt + caffemodel: the converted model must agree to 1e-4. OpenCV 5 has
  no Caffe importer; these tests skip there and run in the OpenCV-4 step of
  ``.ci/run``.
- A float64 numpy forward pass of Caffe's layer definitions
  (``tests/caffe_models.py``), itself checked against OpenCV 4.x's Caffe
  importer where that exists; on OpenCV 5 it is the oracle for every engine
  and for onnxruntime.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("google.protobuf")
cv2 = pytest.importorskip("cv2")

import caffe_models as cm  # noqa: E402  (needs protobuf)
import openpose  # noqa: E402
from conftest import shared_path  # noqa: E402
from openpose.convert import cached_onnx_for, convert_caffe  # noqa: E402

CMU_MODELS = [
    ("coco", "models/caffe/coco/pose_deploy_linevec.prototxt", 57),
    ("mpi", "models/caffe/mpi/pose_deploy_linevec_faster_4_stages.prototxt", 44),
    ("body_25", "models/caffe/body_25/pose_deploy.prototxt", 78),
]
# Odd sizes: the three 2x2/2 poolings round up (45 -> 23 -> 12 -> 6, 62 -> 31 -> 16 -> 8).
HEIGHT, WIDTH = 45, 62
ATOL = 1e-4

HAS_CAFFE_IMPORTER = hasattr(cv2.dnn, "readNetFromCaffe")
needs_caffe_importer = pytest.mark.skipif(
    not HAS_CAFFE_IMPORTER,
    reason=f"OpenCV {cv2.__version__} has no Caffe importer; .ci/run checks this with opencv-python-headless<5",
)
# OpenCV 5.x: readNetFromONNX(path, engine); ENGINE_ORT needs a build with onnxruntime and is left out.
ENGINES = [e for e in ("ENGINE_AUTO", "ENGINE_CLASSIC", "ENGINE_NEW") if hasattr(cv2.dnn, e)] or ["default"]


def cv2_onnx_forward(path: Path, x: np.ndarray, engine: str = "default") -> np.ndarray:
    if engine == "default":
        net = cv2.dnn.readNetFromONNX(str(path))
    else:
        net = cv2.dnn.readNetFromONNX(str(path), getattr(cv2.dnn, engine))
    net.setInput(x)
    return np.asarray(net.forward())


def cv2_caffe_forward(prototxt: Path, caffemodel: Path, x: np.ndarray) -> np.ndarray:
    net = cv2.dnn.readNetFromCaffe(str(prototxt), str(caffemodel))
    net.setInput(x)
    return np.asarray(net.forward())


def ort_forward(path: Path, x: np.ndarray, input_name: str = "image") -> np.ndarray:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {input_name: x})[0]


def random_input(shape, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.5, 0.5, size=shape).astype(np.float32)


# ------------------------------------------------------------- CMU networks
@pytest.fixture(scope="module", params=CMU_MODELS, ids=[m[0] for m in CMU_MODELS])
def cmu(request, tmp_path_factory):
    """A shrunk CMU network with random weights, its ONNX conversion and the numpy reference output."""
    name, relative, channels = request.param
    source = shared_path(relative)
    folder = tmp_path_factory.mktemp(f"cmu_{name}")
    net = cm.set_input_size(cm.shrink(cm.read_net(source)), HEIGHT, WIDTH)
    weights = cm.random_weights(net, (1, 3, HEIGHT, WIDTH), seed=8)
    prototxt, caffemodel = cm.write_model(folder, name, net, weights)
    onnx_path = convert_caffe(prototxt, caffemodel, folder / f"{name}.onnx", input_size=(WIDTH, HEIGHT))
    x = random_input((1, 3, HEIGHT, WIDTH))
    reference = cm.numpy_forward(net, weights, x, output="net_output")
    return dict(name=name, channels=channels, prototxt=prototxt, caffemodel=caffemodel, onnx=onnx_path,
                x=x, reference=reference, net=net, weights=weights)


def test_cmu_prototxts_use_only_supported_layer_types():
    from openpose.convert import SUPPORTED_LAYER_TYPES

    seen = set()
    for _, relative, _ in CMU_MODELS:
        seen.update(layer.type for layer in cm.read_net(shared_path(relative)).layer)
    assert seen == {"Convolution", "ReLU", "PReLU", "Pooling", "Concat"}
    assert seen <= set(SUPPORTED_LAYER_TYPES)


@needs_caffe_importer
def test_cmu_onnx_equals_opencv4_caffe(cmu):
    expected = cv2_caffe_forward(cmu["prototxt"], cmu["caffemodel"], cmu["x"])
    assert expected.shape == (1, cmu["channels"], 6, 8)
    np.testing.assert_allclose(cv2_onnx_forward(cmu["onnx"], cmu["x"]), expected, rtol=0, atol=ATOL)
    np.testing.assert_allclose(ort_forward(cmu["onnx"], cmu["x"]), expected, rtol=0, atol=ATOL)


@needs_caffe_importer
def test_cmu_numpy_reference_equals_opencv4_caffe(cmu):
    expected = cv2_caffe_forward(cmu["prototxt"], cmu["caffemodel"], cmu["x"])
    np.testing.assert_allclose(cmu["reference"], expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("engine", ENGINES)
def test_cmu_onnx_runs_in_opencv(cmu, engine):
    out = cv2_onnx_forward(cmu["onnx"], cmu["x"], engine)
    assert out.shape == (1, cmu["channels"], 6, 8)
    np.testing.assert_allclose(out, cmu["reference"], rtol=0, atol=ATOL)


def test_cmu_onnx_runs_in_onnxruntime(cmu):
    np.testing.assert_allclose(ort_forward(cmu["onnx"], cmu["x"]), cmu["reference"], rtol=0, atol=ATOL)


def test_cmu_onnx_names_shapes_and_layout(cmu):
    import onnx

    model = onnx.load(str(cmu["onnx"]))
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == ["image"]
    assert [o.name for o in model.graph.output] == ["net_output"]
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 3, HEIGHT, WIDTH]
    out_dims = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    assert out_dims == [1, cmu["channels"], 6, 8]
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["openpose.layout"] == cmu["name"]
    assert meta["openpose.output_channels"] == str(cmu["channels"])
    assert 13 <= model.opset_import[0].version <= 17


def test_the_loader_reads_the_layout_and_source_from_the_metadata(cmu, tmp_path):
    import onnx

    from openpose.models import file_spec, model_spec, onnx_metadata

    path = cmu["onnx"]  # "<layout>.onnx": a name the registry does not know
    assert onnx_metadata(path) == {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert model_spec(path).layout is None and model_spec(path).scale == 1.0
    spec = file_spec(path)
    assert spec.layout == cmu["name"]
    assert (spec.scale, spec.mean, spec.channel_order) == (1 / 256, (128.0, 128.0, 128.0), "bgr")  # CMU's
    est = openpose.PoseEstimator(path, net_height=48)
    assert est.layout is openpose.get_layout(cmu["name"])
    assert openpose.PoseEstimator(path, net_height=48, layout=cmu["name"]).layout.name == cmu["name"]
    other = "mpi" if cmu["name"] != "mpi" else "coco"
    with pytest.raises(ValueError, match="output channels"):  # a layout that does not fit: at load (issue 17)
        openpose.PoseEstimator(path, net_height=48, layout=other)
    bare = convert_caffe(cmu["prototxt"], cmu["caffemodel"], tmp_path / "bare.onnx", input_size=(WIDTH, HEIGHT),
                         layout=None)
    assert "openpose.layout" not in onnx_metadata(bare) and file_spec(bare).layout is None


def test_cmu_free_input_size_runs_at_several_sizes(cmu, tmp_path):
    path = convert_caffe(cmu["prototxt"], cmu["caffemodel"], tmp_path / "free.onnx", input_size=None)
    for height, width in ((HEIGHT, WIDTH), (32, 40)):
        x = random_input((1, 3, height, width), seed=height)
        expected = cm.numpy_forward(cmu["net"], cmu["weights"], x, output="net_output")
        np.testing.assert_allclose(ort_forward(path, x), expected, rtol=0, atol=ATOL)
        np.testing.assert_allclose(cv2_onnx_forward(path, x, ENGINES[0]), expected, rtol=0, atol=ATOL)


def test_cmu_default_declared_size_is_368x656(cmu, tmp_path):
    import onnx

    path = openpose.convert_caffe(cmu["prototxt"], cmu["caffemodel"], tmp_path / "default.onnx")
    dims = [d.dim_value for d in onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 3, 368, 656]
    for engine in ENGINES:  # cv2.dnn reshapes on setInput: the declared size is no limit there
        np.testing.assert_allclose(cv2_onnx_forward(path, cmu["x"], engine), cmu["reference"], rtol=0, atol=ATOL,
                                   err_msg=engine)


# ------------------------------------------------------------ layer details
# Rectangular/grouped/dilated convolutions, leaky and shared-slope ReLUs, Split,
# padded MAX/AVE pooling whose last window Caffe drops, Eltwise, Dropout, Concat.
TOY = """
name: "toy"
input: "data"
input_shape { dim: 1 dim: 4 dim: 13 dim: 17 }
layer { name: "c1" type: "Convolution" bottom: "data" top: "c1"
  convolution_param { num_output: 6 kernel_h: 3 kernel_w: 5 pad_h: 1 pad_w: 2 stride: 2 group: 2 } }
layer { name: "r1" type: "ReLU" bottom: "c1" top: "c1" relu_param { negative_slope: 0.1 } }
layer { name: "c2" type: "Convolution" bottom: "c1" top: "c2"
  convolution_param { num_output: 6 kernel_size: 3 pad: 2 dilation: 2 bias_term: false } }
layer { name: "p1" type: "PReLU" bottom: "c2" top: "c2" prelu_param { channel_shared: true } }
layer { name: "split" type: "Split" bottom: "c2" top: "s1" top: "s2" }
layer { name: "pmax" type: "Pooling" bottom: "s1" top: "pmax" pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "pave" type: "Pooling" bottom: "s2" top: "pave" pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "sum" type: "Eltwise" bottom: "pmax" bottom: "pave" top: "sum" eltwise_param { coeff: 0.5 coeff: -1.5 } }
layer { name: "prod" type: "Eltwise" bottom: "pmax" bottom: "pave" top: "prod" eltwise_param { operation: PROD } }
layer { name: "drop" type: "Dropout" bottom: "prod" top: "prod" }
layer { name: "cat" type: "Concat" bottom: "sum" bottom: "prod" top: "cat" concat_param { axis: -3 } }
layer { name: "dmax" type: "Pooling" bottom: "cat" top: "dmax" pooling_param { pool: MAX kernel_size: 2 stride: 3 pad: 1 } }
layer { name: "dave" type: "Pooling" bottom: "cat" top: "dave" pooling_param { pool: AVE kernel_size: 2 stride: 3 pad: 1 } }
layer { name: "out" type: "Concat" bottom: "dmax" bottom: "dave" top: "out" }
"""

# Fields of upstream Caffe that OpenCV's own caffe.proto lacks: numpy oracle only.
TOY_UPSTREAM_ONLY = """
name: "toy_upstream"
input: "data"
input_shape { dim: 1 dim: 3 dim: 11 dim: 14 }
layer { name: "floor_ave" type: "Pooling" bottom: "data" top: "fa"
  pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 round_mode: FLOOR } }
layer { name: "floor_max" type: "Pooling" bottom: "data" top: "fm"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR } }
layer { name: "ceil_ave" type: "Pooling" bottom: "data" top: "ca" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
layer { name: "c" type: "Convolution" bottom: "fa" top: "c" convolution_param { num_output: 3 kernel_size: 1 } }
layer { name: "g" type: "Pooling" bottom: "c" top: "g" pooling_param { pool: AVE global_pooling: true } }
layer { name: "gm" type: "Pooling" bottom: "fm" top: "gm" pooling_param { pool: MAX global_pooling: true } }
layer { name: "gc" type: "Pooling" bottom: "ca" top: "gc" pooling_param { pool: MAX global_pooling: true } }
layer { name: "m" type: "Eltwise" bottom: "g" bottom: "gm" bottom: "gc" top: "out" eltwise_param { operation: MAX } }
"""


def _toy(tmp_path, text, seed=3):
    from google.protobuf import text_format

    net = cm._proto.messages()["NetParameter"]()
    text_format.Parse(text, net)
    shape = tuple(net.input_shape[0].dim)
    weights = cm.random_weights(net, shape, seed=seed)
    prototxt, caffemodel = cm.write_model(tmp_path, net.name, net, weights)
    x = random_input(shape, seed=seed)
    return net, weights, prototxt, caffemodel, x


def test_toy_layers_match_numpy_reference(tmp_path):
    net, weights, prototxt, caffemodel, x = _toy(tmp_path, TOY)
    path = convert_caffe(prototxt, caffemodel, tmp_path / "toy.onnx", input_size=(17, 13))
    expected = cm.numpy_forward(net, weights, x, output="out")
    assert expected.shape == (1, 24, 2, 2)  # (4, 5) pooled 2/3 with pad 1: Caffe drops the last window
    np.testing.assert_allclose(ort_forward(path, x, "data"), expected, rtol=0, atol=ATOL)
    for engine in ENGINES:
        np.testing.assert_allclose(cv2_onnx_forward(path, x, engine), expected, rtol=0, atol=ATOL, err_msg=engine)


@needs_caffe_importer
def test_toy_layers_numpy_reference_equals_opencv4_caffe(tmp_path):
    net, weights, prototxt, caffemodel, x = _toy(tmp_path, TOY)
    expected = cv2_caffe_forward(prototxt, caffemodel, x)
    np.testing.assert_allclose(cm.numpy_forward(net, weights, x, output="out"), expected, rtol=0, atol=ATOL)


def test_upstream_pooling_options_match_numpy_reference(tmp_path):
    net, weights, prototxt, caffemodel, x = _toy(tmp_path, TOY_UPSTREAM_ONLY)
    path = convert_caffe(prototxt, caffemodel, tmp_path / "up.onnx", input_size=(14, 11))
    expected = cm.numpy_forward(net, weights, x, output="out")
    np.testing.assert_allclose(ort_forward(path, x, "data"), expected, rtol=0, atol=ATOL)
    for engine in ENGINES:
        np.testing.assert_allclose(cv2_onnx_forward(path, x, engine), expected, rtol=0, atol=ATOL, err_msg=engine)


def test_padded_pooling_needs_a_fixed_size(tmp_path):
    _, _, prototxt, caffemodel, _ = _toy(tmp_path, TOY)
    with pytest.raises(ValueError, match=r"layer 'pmax' \(type Pooling\).*fixed input size"):
        convert_caffe(prototxt, caffemodel, tmp_path / "toy.onnx", input_size=None)


LEGACY = """
name: "legacy"
input: "data"
input_dim: 1 input_dim: 3 input_dim: 10 input_dim: 12
layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layers { name: "relu" type: RELU bottom: "conv" top: "conv" }
layers { name: "pool" type: POOLING bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
"""
LEGACY_AS_LAYER = """
name: "legacy"
input: "data"
input_dim: 1 input_dim: 3 input_dim: 10 input_dim: 12
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
"""


def test_legacy_v1_layers_and_4d_blobs(tmp_path):
    from google.protobuf import text_format

    NetParameter = cm._proto.messages()["NetParameter"]
    modern = text_format.Parse(LEGACY_AS_LAYER, NetParameter())
    modern_weights = cm.random_weights(modern, (1, 3, 10, 12), seed=5, legacy_blobs=True)
    legacy = text_format.Parse(LEGACY, NetParameter())
    legacy_weights = NetParameter()
    for layer, source in zip(legacy.layers, modern_weights.layer):
        entry = legacy_weights.layers.add()
        entry.CopyFrom(layer)
        entry.blobs.extend(source.blobs)
    prototxt, caffemodel = cm.write_model(tmp_path, "legacy", legacy, legacy_weights)
    path = convert_caffe(prototxt, caffemodel, tmp_path / "legacy.onnx", input_size=(12, 10))
    x = random_input((1, 3, 10, 12), seed=5)
    expected = cm.numpy_forward(modern, modern_weights, x)
    assert expected.shape == (1, 4, 5, 6)
    np.testing.assert_allclose(ort_forward(path, x, "data"), expected, rtol=0, atol=ATOL)


# ------------------------------------------------------------------- errors
def test_unknown_layer_type_names_the_layer(tmp_path):
    text = TOY.replace('name: "r1" type: "ReLU"', 'name: "r1" type: "Swish"')
    _, _, prototxt, caffemodel, _ = _toy(tmp_path, text)
    with pytest.raises(ValueError, match=r"layer 'r1' has type 'Swish', which the converter does not support"):
        convert_caffe(prototxt, caffemodel, tmp_path / "toy.onnx")
    assert not (tmp_path / "toy.onnx").exists()


def test_missing_weights_name_the_layer(tmp_path):
    net, weights, prototxt, caffemodel, _ = _toy(tmp_path, TOY)
    for layer in weights.layer:
        if layer.name == "c2":
            del layer.blobs[:]
    caffemodel.write_bytes(weights.SerializeToString())
    with pytest.raises(ValueError, match=r"layer 'c2' \(type Convolution\) has no weights"):
        convert_caffe(prototxt, caffemodel, tmp_path / "toy.onnx")


@pytest.mark.parametrize("damage", ["truncated", "empty", "text"], ids=["truncated", "empty", "text"])
def test_corrupt_caffemodel(tmp_path, damage):
    _, weights, prototxt, caffemodel, _ = _toy(tmp_path, TOY)
    data = weights.SerializeToString()
    bad = {"truncated": data[: len(data) // 2], "empty": b"", "text": prototxt.read_bytes()}[damage]
    caffemodel.write_bytes(bad)
    with pytest.raises(ValueError, match=r"`caffemodel` .*(not a Caffe binary network|holds no layers)"):
        convert_caffe(prototxt, caffemodel, tmp_path / "toy.onnx")


def test_bad_prototxt(tmp_path):
    _, _, prototxt, caffemodel, _ = _toy(tmp_path, TOY)
    prototxt.write_text("layer { name: ", encoding="utf-8")
    with pytest.raises(ValueError, match=r"`prototxt` .* is not a Caffe text-format network"):
        convert_caffe(prototxt, caffemodel, tmp_path / "toy.onnx")


@pytest.mark.parametrize(
    ("input_size", "error", "match"),
    [((656,), TypeError, "width, height"), ((0, 368), ValueError, "width must be positive"),
     ((656.5, 368), TypeError, "width must be an integer")],
    ids=["one-value", "zero", "float"],
)
def test_input_size_validation(tmp_path, input_size, error, match):
    with pytest.raises(error, match=f"`input_size`.*{match}"):
        convert_caffe(tmp_path / "a.prototxt", tmp_path / "a.caffemodel", tmp_path / "a.onnx", input_size=input_size)


def test_missing_extra_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx -> ImportError
    with pytest.raises(ImportError, match=r'pip install "openpose\[convert\]"'):
        openpose.convert_caffe(tmp_path / "a.prototxt", tmp_path / "a.caffemodel", tmp_path / "a.onnx")


def test_import_openpose_stays_cheap():
    code = (
        "import sys, openpose, openpose.convert; "
        "heavy = [m for m in ('onnx', 'google.protobuf', 'onnxruntime') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------- cache, CLI
def test_cached_onnx_converts_once(tmp_path, monkeypatch, caplog):
    import openpose.convert as conv

    net, weights, prototxt, caffemodel, x = _toy(tmp_path, TOY)
    cache = tmp_path / "cache"
    with caplog.at_level("WARNING", logger="openpose.convert"):
        first = cached_onnx_for(prototxt, caffemodel, cache_dir=cache, input_size=(17, 13))
    assert first.is_file() and first.parent == cache
    assert "converting toy.caffemodel" in caplog.text and "cached at" in caplog.text
    np.testing.assert_allclose(ort_forward(first, x, "data"), cm.numpy_forward(net, weights, x, output="out"),
                               rtol=0, atol=ATOL)

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(conv, "convert_caffe", no_conversion)
    assert cached_onnx_for(prototxt, caffemodel, cache_dir=cache, input_size=(17, 13)) == first
    monkeypatch.undo()

    # other weights (same file name) or another size: another cache entry
    other = cm.random_weights(net, (1, 4, 13, 17), seed=4)
    caffemodel.write_bytes(other.SerializeToString())
    second = cached_onnx_for(prototxt, caffemodel, cache_dir=cache, input_size=(17, 13))
    assert second != first and second.is_file()
    assert cached_onnx_for(prototxt, caffemodel, cache_dir=cache, input_size=(34, 26)) not in (first, second)


def test_cached_onnx_default_dir_is_the_user_cache(tmp_path, monkeypatch):
    import openpose.convert as conv

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))
    monkeypatch.setattr(conv.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    _, _, prototxt, caffemodel, _ = _toy(tmp_path, TOY)
    path = cached_onnx_for(prototxt, caffemodel, input_size=(17, 13))
    assert tmp_path in path.parents and path.is_file()


def test_cli_converts(tmp_path, capsys):
    from openpose.convert.__main__ import main

    net, weights, prototxt, caffemodel, x = _toy(tmp_path, TOY)
    output = tmp_path / "cli.onnx"
    assert main([str(prototxt), str(caffemodel), "-o", str(output), "--size", "17x13"]) == 0
    assert f"wrote {output}" in capsys.readouterr().out
    np.testing.assert_allclose(ort_forward(output, x, "data"), cm.numpy_forward(net, weights, x, output="out"),
                               rtol=0, atol=ATOL)


def test_cli_reports_errors(tmp_path, capsys):
    from openpose.convert.__main__ import main

    _, _, prototxt, _, _ = _toy(tmp_path, TOY)
    assert main([str(prototxt), str(tmp_path / "missing.caffemodel"), "-o", str(tmp_path / "x.onnx")]) == 2
    assert "error: `caffemodel`" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(prototxt)])


def test_openpose_convert_subcommand(tmp_path):
    """`openpose convert` (python -m openpose convert) runs the converter."""
    import subprocess
    import sys

    net, weights, prototxt, caffemodel, x = _toy(tmp_path, TOY)
    output = tmp_path / "sub.onnx"
    proc = subprocess.run([sys.executable, "-m", "openpose", "convert", str(prototxt), str(caffemodel),
                           "-o", str(output), "--size", "17x13"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_allclose(ort_forward(output, x, "data"), cm.numpy_forward(net, weights, x, output="out"),
                               rtol=0, atol=ATOL)
    bad = subprocess.run([sys.executable, "-m", "openpose", "convert", "--help"], capture_output=True, text=True)
    assert bad.returncode == 0 and "usage: openpose convert" in bad.stdout
