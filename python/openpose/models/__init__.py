"""Models: their specs, their files, and the catalogue of built-in and known models.

- `openpose.models.spec`: `ModelSpec` (everything model-specific, as data:
  pre-processing, how the outputs become the decoder's input, layout,
  decoder defaults, presets, stages), the `MODELS` registry and `prepare`;
- `openpose.models.files`: reading model files for each runtime
  (`load_net`, `onnx_file`, `openvino_ir`), their metadata and the Caffe
  conversion cache;
- `openpose.models.catalogue`: the built-in models (short names,
  `resolve_model`) and the other model files openpose knows.
"""

from .catalogue import (
    BUILTIN_MODEL,
    BUILTIN_MODELS,
    DEFAULT_MODEL,
    KNOWN_MODELS,
    BuiltinModel,
    KnownModel,
    builtin_model,
    builtin_model_path,
    resolve_model,
)
from .files import (
    CutNetwork,
    file_spec,
    load_net,
    model_path,
    onnx_file,
    onnx_metadata,
    onnx_source,
    opencv_major,
    openvino_ir,
)
from .spec import MODELS, ModelSpec, model_spec, prepare

__all__ = [
    "BUILTIN_MODEL",
    "BUILTIN_MODELS",
    "DEFAULT_MODEL",
    "KNOWN_MODELS",
    "MODELS",
    "BuiltinModel",
    "CutNetwork",
    "KnownModel",
    "ModelSpec",
    "builtin_model",
    "builtin_model_path",
    "file_spec",
    "load_net",
    "model_path",
    "model_spec",
    "onnx_file",
    "onnx_metadata",
    "onnx_source",
    "opencv_major",
    "openvino_ir",
    "prepare",
    "resolve_model",
]
