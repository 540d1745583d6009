"""Full-size COCO network (CMU's pose_deploy_linevec.prototxt, random weights, ~200 MB).

Not part of the normal test run (``testpaths`` is ``tests``; marked ``slow_convert``):

    python -m pytest benchmarks/test_bench_convert.py --benchmark-enable -m slow_convert

Times the conversion and one forward pass at 368x656 in cv2.dnn (the cost of
the seed's own network), with onnxruntime side by side, and checks the two
runtimes agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("google.protobuf")
cv2 = pytest.importorskip("cv2")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import caffe_models as cm  # noqa: E402
from openpose.convert import convert_caffe  # noqa: E402

pytestmark = pytest.mark.slow_convert

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
PROTOTXT = SHARED / "models" / "caffe" / "coco" / "pose_deploy_linevec.prototxt"
HEIGHT, WIDTH = 368, 656


@pytest.fixture(scope="module")
def full_coco(tmp_path_factory):
    if not PROTOTXT.exists():
        pytest.skip(f"{PROTOTXT} is not available")
    folder = tmp_path_factory.mktemp("full_coco")
    net = cm.set_input_size(cm.read_net(PROTOTXT), HEIGHT, WIDTH)
    weights = cm.random_weights(net, (1, 3, HEIGHT, WIDTH), seed=440000)
    prototxt, caffemodel = cm.write_model(folder, "pose_coco_random", net, weights)
    x = np.random.default_rng(0).uniform(-0.5, 0.5, size=(1, 3, HEIGHT, WIDTH)).astype(np.float32)
    return dict(prototxt=prototxt, caffemodel=caffemodel, folder=folder, x=x)


def test_bench_convert_full_coco(benchmark, full_coco):
    size_mb = full_coco["caffemodel"].stat().st_size / 1e6
    assert size_mb > 190  # the real model's size: 200 MB of float32 weights
    out = full_coco["folder"] / "converted.onnx"
    benchmark.pedantic(convert_caffe, args=(full_coco["prototxt"], full_coco["caffemodel"], out),
                       rounds=1, iterations=1)
    benchmark.extra_info["caffemodel_mb"] = round(size_mb, 1)
    assert out.stat().st_size > 0.99 * full_coco["caffemodel"].stat().st_size


@pytest.fixture(scope="module")
def converted(full_coco):
    return convert_caffe(full_coco["prototxt"], full_coco["caffemodel"], full_coco["folder"] / "coco.onnx")


def test_bench_forward_cv2_368x656(benchmark, full_coco, converted):
    net = cv2.dnn.readNetFromONNX(str(converted))
    x = full_coco["x"]

    def forward():
        net.setInput(x)
        return net.forward()

    forward()  # warm-up: allocation and layer fusion
    out = benchmark.pedantic(forward, rounds=3, iterations=1)
    benchmark.extra_info["opencv"] = cv2.__version__
    assert out.shape == (1, 57, HEIGHT // 8, WIDTH // 8)
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(converted), providers=["CPUExecutionProvider"])
    expected = session.run(None, {"image": x})[0]
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-4 * max(scale, 1.0))


def test_bench_forward_onnxruntime_368x656(benchmark, full_coco, converted):
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(converted), providers=["CPUExecutionProvider"])
    x = full_coco["x"]
    session.run(None, {"image": x})
    out = benchmark.pedantic(lambda: session.run(None, {"image": x})[0], rounds=3, iterations=1)
    assert out.shape == (1, 57, HEIGHT // 8, WIDTH // 8)
