"""A small Caffe model written by the tests: real layer types, random weights.

The weights file is a binary protobuf ``NetParameter``; the few fields it
needs are encoded field by field with the package's wire-format writer
(`openpose._protobuf`; caffe.proto numbers: NetParameter.name 1,
.layer 100; LayerParameter.name 1, .type 2, .blobs 7; BlobProto.data 5,
.shape 7; BlobShape.dim 1).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from openpose._protobuf import encode_field as _field  # a length-delimited field (wire type 2)
from openpose._protobuf import encode_varint as _varint

PROTOTXT = """\
name: "tiny_openpose"
input: "image"
input_dim: 1
input_dim: 3
input_dim: 64
input_dim: 64
layer { name: "conv1" type: "Convolution" bottom: "image" top: "conv1"
  convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 2 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
  convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 2 } }
layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
layer { name: "heatmaps" type: "Convolution" bottom: "conv2" top: "heatmaps"
  convolution_param { num_output: 19 kernel_size: 1 } }
layer { name: "pafs" type: "Convolution" bottom: "conv2" top: "pafs"
  convolution_param { num_output: 38 kernel_size: 1 } }
layer { name: "net_output" type: "Concat" bottom: "heatmaps" bottom: "pafs" top: "net_output"
  concat_param { axis: 1 } }
"""

#: Convolution layers: name -> (out, in, k).
CONVS = {"conv1": (8, 3, 3), "conv2": (8, 8, 3), "heatmaps": (19, 8, 1), "pafs": (38, 8, 1)}


def _blob(array: np.ndarray) -> bytes:
    """A LayerParameter.blobs entry (field 7) holding one BlobProto."""
    shape = _field(1, b"".join(_varint(d) for d in array.shape))  # BlobShape.dim, packed
    data = _field(5, struct.pack(f"<{array.size}f", *array.astype(np.float32).ravel()))  # packed floats
    return _field(7, _field(7, shape) + data)


def weights(seed: int = 0, *, zero_kernels: bool = False):
    """name -> (weight (out, in, k, k), bias (out,)), seeded; kernels all zero if asked."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, (o, i, k) in CONVS.items():
        w = rng.normal(0, 0.5, (o, i, k, k)).astype(np.float32)
        out[name] = (np.zeros_like(w) if zero_kernels else w, rng.normal(0, 0.1, o).astype(np.float32))
    return out


def write_tiny_caffe_model(folder: Path, seed: int = 0, *, zero_kernels: bool = False):
    """Write ``tiny.prototxt`` and ``tiny.caffemodel`` into `folder`; return both paths."""
    proto = folder / "tiny.prototxt"
    model = folder / "tiny.caffemodel"
    proto.write_text(PROTOTXT)
    net = _field(1, b"tiny_openpose")
    for name, (w, b) in weights(seed, zero_kernels=zero_kernels).items():
        layer = _field(1, name.encode()) + _field(2, b"Convolution") + _blob(w) + _blob(b)
        net += _field(100, layer)
    model.write_bytes(net)
    return proto, model
