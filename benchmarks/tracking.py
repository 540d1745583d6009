"""Measure the tracker and the smoothing, and write the tracking table of docs/tracking.md.

1. The constructed sequence with known identities (``tests/tracking_scenes.py``:
   annotated people of ../shared/data/dev moved along known paths, two
   crossing, one hidden for 10 frames, noise, dropped parts, shuffled
   order), over several seeds: id switches, fragmented identities, lost
   frames, merged ids; the tracker's time per frame.
2. ../shared/media/video.avi through the shared model (the network's poses
   cached in /tmp): the jitter (mean absolute second difference of each
   tracked keypoint's position, over three consecutive frames where the
   part is there) without and with smoothing, and the mean distance that
   smoothing moves a keypoint.

The table goes into docs/tracking.md between the ``tracking-table`` markers
(``--print`` only prints it).

    python benchmarks/tracking.py            # from the repository root
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from doc_tables import write_table  # noqa: E402
from openpose.tracking import PoseTracker  # noqa: E402
from tracking_scenes import (  # noqa: E402
    FIXTURE,
    count_errors,
    estimator_description,
    load_run,
    real_pixel_errors,
    real_pixel_run,
    save_run,
    scene,
    true_poses,
)

SHARED = ROOT.parent / "shared"
CACHE = Path("/tmp/openpose_tracking_video_poses.npz")
CROPS_CACHE = Path("/tmp/openpose_tracking_real_pixels.npz")


def synthetic(seeds: int = 10, frames: int = 120, hidden: int = 10) -> dict:
    totals: dict[str, int] = {}
    times = []
    for seed in range(seeds):
        sequence = scene(frames=frames, hidden=hidden, seed=seed)
        tracker = PoseTracker()
        found = []
        for poses, _ in sequence:
            t0 = time.perf_counter()
            ids, _ = tracker.update(poses)
            times.append(time.perf_counter() - t0)
            found.append(ids)
        for key, value in count_errors([ids for _, ids in sequence], found).items():
            totals[key] = totals.get(key, 0) + value
    smooth_times = []
    for seed in range(2):
        tracker = PoseTracker(smoothing=True)
        for poses, _ in scene(frames=frames, hidden=hidden, seed=seed):
            t0 = time.perf_counter()
            tracker.update(poses)
            smooth_times.append(time.perf_counter() - t0)
    return {**totals, "seeds": seeds, "frames": frames, "hidden": hidden,
            "us": 1e6 * float(np.median(times)), "us_smooth": 1e6 * float(np.median(smooth_times))}


def video_poses() -> tuple[list[np.ndarray], float]:
    """The default estimator's poses of every frame of video.avi (cached per estimator settings), and its frame rate."""
    import openpose

    estimator = openpose.PoseEstimator()
    description = estimator_description(estimator)
    data = np.load(CACHE, allow_pickle=False) if CACHE.is_file() else None
    if data is not None and "description" in data and str(data["description"]) == description:
        counts = data["counts"]
        flat = data["poses"]
        out, start = [], 0
        for c in counts:
            out.append(flat[start:start + c])
            start += c
        return out, float(data["fps"])
    import cv2

    cap = cv2.VideoCapture(str(SHARED / "media" / "video.avi"))
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    out = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        out.append(estimator.estimate(image).poses)
    cap.release()
    k = out[0].shape[1] if out else 18
    flat = np.concatenate([*out, np.zeros((0, k, 3), np.float32)])
    np.savez(CACHE, poses=flat, counts=np.asarray([len(p) for p in out]), fps=fps, description=description)
    return out, fps


def tracks_of(frames: list[np.ndarray], smoothing: bool, fps: float) -> dict[int, dict[int, np.ndarray]]:
    tracker = PoseTracker(smoothing=smoothing, fps=fps)
    tracks: dict[int, dict[int, np.ndarray]] = {}
    for f, poses in enumerate(frames):
        ids, out = tracker.update(poses, frame=f)
        for track_id, pose in zip(ids.tolist(), out, strict=True):
            if track_id >= 0:  # not a tentative track's person
                tracks.setdefault(track_id, {})[f] = pose
    return tracks


def jitter(tracks: dict[int, dict[int, np.ndarray]]) -> float:
    """Mean |x[t+1] - 2 x[t] + x[t-1]| (Euclidean, px) over every part present in three consecutive frames."""
    values = []
    for frames in tracks.values():
        for f, pose in frames.items():
            if f - 1 in frames and f + 1 in frames:
                a, b = frames[f - 1], frames[f + 1]
                present = (a[:, 2] > 0) & (pose[:, 2] > 0) & (b[:, 2] > 0)
                second = b[present, :2] - 2 * pose[present, :2] + a[present, :2]
                values.extend(np.linalg.norm(second, axis=1).tolist())
    return float(np.mean(values)) if values else 0.0


def crops_measure(write_fixture: bool = False) -> dict | None:
    """The tracker on the network's poses of the real-pixel sequence (``tracking_scenes.crop_frames``).

    The crops are chosen by ``tracking_scenes.choose_crops`` and the poses
    computed by the default estimator (the balanced preset and its model);
    both are cached in /tmp, and with `write_fixture` written to
    ``tests/data/tracking_real_pixels.npz`` for the test.
    """
    if not (SHARED / "data" / "dev" / "gt.json").is_file():
        return None
    import openpose

    estimator = openpose.PoseEstimator()
    description = estimator_description(estimator)
    if CROPS_CACHE.is_file() and load_run(CROPS_CACHE)[3] == description:
        ann_ids, drawn, per_frame, _ = load_run(CROPS_CACHE)
    else:
        ann_ids, drawn, per_frame = real_pixel_run(lambda image: estimator.estimate(image).poses)
        save_run(CROPS_CACHE, ann_ids, per_frame, description)
    if write_fixture:
        save_run(FIXTURE, ann_ids, per_frame, description)
    tracker = PoseTracker()
    errors = real_pixel_errors(per_frame, drawn, lambda poses: tracker.update(poses)[0], truth=true_poses(ann_ids))
    tracker = PoseTracker()
    centre = real_pixel_errors(per_frame, drawn, lambda poses: tracker.update(poses)[0])
    return {**errors, "crops": ann_ids, "centre": centre}


def network_ms(repeats: int = 3) -> float:
    """The default estimator's median time per video frame (network and post-processing), for the ratio."""
    import cv2

    import openpose

    estimator = openpose.PoseEstimator()
    cap = cv2.VideoCapture(str(SHARED / "media" / "video.avi"))
    ok, image = cap.read()
    cap.release()
    times = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        estimator.estimate(image)
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times[1:]))


def video(frames: list[np.ndarray], fps: float) -> dict:
    raw = tracks_of(frames, False, fps)
    smooth = tracks_of(frames, True, fps)
    offsets = []
    for track_id, per_frame in raw.items():
        for f, pose in per_frame.items():
            present = pose[:, 2] > 0
            offsets.extend(np.linalg.norm(smooth[track_id][f][present, :2] - pose[present, :2], axis=1).tolist())
    j_raw, j_smooth = jitter(raw), jitter(smooth)
    t0 = time.perf_counter()
    tracks_of(frames, True, fps)
    per_frame_us = 1e6 * (time.perf_counter() - t0) / max(len(frames), 1)
    return {"frames": len(frames), "people": float(np.mean([len(p) for p in frames])) if frames else 0.0,
            "tracks": len(raw), "us": per_frame_us, "net_ms": network_ms(), "jitter_raw": j_raw, "jitter_smooth": j_smooth,
            "cut": 1.0 - j_smooth / j_raw if j_raw else 0.0, "offset": float(np.mean(offsets)) if offsets else 0.0}


def table(s: dict, v: dict | None, c: dict | None = None) -> str:
    lines = [
        "| measure | value |",
        "|---|---|",
        (f"| constructed sequence | {s['seeds']} seeds x {s['frames']} frames, 4 people, a crossing, "
         f"one hidden {s['hidden']} frames |"),
        f"| id switches | {s['switches']} |",
        f"| fragmented identities | {s['fragmented']} of {s['identities']} |",
        f"| lost frames (person, frame) | {s['lost_frames']} |",
        f"| merged ids | {s['merged']} |",
        f"| tracker time per frame (median, 4 people) | {s['us']:.0f} us; with smoothing {s['us_smooth']:.0f} us |",
    ]
    if c is not None:
        k = c["centre"]
        lines += [
            (f"| real pixels: {c['frames']} frames, 4 dev-set people's crops (annotations "
             f"{', '.join(str(a) for a in c['crops'])}) over a background, through the default estimator; "
             "a crossing with occlusion, one hidden 10 frames | |"),
            f"| real pixels: id switches, fragmented, merged | {c['switches']}, {c['fragmented']}, {c['merged']} |",
            (f"| real pixels: lost frames (of which without an id yet), drawn people not matched (OKS < 0.5), "
             f"detections matched to nobody | {c['lost_frames']} ({c['untracked']}), {c['missed']}, {c['extra']} |"),
            (f"| real pixels, labelled by the crop holding each detection's centre instead: switches, fragmented, "
             f"merged | {k['switches']}, {k['fragmented']}, {k['merged']} |"),
        ]
    if v is not None:
        lines += [
            f"| video.avi: frames, tracks | {v['frames']}, {v['tracks']} |",
            (f"| video.avi: jitter without / with smoothing | {v['jitter_raw']:.2f} px / "
             f"{v['jitter_smooth']:.2f} px ({100 * v['cut']:.0f}% less) |"),
            f"| video.avi: mean offset smoothing adds | {v['offset']:.2f} px |",
            (f"| video.avi: tracking + smoothing per frame ({v['people']:.1f} people) vs the network | {v['us']:.0f} us vs "
             f"{v['net_ms']:.0f} ms ({100 * v['us'] / 1000 / v['net_ms']:.2f}%) |"),
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--print", action="store_true", help="print the table, do not write docs/tracking.md")
    parser.add_argument("--write-fixture", action="store_true",
                        help="also write the real-pixel poses to tests/data/tracking_real_pixels.npz")
    args = parser.parse_args()
    s = synthetic()
    v = None
    if (SHARED / "media" / "video.avi").is_file():
        frames, fps = video_poses()
        v = video(frames, fps)
    text = table(s, v, crops_measure(args.write_fixture))
    print(text)
    if not args.print:
        write_table("tracking.md", "tracking-table", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
