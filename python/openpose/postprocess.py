"""Post-processing of OpenPose network outputs: public functions.

Every function takes arrays and returns arrays of fixed shapes. ``implementation``
chooses between the compiled C++ core (``"cpp"``, the default) and the
pure-Python reference (``"python"``); both give the same results.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields
from typing import Optional, Sequence, Tuple

import numpy as np

from . import _validation as v
from . import reference
from . import reference_accurate as ref_acc
from ._cpp import ext
from .layouts import Layout, get_layout, layout_for_channels
from .result import PoseResult, poses_from_persons

__all__ = ["postprocess", "postprocess_batch", "find_peaks", "score_limb", "assemble_persons", "SeedParams", "AccurateParams"]


@dataclass(frozen=True)
class SeedParams:
    """Constants of seed mode, the original program's algorithm.

    Attributes
    ----------
    threshold : float
        A blurred heatmap pixel belongs to a keypoint region when above this (0.1).
    n_samples : int
        Points sampled along each candidate limb (10).
    paf_threshold : float
        A sample supports the limb when its PAF score is above this (0.1).
    min_fraction : float
        A limb is valid when more than this fraction of samples support it (0.7).
    """

    threshold: float = 0.1
    n_samples: int = 10
    paf_threshold: float = 0.1
    min_fraction: float = 0.7

    def checked(self) -> "SeedParams":
        return SeedParams(
            threshold=v.number(self.threshold, "threshold", minimum=0.0),
            n_samples=v.number(self.n_samples, "n_samples", minimum=2, maximum=10_000, integer=True),
            paf_threshold=v.number(self.paf_threshold, "paf_threshold"),
            min_fraction=v.number(self.min_fraction, "min_fraction"),
        )


@dataclass(frozen=True)
class AccurateParams:
    """Constants of accurate mode, CMU OpenPose's own algorithm.

    Attributes
    ----------
    factor : int
        Maps are read bicubically upsampled by this factor to the working
        resolution. 1 (default): OpenPose's rules applied on the network
        output itself (same OKS accuracy on the shared set, ~13x faster);
        8: OpenPose's own choice, the network input size (the stride). See
        the README for the measurements.
    threshold : float
        A heatmap pixel is a peak when above this and strictly greater than
        its 8 neighbours (0.05); also the score given to very short limbs
        (+ 1e-6).
    max_peaks : int
        At most this many peaks per part, the first in raster order (127).
    radius : int
        Peaks are refined by the heatmap-weighted mean of x and y over a
        (2 radius + 1)^2 window of values > 0 (3: 7x7).
    paf_threshold : float
        A PAF sample supports a limb when its dot product with the limb's
        unit vector is above this (0.05).
    min_above : float
        A limb is scored when more than this fraction of its samples support
        it (0.95); the score is their mean.
    min_parts : int
        People with fewer parts are dropped (3).
    min_mean_score : float
        People whose total score per part is lower are dropped (0.4).
    grouping : {"cpu", "gpu"}
        OpenPose's CPU grouping (limb by limb, greedy one-to-one matching)
        or its GPU build's (all connections sorted together by
        ``paf + 0.1 score(A) + 0.1 score(B)``, partial people merged).
    """

    factor: int = 1
    threshold: float = 0.05
    max_peaks: int = 127
    radius: int = 3
    paf_threshold: float = 0.05
    min_above: float = 0.95
    min_parts: int = 3
    min_mean_score: float = 0.4
    grouping: str = "cpu"

    def checked(self) -> "AccurateParams":
        return AccurateParams(
            factor=v.number(self.factor, "factor", minimum=1, maximum=8, integer=True),
            threshold=v.number(self.threshold, "threshold", minimum=0.0),
            max_peaks=v.number(self.max_peaks, "max_peaks", minimum=0, maximum=v.MAX_PEAKS_PER_PART, integer=True),
            radius=v.number(self.radius, "radius", minimum=0, maximum=50, integer=True),
            paf_threshold=v.number(self.paf_threshold, "paf_threshold"),
            min_above=v.number(self.min_above, "min_above"),
            min_parts=v.number(self.min_parts, "min_parts", minimum=1, maximum=1_000_000, integer=True),
            min_mean_score=v.number(self.min_mean_score, "min_mean_score"),
            grouping=v.choice(self.grouping, "grouping", v.GROUPINGS),
        )


_PARAMS = {"seed": SeedParams, "accurate": AccurateParams}


def _params(mode: str, options: dict, allowed=None):
    cls = _PARAMS[mode]
    known = {f.name for f in fields(cls)} if allowed is None else set(allowed)
    unknown = sorted(set(options) - known)
    if unknown:
        msg = f"unknown option(s) for mode={mode!r}: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise TypeError(msg)
    return cls(**options).checked()


def _work_size(map_shape, factor: int):
    """(W, H) of the working resolution of (h, w) maps upsampled by `factor`."""
    return map_shape[1] * factor, map_shape[0] * factor


def postprocess(
    net_output,
    *,
    image_size: Tuple[int, int],
    mode: str = "accurate",
    implementation: str = "cpp",
    layout=None,
    **options,
) -> PoseResult:
    """Turn one network output into people.

    Parameters
    ----------
    net_output : array_like of shape (1, C, h, w) or (C, h, w)
        Raw output of an OpenPose network: keypoint heatmaps, background,
        PAF channels. Floating or integer values are converted to float32;
        NaN and infinite values are rejected.
    image_size : (int, int)
        ``(width, height)`` of the original image; coordinates are returned
        in its pixels.
    mode : {"accurate", "seed"}
        ``"accurate"`` (default): CMU OpenPose's own algorithm (sub-pixel
        peaks, one-to-one limb matching, person scores as OpenPose's).
        ``"seed"``: the original program's algorithm, unchanged.
    implementation : {"cpp", "python"}
        The compiled core or the pure-Python reference.
    layout : str or Layout, optional
        Keypoint layout; inferred from C when omitted (57: COCO-18).
    **options
        The mode's constants (see `AccurateParams`, `SeedParams`), e.g.
        ``threshold=0.05``.

    Returns
    -------
    PoseResult
        ``poses`` (P, K, 3), ``scores`` (P,), ``persons`` (P, K) and the
        intermediate ``keypoints``, ``valid_pairs`` and ``invalid_pairs``.
        Accurate mode: keypoint coordinates are sub-pixel, ``valid_pairs``
        holds every candidate connection scoring above 1e-6 and ``scores``
        OpenPose's person score (total / (parts + limbs of the layout)).

    Raises
    ------
    ValueError, TypeError
        For malformed input; the message names the parameter.
    """
    mode = v.choice(mode, "mode", v.MODES)
    implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
    params = _params(mode, options)
    net = v.net_output_array(net_output)
    width, height = v.image_size(image_size)
    lay = layout_for_channels(net.shape[0]) if layout is None else get_layout(layout)
    limbs = lay.limb_table(mode)
    needed = max(lay.n_parts, int(limbs[:, 2:].max()) + 1)
    if net.shape[0] < needed:
        msg = f"`net_output` has {net.shape[0]} channels; layout {lay.name!r} needs at least {needed}"
        raise ValueError(msg)
    if mode == "accurate":
        return _accurate(net, width, height, lay, limbs, params, implementation)
    starts = lay.seed_starts_person()

    if implementation == "cpp":
        keypoints, valid_pairs, invalid_pairs, persons = ext().seed_postprocess(
            net, width, height, lay.n_parts, limbs, starts, params.threshold, params.n_samples,
            params.paf_threshold, params.min_fraction)
        persons = np.asarray(persons, dtype=np.int32)
    else:
        kps, pairs, invalid_pairs, rows = reference.seed_postprocess(
            net, width, height, limbs, starts, lay.n_parts, threshold=params.threshold,
            n_samples=params.n_samples, paf_threshold=params.paf_threshold, min_fraction=params.min_fraction)
        keypoints = [np.asarray(k, np.float32).reshape(-1, 4) for k in kps]
        valid_pairs = [np.asarray(p, np.float32).reshape(-1, 3) for p in pairs]
        persons = np.asarray(rows, dtype=np.int32).reshape(-1, lay.n_parts)

    poses, scores = poses_from_persons(persons, keypoints)
    return PoseResult(
        poses=poses, scores=scores, persons=persons, keypoints=list(keypoints),
        valid_pairs=list(valid_pairs), invalid_pairs=sorted(int(k) for k in invalid_pairs),
        layout=lay, image_size=(width, height), mode=mode,
    )


def _accurate(net, width, height, lay: Layout, limbs, params: AccurateParams, implementation: str) -> PoseResult:
    fill = lay.fill_only()
    p = params
    if implementation == "cpp":
        keypoints, valid_pairs, invalid_pairs, persons, scores = ext().accurate_postprocess(
            net, width, height, lay.n_parts, limbs, fill, p.factor, p.threshold, p.max_peaks, p.radius,
            p.paf_threshold, p.min_above, p.grouping, p.min_parts, p.min_mean_score)
    else:
        kps, pairs, invalid_pairs, rows, scores = ref_acc.accurate_postprocess(
            net, width, height, limbs, fill, lay.n_parts, factor=p.factor, threshold=p.threshold,
            max_peaks=p.max_peaks, radius=p.radius, paf_threshold=p.paf_threshold, min_above=p.min_above,
            min_parts=p.min_parts, min_mean_score=p.min_mean_score, grouping=p.grouping)
        keypoints = [np.asarray(k, np.float32).reshape(-1, 4) for k in kps]
        valid_pairs = [np.asarray(c, np.float32).reshape(-1, 3) for c in pairs]
        persons = np.asarray(rows, np.int32).reshape(-1, lay.n_parts)
    poses, _ = poses_from_persons(np.asarray(persons, np.int32), keypoints)
    return PoseResult(
        poses=poses, scores=np.asarray(scores, np.float32).reshape(-1), persons=np.asarray(persons, np.int32),
        keypoints=list(keypoints), valid_pairs=list(valid_pairs),
        invalid_pairs=sorted(int(k) for k in invalid_pairs), layout=lay, image_size=(width, height),
        mode="accurate",
    )


def find_peaks(
    heatmap,
    *,
    image_size: Optional[Tuple[int, int]] = None,
    mode: str = "accurate",
    threshold: Optional[float] = None,
    implementation: str = "cpp",
    **options,
) -> np.ndarray:
    """Keypoint candidates of one heatmap.

    Parameters
    ----------
    heatmap : array_like of shape (h, w)
        One part's heatmap: at network resolution (accurate mode; seed mode
        also takes a map already at image size).
    image_size : (int, int), optional
        ``(width, height)`` of the image the coordinates refer to; omitted:
        the map's own size.
    mode : {"accurate", "seed"}
        ``"accurate"``: OpenPose's peaks (see `AccurateParams`), sub-pixel,
        in raster order. ``"seed"``: the original's getKeyPoints (the map is
        resized to `image_size`), in contour order.
    threshold : float, optional
        Peak threshold (default: the mode's, 0.05 accurate, 0.1 seed).
    implementation : {"cpp", "python"}
    **options
        Accurate mode: ``factor``, ``max_peaks``, ``radius``.

    Returns
    -------
    ndarray of shape (n, 3), float32
        Rows ``[x, y, score]`` in image pixels.
    """
    mode = v.choice(mode, "mode", v.MODES)
    implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
    if threshold is not None:
        options["threshold"] = threshold
    hm = v.float32_array(heatmap, "heatmap", ndim=2)
    width, height = _image_size_or_map(image_size, hm, "heatmap")
    if mode == "accurate":
        p = _params(mode, options, allowed=("factor", "threshold", "max_peaks", "radius"))
        if implementation == "cpp":
            peaks = ext().accurate_find_peaks(hm, p.factor, p.threshold, p.max_peaks, p.radius)
        else:
            found = ref_acc.find_peaks(ref_acc.upsample_cubic(hm, p.factor), threshold=p.threshold,
                                       max_peaks=p.max_peaks, radius=p.radius)
            peaks = np.asarray(found, np.float32).reshape(-1, 3)
        work_w, work_h = _work_size(hm.shape, p.factor)
        out = peaks.copy()
        for i, (x, y, _) in enumerate(peaks):
            out[i, :2] = ref_acc.to_image_coords(x, y, (work_w, work_h), (width, height))
        return out
    p = _params(mode, options, allowed=("threshold",))
    if implementation == "cpp":
        return ext().seed_find_peaks(hm, width, height, p.threshold)
    prob = reference.resize_linear(hm, width, height)
    return np.asarray(reference.get_keypoints(prob, p.threshold), np.float32).reshape(-1, 3)


def _image_size_or_map(image_size, map_, name: str):
    """`image_size` checked, or the map's own (width, height) when it is None."""
    if image_size is None:
        return v.image_size((map_.shape[1], map_.shape[0]), name)
    return v.image_size(image_size)


def _candidates(value, name: str, *, whole: bool = True) -> np.ndarray:
    arr = np.asarray(value)
    if arr.size == 0:
        return np.zeros((0, 4), np.float32)
    arr = v.float32_array(arr, name, ndim=2)
    if arr.shape[1] != 4:
        msg = f"`{name}` must have shape (n, 4) with rows [id, x, y, score], got {arr.shape}"
        raise ValueError(msg)
    v.candidate_count(len(arr), f"`{name}`")
    cols = arr[:, :3] if whole else arr[:, :1]
    if not np.array_equal(cols, np.floor(cols)) or not (np.abs(arr[:, 0]) < 2**31).all():
        what = "ids and coordinates" if whole else "ids"
        msg = f"`{name}`: {what} must be whole numbers (ids within the int32 range)"
        raise ValueError(msg)
    return arr


def _to_work(cand: np.ndarray, work_size, image_size) -> np.ndarray:
    """Image-pixel candidates -> working-resolution candidates (inverse of to_image_coords)."""
    (ww, wh), (iw, ih) = work_size, image_size
    out = cand.copy()
    out[:, 1] = (cand[:, 1] + np.float32(0.5)) * (np.float32(ww) / np.float32(iw)) - np.float32(0.5)
    out[:, 2] = (cand[:, 2] + np.float32(0.5)) * (np.float32(wh) / np.float32(ih)) - np.float32(0.5)
    return out


def score_limb(
    paf_x,
    paf_y,
    candidates_a,
    candidates_b,
    *,
    image_size: Optional[Tuple[int, int]] = None,
    mode: str = "accurate",
    implementation: str = "cpp",
    **options,
) -> np.ndarray:
    """Scored connections of one limb.

    Parameters
    ----------
    paf_x, paf_y : array_like of shape (h, w)
        The limb's two PAF channels, at network resolution (seed mode: or
        already at image size).
    candidates_a, candidates_b : array_like of shape (n, 4)
        Rows ``[id, x, y, score]`` (as `PoseResult.keypoints`), in pixels of
        `image_size`.
    image_size : (int, int), optional
        ``(width, height)`` of the image; omitted: the maps' own size.
    mode : {"accurate", "seed"}
        ``"accurate"``: every pair scoring above 1e-6 by OpenPose's getScoreAB
        (options ``factor``, ``threshold``, ``paf_threshold``, ``min_above``).
        ``"seed"``: the original's getValidPairs, at most one per candidate
        of A (options ``n_samples``, ``paf_threshold``, ``min_fraction``).
    implementation : {"cpp", "python"}

    Returns
    -------
    ndarray of shape (m, 3), float32
        Rows ``[a_id, b_id, score]``.
    """
    mode = v.choice(mode, "mode", v.MODES)
    implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
    px = v.float32_array(paf_x, "paf_x", ndim=2)
    py_ = v.float32_array(paf_y, "paf_y", ndim=2)
    if px.shape != py_.shape:
        msg = f"`paf_x` and `paf_y` must have the same shape, got {px.shape} and {py_.shape}"
        raise ValueError(msg)
    width, height = _image_size_or_map(image_size, px, "paf_x")
    if mode == "accurate":
        p = _params(mode, options, allowed=("factor", "threshold", "paf_threshold", "min_above"))
        work = _work_size(px.shape, p.factor)
        cand_a, cand_b = (_to_work(_candidates(c, n, whole=False), work, (width, height))
                          for c, n in ((candidates_a, "candidates_a"), (candidates_b, "candidates_b")))
        if implementation == "cpp":
            return ext().accurate_score_limb(px, py_, cand_a, cand_b, p.factor, p.paf_threshold, p.min_above,
                                             p.threshold)
        pairs = ref_acc.score_limb(ref_acc.upsample_cubic(px, p.factor), ref_acc.upsample_cubic(py_, p.factor),
                                   [tuple(r) for r in cand_a], [tuple(r) for r in cand_b],
                                   paf_threshold=p.paf_threshold, min_above=p.min_above, threshold=p.threshold)
        return np.asarray(pairs, np.float32).reshape(-1, 3)
    params = _params(mode, options, allowed=("n_samples", "paf_threshold", "min_fraction"))
    cand_a, cand_b = _candidates(candidates_a, "candidates_a"), _candidates(candidates_b, "candidates_b")
    for name, cand in (("candidates_a", cand_a), ("candidates_b", cand_b)):
        xs, ys = cand[:, 1], cand[:, 2]
        if ((xs < 0) | (xs >= width) | (ys < 0) | (ys >= height)).any():
            msg = f"`{name}` has points outside the {width}x{height} image"
            raise ValueError(msg)
    if implementation == "cpp":
        return ext().seed_score_limb(px, py_, cand_a, cand_b, width, height, params.n_samples,
                                     params.paf_threshold, params.min_fraction)
    maps = reference.resize_linear(np.stack([px, py_]), width, height)
    as_rows = lambda c: [(int(r[0]), int(r[1]), int(r[2]), float(r[3])) for r in c]  # noqa: E731
    pairs = reference.get_valid_pairs_for_limb(
        maps[0], maps[1], as_rows(cand_a), as_rows(cand_b), n_interp_samples=params.n_samples,
        paf_score_th=params.paf_threshold, conf_th=params.min_fraction)
    return np.asarray(pairs, np.float32).reshape(-1, 3)


def assemble_persons(
    valid_pairs: Sequence,
    *,
    layout="coco",
    mode: str = "accurate",
    implementation: str = "cpp",
    keypoints: Optional[Sequence] = None,
    **options,
) -> np.ndarray:
    """Group scored limbs into people.

    Parameters
    ----------
    valid_pairs : sequence of L array_like of shape (m_k, 3)
        Per limb of the layout, rows ``[a_id, b_id, score]`` (as `score_limb`).
    layout : str or Layout
        Gives the limb table (seed mode: the original's, for COCO-18).
    mode : {"accurate", "seed"}
        ``"accurate"``: OpenPose's grouping and selection (options
        ``grouping``, ``min_parts``, ``min_mean_score``); needs `keypoints`.
        ``"seed"``: the original's getPersonwiseKeypoints.
    implementation : {"cpp", "python"}
    keypoints : sequence of K array_like of shape (n_i, 4), optional
        Accurate mode: the candidates per part, rows ``[id, x, y, score]``.

    Returns
    -------
    ndarray of shape (P, K), int32
        Keypoint ids per person, -1 where missing.
    """
    mode = v.choice(mode, "mode", v.MODES)
    implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
    lay: Layout = get_layout(layout)
    limbs = lay.limb_table(mode)
    if isinstance(valid_pairs, np.ndarray) or len(valid_pairs) != len(limbs):
        msg = f"`valid_pairs` must be a sequence of {len(limbs)} arrays (one per limb of {lay.name!r})"
        raise ValueError(msg)
    pairs = []
    for k, p in enumerate(valid_pairs):
        arr = np.asarray(p)
        arr = np.zeros((0, 3), np.float32) if arr.size == 0 else v.float32_array(arr, f"valid_pairs[{k}]", ndim=2)
        if arr.shape[1] != 3:
            msg = f"`valid_pairs[{k}]` must have shape (m, 3), got {arr.shape}"
            raise ValueError(msg)
        if len(arr) > v.MAX_PEAKS_PER_PART:
            msg = (f"`valid_pairs[{k}]` has {len(arr)} pairs, more than the limit of {v.MAX_PEAKS_PER_PART} "
                   "(one per candidate of a part)")
            raise ValueError(msg)
        if not (np.abs(arr[:, :2]) < 2**31).all() or not np.array_equal(arr[:, :2], np.floor(arr[:, :2])):
            msg = f"`valid_pairs[{k}]`: ids must be whole numbers within the int32 range"
            raise ValueError(msg)
        pairs.append(arr)
    if mode == "accurate":
        p = _params(mode, options, allowed=("grouping", "min_parts", "min_mean_score"))
        if keypoints is None or isinstance(keypoints, np.ndarray) or len(keypoints) != lay.n_parts:
            msg = f"`keypoints` must be a sequence of {lay.n_parts} arrays (one per part of {lay.name!r})"
            raise ValueError(msg)
        kps = [_candidates(k, f"keypoints[{i}]", whole=False) for i, k in enumerate(keypoints)]
        fill = lay.fill_only()
        if implementation == "cpp":
            persons, _ = ext().accurate_assemble(kps, pairs, limbs, fill, p.grouping, p.min_parts,
                                                 p.min_mean_score)
            return np.asarray(persons, np.int32)
        rows_k = [[tuple(r) for r in k] for k in kps]
        conns = [[(int(a), int(b), np.float32(s)) for a, b, s in c] for c in pairs]
        people = (ref_acc.assemble_cpu(rows_k, conns, limbs, fill) if p.grouping == "cpu"
                  else ref_acc.assemble_gpu(rows_k, conns, limbs))
        rows, _ = ref_acc.select_people(people, len(limbs), min_parts=p.min_parts, min_mean_score=p.min_mean_score)
        return np.asarray(rows, np.int32).reshape(-1, lay.n_parts)
    _params(mode, options, allowed=())
    starts = lay.seed_starts_person()
    if implementation == "cpp":
        return np.asarray(ext().seed_assemble(pairs, limbs, starts, lay.n_parts), np.int32)
    rows = reference.get_personwise_keypoints(
        [[(int(a), int(b), float(s)) for a, b, s in p] for p in pairs], limbs, starts, lay.n_parts)
    return np.asarray(rows, np.int32).reshape(-1, lay.n_parts)


def postprocess_batch(
    net_outputs,
    *,
    image_sizes,
    mode: str = "accurate",
    implementation: str = "cpp",
    threads: Optional[int] = None,
    **options,
) -> "list[PoseResult]":
    """`postprocess` on several network outputs, spread over threads.

    The C++ implementation releases the GIL for the whole post-processing of one
    output, so frames run in parallel on a thread pool; the Python implementation
    gains nothing from threads.

    Parameters
    ----------
    net_outputs : sequence of array_like, each (1, C, h, w) or (C, h, w); or one array (N, C, h, w)
        One network output per frame (sizes may differ).
    image_sizes : (int, int) or sequence of N (int, int)
        ``(width, height)`` of the original images: one pair for all frames,
        or one per frame.
    mode, implementation, **options
        As for `postprocess`.
    threads : int, optional
        Worker threads (>= 1); default: the number of CPUs, at most N.

    Returns
    -------
    list of PoseResult
        One per output, in input order; identical to calling `postprocess`
        on each.
    """
    if isinstance(net_outputs, np.ndarray):
        if net_outputs.ndim != 4:
            msg = f"`net_outputs` as one array must have shape (N, C, h, w), got {net_outputs.shape}"
            raise ValueError(msg)
        items = list(net_outputs)
    else:
        try:
            items = list(net_outputs)
        except TypeError:
            msg = f"`net_outputs` must be a sequence of network outputs, got {type(net_outputs).__name__}"
            raise TypeError(msg) from None
    n = len(items)
    pair = (isinstance(image_sizes, (tuple, list, np.ndarray)) and len(image_sizes) == 2
            and all(isinstance(x, numbers.Integral) for x in image_sizes))
    if pair:
        sizes = [v.image_size(image_sizes, "image_sizes")] * n
    else:
        try:
            sizes = [v.image_size(s, f"image_sizes[{i}]") for i, s in enumerate(image_sizes)]
        except TypeError as err:
            msg = f"`image_sizes` must be a (width, height) pair or one pair per output: {err}"
            raise TypeError(msg) from None
        if len(sizes) != n:
            msg = f"`image_sizes` has {len(sizes)} pairs for {n} network outputs"
            raise ValueError(msg)
    if threads is None:
        import os

        threads = os.cpu_count() or 1
    threads = v.number(threads, "threads", minimum=1, maximum=1024, integer=True)
    threads = max(1, min(threads, n))

    def one(i):
        return postprocess(items[i], image_size=sizes[i], mode=mode, implementation=implementation, **options)

    if threads == 1 or n <= 1:
        return [one(i) for i in range(n)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(n)))
