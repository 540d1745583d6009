"""Measure seed-mode post-processing and write the performance tables of docs/performance.md.

One process, one run: the Python reference, the C++ core and the original
program (tests/oracle/seed_oracle.cpp compiled against the system OpenCV, if
available) on the same network outputs, side by side. The tables go into
docs/performance.md between the ``perf-tables`` markers (``--print`` only prints them).

    python benchmarks/make_tables.py            # from the repository root
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cases as bc
import openpose
from doc_tables import write_table


def median_ms(fn, rounds, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (f"{cpu}, {os.cpu_count()} cores{load}; {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, numpy {np.__version__}")


def peak_extra_memory_mb(name):
    """Peak extra resident memory (MB) of one C++ postprocess of a real case, in a fresh process (Linux)."""
    out, size = next((o, s) for n, o, s in bc.real_cases() if n == name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.npy"
        np.save(path, out)
        # Linux: reset the peak resident size (VmHWM) just before the call,
        # read it after; ru_maxrss alone would keep the earlier peak of
        # imports and loading.
        code = (
            "import re, numpy as np, openpose\n"
            f"out = np.load({str(path)!r}); openpose.postprocess(out[:, :, :4, :4], mode='seed', image_size=(8, 8))\n"
            "status = lambda key: int(re.search(key + r':\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
            "before = status('VmRSS')\n"
            "open('/proc/self/clear_refs', 'w').write('5')\n"
            f"openpose.postprocess(out, mode='seed', image_size={tuple(size)!r})\n"
            "print(status('VmHWM') - before)\n"
        )
        kb = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.strip())
    return kb / 1024.0  # ru_maxrss is in kB on Linux


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the tables, do not edit docs/performance.md")
    parser.add_argument("--cpp-rounds", type=int, default=15)
    args = parser.parse_args(argv)

    cases = bc.real_cases()
    have_oracle = bc.oracle_exe() is not None
    lines = [f"Machine: {machine()}. Seed mode, one thread, median wall time per image in ms.", ""]

    # --- real outputs ------------------------------------------------------
    lines += ["| input | image | people | Python reference | original program | C++ | vs reference | vs original |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ratios_ref, ratios_orig, cpp_times = [], [], []
    for name, out, size in cases:
        big = size[0] * size[1] > 1_000_000
        ref = openpose.postprocess(out, mode="seed", image_size=size, implementation="python")
        res = openpose.postprocess(out, mode="seed", image_size=size)
        if not bc.same_result(res, ref):
            raise SystemExit(f"C++ and Python results differ on {name}")
        t_ref = median_ms(lambda out=out, size=size: openpose.postprocess(out, mode="seed", image_size=size, implementation="python"),
                          1 if big else 3, warmup=0)
        t_cpp = median_ms(lambda out=out, size=size: openpose.postprocess(out, mode="seed", image_size=size), args.cpp_rounds)
        t_orig = None
        if have_oracle:
            orig = bc.run_oracle(out, size, repeat=1 if big else 3)
            if not np.array_equal(bc.oracle_persons(orig), res.persons):
                raise SystemExit(f"the original program finds other people on {name}")
            t_orig = orig["timing_ms"]["postprocess_median"]
            ratios_orig.append(t_orig / t_cpp)
        ratios_ref.append(t_ref / t_cpp)
        cpp_times.append((t_cpp, name))
        lines.append(f"| {name} | {size[0]}x{size[1]} | {len(res)} | {t_ref:.1f} | "
                     f"{'n/a' if t_orig is None else f'{t_orig:.1f}'} | {t_cpp:.2f} | {t_ref / t_cpp:.0f}x | "
                     f"{'n/a' if t_orig is None else f'{t_orig / t_cpp:.0f}x'} |")
        print(lines[-1], flush=True)
    worst = max(cpp_times)
    lines += ["", f"Median speed-up over these {len(cases)} inputs: {statistics.median(ratios_ref):.0f}x vs the "
              "Python reference" + (f", {statistics.median(ratios_orig):.0f}x vs the original program"
                                     if ratios_orig else " (original program not available: no opencv4 to build it)")
              + f". Slowest C++ image: {worst[1]}, {worst[0]:.1f} ms.", ""]

    # --- scaling -------------------------------------------------------------
    lines += [f"Synthetic crowds ({bc.CROWD_IMAGE[0]}x{bc.CROWD_IMAGE[1]}, maps {bc.CROWD_MAP[0]}x{bc.CROWD_MAP[1]}):",
              "", "| people | candidates | C++ ms | ms per person |", "| ---: | ---: | ---: | ---: |"]
    for n in bc.CROWD_SIZES:
        out = bc.crowd(n)
        res = openpose.postprocess(out, mode="seed", image_size=bc.CROWD_IMAGE)
        t = median_ms(lambda out=out: openpose.postprocess(out, mode="seed", image_size=bc.CROWD_IMAGE), max(3, args.cpp_rounds // 3))
        lines.append(f"| {n} | {sum(len(k) for k in res.keypoints)} | {t:.2f} | {t / n:.3f} |")
        print(lines[-1], flush=True)
    lines += ["", "Image size (4 synthetic people, same maps):", "", "| image | C++ ms |", "| --- | ---: |"]
    out = bc.crowd(4)
    for size in bc.IMAGE_SIZES:
        t = median_ms(lambda size=size: openpose.postprocess(out, mode="seed", image_size=size), max(3, args.cpp_rounds // 3))
        lines.append(f"| {size[0]}x{size[1]} | {t:.2f} |")
        print(lines[-1], flush=True)

    # --- memory and threads --------------------------------------------------
    mem = peak_extra_memory_mb("video-4k")
    photos = [(o, s) for n, o, s in cases if n.startswith("0000")]
    outs, sizes = [o for o, _ in photos], [s for _, s in photos]
    t1 = median_ms(lambda: openpose.postprocess_batch(outs, mode="seed", image_sizes=sizes, threads=1), 5)
    t2 = median_ms(lambda: openpose.postprocess_batch(outs, mode="seed", image_sizes=sizes, threads=2), 5)
    lines += ["", f"Peak extra memory of one 3840x2160 frame (C++, peak resident size VmHWM minus resident size before, fresh process): {mem:.1f} MB.",
              "", (f"`postprocess_batch` on the {len(outs)} photos: {t1:.1f} ms with 1 thread, {t2:.1f} ms with 2 "
                   f"({t1 / t2:.2f}x).")]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.print:
        write_table("performance.md", "perf-tables", text)


if __name__ == "__main__":
    main()
