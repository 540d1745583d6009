"""End to end on ../shared/media/video.avi: frames per second with the shared
model, split into decoding, network (cv2.dnn) and post-processing (C++ seed mode).

    python benchmarks/video_fps.py [--frames N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cases as bc  # noqa: E402

import openpose  # noqa: E402


def main(argv=None):
    import cv2

    parser = argparse.ArgumentParser(description="video throughput")
    parser.add_argument("--frames", type=int, default=0, help="stop after N frames (0: all)")
    args = parser.parse_args(argv)
    path = bc.MEDIA / "video.avi"
    if not path.exists():
        raise SystemExit(f"{path} is not available")
    cap = cv2.VideoCapture(str(path))
    t_dec = t_net = t_post = 0.0
    n = people = 0
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
        res = openpose.postprocess(out, image_size=size)
        t3 = time.perf_counter()
        t_dec, t_net, t_post = t_dec + t1 - t0, t_net + t2 - t1, t_post + t3 - t2
        n += 1
        people += len(res)
        if args.frames and n >= args.frames:
            break
    cap.release()
    total = t_dec + t_net + t_post
    print(f"{n} frames {size[0]}x{size[1]}, {people / max(n, 1):.1f} people per frame: "
          f"{n / total:.1f} fps; per frame: decode {1e3 * t_dec / n:.1f} ms ({100 * t_dec / total:.0f}%), "
          f"network {1e3 * t_net / n:.1f} ms ({100 * t_net / total:.0f}%), "
          f"post-processing {1e3 * t_post / n:.2f} ms ({100 * t_post / total:.1f}%)")


if __name__ == "__main__":
    main()
