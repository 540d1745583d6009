"""Which engine and precision to pick: one row per engine x precision, measured side by side in one process.

For each configuration that the installed runtimes and this CPU support, with
one `PoseEstimator` (the command's defaults: the balanced preset and its
model; the engine's own thread settings) used for everything:

- first frame: seconds from building the `PoseEstimator` to the first
  network output (loading, compiling);
- network: frames per second of the engine alone (`Engine.run`) on the
  prepared inputs of the same video frames, one after the other;
- command: frames per second of the ``openpose`` command's pipeline
  (`openpose.pipeline.run_pipeline` with the command's JSON writer, as
  ``openpose video.avi --write-json DIR`` runs it: decoding, pre-processing,
  network, post-processing and writing, each in its thread);
- command / network: the command's rate over the network's own. The two are
  measured back to back, ``--repeats`` times, the configurations
  interleaved (so a change in the machine's load hits every row alike); the
  table gives the median ratio and its range over the repeats;
- AP: COCO OKS AP on ../shared/data/dev (pycocotools), cached per
  configuration, estimator settings and engine code in
  ``$XDG_CACHE_HOME/openpose-bench`` (``--no-ap``: skipped);
- peak memory: the ``openpose`` command's peak resident size (the process's
  ``ru_maxrss``) writing the video's JSON, run as its own process.

A header line gives what the other stages cost alone, in one thread, per
frame (decoding, pre-processing, post-processing): what the network shares
the cores with.

    python benchmarks/engines.py [--frames N] [--repeats R] [--no-ap] [--write-docs]

Timings on a shared machine are noisy: compare rows of one run, not runs;
the load average is printed with the table.
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

import openpose
from dev_cache import command_fps, cpu_description, video_frames
from doc_tables import write_table
from openpose.engines import PRECISIONS, engine_class, engine_names

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL = "lightweight"  # the default model (the balanced preset's)
VIDEO = SHARED / "media" / "video.avi"
DEV = SHARED / "data" / "dev"


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


def network_fps(estimator, blobs) -> tuple[float, float]:
    """Frames per second of the engine alone over the prepared frames (a rate, as the command's), and CPU ms a frame."""
    t0, c0 = time.perf_counter(), time.process_time()
    for blob in blobs:
        estimator.engine.run(blob)
    return len(blobs) / (time.perf_counter() - t0), 1e3 * (time.process_time() - c0) / len(blobs)


def stage_ms(estimator, frames) -> dict[str, float]:
    """Milliseconds per frame of decoding, pre-processing and post-processing alone, in one thread."""
    import cv2

    cap = cv2.VideoCapture(str(VIDEO))
    t0 = time.perf_counter()
    for _ in frames:
        cap.read()
    decode = time.perf_counter() - t0
    cap.release()
    t0 = time.perf_counter()
    inputs = [estimator.prepare_input(f) for f in frames]
    prepare_s = time.perf_counter() - t0
    outs = [estimator.forward_prepared(i) for i in inputs]
    t0 = time.perf_counter()
    for out, size in outs:
        estimator.postprocess(out, image_size=size)
    post = time.perf_counter() - t0
    n = len(frames)
    return {"decode": 1e3 * decode / n, "prepare": 1e3 * prepare_s / n, "post": 1e3 * post / n}


def settings_key(estimator) -> str:
    """What the AP depends on: the estimator's settings and the engine's code."""
    import hashlib
    import inspect

    engine_code = inspect.getsource(sys.modules[type(estimator.engine).__module__])
    text = repr((estimator.net_height, estimator.scale_number, estimator.scale_gap, estimator.flip, estimator.mode,
                 sorted(estimator.options.items()), engine_code, Path(estimator.model).stat().st_size,
                 openpose.__version__))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def dev_ap(engine: str, precision: str) -> float:
    """OKS AP on the dev set (cached)."""
    import cv2

    from openpose.evaluation import evaluate_oks

    estimator = openpose.PoseEstimator(MODEL, engine=engine, precision=precision)
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "openpose-bench"
    cached = cache_dir / f"ap-{engine}-{precision}-{settings_key(estimator)}.json"
    if cached.exists():
        return float(json.loads(cached.read_text())["AP"])
    results = {p.name: estimator.estimate(cv2.imread(str(p))) for p in sorted(DEV.glob("*.jpg"))}
    stats = evaluate_oks(results, DEV / "gt.json")
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(stats))
    return stats["AP"]


def peak_rss_mb(engine: str, precision: str, n_frames: int) -> float:
    """The command's peak resident memory (MB) on the video's first `n_frames`, writing JSON, as its own process."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        command = [sys.executable, "-m", "openpose", str(VIDEO), "--engine", engine, "--precision", precision,
                   "--max-frames", str(n_frames or 205), "--write-json", tmp, "--quiet"]
        out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=60, help="video frames per measurement (0: all 205)")
    parser.add_argument("--repeats", type=int, default=3, help="network / command pairs per configuration")
    parser.add_argument("--no-ap", action="store_true", help="skip the dev-set AP")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/models.md")
    args = parser.parse_args(argv)
    if not VIDEO.exists():
        raise SystemExit(f"needs {VIDEO}")
    load_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    frames = video_frames(args.frames, VIDEO)
    configs = configurations()
    estimators, firsts, blobs = {}, {}, {}
    for config in configs:
        t0 = time.perf_counter()
        estimator = openpose.PoseEstimator(MODEL, engine=config[0], precision=config[1])
        estimator.forward(frames[0])
        firsts[config] = time.perf_counter() - t0
        estimators[config] = estimator
        blobs[config] = [estimator.prepare_input(f).blobs[0] for f in frames]
    first = estimators[configs[0]]
    stages = stage_ms(first, frames)
    nets: dict = {c: [] for c in configs}
    cmds: dict = {c: [] for c in configs}
    for repeat in range(args.repeats):
        for config in configs:
            nets[config].append(network_fps(estimators[config], blobs[config]))
            cmds[config].append(command_fps(estimators[config], len(frames), VIDEO))
            print(f"repeat {repeat}: {config[0]} {config[1]}: network {nets[config][-1][0]:.1f} fps "
                  f"({nets[config][-1][1]:.0f} CPU ms/frame), command {cmds[config][-1][0]:.1f} fps "
                  f"({cmds[config][-1][1]:.0f} CPU ms/frame)", file=sys.stderr)
    rows = []
    for config in configs:
        ratios = [c[0] / n[0] for c, n in zip(cmds[config], nets[config], strict=True)]
        ap = None if args.no_ap else dev_ap(*config)
        rss = peak_rss_mb(*config, len(frames))
        rows.append((*config, firsts[config], statistics.median(n[0] for n in nets[config]),
                     statistics.median(c[0] for c in cmds[config]), statistics.median(ratios), min(ratios),
                     max(ratios), statistics.median(n[1] for n in nets[config]),
                     statistics.median(c[1] for c in cmds[config]), ap, rss))
    base = next((r for r in rows if r[:2] == ("cv2", "fp32")), rows[0])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    net_w, net_h = first.net_input_size((frames[0].shape[1], frames[0].shape[0]))
    lines = [(f"`video.avi`, first {len(frames)} frames ({frames[0].shape[1]}x{frames[0].shape[0]}, network input "
              f"{net_w}x{net_h}: the default preset and model), {os.cpu_count()} cores of an {cpu_description()}, "
              f"load average "
              f"{load_start:.1f} at the start and {load:.1f} at the end; one process, {args.repeats} interleaved "
              f"repeats (medians; the ratio's range in brackets). The other stages alone, one thread: decoding "
              f"{stages['decode']:.1f} ms, pre-processing {stages['prepare']:.1f} ms, post-processing "
              f"{stages['post']:.1f} ms per frame."), "",
             ("| engine | precision | network fps | command fps | command / network | command vs cv2 fp32 | "
              "CPU ms/frame: network, command | dev AP | first frame s | command peak MB |"),
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for engine, precision, first_s, net, fps, ratio, low, high, net_cpu, cmd_cpu, ap, rss in rows:
        ap_text = "-" if ap is None else f"{ap:.3f}"
        lines.append(f"| {engine} | {precision} | {net:.1f} | {fps:.1f} | {100 * ratio:.0f}% "
                     f"({100 * low:.0f}-{100 * high:.0f}%) | {fps / base[4]:.2f}x | {net_cpu:.0f}, {cmd_cpu:.0f} | "
                     f"{ap_text} | {first_s:.2f} | {rss:.0f} |")
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_table("models.md", "engines-table", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
