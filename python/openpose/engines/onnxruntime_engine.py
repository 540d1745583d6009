"""The ``onnxruntime`` engine: ONNX Runtime (``pip install "openpose[onnxruntime]"``).

Threads: one intra-op pool of one thread per core this process may use
(`openpose.engines.cpu_threads`), no inter-op parallelism (the network is a
chain: sequential execution), and no spinning: by default onnxruntime's
idle pool threads spin-wait for the next op, burning the cores that the
command's decoding, pre- and post-processing threads need between two
frames; without spinning they sleep, and those stages run in the gaps.

Precision and devices: fp32 only (onnxruntime runs the model's own float32
graph; reduced precision would need a converted model). ``device="cuda"``
uses the CUDA execution provider of ``onnxruntime-gpu`` when it is installed
and finds a GPU.
"""

from __future__ import annotations

import numpy as np

from ..models import onnx_file, onnx_source
from . import DEFAULT_DEVICE, DEFAULT_PRECISION, Engine, cpu_threads

__all__ = ["ENGINE", "OnnxruntimeEngine"]


class OnnxruntimeEngine(Engine):
    """An ``onnxruntime.InferenceSession`` on an ``.onnx`` file (CPU, or CUDA with ``onnxruntime-gpu``).

    A CMU ``.prototxt`` is converted once to ONNX with a free input size and
    cached (`openpose.models.onnx_file`; needs ``openpose[convert]`` too).
    ``InferenceSession.run`` is thread-safe, so calls are not serialised.
    """

    name = "onnxruntime"
    extra = "onnxruntime"
    thread_safe = True

    @classmethod
    def supported_devices(cls) -> tuple[str, ...]:
        ort = cls.import_runtime("onnxruntime")
        return ("cpu", "cuda") if "CUDAExecutionProvider" in ort.get_available_providers() else ("cpu",)

    @classmethod
    def unsupported_device_reason(cls, device: str) -> str:
        if device != "cuda":
            return super().unsupported_device_reason(device)
        return ("this onnxruntime has no CUDA execution provider (it is in the onnxruntime-gpu package, "
                "which needs an NVIDIA GPU)")

    def __init__(self, model, *, weights=None, precision: str = DEFAULT_PRECISION,
                 device: str = DEFAULT_DEVICE) -> None:
        ort = self.import_runtime("onnxruntime")
        self.precision, self.device = self.check_options(precision=precision, device=device)
        path = onnx_file(model, weights=weights, why="onnxruntime reads only ONNX")
        options = ort.SessionOptions()
        options.intra_op_num_threads = cpu_threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if self.device == "cuda" \
            else ["CPUExecutionProvider"]
        try:
            self.session = ort.InferenceSession(onnx_source(path), sess_options=options, providers=providers)
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own exception types (InvalidProtobuf, Fail, ...)
            msg = f"onnxruntime could not import {str(path)!r}: {str(exc).strip()[-300:]}"
            raise ValueError(msg) from None
        if self.device == "cuda" and self.session.get_providers()[0] != "CUDAExecutionProvider":
            # onnxruntime falls back to the CPU when the CUDA provider cannot start (no GPU, no CUDA libraries).
            msg = ("`device` 'cuda' is not available: onnxruntime's CUDA execution provider could not start here "
                   "(no GPU, or no CUDA libraries); use device='cpu'")
            raise ValueError(msg)
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            shapes = [(i.name, i.shape) for i in inputs]
            msg = f"{str(path)!r} is not a pose network with one image input (N, 3, H, W): its inputs are {shapes}"
            raise ValueError(msg)
        self._input = inputs[0].name
        self._outputs = [o.name for o in self.session.get_outputs()]
        # A declared height and width (ints) are the only ones onnxruntime accepts.
        height, width = (d if isinstance(d, int) else None for d in inputs[0].shape[2:])
        self._fixed = (height, width)
        self._path = path

    @property
    def fixed_input_size(self) -> tuple[int | None, int | None]:
        """The input height and width the ONNX file declares (onnxruntime runs it at those only); None: free."""
        return self._fixed

    def run(self, blob: np.ndarray) -> dict[str, np.ndarray]:
        for declared, got, side in zip(self._fixed, blob.shape[2:], ("height", "width"), strict=True):
            if declared is not None and declared != got:
                msg = (
                    f"{self._path.name!r} declares a fixed input {side} of {declared}, and onnxruntime runs it "
                    f"at that size only (this input is {blob.shape[3]}x{blob.shape[2]}): use a model with a "
                    "dynamic input shape with onnxruntime, or the cv2 engine"
                )
                raise ValueError(msg)
        outs = self.session.run(None, {self._input: blob})  # new arrays
        return {name: np.asarray(out, dtype=np.float32) for name, out in zip(self._outputs, outs)}


ENGINE = OnnxruntimeEngine
