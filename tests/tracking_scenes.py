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
      frame it last had one;
    - fragmented: true identities that got more than one id;
    - lost frames: (person, frame) pairs whose id is not the identity's
      most frequent one (-1 included);
    - merged: ids given to more than one true identity;
    - untracked: (person, frame) pairs given no id (-1: a tentative track,
      as a tracker that does not report a person yet; not a switch).
    """
    last: dict[int, int] = {}
    seen: dict[int, dict[int, int]] = {}
    owners: dict[int, set] = {}
    appearances: dict[int, int] = {}
    switches = untracked = 0
    for ids_true, ids_found in zip(truth, found, strict=True):
        for identity, track in zip(ids_true.tolist(), ids_found.tolist(), strict=True):
            appearances[identity] = appearances.get(identity, 0) + 1
            counts = seen.setdefault(identity, {})
            if track < 0:
                untracked += 1
                continue
            if identity in last and last[identity] != track:
                switches += 1
            last[identity] = track
            counts[track] = counts.get(track, 0) + 1
            owners.setdefault(track, set()).add(identity)
    fragmented = sum(1 for counts in seen.values() if len(counts) > 1)
    lost = sum(appearances[i] - max(counts.values(), default=0) for i, counts in seen.items())
    merged = sum(1 for who in owners.values() if len(who) > 1)
    return {"switches": switches, "fragmented": fragmented, "lost_frames": lost, "merged": merged,
            "untracked": untracked, "identities": len(seen), "ids": len(owners)}


# --------------------------------------------------------------------------- #
# Real pixels: dev-set people's crops moving over a background, through the network
# --------------------------------------------------------------------------- #

#: The canvas of the real-pixel sequence (width, height) and the height of every crop on it.
CANVAS = (1280, 540)
CROP_HEIGHT = 300
#: A crop's margin around the annotated box, as a fraction of the box's height.
CROP_MARGIN = 0.1
#: Which annotated people may be used: alone in their photo, at least this many of COCO's 17 keypoints
#: labelled, and at least this many pixels tall in the photo (so the crop is shrunk, never enlarged).
MIN_LABELLED = 14
MIN_PHOTO_HEIGHT = 200
#: ... and whose crop fits its lane (at most this fraction of its height wide) ...
MAX_CROP_ASPECT = 0.75
#: ... and which of those are used: alone on the background anywhere on the paths, the network finds
#: exactly one person, with at least this many of its 18 parts (`choose_crops`).
MIN_FOUND_PARTS = 11
#: The order in which the people are drawn, back to front (1 passes in front of 0 at the crossing).
DRAW_ORDER = (3, 2, 0, 1)


def crop_candidates(*, with_keypoints: bool = False) -> list[tuple]:
    """(annotation id, crop) of every dev-set person meeting the photo criteria, by annotation id.

    The criteria: the only annotation of their photo (no crowd region
    either), at least `MIN_LABELLED` keypoints labelled, at least
    `MIN_PHOTO_HEIGHT` px tall; the crop, the annotated box plus a margin
    of `CROP_MARGIN` of its height (clipped to the photo) resized to
    `CROP_HEIGHT` px high (the person about 250 px, nearly half the
    canvas: the network misses most of these people at 200 px), at most
    `MAX_CROP_ASPECT` times as wide as high (so the lanes of `crop_paths`
    do not touch). With `with_keypoints`, each entry also has the person's
    annotated keypoints in the crop's pixels (17, 3) and their annotated
    area in the crop's pixels.
    """
    import cv2

    data = json.loads((DEV / "gt.json").read_text(encoding="utf-8"))
    per_image: dict[int, int] = {}
    for ann in data["annotations"]:
        per_image[ann["image_id"]] = per_image.get(ann["image_id"], 0) + 1
    names = {im["id"]: im["file_name"] for im in data["images"]}
    out = []
    for ann in sorted(data["annotations"], key=lambda a: a["id"]):
        if (per_image[ann["image_id"]] != 1 or ann["iscrowd"] or ann["num_keypoints"] < MIN_LABELLED
                        or ann["bbox"][3] < MIN_PHOTO_HEIGHT):
            continue
        image = cv2.imread(str(DEV / names[ann["image_id"]]))
        x, y, w, h = ann["bbox"]
        m = CROP_MARGIN * h
        x0, y0 = int(max(x - m, 0)), int(max(y - m, 0))
        x1, y1 = int(min(x + w + m, image.shape[1])), int(min(y + h + m, image.shape[0]))
        crop = image[y0:y1, x0:x1]
        scale = CROP_HEIGHT / crop.shape[0]
        size = (max(int(round(crop.shape[1] * scale)), 1), CROP_HEIGHT)
        if size[0] <= MAX_CROP_ASPECT * CROP_HEIGHT:
            entry: tuple = (int(ann["id"]), cv2.resize(crop, size, interpolation=cv2.INTER_AREA))
            if with_keypoints:
                kp = np.asarray(ann["keypoints"], np.float64).reshape(-1, 3)
                kp[:, 0] = (kp[:, 0] - x0) * size[0] / crop.shape[1]
                kp[:, 1] = (kp[:, 1] - y0) * scale
                entry += (kp, float(ann["area"]) * (size[0] / crop.shape[1]) * scale)
            out.append(entry)
    return out


def crop_paths(frames: int = 60) -> dict[int, np.ndarray]:
    """The centre of each identity's crop in every frame, (frames, 2).

    Three lanes side by side on one row that never overlap: in the left
    one, 0 walks right and 1 walks left (they cross halfway, 1 in front);
    in the middle one, 2 walks right (hidden for a while, see
    `crop_frames`); in the right one, 3 stands, swaying a little.
    """
    t = np.arange(frames, dtype=np.float64) / (frames - 1)
    row = np.full(frames, 270.0)
    return {0: np.stack([140 + 400 * t, row - 60], 1),
            1: np.stack([540 - 400 * t, row + 40], 1),
            2: np.stack([770 + 170 * t, row], 1),
            3: np.stack([1172 + 4 * np.sin(20 * t), row], 1)}


def _background() -> np.ndarray:
    rng = np.random.default_rng(0)
    w, h = CANVAS
    return (np.full((h, w, 3), 110, np.uint8) + rng.integers(0, 20, (h, w, 3))).astype(np.uint8)


def _origin(crop_shape, centre) -> tuple[int, int]:
    return int(centre[0] - crop_shape[1] / 2), int(centre[1] - crop_shape[0] / 2)


def _paste(canvas: np.ndarray, crop: np.ndarray, centre) -> tuple[int, int, int, int]:
    h, w = canvas.shape[:2]
    x0, y0 = _origin(crop.shape, centre)
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + crop.shape[1], w), min(y0 + crop.shape[0], h)
    canvas[ya:yb, xa:xb] = crop[ya - y0:yb - y0, xa - x0:xb - x0]
    return xa, ya, xb, yb


def owners(poses: np.ndarray, drawn) -> np.ndarray:
    """The identity of each detection (P,): the front-most drawn rectangle holding its parts' centre, else -1."""
    out = np.full(len(poses), -1, np.int64)
    for p, pose in enumerate(poses):
        present = pose[:, 2] > 0
        if not present.any():
            continue
        cx, cy = pose[present, :2].mean(axis=0)
        for identity, (xa, ya, xb, yb) in drawn:  # back to front: the last holding it wins
            if xa <= cx < xb and ya <= cy < yb:
                out[p] = identity
    return out


#: The frames in which `choose_crops` checks the people: nobody hides anybody in them.
CHECK_FRAMES = (0, 10, 50, 59)


def choose_crops(estimate, candidates=None, *, frames: int = 60, hidden: int = 10) -> list[tuple[int, np.ndarray]]:
    """The crop of each identity 0-3: for each in turn, the first unused candidate the network finds with the others.

    `estimate` maps a BGR image to its poses (P, K, 3). For identity
    ``i``, a candidate (`crop_candidates`, by annotation id) is kept when,
    in each of the frames `CHECK_FRAMES` of the sequence (`crop_frames`)
    drawn with identities ``0..i`` (those chosen so far and this one), the
    network gives exactly one person inside each crop (its parts' centre
    in it), with at least `MIN_FOUND_PARTS` parts, and nobody outside. So
    every person is found, whole and once, whenever nobody hides them (the
    network's output on a crop depends on its neighbours, so they are
    checked together); what goes wrong in the sequence is the crossing and
    the hiding.
    """
    candidates = crop_candidates() if candidates is None else candidates
    chosen: dict[int, tuple[int, np.ndarray]] = {}
    for identity in range(4):
        for ann_id, crop in candidates:
            if ann_id in {a for a, _ in chosen.values()}:
                continue
            crops = {i: c for i, (_, c) in chosen.items()} | {identity: crop}
            ok = True
            for f, (image, drawn) in enumerate(crop_frames(crops, frames=frames, hidden=hidden)):
                if f not in CHECK_FRAMES:
                    continue
                poses = np.asarray(estimate(image))
                who = owners(poses, drawn)
                n_parts = (poses[:, :, 2] > 0).sum(axis=1) if len(poses) else np.zeros(0, np.int64)
                ok = (sorted(who.tolist()) == sorted(crops)
                      and bool((n_parts >= MIN_FOUND_PARTS).all()))
                if not ok:
                    break
            if ok:
                chosen[identity] = (ann_id, crop)
                break
        else:
            msg = f"no dev-set crop is found with the others for identity {identity}"
            raise RuntimeError(msg)
    return [chosen[i] for i in range(4)]


def crop_frames(crops, *, frames: int = 60, hidden: int = 10):
    """The real-pixel frames: yields (image, [(identity, rectangle drawn)] back to front) per frame.

    `crops` are the four identities' crops (`choose_crops`; or a dict of
    some of them by identity), moved along
    `crop_paths` over a grey, noisy background, `CANVAS` px; identity 2 is
    not drawn for `hidden` frames from a third of the way.
    """
    paths = crop_paths(frames)
    gone = set(range(frames // 3, frames // 3 + hidden))
    background = _background()
    crops = dict(enumerate(crops)) if not isinstance(crops, dict) else crops
    for f in range(frames):
        canvas = background.copy()
        drawn = []
        for identity in DRAW_ORDER:
            if identity not in crops or (identity == 2 and f in gone):
                continue
            drawn.append((identity, _paste(canvas, crops[identity], paths[identity][f])))
        yield canvas, drawn


#: COCO's per-keypoint OKS constants (sigmas), in COCO's keypoint order.
COCO_SIGMAS = np.array([0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87,
                        0.89, 0.89]) / 10.0
#: A detection is a drawn person's when their OKS is at least this (COCO's loosest AP threshold).
MIN_OKS = 0.5


def true_poses(ann_ids, *, frames: int = 60, hidden: int = 10) -> list[dict[int, tuple[np.ndarray, float]]]:
    """Where each drawn person's annotated keypoints are in every frame: {identity: ((17, 3), area)} per frame."""
    by_id = {entry[0]: entry for entry in crop_candidates(with_keypoints=True)}
    paths = crop_paths(frames)
    gone = set(range(frames // 3, frames // 3 + hidden))
    out = []
    for f in range(frames):
        now = {}
        for identity, ann_id in enumerate(ann_ids):
            if identity == 2 and f in gone:
                continue
            _, crop, kp, area = by_id[ann_id]
            x0, y0 = _origin(crop.shape, paths[identity][f])
            moved = kp.copy()
            moved[:, 0] += x0
            moved[:, 1] += y0
            now[identity] = (moved, area)
        out.append(now)
    return out


def oks_owners(poses: np.ndarray, truth: dict[int, tuple[np.ndarray, float]]) -> np.ndarray:
    """The identity of each detection (P,) by matching to the true poses: COCO's OKS, an optimal assignment.

    A detection (OpenPose's 18 COCO parts, mapped to COCO's 17) and a drawn
    person pair up by ``scipy.optimize.linear_sum_assignment`` on their
    OKS (over the person's labelled keypoints, hidden ones included: their
    place is known); a pair counts at OKS >= `MIN_OKS`, else -1.
    """
    from scipy.optimize import linear_sum_assignment

    import openpose

    out = np.full(len(poses), -1, np.int64)
    if not len(poses) or not truth:
        return out
    index = np.asarray(openpose.get_layout("coco").coco17_index)
    det = np.asarray(poses, np.float64)[:, index]  # (P, 17, 3)
    identities = sorted(truth)
    oks = np.zeros((len(poses), len(identities)))
    for j, identity in enumerate(identities):
        kp, area = truth[identity]
        labelled = kp[:, 2] > 0
        d2 = ((det[:, :, :2] - kp[None, :, :2]) ** 2).sum(axis=-1)
        e = np.exp(-d2 / (2.0 * max(area, 1.0) * (2 * COCO_SIGMAS) ** 2)) * (det[:, :, 2] > 0)
        oks[:, j] = (e * labelled).sum(axis=1) / max(int(labelled.sum()), 1)
    rows, cols = linear_sum_assignment(oks, maximize=True)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if oks[r, c] >= MIN_OKS:
            out[r] = identities[c]
    return out


def real_pixel_errors(per_frame_poses, per_frame_drawn, update, truth=None) -> dict:
    """Errors of tracker `update` (poses -> ids) on the network's poses of `crop_frames`, against the crops.

    Each detection's identity is `oks_owners`'s against `truth` (per frame,
    `true_poses`), or without `truth` `owners`'s (the crop holding its
    parts' centre: a partly hidden person's detection can fall in the crop
    in front); a detection given no identity is an extra one, and of several
    detections of one identity in a frame the one with the most parts
    counts (the others are extra). Gives
    `count_errors`'s figures plus ``missed`` ((identity, frame) pairs drawn
    but not detected) and ``extra``.
    """
    truth_ids, found = [], []
    missed = extra = 0
    for poses, drawn in zip(per_frame_poses, per_frame_drawn, strict=True):
        ids = np.asarray(update(poses))
        who = owners(poses, drawn) if truth is None else oks_owners(poses, truth[len(truth_ids)])
        extra += int((who < 0).sum())
        n_parts = (poses[:, :, 2] > 0).sum(axis=1)
        first = []
        for identity in sorted(set(who[who >= 0].tolist())):
            mine = np.flatnonzero(who == identity)
            first.append(int(max(mine.tolist(), key=lambda i: (n_parts[i], -i))))
        extra += int((who >= 0).sum()) - len(first)
        missed += len({identity for identity, _ in drawn} - set(who[first].tolist()))
        truth_ids.append(who[first])
        found.append(ids[first])
    return {**count_errors(truth_ids, found), "missed": missed, "extra": extra, "frames": len(truth_ids)}


def construction_problems(drawn, *, hidden: int = 10) -> list[str]:
    """What is wrong with the drawn rectangles of `crop_frames` (empty: nothing).

    The lanes never touch (no two crops meet, except 0 and 1), 0 and 1 do
    cross (their crops overlap in some frames) and 2 is hidden `hidden`
    frames.
    """
    def meet(ra, rb) -> bool:
        return min(ra[2], rb[2]) > max(ra[0], rb[0]) and min(ra[3], rb[3]) > max(ra[1], rb[1])

    problems = []
    for f, rects in enumerate(drawn):
        for i, (a, ra) in enumerate(rects):
            for b, rb in rects[i + 1:]:
                if {a, b} != {0, 1} and meet(ra, rb):
                    problems.append(f"frame {f}: crops {a} and {b} meet")
    if not any(meet(dict(r)[0], dict(r)[1]) for r in drawn if {0, 1} <= dict(r).keys()):
        problems.append("0 and 1 never cross")
    if sum(1 for r in drawn if 2 not in dict(r)) != hidden:
        problems.append(f"2 is not hidden {hidden} frames")
    return problems


#: The network's poses of the real-pixel sequence, as ``benchmarks/tracking.py --write-fixture`` wrote them.
FIXTURE = Path(__file__).resolve().parent / "data" / "tracking_real_pixels.npz"


def real_pixel_run(estimate, *, frames: int = 60, hidden: int = 10):
    """The crops `choose_crops` picks, the rectangles drawn and the network's poses of every frame.

    Returns (annotation ids of identities 0-3, [drawn per frame], [poses (P, K, 3) per frame]).
    """
    chosen = choose_crops(estimate, frames=frames, hidden=hidden)
    drawn, poses = [], []
    for image, rects in crop_frames([crop for _, crop in chosen], frames=frames, hidden=hidden):
        drawn.append(rects)
        poses.append(np.asarray(estimate(image), np.float32))
    return [ann_id for ann_id, _ in chosen], drawn, poses


def estimator_description(estimator) -> str:
    """What a run's poses depend on: the estimator's settings and its COCO decoder's parameters."""
    return f"{estimator!r}; {estimator.decoder_for(57)!r}"


def save_run(path: Path, ann_ids, poses, description: str) -> None:
    """Write a `real_pixel_run`'s annotation ids and poses (and what produced them) to `path` (.npz)."""
    k = poses[0].shape[1] if poses else 18
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, ann_ids=np.asarray(ann_ids, np.int64), counts=np.asarray([len(p) for p in poses]),
                        poses=np.concatenate([*poses, np.zeros((0, k, 3), np.float32)]).astype(np.float32),
                        description=np.asarray(description))


def load_run(path: Path, *, frames: int = 60, hidden: int = 10):
    """A saved run: (annotation ids, [drawn per frame] rebuilt from the crops, [poses per frame], description)."""
    data = np.load(path, allow_pickle=False)
    ann_ids = data["ann_ids"].tolist()
    by_id = dict(crop_candidates())
    drawn = [rects for _, rects in crop_frames([by_id[a] for a in ann_ids], frames=frames, hidden=hidden)]
    per_frame, start = [], 0
    for c in data["counts"].tolist():
        per_frame.append(data["poses"][start:start + c])
        start += c
    return ann_ids, drawn, per_frame, str(data["description"])
