"""People keep their identity from frame to frame (`PoseTracker`), and their keypoints stop jittering (`OneEuroFilter`).

`PoseTracker.update` takes one frame's `PoseResult` and gives one id per
person, in the order of ``result.poses``. Each frame's people are matched
to the live tracks by an optimal assignment
(``scipy.optimize.linear_sum_assignment``) over a pose similarity: the
mean of an OKS-like keypoint similarity (the distance of each part the two
poses share, relative to the person's size) and the overlap (IoU) of the
two boxes. A track is compared where it is predicted to be now: its last
pose moved on at its (smoothed) velocity for the frames since it was last
seen, so a person hidden for a while is found again near where they were
heading. A person not matched to any track starts a new, tentative one,
which gets the next id once seen ``min_hits`` frames in a row (until then
the person's id is -1); a track missed for more than ``max_age`` frames
ends, and its id is never given again (until `PoseTracker.reset`, at a new
source). Weak detections (few parts) only continue tracks, a lost track is
also looked for where it was last seen, and a duplicate of a person starts
no track (`PoseTracker`'s notes).

With ``smoothing=True`` the tracker also smooths each track's keypoints
with a One Euro filter per part (`OneEuroFilter`; Casiez, Roussel and
Vogel, CHI 2012): a low-pass filter whose cutoff rises with the part's
speed, so a still part stops jittering and a moving one lags little. A part
that disappears and comes back starts its filter afresh.

Costs: about a millisecond per frame for a handful of people, about 1%
of the network's time on the shared video
(``benchmarks/tracking.py`` measures both in one run).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import _parse
from . import _validation as v
from .options import flag
from .result import PoseResult

__all__ = [
    "OneEuroFilter",
    "PoseTracker",
    "SequenceTracker",
    "TrackingOptions",
    "box_iou",
    "pose_boxes",
    "pose_similarity",
    "result_of_poses",
    "sequence_key",
]

#: A keypoint with a score above this counts as present (OpenPose writes 0 for a missing part).
_PRESENT = 0.0
#: The per-part falloff of the keypoint similarity, relative to the person's size (COCO's OKS
#: uses 2 * sigma with sigmas 0.025-0.107; one round value for every layout).
_KAPPA = 0.1
#: Weight of a new displacement in a track's velocity (an exponential average over ~3 frames).
_VELOCITY_GAIN = 0.3


def pose_boxes(poses: np.ndarray) -> np.ndarray:
    """The box ``[x1, y1, x2, y2]`` of the present keypoints of each pose, shape (P, 4); zeros for a pose with none."""
    poses = np.asarray(poses, np.float32)
    present = poses[:, :, 2] > _PRESENT
    big = np.float32(np.inf)
    x = poses[:, :, 0]
    y = poses[:, :, 1]
    boxes = np.stack([np.where(present, x, big).min(axis=1), np.where(present, y, big).min(axis=1),
                      np.where(present, x, -big).max(axis=1), np.where(present, y, -big).max(axis=1)], axis=1)
    boxes[~present.any(axis=1)] = 0.0
    return boxes.astype(np.float32)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box of `a` (N, 4) with every box of `b` (M, 4): shape (N, M)."""
    a = np.asarray(a, np.float64)[:, None, :]
    b = np.asarray(b, np.float64)[None, :, :]
    w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = w * h
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def pose_similarity(a: np.ndarray, b: np.ndarray, *, boxes_a=None, boxes_b=None, spread=None) -> np.ndarray:
    """Similarity in [0, 1] of every pose of `a` (N, K, 3) with every pose of `b` (M, K, 3): shape (N, M).

    The mean of two terms: an OKS-like keypoint similarity, the mean over
    the parts both poses have of ``exp(-d^2 / (2 s^2 kappa^2))`` with ``d``
    the distance of the part, ``s^2`` the larger of the two box areas
    (at least 1 px) and ``kappa`` 0.1 (0 where no part is shared); and the
    IoU of the two boxes (`pose_boxes`, unless given). `spread` (N,)
    multiplies ``kappa^2`` per pose of `a` (the tracker: the frames since a
    track was seen, as the uncertainty of where it is now grows with them).
    """
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    boxes_a = pose_boxes(a) if boxes_a is None else np.asarray(boxes_a, np.float32)
    boxes_b = pose_boxes(b) if boxes_b is None else np.asarray(boxes_b, np.float32)
    area_a = (boxes_a[:, 2] - boxes_a[:, 0]) * (boxes_a[:, 3] - boxes_a[:, 1])
    area_b = (boxes_b[:, 2] - boxes_b[:, 0]) * (boxes_b[:, 3] - boxes_b[:, 1])
    scale = np.maximum(np.maximum(area_a[:, None], area_b[None, :]), 1.0)  # (N, M)
    shared = (a[:, None, :, 2] > _PRESENT) & (b[None, :, :, 2] > _PRESENT)  # (N, M, K)
    d2 = ((a[:, None, :, :2] - b[None, :, :, :2]) ** 2).sum(axis=-1)  # (N, M, K)
    kappa2 = _KAPPA**2 if spread is None else _KAPPA**2 * np.asarray(spread, np.float64)[:, None, None]
    e = np.exp(-d2 / (2.0 * scale[:, :, None] * kappa2))
    n_shared = shared.sum(axis=-1)
    oks = np.divide((e * shared).sum(axis=-1), n_shared, out=np.zeros(n_shared.shape, np.float64),
                    where=n_shared > 0)
    return 0.5 * (oks + box_iou(boxes_a, boxes_b))


class OneEuroFilter:
    """The One Euro filter of one person's keypoints (all parts at once).

    The cutoff frequency of each part's low-pass filter is
    ``min_cutoff + beta * speed``, with the speed of the part (itself
    low-pass filtered at `d_cutoff`) in person heights per second, so the
    same constants suit a near and a far person. Times are in frames at
    `fps`.

    Parameters
    ----------
    min_cutoff : float
        Hz; the cutoff of a still part: lower, less jitter, more lag (8.0).
    beta : float
        How fast the cutoff rises with speed (Hz per person height per
        second); higher, less lag on fast moves (16.0).
    d_cutoff : float
        Hz; the cutoff of the speed estimate (1.0).
    fps : float
        The frame rate (30).
    """

    def __init__(self, *, min_cutoff: float = 8.0, beta: float = 16.0, d_cutoff: float = 1.0, fps: float = 30.0):
        self.min_cutoff = _positive(min_cutoff, "min_cutoff")
        self.beta = _non_negative(beta, "beta")
        self.d_cutoff = _positive(d_cutoff, "d_cutoff")
        self.fps = _positive(fps, "fps")
        self._x: np.ndarray | None = None  # (K, 2) filtered positions, NaN where a part is not followed
        self._dx: np.ndarray | None = None  # (K, 2) filtered speeds, px per second
        self._frame = 0

    def _alpha(self, cutoff, dt: float):
        tau = 1.0 / (2.0 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, pose: np.ndarray, frame: int) -> np.ndarray:
        """The filtered copy of `pose` (K, 3) at frame number `frame`; missing parts stay 0, 0, 0."""
        pose = np.asarray(pose, np.float32)
        out = pose.copy()
        present = pose[:, 2] > _PRESENT
        xy = pose[:, :2].astype(np.float64)
        if self._x is None or self._dx is None:
            self._x = np.full(xy.shape, np.nan)
            self._dx = np.zeros(xy.shape)
        dt = max(int(frame) - self._frame, 1) / self.fps
        self._frame = int(frame)
        followed = present & ~np.isnan(self._x[:, 0])
        fresh = present & ~followed
        # A part that was not followed (new, or back after a gap) starts where it is.
        self._x[fresh] = xy[fresh]
        self._dx[fresh] = 0.0
        self._x[~present] = np.nan
        if followed.any():
            ys = xy[present, 1]
            height = max(float(ys.max() - ys.min()), 1.0) if ys.size else 1.0
            raw_dx = (xy[followed] - self._x[followed]) / dt
            a_d = self._alpha(self.d_cutoff, dt)
            dx = self._dx[followed] + a_d * (raw_dx - self._dx[followed])
            self._dx[followed] = dx
            speed = np.linalg.norm(dx, axis=1) / height
            cutoff = self.min_cutoff + self.beta * speed
            a = self._alpha(cutoff, dt)[:, None]
            self._x[followed] = self._x[followed] + a * (xy[followed] - self._x[followed])
        out[present, :2] = self._x[present].astype(np.float32)
        return out


@dataclasses.dataclass
class _Track:
    id: int  # -1 while tentative
    pose: np.ndarray  # (K, 3) each part where last seen (moved on with the person while missing)
    box: np.ndarray  # (4,) of `pose`
    frame: int  # last seen
    velocity: np.ndarray  # (2,) px per frame
    smoother: OneEuroFilter | None
    part_frames: np.ndarray  # (K,) the frame each part was last seen
    hits: int = 1


class PoseTracker:
    """Identities of people across the frames of one source (and optional smoothing).

    Parameters
    ----------
    max_age : int
        Frames a track may go unseen and still get its person back (10).
    min_similarity : float
        A person and a track match only above this `pose_similarity` (0.2).
    min_hits : int
        Frames in a row a new person must be seen before getting an id (3;
        SORT's ``min_hits``): until then the track is tentative, its
        person's id is -1 (the JSON ``person_id`` ``[-1]``, as without
        tracking), and a tentative track missed once ends without ever
        taking an id. People of the first frame get their ids at once.
        Ids are given in the order the tracks are confirmed, never twice.
        1: every new person gets an id at once.
    min_parts : int
        A person with fewer parts than this may continue a track (matched
        after the others, ByteTrack's second pass for weak detections) but
        never starts one (4).
    smoothing : bool
        Also smooth the tracked people's keypoints (`OneEuroFilter`):
        `update` then returns the smoothed poses too.
    min_cutoff, beta, d_cutoff : float
        The One Euro filter's constants (see `OneEuroFilter`).
    fps : float
        The frame rate the filter assumes (30; the command gives the
        video's).

    Notes
    -----
    Each frame: (1) the confirmed tracks, where their constant-velocity
    prediction puts them, are matched to the frame's people with enough
    parts; (2) the confirmed tracks left are matched to the people with
    fewer parts (ByteTrack); (3) the confirmed tracks still left are
    matched again from where they were last seen, without the prediction
    (OC-SORT's observation-centric recovery: a track whose velocity was
    wrong before it was lost); (4) the tentative tracks to the people
    left. A person left over starts a tentative track, unless they have
    fewer than `min_parts` parts or their box lies mostly (half its area)
    inside the box of a person matched in this frame (a duplicate or a
    split of that person): those keep the id -1.

    Examples
    --------
    >>> tracker = PoseTracker()                                      # doctest: +SKIP
    >>> for frame in frames:                                         # doctest: +SKIP
    ...     result = tracker.track(estimator.estimate(frame))
    ...     result.track_ids                                         # one id per person
    """

    def __init__(self, *, max_age: int = 10, min_similarity: float = 0.2, min_hits: int = 3, min_parts: int = 4,
                 smoothing: bool = False, min_cutoff: float = 8.0, beta: float = 16.0, d_cutoff: float = 1.0,
                 fps: float = 30.0):
        self.max_age = _count(max_age, "max_age", 0)
        self.min_hits = _count(min_hits, "min_hits", 1)
        self.min_parts = _count(min_parts, "min_parts", 1)
        self.min_similarity = v.number(min_similarity, "min_similarity")
        if not 0.0 <= self.min_similarity <= 1.0:
            msg = f"`min_similarity` must be in [0, 1], got {min_similarity!r}"
            raise ValueError(msg)
        self.smoothing = bool(smoothing)
        # Validated now, used by each track's filter.
        self._filter_options = dict(min_cutoff=min_cutoff, beta=beta, d_cutoff=d_cutoff, fps=fps)
        OneEuroFilter(**self._filter_options)
        self.reset()

    def reset(self) -> None:
        """Forget every track and start the ids at 0 again (a new source)."""
        self._tracks: list[_Track] = []
        self._next_id = 0
        self._frame = -1
        self._first_frame = True

    @property
    def next_id(self) -> int:
        """The id the next new person gets."""
        return self._next_id

    def _assign(self, rows: list[int], cols: np.ndarray, poses: np.ndarray, boxes: np.ndarray, frame: int,
                matched_track: np.ndarray, *, predict: bool) -> None:
        """Match tracks `rows` to people `cols` (one optimal assignment), writing `matched_track`."""
        if not rows or not cols.size:
            return
        tracks = [self._tracks[r] for r in rows]
        t_poses = np.stack([t.pose for t in tracks])
        t_boxes = np.stack([t.box for t in tracks])
        gaps = np.asarray([frame - t.frame for t in tracks], np.float32)
        if predict:
            # Where each track is now: its last pose moved on at its velocity (constant-velocity prediction).
            shift = np.stack([t.velocity for t in tracks]).astype(np.float32) * gaps[:, None]
            t_poses[:, :, :2] += np.where(t_poses[:, :, 2:] > _PRESENT, shift[:, None, :], np.float32(0))
            t_boxes = t_boxes + np.concatenate([shift, shift], axis=1)
        sim = pose_similarity(t_poses, poses[cols], boxes_a=t_boxes, boxes_b=boxes[cols], spread=gaps)
        from scipy.optimize import linear_sum_assignment

        r, c = linear_sum_assignment(sim, maximize=True)
        keep = sim[r, c] > self.min_similarity
        for i, j in zip(r[keep].tolist(), c[keep].tolist(), strict=True):
            matched_track[cols[j]] = rows[i]

    def update(self, poses, *, frame: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Match one frame's people to the tracks.

        Parameters
        ----------
        poses : PoseResult or ndarray of shape (P, K, 3)
            The frame's people (x, y, score; a missing part 0, 0, 0).
        frame : int, optional
            The frame's number in its source; default: the frame after the
            last one. Frames skipped (a frame that could not be decoded)
            count as frames in which nobody was seen.

        Returns
        -------
        ids : ndarray of shape (P,), int64
            The id of each person, in the order of `poses`; -1 for a person
            not (yet) given an id (a tentative track, a duplicate, too few
            parts: see the class's notes).
        poses : ndarray of shape (P, K, 3), float32
            The poses, smoothed if the tracker smooths (else a copy).
        """
        if isinstance(poses, PoseResult):
            poses = poses.poses
        poses = np.asarray(poses, np.float32)
        if poses.ndim != 3 or poses.shape[2] != 3:
            msg = f"`poses` must have shape (P, K, 3), got {poses.shape}"
            raise ValueError(msg)
        if frame is None:
            frame = self._frame + 1
        frame = int(frame)
        if frame <= self._frame:
            msg = f"`frame` must increase from call to call, got {frame} after {self._frame}"
            raise ValueError(msg)
        self._frame = frame
        # Tracks unseen for more than max_age frames end; a tentative track missed once ends.
        self._tracks = [t for t in self._tracks
                        if frame - t.frame <= (self.max_age + 1 if t.id >= 0 else 1)]
        if self._tracks and self._tracks[0].pose.shape[0] != poses.shape[1]:
            self._tracks = []
        n = poses.shape[0]
        ids = np.full(n, -1, np.int64)
        boxes = pose_boxes(poses)
        n_parts = (poses[:, :, 2] > _PRESENT).sum(axis=1)
        matched_track = np.full(n, -1, np.int64)
        confirmed = [r for r, t in enumerate(self._tracks) if t.id >= 0]
        tentative = [r for r, t in enumerate(self._tracks) if t.id < 0]
        strong = np.flatnonzero(n_parts >= self.min_parts)
        weak = np.flatnonzero((n_parts > 0) & (n_parts < self.min_parts))

        def left(rows: list[int]) -> list[int]:
            taken = set(matched_track[matched_track >= 0].tolist())
            return [r for r in rows if r not in taken]

        self._assign(confirmed, strong, poses, boxes, frame, matched_track, predict=True)
        self._assign(left(confirmed), weak[matched_track[weak] < 0], poses, boxes, frame, matched_track,
                     predict=True)
        self._assign(left(confirmed), strong[matched_track[strong] < 0], poses, boxes, frame, matched_track,
                     predict=False)
        self._assign(left(tentative), strong[matched_track[strong] < 0], poses, boxes, frame, matched_track,
                     predict=True)
        matched = matched_track >= 0
        # People left over start a track, unless weak, or a duplicate: their box mostly inside the box
        # of a person matched now or with more parts.
        inside = np.zeros(n, bool)
        if n > 1:
            a, b = boxes[:, None, :], boxes[None, :, :]
            w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
            h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
            area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
            covered = w * h >= 0.5 * np.maximum(area, 1e-6)[:, None]  # (p, q): p mostly inside q
            order = np.arange(n)
            above = (matched[None, :] | (n_parts[None, :] > n_parts[:, None])
                     | ((n_parts[None, :] == n_parts[:, None]) & (order[None, :] < order[:, None])))
            np.fill_diagonal(above, False)
            inside = (covered & above).any(axis=1)
        out = poses.copy()
        for p in range(n):
            r = int(matched_track[p])
            if r >= 0:
                track = self._tracks[r]
                self._follow(track, poses[p], boxes[p], frame)
                if track.id < 0 and track.hits >= self.min_hits:
                    track.id = self._next_id
                    self._next_id += 1
            elif n_parts[p] >= self.min_parts and not inside[p]:
                smoother = OneEuroFilter(**self._filter_options) if self.smoothing else None
                track = _Track(-1, poses[p].copy(), boxes[p].copy(), frame, np.zeros(2, np.float32), smoother,
                               np.full(poses.shape[1], frame, np.int64))
                if self._first_frame or self.min_hits <= 1:
                    track.id = self._next_id
                    self._next_id += 1
                self._tracks.append(track)
            else:
                continue
            ids[p] = track.id
            if track.smoother is not None:
                out[p] = track.smoother(poses[p], frame)
        self._first_frame = False
        return ids, out

    def _follow(self, track: _Track, pose: np.ndarray, box: np.ndarray, frame: int) -> None:
        """Move `track` on to its person `pose` seen at `frame`."""
        gap = frame - track.frame
        # The move of the parts both poses have (robust to parts coming and going), else of the box.
        shared = (track.pose[:, 2] > _PRESENT) & (pose[:, 2] > _PRESENT)
        if shared.any():
            step = (pose[shared, :2] - track.pose[shared, :2]).mean(axis=0) / gap
        else:
            step = (0.5 * (box[:2] + box[2:]) - 0.5 * (track.box[:2] + track.box[2:])) / gap
        # The first move sets the velocity; later ones are averaged in.
        gain = 1.0 if track.hits == 1 else _VELOCITY_GAIN
        track.velocity = track.velocity + gain * (step - track.velocity)
        # Parts missing now keep their last place, moved on with the person, for up to max_age
        # frames: a partial detection still matches the whole person.
        seen = pose[:, 2] > _PRESENT
        merged = track.pose.copy()
        merged[:, :2] += (track.velocity * gap).astype(np.float32)
        merged[seen] = pose[seen]
        track.part_frames[seen] = frame
        merged[frame - track.part_frames > self.max_age + 1] = 0.0
        track.pose, track.box, track.frame = merged, pose_boxes(merged[None])[0], frame
        track.hits += 1

    def track(self, result: PoseResult, *, frame: int | None = None) -> PoseResult:
        """`result` with its ``track_ids`` set (and its poses smoothed if the tracker smooths); see `update`."""
        if not isinstance(result, PoseResult):
            msg = f"`result` must be a PoseResult, got {type(result).__name__}"
            raise TypeError(msg)
        ids, poses = self.update(result.poses, frame=frame)
        return dataclasses.replace(result, poses=poses, track_ids=ids)


def sequence_key(source) -> tuple[str, str]:
    """The track sequence a frame of `source` (an `openpose.sources.Source`) belongs to.

    A video or a camera is one sequence; images are one sequence per
    folder (a folder of frames given as input, or image files named one by
    one from the same folder).
    """
    from pathlib import Path

    from .sources import IMAGE

    if source.kind == IMAGE:
        return ("folder", str(Path(source.location).parent))
    return (source.kind, source.location)


class SequenceTracker:
    """A `PoseTracker` over a stream of frames from several sources, reset at every new sequence (`sequence_key`).

    What the command (``--tracking``, ``--smoothing``) and ``openpose
    batch --tracking`` run over the frames, in order. A video's frames are
    numbered by their index in the video (a frame that failed counts as
    one where nobody was seen); images by their rank in their sequence.
    The smoothing filter uses the video's frame rate (30 if unknown).

    Parameters
    ----------
    **options
        `PoseTracker`'s (``max_age``, ``smoothing``, ``min_cutoff``, ...).
    """

    def __init__(self, **options):
        self.options = options
        PoseTracker(**options)  # validates them now
        self._key: tuple[str, str] | None = None
        self._tracker: PoseTracker | None = None
        self._rank = 0

    def __call__(self, frame, result: PoseResult) -> PoseResult:
        """`result` of `frame` (an `openpose.sources.Frame`), tracked (`PoseTracker.track`)."""
        from .sources import IMAGE

        key = sequence_key(frame.source)
        if key != self._key or self._tracker is None:
            fps = frame.fps if frame.fps and frame.fps > 0 else self.options.get("fps", 30.0)
            self._tracker = PoseTracker(**{**self.options, "fps": float(fps)})
            self._key = key
            self._rank = 0
        number = self._rank if frame.source.kind == IMAGE else int(frame.index)
        self._rank += 1
        return self._tracker.track(result, frame=number)


def _count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        msg = f"`{name}` must be an integer >= {minimum}, got {value!r}"
        raise ValueError(msg)
    return int(value)


def _positive(value, name: str) -> float:
    value = v.number(value, name)
    if not value > 0:
        msg = f"`{name}` must be positive, got {value!r}"
        raise ValueError(msg)
    return value


def _non_negative(value, name: str) -> float:
    value = v.number(value, name)
    if not value >= 0:
        msg = f"`{name}` must be >= 0, got {value!r}"
        raise ValueError(msg)
    return value


_GROUP = "tracking"


@dataclasses.dataclass(frozen=True)
class TrackingOptions:
    """Whether and how the people of a sequence are tracked: the commands' tracking options, declared once.

    Attributes
    ----------
    tracking : bool
        Give each person an id that stays theirs across a sequence's frames.
    smoothing : bool
        Also smooth the tracked keypoints (One Euro filter); implies tracking.
    tracking_max_age : int
        Frames a person may be missed or hidden and keep their id
        (`PoseTracker`'s ``max_age``).
    """

    tracking: bool = dataclasses.field(default=False, metadata=flag(
        "--tracking", "give each person an id that stays across the frames of a video, a camera or a folder of "
        "images (JSON person_id, Parquet track, the colour and label drawn)", switch=True,
        commands=("run", "batch"), group=_GROUP))
    smoothing: bool = dataclasses.field(default=False, metadata=flag(
        "--smoothing", "smooth the tracked keypoints over time (One Euro filter); implies --tracking",
        switch=True, commands=("run",), group=_GROUP))
    tracking_max_age: int = dataclasses.field(default=10, metadata=flag(
        "--tracking-max-age", "frames a person may be missed or hidden and still keep their id",
        type=_parse.non_negative_int, metavar="N", commands=("run", "batch"), group=_GROUP))

    def __post_init__(self) -> None:
        _count(self.tracking_max_age, "tracking_max_age", 0)

    @property
    def enabled(self) -> bool:
        """Whether people are tracked (`tracking`, or `smoothing`, which implies it)."""
        return bool(self.tracking or self.smoothing)

    def tracker(self) -> SequenceTracker | None:
        """The tracker of a run over a stream of frames, or None without tracking."""
        if not self.enabled:
            return None
        return SequenceTracker(max_age=self.tracking_max_age, smoothing=self.smoothing)


def result_of_poses(poses: np.ndarray, width: int) -> PoseResult:
    """A `PoseResult` holding only poses read back from an output (``(P, 3K)`` flat), for a tracker.

    The tracker reads poses only; scores and the rest are empty.
    """
    from .layouts import get_layout

    k = width // 3
    layout = get_layout("coco") if k == get_layout("coco").n_parts else None
    return PoseResult(poses=poses.reshape(-1, k, 3), scores=np.zeros(len(poses), np.float32),
                      persons=np.zeros((len(poses), k), np.int32), keypoints=[], valid_pairs=[], invalid_pairs=[],
                      layout=layout, image_size=(0, 0), mode="")  # type: ignore[arg-type]

