"""Caffe test networks: real CMU prototxts with random weights, and a numpy Caffe forward pass.

Helpers for tests/test_convert.py and benchmarks/test_bench_convert.py (not a
test module). The numpy forward pass follows Caffe's layer definitions
(convolution, ReLU, PReLU, pooling with Caffe's rounded-up output size and
averaging divisor, concat, eltwise) independently of ONNX; the tests check it
against OpenCV 4.x's Caffe importer where that exists.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from openpose.convert import _proto  # needs protobuf: import this module after importorskip


def read_net(prototxt: Path):
    return _proto.read_prototxt(prototxt)


def shrink(net, *, inner_channels: int = 8):
    """Shrink a CMU pose network in place: convolutions with >= 64 outputs get `inner_channels`.

    The stage outputs (heatmaps and PAFs, fewer than 64 channels) and every
    layer type and connection stay as they are.
    """
    for layer in net.layer:
        if layer.type == "Convolution" and layer.convolution_param.num_output >= 64:
            layer.convolution_param.num_output = inner_channels
    return net


def blob_shapes(net, input_shape: tuple[int, int, int, int]) -> dict[str, tuple[int, ...]]:
    """Channel bookkeeping for a network's layers: layer name -> shapes of its weight blobs."""
    channels = dict.fromkeys(net.input, input_shape[1])
    for layer in net.layer:
        if layer.type == "Input":
            for top, shape in zip(layer.top, layer.input_param.shape):
                channels[top] = int(shape.dim[1])
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in net.layer:
        if layer.type == "Convolution":
            p = layer.convolution_param
            c = channels[layer.bottom[0]]
            kh = p.kernel_h or p.kernel_size[0]
            kw = p.kernel_w or p.kernel_size[-1]
            shapes[layer.name] = ((p.num_output, c // p.group, kh, kw),) + (((p.num_output,),) if p.bias_term else ())
            channels[layer.top[0]] = p.num_output
        elif layer.type == "PReLU":
            c = channels[layer.bottom[0]]
            shapes[layer.name] = ((1,),) if layer.prelu_param.channel_shared else ((c,),)
            channels[layer.top[0]] = c
        elif layer.type == "Concat":
            channels[layer.top[0]] = sum(channels[b] for b in layer.bottom)
        else:
            for top in layer.top:
                channels[top] = channels[layer.bottom[0]]
    return shapes


def random_weights(net, input_shape, *, seed: int, legacy_blobs: bool = False):
    """A caffemodel ``NetParameter`` for `net` with seeded random weights (He-scaled)."""
    rng = np.random.default_rng(seed)
    NetParameter = _proto.messages()["NetParameter"]
    weights = NetParameter()
    weights.CopyFrom(net)
    weights.ClearField("input_dim")
    shapes = blob_shapes(net, input_shape)
    for layer in weights.layer:
        for shape in shapes.get(layer.name, ()):
            if len(shape) == 4:
                fan_in = shape[1] * shape[2] * shape[3]
                values = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
            elif layer.type == "PReLU":
                values = rng.uniform(0.0, 0.3, size=shape)
            else:
                values = rng.normal(0.0, 0.1, size=shape)
            blob = layer.blobs.add()
            if legacy_blobs:
                dims = (1,) * (4 - len(shape)) + tuple(shape)
                blob.num, blob.channels, blob.height, blob.width = dims
            else:
                blob.shape.dim.extend(shape)
            set_blob_data(blob, values)
    return weights


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def set_blob_data(blob, values: np.ndarray) -> None:
    """Append `values` to ``blob.data`` (field 5, packed float32): fast for 200 MB of weights."""
    raw = np.ascontiguousarray(values, dtype="<f4").tobytes()
    blob.MergeFromString(b"\x2a" + _varint(len(raw)) + raw)  # tag: field 5, length-delimited


def write_model(folder: Path, name: str, net, weights) -> tuple[Path, Path]:
    """Write ``name.prototxt`` (text) and ``name.caffemodel`` (binary) into `folder`."""
    from google.protobuf import text_format

    prototxt = folder / f"{name}.prototxt"
    caffemodel = folder / f"{name}.caffemodel"
    prototxt.write_text(text_format.MessageToString(net), encoding="utf-8")
    caffemodel.write_bytes(weights.SerializeToString())
    return prototxt, caffemodel


def set_input_size(net, height: int, width: int):
    """Set the 4-D input_dim of a CMU prototxt to (1, 3, height, width)."""
    del net.input_dim[:]
    net.input_dim.extend([1, 3, height, width])
    return net


# --------------------------------------------------------------- numpy Caffe
def _pair(param, base, default):
    fields = param.DESCRIPTOR.fields_by_name
    if f"{base}_h" in fields and (param.HasField(f"{base}_h") or param.HasField(f"{base}_w")):
        return getattr(param, f"{base}_h"), getattr(param, f"{base}_w")
    name = "kernel_size" if base == "kernel" else base
    value = getattr(param, name)
    if not isinstance(value, int):  # a repeated field
        values = list(value) or [default]
        return values[0], values[-1]
    return (value, value) if (param.HasField(name) or default is None) else (default, default)


def _conv(x, w, b, stride, pad, dil, group):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    og = o // group
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh = (h + 2 * pad[0] - (dil[0] * (kh - 1) + 1)) // stride[0] + 1
    ow = (wd + 2 * pad[1] - (dil[1] * (kw - 1) + 1)) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dil[0], j * dil[1]
            patch = xp[:, :, y0:y0 + stride[0] * (oh - 1) + 1:stride[0], x0:x0 + stride[1] * (ow - 1) + 1:stride[1]]
            for g in range(group):
                out[:, g * og:(g + 1) * og] += np.einsum(
                    "ncij,oc->noij", patch[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og, :, i, j]
                )
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _pool(x, p):
    n, c, h, w = x.shape
    if p.global_pooling:
        return x.max(axis=(2, 3), keepdims=True) if p.pool == 0 else x.mean(axis=(2, 3), keepdims=True)
    kh, kw = _pair(p, "kernel", None)
    ph, pw = _pair(p, "pad", 0)
    sh, sw = _pair(p, "stride", 1)
    ceil = p.round_mode == 0

    def size(length, k, pad, stride):
        span = length + 2 * pad - k
        out = (int(np.ceil(span / stride)) if ceil else span // stride) + 1
        if pad and (out - 1) * stride >= length + pad:
            out -= 1
        return out

    oh, ow = size(h, kh, ph, sh), size(w, kw, pw, sw)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            hs, ws = i * sh - ph, j * sw - pw
            if p.pool == 0:
                he, we = min(hs + kh, h), min(ws + kw, w)
                hs, ws = max(hs, 0), max(ws, 0)
                out[:, :, i, j] = x[:, :, hs:he, ws:we].max(axis=(2, 3))
            else:
                he, we = min(hs + kh, h + ph), min(ws + kw, w + pw)
                area = (he - hs) * (we - ws)
                hs, ws, he, we = max(hs, 0), max(ws, 0), min(he, h), min(we, w)
                out[:, :, i, j] = x[:, :, hs:he, ws:we].sum(axis=(2, 3)) / area
    return out


def numpy_forward(net, weights, image: np.ndarray, output: str | None = None) -> np.ndarray:
    """Caffe's forward pass in float64 numpy, for the layer types of the converter."""
    blobs = {}
    for layer in list(weights.layer):
        if len(layer.blobs):
            arrays = []
            for blob in layer.blobs:
                shape = tuple(blob.shape.dim) if blob.HasField("shape") else (blob.num, blob.channels, blob.height, blob.width)
                arrays.append(np.array(blob.data, dtype=np.float64).reshape(shape))
            blobs[layer.name] = arrays
    values = {}
    inputs = list(net.input) or [layer.top[0] for layer in net.layer if layer.type == "Input"]
    values[inputs[0]] = image.astype(np.float64)
    last = inputs[0]
    for layer in net.layer:
        t = layer.type
        bottoms = [values[b] for b in layer.bottom]
        if t == "Input":
            continue
        if t == "Convolution":
            p = layer.convolution_param
            w = blobs[layer.name][0]
            o = p.num_output
            kh, kw = _pair(p, "kernel", None)
            w = w.reshape(o, -1, kh, kw)
            b = blobs[layer.name][1].reshape(-1) if p.bias_term else None
            dil = _pair(p, "dilation", 1) if len(p.dilation) else (1, 1)
            y = _conv(bottoms[0], w, b, _pair(p, "stride", 1), _pair(p, "pad", 0), dil, p.group)
        elif t == "ReLU":
            s = layer.relu_param.negative_slope
            y = np.where(bottoms[0] > 0, bottoms[0], s * bottoms[0])
        elif t == "PReLU":
            a = blobs[layer.name][0].reshape(-1)
            a = a.reshape(1, -1, 1, 1) if a.size > 1 else a.reshape(())
            y = np.where(bottoms[0] > 0, bottoms[0], a * bottoms[0])
        elif t == "Pooling":
            y = _pool(bottoms[0], layer.pooling_param)
        elif t == "Concat":
            y = np.concatenate(bottoms, axis=layer.concat_param.axis)
        elif t == "Eltwise":
            p = layer.eltwise_param
            if p.operation == 0:
                y = np.prod(bottoms, axis=0)
            elif p.operation == 2:
                y = np.max(bottoms, axis=0)
            else:
                coeffs = list(p.coeff) or [1.0] * len(bottoms)
                y = sum(c * b for c, b in zip(coeffs, bottoms))
        elif t in ("Dropout", "Split"):
            y = bottoms[0]
        else:
            raise ValueError(f"numpy_forward: no {t}")
        for top in layer.top:
            values[top] = y
        last = layer.top[0]
    return values[output or last]
