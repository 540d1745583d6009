"""A test sequence with known identities for the tracker: real people's annotated poses moving along known paths.

The people are COCO annotations of ``../shared/data/dev`` (their 17
keypoints, scaled to one height), moved along straight paths over a
frame: two walk towards each other and cross (their boxes overlap fully at
the crossing), a third walks on and is hidden for `hidden` frames, a
fourth stands still. Each frame adds noise to the keypoints, drops parts at
random and shuffles the people, as a detector would. Used by
``tests/test_tracking.py`` and ``benchmarks/tracking.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "dev"


def dev_people(count: int, *, min_parts: int = 15) -> list[np.ndarray]:
    """`count` annotated people of the dev set with at least `min_parts` keypoints: (17, 3), centred, 200 px tall."""
    data = json.loads((DEV / "gt.json").read_text(encoding="utf-8"))
    people = []
    for ann in sorted(data["annotations"], key=lambda a: a["id"]):
        kp = np.asarray(ann["keypoints"], np.float32).reshape(-1, 3)
        present = kp[:, 2] > 0
        if ann.get("iscrowd") or present.sum() < min_parts:
            continue
        xy = kp[present, :2]
        height = float(xy[:, 1].max() - xy[:, 1].min())
        if height < 50:
            continue
        pose = np.zeros((kp.shape[0], 3), np.float32)
        centre = 0.5 * (xy.min(axis=0) + xy.max(axis=0))
        pose[present, :2] = (kp[present, :2] - centre) * (200.0 / height)
        pose[present, 2] = 1.0
        people.append(pose)
        if len(people) == count:
            break
    return people


def scene(*, frames: int = 60, hidden: int = 10, noise: float = 2.0, drop: float = 0.1, seed: int = 0):
    """The sequence: a list of (poses (P, 17, 3) float32, identities (P,) int) per frame.

    Identity 0 walks right and 1 walks left on the same line (they cross
    halfway); 2 walks down-right and is hidden for `hidden` frames from a
    third of the way; 3 stands still (swaying a little).
    """
    rng = np.random.default_rng(seed)
    people = dev_people(4)
    t = np.arange(frames, dtype=np.float64)
    paths = {
        0: np.stack([150 + 700 * t / (frames - 1), np.full(frames, 300.0)], axis=1),
        1: np.stack([850 - 700 * t / (frames - 1), np.full(frames, 310.0)], axis=1),
        2: np.stack([200 + 500 * t / (frames - 1), 550 + 100 * t / (frames - 1)], axis=1),
        3: np.stack([1100 + 5 * np.sin(t / 5), np.full(frames, 500.0)], axis=1),
    }
    gone = set(range(frames // 3, frames // 3 + hidden))
    sequence = []
    for f in range(frames):
        poses, ids = [], []
        for identity, person in enumerate(people):
            if identity == 2 and f in gone:
                continue
            pose = person.copy()
            present = pose[:, 2] > 0
            pose[present, :2] += paths[identity][f].astype(np.float32)
            pose[present, :2] += rng.normal(0.0, noise, (int(present.sum()), 2)).astype(np.float32)
            pose[present, 2] = rng.uniform(0.3, 0.9, int(present.sum())).astype(np.float32)
            dropped = present & (rng.random(pose.shape[0]) < drop)
            pose[dropped] = 0.0
            poses.append(pose)
            ids.append(identity)
        order = rng.permutation(len(poses))
        sequence.append((np.stack(poses)[order].astype(np.float32), np.asarray(ids)[order]))
    return sequence


def count_errors(truth: list[np.ndarray], found: list[np.ndarray]) -> dict:
    """Id switches, fragmented identities and lost frames of tracker ids `found` against identities `truth`.

    - switches: times a true identity's id differs from its id in the
      frame it was last seen;
    - fragmented: true identities that got more than one id;
    - lost frames: (person, frame) pairs whose id is not the identity's
      most frequent one;
    - merged: ids given to more than one true identity.
    """
    last: dict[int, int] = {}
    seen: dict[int, dict[int, int]] = {}
    owners: dict[int, set] = {}
    switches = 0
    for ids_true, ids_found in zip(truth, found, strict=True):
        for identity, track in zip(ids_true.tolist(), ids_found.tolist(), strict=True):
            if identity in last and last[identity] != track:
                switches += 1
            last[identity] = track
            counts = seen.setdefault(identity, {})
            counts[track] = counts.get(track, 0) + 1
            owners.setdefault(track, set()).add(identity)
    fragmented = sum(1 for counts in seen.values() if len(counts) > 1)
    lost = sum(sum(counts.values()) - max(counts.values()) for counts in seen.values())
    merged = sum(1 for who in owners.values() if len(who) > 1)
    return {"switches": switches, "fragmented": fragmented, "lost_frames": lost, "merged": merged,
            "identities": len(seen), "ids": len(owners)}
