"""The ``openvino`` engine: OpenVINO on the CPU (``pip install "openpose[openvino]"``).

Models: ONNX files (and CMU Caffe models, converted once to ONNX), networks
cut after a stage, and OpenVINO's own IR (``.xml`` with its ``.bin``), which
only this engine reads.

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
or AMX; ``FP16``: AVX512_FP16 or AMX-FP16 CPUs, and ARM). Listed is not
fast: without AMX-FP16 the CPU plugin runs f16 no faster than f32 (see the
docs' "Models and engines" page).

Output heads in f32: in a reduced precision the network is compiled in two
parts, the body in that precision and the output heads (the last
convolution of each branch, and what follows it up to the output) in f32.
Measured on ../shared/data/dev: the accuracy that bf16 costs is almost all
the rounding of the output maps to bf16's 8 bits (rounding the f32 maps to
bf16 alone costs as much AP as the bf16 network: ties and steps in the
heatmaps move and merge peaks); with the heads in f32 the maps keep their
fine values. OpenVINO's per-layer mark for this (the
``DisablePrecisionConversion`` runtime attribute) does not survive here: the
CPU plugin fuses each head's BatchNorm into its convolution, a new node
without the mark; so the split. The heads are two 1x1 convolutions at an
eighth of the input's resolution: their f32 costs nothing measurable.

Threads: ``PERFORMANCE_HINT=LATENCY`` with one stream and
``INFERENCE_NUM_THREADS`` = the cores this process may use
(`openpose.engines.cpu_threads`): the command runs one frame at a time
through the network, so every core goes to that one inference rather than
to parallel streams (which add latency and memory, and no throughput once
the cores are busy).
"""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np

from ..models import CutNetwork, onnx_file, onnx_source, openvino_ir
from . import DEFAULT_DEVICE, DEFAULT_PRECISION, Engine, cpu_threads

__all__ = ["ENGINE", "OpenvinoEngine", "output_convolutions", "split_at"]

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
        path: Path | CutNetwork
        if isinstance(model, (str, Path)) and Path(model).suffix.lower() == ".xml":
            path, bin_path = openvino_ir(model, weights=weights)
            source: tuple = (str(path), str(bin_path))
        else:
            path = onnx_file(model, weights=weights, why="the openvino engine reads ONNX and OpenVINO IR")
            source = (onnx_source(path),)
        self._ov = ov
        self._core_ = ov.Core()
        try:
            self._model = self._core_.read_model(*source)
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
        # The output heads kept in f32 in a reduced precision (none found: the whole network in that precision).
        self.f32_heads = output_convolutions(self._model) if self.precision != DEFAULT_PRECISION else ()
        self._requests: collections.OrderedDict[tuple[int, ...], _Compiled] = collections.OrderedDict()
        self.compiles = 0

    def _request(self, shape: tuple[int, ...]) -> _Compiled:
        """The network compiled for `shape` (its infer requests), compiled on first use."""
        request = self._requests.get(shape)
        if request is not None:
            self._requests.move_to_end(shape)
            return request
        try:
            model = self._model.clone()
            model.reshape({model.inputs[0]: self._ov.PartialShape(list(shape))})
            if self.f32_heads:
                body, heads = split_at(self._ov, model, self.f32_heads)
                request = _Compiled(self._compile(body, self._config),
                                    self._compile(heads, {**self._config, "INFERENCE_PRECISION_HINT": "f32"}))
            else:
                request = _Compiled(self._compile(model, self._config))
        except RuntimeError as exc:
            msg = (f"OpenVINO cannot run {self._path.name!r} on an input of shape {shape}: "
                   f"{str(exc).strip()[-300:]}")
            raise ValueError(msg) from None
        self.compiles += 1
        self._requests[shape] = request
        while len(self._requests) > self.MAX_SHAPES:
            self._requests.popitem(last=False)
        return request

    def _compile(self, model, config):
        return self._core_.compile_model(model, "CPU", config).create_infer_request()

    def run(self, blob: np.ndarray) -> dict[str, np.ndarray]:
        return self._request(tuple(int(n) for n in blob.shape)).run(np.ascontiguousarray(blob, dtype=np.float32))


class _Compiled:
    """The infer requests of one input shape: the whole network, or its body then its f32 heads."""

    def __init__(self, body, heads=None) -> None:
        self.body, self.heads = body, heads
        self.requests = (body,) if heads is None else (body, heads)

    def run(self, blob: np.ndarray) -> dict[str, np.ndarray]:
        # share_inputs: the request reads the (C-contiguous float32) blob in place instead of copying it.
        self.body.infer({0: blob}, share_inputs=True)
        last = self.body
        if self.heads is not None:
            # The body's outputs are the heads' inputs, passed as the tensors themselves (no copy).
            n = len(self.body.get_compiled_model().outputs)
            self.heads.infer({i: self.body.get_output_tensor(i) for i in range(n)}, share_inputs=True)
            last = self.heads
        # Copies: an output tensor's memory belongs to the request and is overwritten by its next call.
        outputs = last.get_compiled_model().outputs
        return {output.get_any_name(): np.array(last.get_output_tensor(i).data, dtype=np.float32, copy=True)
                for i, output in enumerate(outputs)}


# Operations that do the network's arithmetic (the ones a reduced precision runs in it).
_COMPUTE = frozenset({"Convolution", "GroupConvolution", "MatMul", "ConvolutionBackpropData"})


def output_convolutions(model) -> tuple[str, ...]:
    """Friendly names of the convolutions nearest to the model's outputs (its output heads), sorted.

    Walks back from each output through the operations that do no
    arithmetic of their own (BatchNorm, activations, Concat, ...) to the
    first convolution on each path.
    """
    found: set[str] = set()
    seen: set[str] = set()
    todo = [result.input_value(0).get_node() for result in model.get_results()]
    while todo:
        node = todo.pop()
        name = node.get_friendly_name()
        if name in seen:
            continue
        seen.add(name)
        kind = node.get_type_name()
        if kind in _COMPUTE:
            found.add(name)
        elif kind not in ("Parameter", "Constant"):
            todo += [i.get_node() for i in node.input_values()]
    return tuple(sorted(found))


def split_at(ov, model, heads: tuple[str, ...]):
    """`model` cut at the inputs of the convolutions `heads`: (body, heads) as two models.

    The body ends with one output per head (that head's input); the heads
    model takes those as its inputs, in the same order, and ends with the
    model's outputs.
    """
    body_model = model.clone()
    by_name = {n.get_friendly_name(): n for n in body_model.get_ordered_ops()}
    body = ov.Model([by_name[h].input_value(0) for h in heads], body_model.get_parameters(), "body")
    heads_model = model.clone()
    by_name = {n.get_friendly_name(): n for n in heads_model.get_ordered_ops()}
    parameters = []
    for h in heads:
        source = by_name[h].input_value(0)
        parameter = ov.opset13.parameter(source.get_partial_shape(), source.get_element_type(), name=f"{h}/input")
        by_name[h].input(0).replace_source_output(parameter.output(0))
        parameters.append(parameter)
    return body, ov.Model(heads_model.get_results(), parameters, "heads")


ENGINE = OpenvinoEngine
