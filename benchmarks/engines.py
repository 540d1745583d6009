"""Which engine and precision to pick: one row per engine x precision, measured side by side in one process.

For each configuration that the installed runtimes and this CPU support:

- first frame: seconds from building the `PoseEstimator` to the first
  network output (loading, compiling);
- network: milliseconds per frame of the engine alone (`Engine.run`) on the
  prepared inputs of the video's frames, one after the other;
- command: frames per second of the ``openpose`` command's pipeline
  (`openpose.pipeline.run_pipeline` with the command's JSON writer, as
  ``openpose video.avi --write-json DIR`` runs it, after the first frame);
- command / network: the command's rate over the network's own;
- AP: COCO OKS AP on ../shared/data/dev (pycocotools), cached per
  configuration in ``$XDG_CACHE_HOME/openpose-bench`` (``--no-ap``: skipped).

    python benchmarks/engines.py [--frames N] [--no-ap] [--write-readme]

Timings on a shared machine are noisy: compare rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import openpose
from openpose.engines import PRECISIONS, engine_class, engine_names
from openpose.models import prepare

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL = SHARED / "models" / "openpose_mobilenet_v2_small_coco.onnx"
VIDEO = SHARED / "media" / "video.avi"
DEV = SHARED / "data" / "dev"
README = ROOT / "README.md"
START, END = "<!-- engines-table:start -->", "<!-- engines-table:end -->"


def configurations() -> list[tuple[str, str]]:
    """(engine, precision) of every configuration this machine can run on the CPU."""
    rows = []
    for name in engine_names():
        try:
            supported = engine_class(name).supported_precisions("cpu")
        except ImportError:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        rows += [(name, p) for p in PRECISIONS if p in supported]
    return rows


def read_frames(n: int) -> list[np.ndarray]:
    import cv2

    cap = cv2.VideoCapture(str(VIDEO))
    frames = []
    while not n or len(frames) < n:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def network_ms(estimator, frames) -> float:
    """Mean ms of the engine alone over the prepared frames (a rate, as the command's)."""
    blobs = [prepare(f, estimator.spec, estimator.net_input_size((f.shape[1], f.shape[0]))) for f in frames]
    times = []
    for blob in blobs:
        t0 = time.perf_counter()
        estimator.engine.run(blob)
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.fmean(times)


def command_fps(estimator, n_frames: int) -> float:
    """Frames per second of the command's pipeline on the video, writing JSON."""
    from openpose.outputs import Outputs
    from openpose.pipeline import iter_frames, run_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        outputs = Outputs(json_dir=tmp)
        try:
            summary = run_pipeline(estimator, iter_frames([VIDEO], max_frames=n_frames or None),
                                   lambda item: outputs.write(item.frame, item.result) if hasattr(item, "result")
                                   else True)
        finally:
            outputs.close(complete=True)
    return summary.frames / summary.wall_s


def dev_ap(engine: str, precision: str) -> float:
    """OKS AP on the dev set (cached)."""
    import cv2

    from openpose.evaluation import evaluate_oks

    cache_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "openpose-bench"
    key = f"ap-{engine}-{precision}-{MODEL.stat().st_size}-{openpose.__version__}.json"
    cached = cache_dir / key
    if cached.exists():
        return float(json.loads(cached.read_text())["AP"])
    estimator = openpose.PoseEstimator(MODEL, engine=engine, precision=precision)
    results = {p.name: estimator.estimate(cv2.imread(str(p))) for p in sorted(DEV.glob("*.jpg"))}
    stats = evaluate_oks(results, DEV / "gt.json")
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(stats))
    return stats["AP"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=100, help="video frames per measurement (0: all 205)")
    parser.add_argument("--no-ap", action="store_true", help="skip the dev-set AP")
    parser.add_argument("--write-readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    if not (MODEL.exists() and VIDEO.exists()):
        raise SystemExit(f"needs {MODEL} and {VIDEO}")
    frames = read_frames(args.frames)
    rows = []
    for engine, precision in configurations():
        t0 = time.perf_counter()
        estimator = openpose.PoseEstimator(MODEL, engine=engine, precision=precision)
        estimator.forward(frames[0])
        first_s = time.perf_counter() - t0
        net = network_ms(estimator, frames)
        fps = command_fps(estimator, len(frames))
        ap = None if args.no_ap else dev_ap(engine, precision)
        rows.append((engine, precision, first_s, net, fps, ap))
        print(f"{engine} {precision}: first frame {first_s:.2f} s, network {net:.1f} ms, command {fps:.1f} fps, "
              f"ratio {fps * net / 1e3:.2f}, AP {ap}", file=sys.stderr)
    base = next((r for r in rows if r[:2] == ("cv2", "fp32")), rows[0])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [(f"`video.avi`, first {len(frames)} frames (1280x720, net height 368), shared model, "
              f"{os.cpu_count()} CPU cores, load average {load:.1f} at the end; one process, one run."), "",
             ("| engine | precision | network ms/frame | command fps | command / network | vs cv2 fp32 | "
              "dev AP | first frame s |"),
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for engine, precision, first_s, net, fps, ap in rows:
        ap_text = "-" if ap is None else f"{ap:.3f}"
        lines.append(f"| {engine} | {precision} | {net:.1f} | {fps:.1f} | {100 * fps * net / 1e3:.0f}% | "
                     f"{fps / base[4]:.2f}x | {ap_text} | {first_s:.2f} |")
    text = "\n".join(lines)
    print(text)
    if args.write_readme:
        readme = README.read_text(encoding="utf-8")
        if START not in readme or END not in readme:
            raise SystemExit(f"README.md has no {START} ... {END} block")
        head, rest = readme.split(START, 1)
        README.write_text(head + START + "\n" + text + "\n" + END + rest.split(END, 1)[1], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
