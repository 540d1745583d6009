"""End to end on ../shared/media/video.avi: frames per second with the shared
model, split into decoding, network (cv2.dnn) and post-processing (C++, each
mode on the same network output), sequentially on one thread.

    python benchmarks/video_fps.py [--frames N] [--write-docs]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cases as bc
import openpose
from doc_tables import write_table


def main(argv=None):
    import cv2

    parser = argparse.ArgumentParser(description="video throughput")
    parser.add_argument("--frames", type=int, default=0, help="stop after N frames (0: all)")
    parser.add_argument("--write-docs", action="store_true", help="write the result into docs/performance.md")
    args = parser.parse_args(argv)
    path = bc.MEDIA / "video.avi"
    if not path.exists():
        raise SystemExit(f"{path} is not available")
    cap = cv2.VideoCapture(str(path))
    modes = ("seed", "accurate")
    t_dec = t_net = 0.0
    t_post = dict.fromkeys(modes, 0.0)
    people = dict.fromkeys(modes, 0)
    n = 0
    size = (0, 0)
    while True:
        t0 = time.perf_counter()
        ok, frame = cap.read()
        t1 = time.perf_counter()
        if not ok:
            break
        size = (frame.shape[1], frame.shape[0])
        out = bc.forward(frame)
        t2 = time.perf_counter()
        for mode in modes:
            t = time.perf_counter()
            people[mode] += len(openpose.postprocess(out, image_size=size, mode=mode))
            t_post[mode] += time.perf_counter() - t
        t_dec, t_net = t_dec + t1 - t0, t_net + t2 - t1
        n += 1
        if args.frames and n >= args.frames:
            break
    cap.release()
    lines = [(f"`{path.name}`: {n} frames of {size[0]}x{size[1]}, shared model at net height 368, one thread, "
              "no overlap between stages (the `openpose` command overlaps them)."), "",
             "| mode | people per frame | fps | decode ms | network ms | post-processing ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for mode in modes:
        total = t_dec + t_net + t_post[mode]
        lines.append(f"| {mode} | {people[mode] / max(n, 1):.1f} | {n / total:.1f} | "
                     f"{1e3 * t_dec / n:.1f} ({100 * t_dec / total:.0f}%) | "
                     f"{1e3 * t_net / n:.1f} ({100 * t_net / total:.0f}%) | "
                     f"{1e3 * t_post[mode] / n:.2f} ({100 * t_post[mode] / total:.1f}%) |")
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_table("performance.md", "video-table", text)

if __name__ == "__main__":
    main()
