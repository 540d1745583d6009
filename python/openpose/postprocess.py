"""Post-processing of OpenPose network outputs: public functions.

Every function takes arrays and returns arrays of fixed shapes. ``backend``
chooses between the compiled C++ core (``"cpp"``, the default) and the
pure-Python reference (``"python"``); both give the same results.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Optional, Sequence, Tuple

import numpy as np

from . import _validation as v
from . import reference
from ._cpp import ext
from .layouts import Layout, get_layout, layout_for_channels
from .result import PoseResult, poses_from_persons

__all__ = ["postprocess", "find_peaks", "score_limb", "assemble_persons", "SeedParams"]


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


_PARAMS = {"seed": SeedParams}


def _params(mode: str, options: dict):
    cls = _PARAMS[mode]
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(options) - known)
    if unknown:
        msg = f"unknown option(s) for mode={mode!r}: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise TypeError(msg)
    return cls(**options).checked()


def postprocess(
    net_output,
    *,
    image_size: Tuple[int, int],
    mode: str = "seed",
    backend: str = "cpp",
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
    mode : {"seed"}
        ``"seed"``: the original program's algorithm, unchanged.
    backend : {"cpp", "python"}
        The compiled core or the pure-Python reference.
    layout : str or Layout, optional
        Keypoint layout; inferred from C when omitted (57: COCO-18).
    **options
        The mode's constants (see `SeedParams`), e.g. ``threshold=0.1``.

    Returns
    -------
    PoseResult
        ``poses`` (P, K, 3), ``scores`` (P,), ``persons`` (P, K) and the
        intermediate ``keypoints``, ``valid_pairs`` and ``invalid_pairs``.

    Raises
    ------
    ValueError, TypeError
        For malformed input; the message names the parameter.
    """
    mode = v.choice(mode, "mode", v.MODES)
    backend = v.choice(backend, "backend", v.BACKENDS)
    params = _params(mode, options)
    net = v.net_output_array(net_output)
    width, height = v.image_size(image_size)
    lay = layout_for_channels(net.shape[0]) if layout is None else get_layout(layout)
    limbs = lay.limb_table(mode)
    needed = max(lay.n_parts, int(limbs[:, 2:].max()) + 1)
    if net.shape[0] < needed:
        msg = f"`net_output` has {net.shape[0]} channels; layout {lay.name!r} needs at least {needed}"
        raise ValueError(msg)
    starts = lay.seed_starts_person()

    if backend == "cpp":
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
        layout=lay.name, image_size=(width, height), mode=mode,
    )


def find_peaks(
    heatmap,
    *,
    image_size: Optional[Tuple[int, int]] = None,
    mode: str = "seed",
    threshold: float = 0.1,
    backend: str = "cpp",
) -> np.ndarray:
    """Keypoint candidates of one heatmap (the original's getKeyPoints).

    Parameters
    ----------
    heatmap : array_like of shape (h, w)
        One part's heatmap, at network resolution or already at image size.
    image_size : (int, int), optional
        ``(width, height)``: the map is first resized to it (as the original
        resizes every map). Omitted: the map is used at its own size.
    mode : {"seed"}
    threshold : float
        Region threshold on the blurred map (>= 0).
    backend : {"cpp", "python"}

    Returns
    -------
    ndarray of shape (n, 3), float32
        Rows ``[x, y, score]`` in contour order.
    """
    v.choice(mode, "mode", v.MODES)
    backend = v.choice(backend, "backend", v.BACKENDS)
    threshold = v.number(threshold, "threshold", minimum=0.0)
    hm = v.float32_array(heatmap, "heatmap", ndim=2)
    width, height = v.image_size((hm.shape[1], hm.shape[0]), "heatmap") if image_size is None else v.image_size(image_size)
    if backend == "cpp":
        return ext().seed_find_peaks(hm, width, height, threshold)
    prob = reference.resize_linear(hm, width, height)
    return np.asarray(reference.get_keypoints(prob, threshold), np.float32).reshape(-1, 3)


def _candidates(value, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.size == 0:
        return np.zeros((0, 4), np.float32)
    arr = v.float32_array(arr, name, ndim=2)
    if arr.shape[1] != 4:
        msg = f"`{name}` must have shape (n, 4) with rows [id, x, y, score], got {arr.shape}"
        raise ValueError(msg)
    if not np.array_equal(arr[:, :3], np.floor(arr[:, :3])) or not (np.abs(arr[:, 0]) < 2**31).all():
        msg = f"`{name}`: ids and coordinates must be whole numbers (ids within the int32 range)"
        raise ValueError(msg)
    return arr


def score_limb(
    paf_x,
    paf_y,
    candidates_a,
    candidates_b,
    *,
    image_size: Optional[Tuple[int, int]] = None,
    mode: str = "seed",
    n_samples: int = 10,
    paf_threshold: float = 0.1,
    min_fraction: float = 0.7,
    backend: str = "cpp",
) -> np.ndarray:
    """Valid connections of one limb (the original's getValidPairs, one limb).

    Parameters
    ----------
    paf_x, paf_y : array_like of shape (h, w)
        The limb's two PAF channels, at network resolution or at image size.
    candidates_a, candidates_b : array_like of shape (n, 4)
        Rows ``[id, x, y, score]`` (as `PoseResult.keypoints`), in image pixels.
    image_size : (int, int), optional
        ``(width, height)`` the PAF maps are resized to; omitted: their own size.
    mode : {"seed"}
    n_samples, paf_threshold, min_fraction
        See `SeedParams`.
    backend : {"cpp", "python"}

    Returns
    -------
    ndarray of shape (m, 3), float32
        Rows ``[a_id, b_id, score]``, at most one per candidate of A.
    """
    v.choice(mode, "mode", v.MODES)
    backend = v.choice(backend, "backend", v.BACKENDS)
    params = SeedParams(threshold=0.1, n_samples=n_samples, paf_threshold=paf_threshold,
                        min_fraction=min_fraction).checked()
    px = v.float32_array(paf_x, "paf_x", ndim=2)
    py_ = v.float32_array(paf_y, "paf_y", ndim=2)
    if px.shape != py_.shape:
        msg = f"`paf_x` and `paf_y` must have the same shape, got {px.shape} and {py_.shape}"
        raise ValueError(msg)
    width, height = v.image_size((px.shape[1], px.shape[0]), "paf_x") if image_size is None else v.image_size(image_size)
    cand_a, cand_b = _candidates(candidates_a, "candidates_a"), _candidates(candidates_b, "candidates_b")
    for name, cand in (("candidates_a", cand_a), ("candidates_b", cand_b)):
        v.candidate_count(len(cand), f"`{name}`")
        xs, ys = cand[:, 1], cand[:, 2]
        if ((xs < 0) | (xs >= width) | (ys < 0) | (ys >= height)).any():
            msg = f"`{name}` has points outside the {width}x{height} image"
            raise ValueError(msg)
    if backend == "cpp":
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
    mode: str = "seed",
    backend: str = "cpp",
) -> np.ndarray:
    """Group scored limbs into people (the original's getPersonwiseKeypoints).

    Parameters
    ----------
    valid_pairs : sequence of L array_like of shape (m_k, 3)
        Per limb of the layout, rows ``[a_id, b_id, score]``.
    layout : str or Layout
        Gives the limb table (seed mode: the original's, for COCO-18).
    mode : {"seed"}
    backend : {"cpp", "python"}

    Returns
    -------
    ndarray of shape (P, K), int32
        Keypoint ids per person, -1 where missing.
    """
    mode = v.choice(mode, "mode", v.MODES)
    backend = v.choice(backend, "backend", v.BACKENDS)
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
    starts = lay.seed_starts_person()
    if backend == "cpp":
        return np.asarray(ext().seed_assemble(pairs, limbs, starts, lay.n_parts), np.int32)
    rows = reference.get_personwise_keypoints(
        [[(int(a), int(b), float(s)) for a, b, s in p] for p in pairs], limbs, starts, lay.n_parts)
    return np.asarray(rows, np.int32).reshape(-1, lay.n_parts)
