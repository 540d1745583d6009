"""Caffe network (prototxt + caffemodel messages) -> ONNX graph.

Each supported Caffe layer becomes one or a few ONNX nodes with the same
arithmetic. Shapes are tracked layer by layer (height and width may be
unknown when the model is exported with a free input size) so that Caffe's
pooling output size, which rounds up, is reproduced exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..layouts import LAYOUTS
from . import SUPPORTED_LAYER_TYPES
from ._proto import messages

__all__ = ["OPSET", "build_model"]

OPSET = 13
IR_VERSION = 7  # the IR version that goes with opset 13: readable by old runtimes


_V1_TYPES = {
    "CONVOLUTION": "Convolution",
    "RELU": "ReLU",
    "POOLING": "Pooling",
    "CONCAT": "Concat",
    "ELTWISE": "Eltwise",
    "DROPOUT": "Dropout",
    "SPLIT": "Split",
}

Shape = tuple[int | None, ...]


@dataclass
class _Layer:
    name: str
    type: str
    bottoms: list[str]
    tops: list[str]
    message: Any  # LayerParameter or V1LayerParameter
    blobs: list[np.ndarray] = field(default_factory=list)

    def param(self, name: str):
        """The layer's ``<name>`` sub-message, or its defaults when unset or unknown to the format."""
        if name in self.message.DESCRIPTOR.fields_by_name:
            return getattr(self.message, name)
        return messages()[_PARAM_MESSAGE[name]]()  # not in the legacy format: the defaults

    def error(self, text: str) -> ValueError:
        return ValueError(f"layer {self.name!r} (type {self.type}): {text}")


_PARAM_MESSAGE = {
    "convolution_param": "ConvolutionParameter",
    "pooling_param": "PoolingParameter",
    "relu_param": "ReLUParameter",
    "prelu_param": "PReLUParameter",
    "concat_param": "ConcatParameter",
    "eltwise_param": "EltwiseParameter",
    "input_param": "InputParameter",
}


def _blob_array(blob) -> np.ndarray:
    if blob.HasField("shape"):
        shape = tuple(int(d) for d in blob.shape.dim)
    else:  # legacy 4-D blob
        shape = (blob.num, blob.channels, blob.height, blob.width)
    if len(blob.data):
        values = np.array(blob.data, dtype=np.float32)
    else:
        values = np.array(blob.double_data, dtype=np.float64).astype(np.float32)
    if values.size != int(np.prod(shape, dtype=np.int64)):
        msg = f"a weight blob holds {values.size} values for the shape {shape}"
        raise ValueError(msg)
    return values.reshape(shape)


def _phase_included(message) -> bool:
    """Caffe's NetStateRule check for the TEST phase (deploy networks)."""
    test = 1
    if any(rule.HasField("phase") and rule.phase == test for rule in message.exclude):
        return False
    if len(message.include) == 0:
        return True
    return any((not rule.HasField("phase")) or rule.phase == test for rule in message.include)


def _layers(net) -> list[_Layer]:
    if len(net.layer) and len(net.layers):
        msg = "the network mixes `layer` and legacy `layers` entries"
        raise ValueError(msg)
    out = [
        _Layer(message.name, message.type, list(message.bottom), list(message.top), message)
        for message in net.layer
        if _phase_included(message)
    ]
    v1_names = message_enum_names(net)
    for message in net.layers:
        if _phase_included(message):
            enum_name = v1_names.get(message.type, str(message.type))
            out.append(_Layer(message.name, _V1_TYPES.get(enum_name, enum_name), list(message.bottom),
                              list(message.top), message))
    return out


def message_enum_names(net) -> dict[int, str]:
    enum = net.DESCRIPTOR.fields_by_name["layers"].message_type.enum_types_by_name["LayerType"]
    return {value.number: value.name for value in enum.values}


def _weights_by_layer(weights) -> dict[str, list[np.ndarray]]:
    out = {}
    for message in list(weights.layer) + list(weights.layers):
        if len(message.blobs):
            try:
                out[message.name] = [_blob_array(b) for b in message.blobs]
            except ValueError as exc:
                msg = f"`caffemodel`: layer {message.name!r}: {exc}"
                raise ValueError(msg) from None
    return out


def _pair(param, base: str, default: int | None, layer: _Layer) -> tuple[int, int]:
    """(h, w) of a Caffe kernel/pad/stride/dilation setting."""
    fields = param.DESCRIPTOR.fields_by_name
    h_name, w_name = f"{base}_h", f"{base}_w"
    if h_name in fields and (param.HasField(h_name) or param.HasField(w_name)):
        return int(getattr(param, h_name)), int(getattr(param, w_name))
    name = "kernel_size" if base == "kernel" else base
    value = getattr(param, name)
    if not isinstance(value, int):  # a repeated field
        values = [int(v) for v in value]
        if len(values) == 1:
            return values[0], values[0]
        if len(values) == 2:
            return values[0], values[1]
        if not values:
            if default is None:
                msg = f"`{name}` is not set"
                raise layer.error(msg)
            return default, default
        msg = f"`{name}` has {len(values)} values; only 2-D networks are supported"
        raise layer.error(msg)
    if not param.HasField(name) and default is None:
        msg = f"`{name}` is not set"
        raise layer.error(msg)
    return int(value), int(value)


class _Builder:
    def __init__(self, layers: list[_Layer], input_shapes: dict[str, Shape]):
        self.layers = layers
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.used: set = set()
        self.tensor: dict[str, str] = {}  # blob -> current tensor name
        self.shape: dict[str, Shape] = {}  # tensor -> shape
        self.inputs = dict(input_shapes)
        for blob, shape in input_shapes.items():
            self.used.add(blob)
            self.tensor[blob] = blob
            self.shape[blob] = shape
        # the last layer writing each blob names its tensor after the blob
        self.last_writer: dict[str, int] = {}
        for index, layer in enumerate(layers):
            for top in layer.tops:
                self.last_writer[top] = index

    # ----------------------------------------------------------------- names
    def _unique(self, name: str) -> str:
        candidate, k = name, 1
        while candidate in self.used:
            k += 1
            candidate = f"{name}_{k}"
        self.used.add(candidate)
        return candidate

    def _out(self, index: int, top: str, layer: _Layer) -> str:
        if self.last_writer.get(top) == index and top not in self.used:
            self.used.add(top)
            return top
        return self._unique(f"{top}/{layer.name}")

    def _const(self, name: str, array: np.ndarray) -> str:
        name = self._unique(name)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def _bottom(self, layer: _Layer, k: int = 0) -> str:
        if k >= len(layer.bottoms):
            msg = f"needs at least {k + 1} bottom blob(s), has {len(layer.bottoms)}"
            raise layer.error(msg)
        blob = layer.bottoms[k]
        if blob not in self.tensor:
            msg = f"bottom blob {blob!r} is produced by no earlier layer or input"
            raise layer.error(msg)
        return self.tensor[blob]

    def _set_top(self, layer: _Layer, index: int, tensor: str, shape: Shape, k: int = 0) -> None:
        self.tensor[layer.tops[k]] = tensor
        self.shape[tensor] = shape

    # ---------------------------------------------------------------- layers
    def build(self) -> None:
        for index, layer in enumerate(self.layers):
            handler = getattr(self, f"_layer_{layer.type}", None)
            if handler is None:
                supported = ", ".join(SUPPORTED_LAYER_TYPES)
                msg = (
                    f"layer {layer.name!r} has type {layer.type!r}, which the converter does not support "
                    f"(supported: {supported})"
                )
                raise ValueError(msg)
            handler(index, layer)

    def _layer_Input(self, index: int, layer: _Layer) -> None:
        for top in layer.tops:
            if top not in self.inputs:
                msg = f"input blob {top!r} has no shape"
                raise layer.error(msg)

    def _channels(self, x: str, layer: _Layer) -> int:
        c = self.shape[x][1]
        if c is None:  # only height and width are ever free
            msg = f"the channel count of {x!r} is unknown"
            raise layer.error(msg)
        return c

    def _single_top(self, layer: _Layer) -> None:
        if len(layer.tops) != 1:
            msg = f"expects one top blob, has {len(layer.tops)}"
            raise layer.error(msg)

    def _layer_Convolution(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        p = layer.param("convolution_param")
        if p.axis != 1:
            msg = f"`axis` {p.axis} is not supported (only 1)"
            raise layer.error(msg)
        x = self._bottom(layer)
        n, _, h, w = self.shape[x]
        c = self._channels(x, layer)
        kh, kw = _pair(p, "kernel", None, layer)
        ph, pw = _pair(p, "pad", 0, layer)
        sh, sw = _pair(p, "stride", 1, layer)
        dh, dw = (_pair(p, "dilation", 1, layer) if len(p.dilation) else (1, 1))
        group = int(p.group)
        out_c = int(p.num_output)
        blobs = layer.blobs
        expected = 2 if p.bias_term else 1
        if len(blobs) != expected:
            msg = f"expects {expected} weight blob(s) in the caffemodel, found {len(blobs)}"
            raise layer.error(msg)
        if c % group or out_c % group:
            msg = f"`group` {group} does not divide the channels ({c} in, {out_c} out)"
            raise layer.error(msg)
        weight_shape = (out_c, c // group, kh, kw)
        weight = blobs[0]
        if weight.size != int(np.prod(weight_shape)):
            msg = f"weight blob has shape {weight.shape}, expected {weight_shape}"
            raise layer.error(msg)
        inputs = [x, self._const(f"{layer.name}/weight", weight.reshape(weight_shape).astype(np.float32))]
        if p.bias_term:
            if blobs[1].size != out_c:
                msg = f"bias blob has {blobs[1].size} values, expected {out_c}"
                raise layer.error(msg)
            inputs.append(self._const(f"{layer.name}/bias", blobs[1].reshape(out_c).astype(np.float32)))
        y = self._out(index, layer.tops[0], layer)
        self.nodes.append(helper.make_node(
            "Conv", inputs, [y], name=layer.name, kernel_shape=[kh, kw], pads=[ph, pw, ph, pw],
            strides=[sh, sw], dilations=[dh, dw], group=group,
        ))

        def size(length, k, pad, stride, dil):
            return None if length is None else (length + 2 * pad - (dil * (k - 1) + 1)) // stride + 1

        self._set_top(layer, index, y, (n, out_c, size(h, kh, ph, sh, dh), size(w, kw, pw, sw, dw)))

    def _layer_ReLU(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        x = self._bottom(layer)
        slope = float(layer.param("relu_param").negative_slope)
        y = self._out(index, layer.tops[0], layer)
        if slope == 0.0:
            self.nodes.append(helper.make_node("Relu", [x], [y], name=layer.name))
        else:
            self.nodes.append(helper.make_node("LeakyRelu", [x], [y], name=layer.name, alpha=slope))
        self._set_top(layer, index, y, self.shape[x])

    def _layer_PReLU(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        x = self._bottom(layer)
        c = self._channels(x, layer)
        shared = bool(layer.param("prelu_param").channel_shared)
        if len(layer.blobs) != 1:
            msg = f"expects 1 slope blob in the caffemodel, found {len(layer.blobs)}"
            raise layer.error(msg)
        slope = layer.blobs[0].astype(np.float32).reshape(-1)
        if slope.size != (1 if shared else c):
            msg = f"slope blob has {slope.size} values for {c} channels (channel_shared={shared})"
            raise layer.error(msg)
        slope_map = slope.reshape((1, 1, 1) if shared else (c, 1, 1))
        y = self._out(index, layer.tops[0], layer)
        self.nodes.append(helper.make_node("PRelu", [x, self._const(f"{layer.name}/slope", slope_map)], [y],
                                           name=layer.name))
        self._set_top(layer, index, y, self.shape[x])

    def _layer_Pooling(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        p = layer.param("pooling_param")
        x = self._bottom(layer)
        n, c, h, w = self.shape[x]
        method = p.DESCRIPTOR.fields_by_name["pool"].enum_type.values_by_number[p.pool].name
        if method not in ("MAX", "AVE"):
            msg = f"pooling method {method} is not supported (MAX, AVE)"
            raise layer.error(msg)
        y = self._out(index, layer.tops[0], layer)
        if p.global_pooling:
            op = "GlobalMaxPool" if method == "MAX" else "GlobalAveragePool"
            self.nodes.append(helper.make_node(op, [x], [y], name=layer.name))
            self._set_top(layer, index, y, (n, c, 1, 1))
            return
        kh, kw = _pair(p, "kernel", None, layer)
        ph, pw = _pair(p, "pad", 0, layer)
        sh, sw = _pair(p, "stride", 1, layer)
        ceil = p.round_mode == 0
        if ph >= kh or pw >= kw:
            msg = f"padding ({ph}, {pw}) must be smaller than the kernel ({kh}, {kw})"
            raise layer.error(msg)

        def caffe_size(length, k, pad, stride):
            if length is None:
                return None
            span = length + 2 * pad - k
            size = (-(-span // stride) if ceil else span // stride) + 1
            if pad > 0 and ceil and (size - 1) * stride >= length + pad:
                size -= 1  # Caffe drops a last window that would start inside the right padding
            return size

        out_h, out_w = caffe_size(h, kh, ph, sh), caffe_size(w, kw, pw, sw)
        attrs: dict[str, Any] = dict(kernel_shape=[kh, kw], strides=[sh, sw])
        if ph == 0 and pw == 0:
            # Without padding, ONNX's ceil_mode output size and windows are Caffe's exactly,
            # at any input size; the averaging divisor counts the window's in-image part.
            attrs["ceil_mode"] = 1 if ceil else 0
            if method == "AVE":
                attrs["count_include_pad"] = 0
            op = "MaxPool" if method == "MAX" else "AveragePool"
            self.nodes.append(helper.make_node(op, [x], [y], name=layer.name, **attrs))
        else:
            if h is None or w is None:
                msg = "padded pooling needs a fixed input size (pass `input_size`)"
                raise layer.error(msg)
            # Explicit end padding reproduces Caffe's rounded-up output size.
            eh = (out_h - 1) * sh + kh - (h + 2 * ph)
            ew = (out_w - 1) * sw + kw - (w + 2 * pw)
            eh, ew = max(eh, 0), max(ew, 0)
            if method == "MAX":
                self.nodes.append(helper.make_node("MaxPool", [x], [y], name=layer.name,
                                                   pads=[ph, pw, ph + eh, pw + ew], **attrs))
            else:
                # Caffe divides by the window's part inside the padded image (padding counted,
                # the rounding overhang not): zero-pad first, then exclude only the overhang.
                pads = self._const(f"{layer.name}/pads", np.array([0, 0, ph, pw, 0, 0, ph, pw], np.int64))
                padded = self._unique(f"{layer.name}/padded")
                self.nodes.append(helper.make_node("Pad", [x, pads], [padded], name=f"{layer.name}/pad",
                                                   mode="constant"))
                self.nodes.append(helper.make_node("AveragePool", [padded], [y], name=layer.name,
                                                   pads=[0, 0, eh, ew], count_include_pad=0, **attrs))
        self._set_top(layer, index, y, (n, c, out_h, out_w))

    def _layer_Concat(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        p = layer.param("concat_param")
        axis = int(p.axis) if (p.HasField("axis") or not p.HasField("concat_dim")) else int(p.concat_dim)
        xs = [self._bottom(layer, k) for k in range(len(layer.bottoms))]
        shapes = [self.shape[x] for x in xs]
        rank = len(shapes[0])
        if not -rank <= axis < rank:
            msg = f"`axis` {axis} is out of range for {rank}-D blobs"
            raise layer.error(msg)
        axis %= rank
        total: int | None = 0
        for s in shapes:
            size = s[axis]
            total = None if (total is None or size is None) else total + size
        out_shape = list(shapes[0])
        out_shape[axis] = total
        y = self._out(index, layer.tops[0], layer)
        self.nodes.append(helper.make_node("Concat", xs, [y], name=layer.name, axis=axis))
        self._set_top(layer, index, y, tuple(out_shape))

    def _layer_Eltwise(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        p = layer.param("eltwise_param")
        xs = [self._bottom(layer, k) for k in range(len(layer.bottoms))]
        if len(xs) < 2:
            msg = "needs at least 2 bottom blobs"
            raise layer.error(msg)
        op = p.DESCRIPTOR.fields_by_name["operation"].enum_type.values_by_number[p.operation].name
        shape = self.shape[xs[0]]
        coeffs = list(p.coeff)
        if coeffs and (op != "SUM" or len(coeffs) != len(xs)):
            msg = "`coeff` needs operation SUM and one value per bottom"
            raise layer.error(msg)
        y = self._out(index, layer.tops[0], layer)
        if op == "SUM" and coeffs and any(v != 1.0 for v in coeffs):
            scaled = []
            for k, (x, v) in enumerate(zip(xs, coeffs)):
                name = self._unique(f"{layer.name}/scaled{k}")
                const = self._const(f"{layer.name}/coeff{k}", np.array(v, np.float32))
                self.nodes.append(helper.make_node("Mul", [x, const], [name], name=f"{layer.name}/mul{k}"))
                scaled.append(name)
            xs = scaled
        onnx_op = {"SUM": "Sum", "PROD": "Mul", "MAX": "Max"}[op]
        if onnx_op == "Mul" and len(xs) > 2:
            acc = xs[0]
            for k, x in enumerate(xs[1:-1], start=1):
                name = self._unique(f"{layer.name}/prod{k}")
                self.nodes.append(helper.make_node("Mul", [acc, x], [name], name=f"{layer.name}/mul{k}"))
                acc = name
            xs = [acc, xs[-1]]
        self.nodes.append(helper.make_node(onnx_op, xs, [y], name=layer.name))
        self._set_top(layer, index, y, shape)

    def _layer_Dropout(self, index: int, layer: _Layer) -> None:
        self._single_top(layer)
        x = self._bottom(layer)
        self.tensor[layer.tops[0]] = x  # inference: the identity

    def _layer_Split(self, index: int, layer: _Layer) -> None:
        x = self._bottom(layer)
        for top in layer.tops:
            self.tensor[top] = x


def _input_shapes(net, layers: list[_Layer], input_size) -> dict[str, Shape]:
    shapes: dict[str, tuple[int, ...]] = {}
    names = list(net.input)
    if len(net.input_shape):
        for name, shape in zip(names, net.input_shape):
            shapes[name] = tuple(int(d) for d in shape.dim)
    elif len(net.input_dim):
        dims = [int(d) for d in net.input_dim]
        if len(dims) != 4 * len(names):
            msg = f"`prototxt`: {len(dims)} input_dim values for {len(names)} inputs (4 each)"
            raise ValueError(msg)
        for k, name in enumerate(names):
            shapes[name] = tuple(dims[4 * k:4 * k + 4])
    elif names:
        msg = "`prototxt`: the inputs have no input_shape or input_dim"
        raise ValueError(msg)
    for layer in layers:
        if layer.type == "Input":
            declared = list(layer.param("input_param").shape)
            if len(declared) not in (1, len(layer.tops)):
                msg = "needs one shape, or one per top"
                raise layer.error(msg)
            for k, top in enumerate(layer.tops):
                shapes[top] = tuple(int(d) for d in declared[min(k, len(declared) - 1)].dim)
    if not shapes:
        msg = "`prototxt` declares no network input"
        raise ValueError(msg)
    out: dict[str, Shape] = {}
    for name, shape in shapes.items():
        if len(shape) != 4:
            msg = f"`prototxt`: input {name!r} has shape {shape}; only 4-D (N, C, H, W) inputs are supported"
            raise ValueError(msg)
        n, c = 1, shape[1]
        if input_size is None:
            out[name] = (n, c, None, None)
        else:
            width, height = input_size
            out[name] = (n, c, int(height), int(width))
    return out


def _value_info(name: str, shape: Shape, symbols: Sequence[str]) -> onnx.ValueInfoProto:
    dims = [d if d is not None else sym for d, sym in zip(shape, symbols)]
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def build_model(net, weights, *, input_size, outputs=None, layout="auto", source_name: str = "") -> onnx.ModelProto:
    """Build the ONNX model of a parsed prototxt (`net`) with a parsed caffemodel's blobs (`weights`)."""
    layers = _layers(net)
    blobs = _weights_by_layer(weights)
    for layer in layers:
        layer.blobs = blobs.get(layer.name, [])
        if layer.type in ("Convolution", "PReLU") and not layer.blobs:
            msg = f"layer {layer.name!r} (type {layer.type}) has no weights in the caffemodel"
            raise ValueError(msg)
    inputs = _input_shapes(net, layers, input_size)
    builder = _Builder(layers, inputs)
    builder.build()

    consumed = set()
    produced: list[str] = []
    for layer in layers:
        consumed.update(layer.bottoms)
        for top in layer.tops:
            if layer.type != "Input" and top not in produced:
                produced.append(top)
    if outputs is None:
        outputs = [b for b in produced if b not in consumed and b not in inputs]
        # a blob rewritten in place after its last use as a bottom still ends the net
        outputs = outputs or [produced[-1]]
    else:
        outputs = [str(o) for o in outputs]
        for name in outputs:
            if name not in builder.tensor or name in inputs:
                msg = f"`outputs`: {name!r} is not a blob the network computes"
                raise ValueError(msg)

    graph_outputs = []
    for k, blob in enumerate(outputs):
        tensor = builder.tensor[blob]
        shape = builder.shape[tensor]
        if tensor != blob:
            name = blob if blob not in builder.used else builder._unique(f"{blob}_output")
            builder.nodes.append(helper.make_node("Identity", [tensor], [name], name=f"{blob}/output"))
            tensor = name
        graph_outputs.append(_value_info(tensor, shape, ("N", "C", f"out{k}_height", f"out{k}_width")))

    graph_inputs = [_value_info(name, shape, ("N", "C", "height", "width")) for name, shape in inputs.items()]
    graph = helper.make_graph(builder.nodes, net.name or "caffe_network", graph_inputs, graph_outputs,
                              initializer=builder.initializers)
    model = helper.make_model(graph, producer_name="openpose.convert", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION

    channels = builder.shape[builder.tensor[outputs[0]]][1]
    if layout == "auto":
        known = [lay for lay in LAYOUTS.values() if lay.n_channels == channels]
        layout = known[0].name if known else None
    meta = {"openpose.source": f"caffe:{source_name}" if source_name else "caffe"}
    if layout is not None:
        meta["openpose.layout"] = str(layout)
    meta["openpose.output_channels"] = str(channels)
    onnx.helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    return model
