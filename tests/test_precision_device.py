"""`precision=` and `device=`: the default is fp32 on the CPU everywhere; what an engine cannot do is a clear error.

Oracles: the option values themselves, the runtimes' own reports (cv2's CUDA
device count, onnxruntime's providers), and the cv2 engine's fp32 CPU output.
Tests that need a GPU skip with a reason on machines without one (CI has none).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, photos
from openpose.engines import PRECISIONS, create_engine, engine_class, engine_names


def _cuda_engines() -> list[str]:
    found = []
    for name in engine_names():
        try:
            if "cuda" in engine_class(name).supported_devices():
                found.append(name)
        except ImportError:
            pass
    return found


def test_the_defaults_are_fp32_on_the_cpu():
    params = inspect.signature(openpose.PoseEstimator).parameters
    assert params["precision"].default == "fp32" and params["device"].default == "cpu"
    est = openpose.PoseEstimator(model_for_this_opencv(), mode="seed")
    assert (est.engine.name, est.engine.precision, est.engine.device) == ("cv2", "fp32", "cpu")


@pytest.mark.parametrize("name", ["cv2", "onnxruntime", "openvino"])
def test_every_engine_supports_fp32_on_the_cpu(name):
    if name != "cv2":
        pytest.importorskip(name, reason=f"the {name} engine needs openpose[{name}]")
    cls = engine_class(name)
    assert "cpu" in cls.supported_devices() and "fp32" in cls.supported_precisions("cpu")
    assert set(cls.supported_precisions("cpu")) <= set(PRECISIONS)


@pytest.mark.parametrize(("name", "precision"), [("cv2", "bf16"), ("cv2", "fp16"), ("onnxruntime", "bf16"),
                                                 ("onnxruntime", "fp16")])
def test_a_precision_an_engine_cannot_run_is_an_error_naming_what_it_can(name, precision):
    if name != "cv2":
        pytest.importorskip(name, reason=f"the {name} engine needs openpose[{name}]")
    with pytest.raises(ValueError, match=rf"`precision` '{precision}' is not supported by the {name} engine on "
                                         r"'cpu' here: it supports 'fp32'"):
        create_engine(name, "never-read.onnx", precision=precision)
    with pytest.raises(ValueError, match=r"`precision`"):
        openpose.PoseEstimator("never-read.onnx", engine=name, precision=precision)


@pytest.mark.parametrize(("option", "value"), [("precision", "fp8"), ("precision", "FP32"), ("precision", None),
                                               ("device", "gpu"), ("device", "cuda:0"), ("device", 0)])
def test_unknown_values_list_the_known_ones(option, value):
    with pytest.raises(ValueError, match=rf"unknown `{option}` .*expected one of"):
        create_engine("cv2", "never-read.onnx", **{option: value})


@pytest.mark.parametrize("name", ["cv2", "onnxruntime"])
def test_cuda_without_a_gpu_is_a_clear_error(name):
    if name != "cv2":
        pytest.importorskip(name, reason=f"the {name} engine needs openpose[{name}]")
    if "cuda" in engine_class(name).supported_devices():
        pytest.skip(f"the {name} engine has CUDA here: the error cannot happen")
    with pytest.raises(ValueError, match=rf"`device` 'cuda' is not available: .*the {name} engine runs here on 'cpu'"):
        create_engine(name, "never-read.onnx", device="cuda")


def test_cv2_without_cuda_says_the_build_has_none(monkeypatch):
    from openpose.engines import cv2_engine

    monkeypatch.setattr(cv2_engine, "_cuda_targets", lambda: ())
    with pytest.raises(ValueError, match=r"built without CUDA"):
        create_engine("cv2", "never-read.onnx", device="cuda")


@pytest.mark.parametrize("name", ["cv2", "onnxruntime"])
def test_cuda_gives_the_cpu_results(name):
    if name != "cv2":
        pytest.importorskip(name, reason=f"the {name} engine needs openpose[{name}]")
    if name not in _cuda_engines():
        pytest.skip(f"no GPU for the {name} engine here (needs a CUDA device and a CUDA build of its runtime)")
    if not photos():
        pytest.skip("no shared photos")
    import cv2

    image = cv2.imread(str(photos()[0]))
    model = model_for_this_opencv()
    cpu, _ = openpose.PoseEstimator(model, engine=name).forward(image)
    gpu, _ = openpose.PoseEstimator(model, engine=name, device="cuda").forward(image)
    np.testing.assert_allclose(gpu, cpu, rtol=0, atol=1e-3)


def _openpose(*args):
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


def test_command_precision_and_device_errors_exit_2(tmp_path):
    if not photos():
        pytest.skip("no shared photos")
    model = model_for_this_opencv()
    res = _openpose(photos()[0], "--model", model, "--precision", "bf16", "--write-json", tmp_path)
    assert res.returncode == 2 and "`precision` 'bf16' is not supported by the cv2 engine" in res.stderr
    assert "Traceback" not in res.stderr and not list(tmp_path.iterdir())
    if "cv2" not in _cuda_engines():
        res = _openpose(photos()[0], "--model", model, "--device", "cuda")
        assert res.returncode == 2 and "`device` 'cuda' is not available" in res.stderr, res.stderr
    res = _openpose(photos()[0], "--model", model, "--precision", "fp8")
    assert res.returncode == 2 and "--precision" in res.stderr


def test_batch_command_takes_precision_and_device():
    from openpose import batch_cli

    args = batch_cli.build_parser().parse_args(["in", "--model", "m.onnx", "--output", "out", "--engine", "openvino",
                                                "--precision", "bf16"])
    assert (args.engine, args.precision, args.device) == ("openvino", "bf16", "cpu")
    args = batch_cli.build_parser().parse_args(["in", "--model", "m.onnx", "--output", "out"])
    assert (args.precision, args.device) == ("fp32", "cpu")
    with pytest.raises(SystemExit):
        batch_cli.build_parser().parse_args(["in", "--model", "m.onnx", "--output", "out", "--device", "tpu"])
