"""Caffe's ``NetParameter`` messages, defined at run time for the ``protobuf`` package.

Only the messages and fields that deploy prototxts and trained caffemodels of
pose networks use are declared; the field numbers and types are those of
Caffe's ``caffe.proto`` (``package caffe``, proto2). Fields this module does
not declare are kept by protobuf as unknown fields in binary files, so real
caffemodels written by any Caffe fork parse.

This module imports ``google.protobuf``; it is only imported by the
converter, never by ``import openpose``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
from google.protobuf.message import DecodeError

__all__ = ["messages", "read_caffemodel", "read_prototxt"]

_F = descriptor_pb2.FieldDescriptorProto
_LABELS = {"optional": _F.LABEL_OPTIONAL, "repeated": _F.LABEL_REPEATED}
_SCALARS = {
    "double": _F.TYPE_DOUBLE,
    "float": _F.TYPE_FLOAT,
    "int64": _F.TYPE_INT64,
    "int32": _F.TYPE_INT32,
    "uint32": _F.TYPE_UINT32,
    "bool": _F.TYPE_BOOL,
    "string": _F.TYPE_STRING,
}

# Enums: name -> ((value name, number), ...). Nested in the message of the
# same prefix when the name has a dot ("Message.Enum"), top level otherwise.
_ENUMS = {
    "Phase": (("TRAIN", 0), ("TEST", 1)),
    "FillerParameter.VarianceNorm": (("FAN_IN", 0), ("FAN_OUT", 1), ("AVERAGE", 2)),
    "ParamSpec.DimCheckMode": (("STRICT", 0), ("PERMISSIVE", 1)),
    "ConvolutionParameter.Engine": (("DEFAULT", 0), ("CAFFE", 1), ("CUDNN", 2)),
    "PoolingParameter.PoolMethod": (("MAX", 0), ("AVE", 1), ("STOCHASTIC", 2)),
    "PoolingParameter.Engine": (("DEFAULT", 0), ("CAFFE", 1), ("CUDNN", 2)),
    "PoolingParameter.RoundMode": (("CEIL", 0), ("FLOOR", 1)),
    "ReLUParameter.Engine": (("DEFAULT", 0), ("CAFFE", 1), ("CUDNN", 2)),
    "EltwiseParameter.EltwiseOp": (("PROD", 0), ("SUM", 1), ("MAX", 2)),
    "V1LayerParameter.DimCheckMode": (("STRICT", 0), ("PERMISSIVE", 1)),
    "V1LayerParameter.LayerType": (
        ("NONE", 0), ("ABSVAL", 35), ("ACCURACY", 1), ("ARGMAX", 30), ("BNLL", 2),
        ("CONCAT", 3), ("CONTRASTIVE_LOSS", 37), ("CONVOLUTION", 4), ("DATA", 5),
        ("DECONVOLUTION", 39), ("DROPOUT", 6), ("DUMMY_DATA", 32), ("EUCLIDEAN_LOSS", 7),
        ("ELTWISE", 25), ("EXP", 38), ("FLATTEN", 8), ("HDF5_DATA", 9), ("HDF5_OUTPUT", 10),
        ("HINGE_LOSS", 28), ("IM2COL", 11), ("IMAGE_DATA", 12), ("INFOGAIN_LOSS", 13),
        ("INNER_PRODUCT", 14), ("LRN", 15), ("MEMORY_DATA", 29),
        ("MULTINOMIAL_LOGISTIC_LOSS", 16), ("MVN", 34), ("POOLING", 17), ("POWER", 26),
        ("RELU", 18), ("SIGMOID", 19), ("SIGMOID_CROSS_ENTROPY_LOSS", 27), ("SILENCE", 36),
        ("SOFTMAX", 20), ("SOFTMAX_LOSS", 21), ("SPLIT", 22), ("SLICE", 33), ("TANH", 23),
        ("WINDOW_DATA", 24), ("THRESHOLD", 31),
    ),
}

# Messages: name -> ((label, type, field name, number, options), ...).
# type is a scalar name, a message name or an enum name (as in _ENUMS);
# options may hold "default" (text form) and "packed".
_MESSAGES = {
    "BlobShape": (("repeated", "int64", "dim", 1, {"packed": True}),),
    "BlobProto": (
        ("optional", "BlobShape", "shape", 7, {}),
        ("repeated", "float", "data", 5, {"packed": True}),
        ("repeated", "float", "diff", 6, {"packed": True}),
        ("repeated", "double", "double_data", 8, {"packed": True}),
        ("repeated", "double", "double_diff", 9, {"packed": True}),
        ("optional", "int32", "num", 1, {"default": "0"}),
        ("optional", "int32", "channels", 2, {"default": "0"}),
        ("optional", "int32", "height", 3, {"default": "0"}),
        ("optional", "int32", "width", 4, {"default": "0"}),
    ),
    "FillerParameter": (
        ("optional", "string", "type", 1, {"default": "constant"}),
        ("optional", "float", "value", 2, {"default": "0"}),
        ("optional", "float", "min", 3, {"default": "0"}),
        ("optional", "float", "max", 4, {"default": "1"}),
        ("optional", "float", "mean", 5, {"default": "0"}),
        ("optional", "float", "std", 6, {"default": "1"}),
        ("optional", "int32", "sparse", 7, {"default": "-1"}),
        ("optional", "FillerParameter.VarianceNorm", "variance_norm", 8, {"default": "FAN_IN"}),
    ),
    "NetState": (
        ("optional", "Phase", "phase", 1, {"default": "TEST"}),
        ("optional", "int32", "level", 2, {"default": "0"}),
        ("repeated", "string", "stage", 3, {}),
    ),
    "NetStateRule": (
        ("optional", "Phase", "phase", 1, {}),
        ("optional", "int32", "min_level", 2, {}),
        ("optional", "int32", "max_level", 3, {}),
        ("repeated", "string", "stage", 4, {}),
        ("repeated", "string", "not_stage", 5, {}),
    ),
    "ParamSpec": (
        ("optional", "string", "name", 1, {}),
        ("optional", "ParamSpec.DimCheckMode", "share_mode", 2, {}),
        ("optional", "float", "lr_mult", 3, {"default": "1"}),
        ("optional", "float", "decay_mult", 4, {"default": "1"}),
    ),
    "NetParameter": (
        ("optional", "string", "name", 1, {}),
        ("repeated", "string", "input", 3, {}),
        ("repeated", "BlobShape", "input_shape", 8, {}),
        ("repeated", "int32", "input_dim", 4, {}),
        ("optional", "bool", "force_backward", 5, {"default": "false"}),
        ("optional", "NetState", "state", 6, {}),
        ("optional", "bool", "debug_info", 7, {"default": "false"}),
        ("repeated", "LayerParameter", "layer", 100, {}),
        ("repeated", "V1LayerParameter", "layers", 2, {}),
    ),
    "LayerParameter": (
        ("optional", "string", "name", 1, {}),
        ("optional", "string", "type", 2, {}),
        ("repeated", "string", "bottom", 3, {}),
        ("repeated", "string", "top", 4, {}),
        ("optional", "Phase", "phase", 10, {}),
        ("repeated", "float", "loss_weight", 5, {}),
        ("repeated", "ParamSpec", "param", 6, {}),
        ("repeated", "BlobProto", "blobs", 7, {}),
        ("repeated", "bool", "propagate_down", 11, {}),
        ("repeated", "NetStateRule", "include", 8, {}),
        ("repeated", "NetStateRule", "exclude", 9, {}),
        ("optional", "ConcatParameter", "concat_param", 104, {}),
        ("optional", "ConvolutionParameter", "convolution_param", 106, {}),
        ("optional", "DropoutParameter", "dropout_param", 108, {}),
        ("optional", "EltwiseParameter", "eltwise_param", 110, {}),
        ("optional", "InputParameter", "input_param", 143, {}),
        ("optional", "PoolingParameter", "pooling_param", 121, {}),
        ("optional", "PReLUParameter", "prelu_param", 131, {}),
        ("optional", "ReLUParameter", "relu_param", 123, {}),
    ),
    "ConcatParameter": (
        ("optional", "int32", "axis", 2, {"default": "1"}),
        ("optional", "uint32", "concat_dim", 1, {"default": "1"}),
    ),
    "ConvolutionParameter": (
        ("optional", "uint32", "num_output", 1, {}),
        ("optional", "bool", "bias_term", 2, {"default": "true"}),
        ("repeated", "uint32", "pad", 3, {}),
        ("repeated", "uint32", "kernel_size", 4, {}),
        ("repeated", "uint32", "stride", 6, {}),
        ("repeated", "uint32", "dilation", 18, {}),
        ("optional", "uint32", "pad_h", 9, {"default": "0"}),
        ("optional", "uint32", "pad_w", 10, {"default": "0"}),
        ("optional", "uint32", "kernel_h", 11, {}),
        ("optional", "uint32", "kernel_w", 12, {}),
        ("optional", "uint32", "stride_h", 13, {}),
        ("optional", "uint32", "stride_w", 14, {}),
        ("optional", "uint32", "group", 5, {"default": "1"}),
        ("optional", "FillerParameter", "weight_filler", 7, {}),
        ("optional", "FillerParameter", "bias_filler", 8, {}),
        ("optional", "ConvolutionParameter.Engine", "engine", 15, {"default": "DEFAULT"}),
        ("optional", "int32", "axis", 16, {"default": "1"}),
        ("optional", "bool", "force_nd_im2col", 17, {"default": "false"}),
    ),
    "DropoutParameter": (("optional", "float", "dropout_ratio", 1, {"default": "0.5"}),),
    "EltwiseParameter": (
        ("optional", "EltwiseParameter.EltwiseOp", "operation", 1, {"default": "SUM"}),
        ("repeated", "float", "coeff", 2, {}),
        ("optional", "bool", "stable_prod_grad", 3, {"default": "true"}),
    ),
    "InputParameter": (("repeated", "BlobShape", "shape", 1, {}),),
    "PoolingParameter": (
        ("optional", "PoolingParameter.PoolMethod", "pool", 1, {"default": "MAX"}),
        ("optional", "uint32", "pad", 4, {"default": "0"}),
        ("optional", "uint32", "pad_h", 9, {"default": "0"}),
        ("optional", "uint32", "pad_w", 10, {"default": "0"}),
        ("optional", "uint32", "kernel_size", 2, {}),
        ("optional", "uint32", "kernel_h", 5, {}),
        ("optional", "uint32", "kernel_w", 6, {}),
        ("optional", "uint32", "stride", 3, {"default": "1"}),
        ("optional", "uint32", "stride_h", 7, {}),
        ("optional", "uint32", "stride_w", 8, {}),
        ("optional", "PoolingParameter.Engine", "engine", 11, {"default": "DEFAULT"}),
        ("optional", "bool", "global_pooling", 12, {"default": "false"}),
        ("optional", "PoolingParameter.RoundMode", "round_mode", 13, {"default": "CEIL"}),
    ),
    "PReLUParameter": (
        ("optional", "FillerParameter", "filler", 1, {}),
        ("optional", "bool", "channel_shared", 2, {"default": "false"}),
    ),
    "ReLUParameter": (
        ("optional", "float", "negative_slope", 1, {"default": "0"}),
        ("optional", "ReLUParameter.Engine", "engine", 2, {"default": "DEFAULT"}),
    ),
    # The pre-2015 layer format ("layers { type: CONVOLUTION ... }").
    "V1LayerParameter": (
        ("repeated", "string", "bottom", 2, {}),
        ("repeated", "string", "top", 3, {}),
        ("optional", "string", "name", 4, {}),
        ("repeated", "NetStateRule", "include", 32, {}),
        ("repeated", "NetStateRule", "exclude", 33, {}),
        ("optional", "V1LayerParameter.LayerType", "type", 5, {}),
        ("repeated", "BlobProto", "blobs", 6, {}),
        ("repeated", "string", "param", 1001, {}),
        ("repeated", "V1LayerParameter.DimCheckMode", "blob_share_mode", 1002, {}),
        ("repeated", "float", "blobs_lr", 7, {}),
        ("repeated", "float", "weight_decay", 8, {}),
        ("repeated", "float", "loss_weight", 35, {}),
        ("optional", "ConcatParameter", "concat_param", 9, {}),
        ("optional", "ConvolutionParameter", "convolution_param", 10, {}),
        ("optional", "DropoutParameter", "dropout_param", 12, {}),
        ("optional", "EltwiseParameter", "eltwise_param", 24, {}),
        ("optional", "PoolingParameter", "pooling_param", 19, {}),
        ("optional", "ReLUParameter", "relu_param", 30, {}),
    ),
}

_PACKAGE = "openpose_caffe"  # private package name: never clashes with a user's own caffe_pb2


def _file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto(name="openpose_caffe.proto", package=_PACKAGE, syntax="proto2")
    messages = {}
    for name in _MESSAGES:
        messages[name] = fdp.message_type.add(name=name)
    for enum_name, values in _ENUMS.items():
        owner, _, short = enum_name.rpartition(".")
        enum = (messages[owner].enum_type if owner else fdp.enum_type).add(name=short)
        for value_name, number in values:
            enum.value.add(name=value_name, number=number)
    for name, fields in _MESSAGES.items():
        for label, type_name, field_name, number, options in fields:
            field = messages[name].field.add(name=field_name, number=number, label=_LABELS[label])
            if type_name in _SCALARS:
                field.type = _SCALARS[type_name]
            elif type_name in _ENUMS:
                field.type = _F.TYPE_ENUM
                field.type_name = f".{_PACKAGE}.{type_name}"
            else:
                field.type = _F.TYPE_MESSAGE
                field.type_name = f".{_PACKAGE}.{type_name}"
            if "default" in options:
                field.default_value = options["default"]
            if options.get("packed"):
                field.options.packed = True
    return fdp


@lru_cache(maxsize=1)
def messages() -> dict:
    """The message classes, by Caffe name (``"NetParameter"``, ``"BlobProto"``, ...)."""
    pool = descriptor_pool.DescriptorPool()
    file_desc = pool.Add(_file_descriptor())
    del file_desc
    classes = {}
    for name in _MESSAGES:
        descriptor = pool.FindMessageTypeByName(f"{_PACKAGE}.{name}")
        classes[name] = message_factory.GetMessageClass(descriptor)
    return classes


def read_prototxt(path) -> object:
    """Parse a Caffe prototxt (text-format ``NetParameter``).

    Fields this module does not declare are skipped (they belong to layer
    types the converter rejects by name later, or are training-only).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"`prototxt` {str(path)!r} cannot be read: {exc}"
        raise ValueError(msg) from exc
    net = messages()["NetParameter"]()
    try:
        text_format.Parse(text, net, allow_unknown_field=True)
    except text_format.ParseError as exc:
        msg = f"`prototxt` {str(path)!r} is not a Caffe text-format network: {exc}"
        raise ValueError(msg) from exc
    return net


def read_caffemodel(path) -> object:
    """Parse a Caffe binary caffemodel (binary ``NetParameter`` with weight blobs)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"`caffemodel` {str(path)!r} cannot be read: {exc}"
        raise ValueError(msg) from exc
    net = messages()["NetParameter"]()
    try:
        net.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        msg = f"`caffemodel` {str(path)!r} is not a Caffe binary network (corrupt or truncated?): {exc}"
        raise ValueError(msg) from exc
    if not data or (len(net.layer) == 0 and len(net.layers) == 0):
        msg = f"`caffemodel` {str(path)!r} holds no layers: it is not a trained Caffe network"
        raise ValueError(msg)
    return net
