"""The ``openvino`` engine: OpenVINO on the CPU (``pip install "openpose[openvino]"``).

Shapes: the model is read once; each network input shape gets its own
compiled model (the model reshaped to that static shape, which OpenVINO's
CPU plugin runs faster than a dynamic one), compiled on first use and kept:
a video or a folder of same-sized photos compiles once. At most
`OpenvinoEngine.MAX_SHAPES` compiled shapes are kept (the least recently
used goes first), so a folder of photos of every size does not grow without
bound.

Precision: ``INFERENCE_PRECISION_HINT`` is always set, to f32 for
``precision="fp32"`` (on CPUs with native bf16 OpenVINO would otherwise pick
bf16 by itself), bf16 or f16. A reduced precision is accepted when the CPU
plugin lists it in its ``OPTIMIZATION_CAPABILITIES`` (``BF16``: AVX512_BF16
or AMX; ``FP16``: AVX512_FP16 or AMX-FP16 CPUs, and ARM).

Threads: ``PERFORMANCE_HINT=LATENCY`` with one stream and
``INFERENCE_NUM_THREADS`` = the cores this process may use
(`openpose.engines.cpu_threads`): the command runs one frame at a time
through the network, so every core goes to that one inference rather than
to parallel streams (which add latency and memory, and no throughput once
the cores are busy).
"""

from __future__ import annotations

import collections

import numpy as np

from ..models import onnx_file
from . import DEFAULT_DEVICE, DEFAULT_PRECISION, Engine, cpu_threads

__all__ = ["ENGINE", "OpenvinoEngine"]

# Our precision names -> OpenVINO's INFERENCE_PRECISION_HINT values and OPTIMIZATION_CAPABILITIES entries.
_HINTS = {"fp32": "f32", "bf16": "bf16", "fp16": "f16"}
_CAPABILITIES = {"fp32": "FP32", "bf16": "BF16", "fp16": "FP16"}


class OpenvinoEngine(Engine):
    """An OpenVINO model on the CPU, compiled once per input shape.

    Attributes
    ----------
    compiles : int
        How many times a model was compiled (one per new input shape).
    MAX_SHAPES : int
        Compiled shapes kept at most.

    An infer request holds its input and output tensors: it is not
    thread-safe, and `openpose.PoseEstimator` serialises its calls.
    """

    name = "openvino"
    extra = "openvino"
    thread_safe = False
    MAX_SHAPES = 8

    @classmethod
    def _core(cls):
        ov = cls.import_runtime("openvino")
        return ov.Core()

    @classmethod
    def _capabilities(cls, core=None) -> tuple[str, ...]:
        core = cls._core() if core is None else core
        return tuple(str(c) for c in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES"))

    @classmethod
    def supported_devices(cls) -> tuple[str, ...]:
        cls.import_runtime("openvino")
        return ("cpu",)

    @classmethod
    def unsupported_device_reason(cls, device: str) -> str:
        if device == "cuda":
            return "OpenVINO does not run on NVIDIA GPUs (use the onnxruntime or cv2 engine for CUDA)"
        return super().unsupported_device_reason(device)

    @classmethod
    def supported_precisions(cls, device: str = DEFAULT_DEVICE) -> tuple[str, ...]:
        capabilities = cls._capabilities()
        return tuple(p for p, cap in _CAPABILITIES.items() if p == DEFAULT_PRECISION or cap in capabilities)

    @classmethod
    def _precision_note(cls, device: str) -> str:
        core = cls._core()
        try:
            cpu = str(core.get_property("CPU", "FULL_DEVICE_NAME"))
        except RuntimeError:
            cpu = "this CPU"
        return f" (OpenVINO's CPU plugin reports {', '.join(cls._capabilities(core))} for {cpu})"

    def __init__(self, model, *, weights=None, precision: str = DEFAULT_PRECISION,
                 device: str = DEFAULT_DEVICE) -> None:
        ov = self.import_runtime("openvino")
        self.precision, self.device = self.check_options(precision=precision, device=device)
        path = onnx_file(model, weights=weights, why="the openvino engine reads ONNX")
        self._ov = ov
        self._core_ = ov.Core()
        try:
            self._model = self._core_.read_model(str(path))
        except RuntimeError as exc:
            msg = f"OpenVINO could not import {str(path)!r}: {str(exc).strip()[-300:]}"
            raise ValueError(msg) from None
        inputs = self._model.inputs
        if len(inputs) != 1 or inputs[0].get_partial_shape().rank.get_length() != 4:
            shapes = [str(i.get_partial_shape()) for i in inputs]
            msg = f"{str(path)!r} is not a pose network with one image input (N, 3, H, W): its inputs are {shapes}"
            raise ValueError(msg)
        self._path = path
        self._config = {
            "INFERENCE_PRECISION_HINT": _HINTS[self.precision],
            "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": "1",
            "INFERENCE_NUM_THREADS": str(cpu_threads()),
        }
        self._requests: collections.OrderedDict[tuple[int, ...], object] = collections.OrderedDict()
        self.compiles = 0

    def _request(self, shape: tuple[int, ...]):
        """The infer request of the model compiled for `shape`, compiled on first use."""
        request = self._requests.get(shape)
        if request is not None:
            self._requests.move_to_end(shape)
            return request
        try:
            self._model.reshape({self._model.inputs[0]: self._ov.PartialShape(list(shape))})
            compiled = self._core_.compile_model(self._model, "CPU", self._config)
        except RuntimeError as exc:
            msg = (f"OpenVINO cannot run {self._path.name!r} on an input of shape {shape}: "
                   f"{str(exc).strip()[-300:]}")
            raise ValueError(msg) from None
        self.compiles += 1
        request = compiled.create_infer_request()
        self._requests[shape] = request
        while len(self._requests) > self.MAX_SHAPES:
            self._requests.popitem(last=False)
        return request

    def run(self, blob: np.ndarray) -> np.ndarray:
        request = self._request(tuple(int(n) for n in blob.shape))
        # share_inputs: the request reads the (C-contiguous float32) blob in place instead of copying it.
        request.infer({0: np.ascontiguousarray(blob, dtype=np.float32)}, share_inputs=True)
        # A copy: the output tensor's memory belongs to the request and is overwritten by its next call.
        return np.array(request.get_output_tensor(0).data, dtype=np.float32, copy=True)


ENGINE = OpenvinoEngine
