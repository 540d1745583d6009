"""tf-pose-estimation's post-processing, re-implemented for comparison.

The accuracy table (``benchmarks/accuracy.py``) compares our modes with the
grouping of the tf-pose-estimation project (ildoonet), whose
``mobilenet_v2_small`` graph is the shared model. This module reproduces,
from the facts of that project's sources (``tf_pose/estimator.py``,
``tf_pose/tensblur/smoother.py``, ``tf_pose/pafprocess/pafprocess.{h,cpp}``),
what it does to one network output. It is a benchmark aid, not part of the
library.

Pipeline
--------
1. Heatmaps (channels 0..18) and PAFs (19..56) are upsampled with
   TensorFlow's ``resize_area`` (``align_corners=False``) to
   ``int(h * upsample_ratio) x int(w * upsample_ratio)`` (tf-pose: the
   network input size / 8 * ``resize_out_ratio``; 4 in its run scripts).
   Upsampling by ``resize_area`` is *not* interpolation: every output pixel
   is the area-weighted mean of the input cells its footprint covers, so an
   integer factor replicates each cell into a block (`upsample_area`).
   OpenCV's ``INTER_AREA`` uses the same footprint weights when enlarging
   (it agrees to float32 rounding: see the tests); numpy keeps TF's order.
2. The upsampled heatmaps are smoothed with the Smoother's Gaussian: a
   25 x 25 kernel whose 1-D profile is the difference of the normal CDF over
   25 equal bins spanning +-(3 + half a bin) standard deviations, the 2-D
   kernel being the square root of the outer product, normalised to sum 1;
   depthwise convolution with zero ``SAME`` padding.
3. Peaks: pixels where the smoothed map equals its 3 x 3 max-pool (``SAME``:
   the border sees only in-image neighbours) and exceeds ``THRESH_HEAT``, in
   raster order per part; ids are global over the parts in part order. The
   score of a peak is the *unsmoothed* upsampled heatmap at that pixel.
4. Each limb (``COCOPAIRS``, PAF channels ``COCOPAIRS_NET``): for every pair
   of candidates, ``STEP_PAF`` = 10 samples at ``a + i (b - a) / 10``,
   ``i = 0..9``, rounded by ``(int)(v + 0.5)``; the dot product of the unit
   vector with the PAF at each; criterion 1: more than
   ``THRESH_VECTOR_CNT1`` samples above ``THRESH_VECTOR_SCORE``; criterion 2:
   ``mean + min(0, 0.5 * H / |ab| - 1) > 0`` (``H``: upsampled height),
   which is also the connection score. Candidates sorted by score, greedily
   matched one-to-one.
5. People ("subsets") built limb by limb: a connection touching one person
   (its first part, or its second, already in that person) sets the second
   part; touching two people merges them when they share no part, else sets
   the second part of the first; touching none starts a person (first 17
   limbs only). People with fewer than ``THRESH_PART_CNT`` parts or a mean
   score below ``THRESH_HUMAN_SCORE`` are deleted.
6. A person's score is tf-pose's ``get_score``: total / part count (the
   total sums the part scores and connection scores added, the count the
   parts added, as pafprocess keeps them). A keypoint at upsampled pixel
   ``x`` is at ``x / W_up`` of the image width (tf-pose's ``BodyPart.x``),
   i.e. ``x / W_up * image_width`` pixels here (no half-pixel shift: that is
   what tf-pose does).

Where the C++ source is not well defined
----------------------------------------
- ``membership`` in the two-people case is read uninitialised when the two
  people share no part: we implement the evident intent, 0 (merge) unless
  both people have the same part slot filled, 2 (no merge) otherwise.
- That "filled" test is ``> 0`` in pafprocess (peak id 0 counts as empty),
  and a merge adds ``other + 1`` to every slot; both are well defined and
  kept as written, so the rare merge of two people holding peak 0 and
  another peak in one slot gives the slot a wrong id, as in tf-pose. An id
  past the last peak (C++ reads out of bounds) is treated as missing here.
- ``std::sort`` of the candidates is not stable: equal scores are kept in
  generation order here (a-major, b-minor).
- TensorFlow computes the smoothing in float32 with the 2-D kernel; here it
  is the kernel's exact separable form in float64, rounded to float32, so
  values differ in the last bits. Only exact ties in the max-pool test can
  come out differently (a blurred, perfectly symmetric block); TensorFlow's
  own choice there depends on its summation order.
- Everything else (the float32 / double arithmetic of pair scoring and
  person totals, ``resize_area``'s float32 weights and order of sums) is
  reproduced operation by operation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from openpose import _validation as v
from openpose.layouts import get_layout
from openpose.result import PoseResult

__all__ = [
    "COCOPAIRS",
    "COCOPAIRS_NET",
    "assemble_people",
    "connect_limb",
    "find_peaks",
    "smooth",
    "smoother_kernel_1d",
    "tfpose_postprocess",
    "upsample_area",
]

#: tf-pose's COCO-18 limbs (part a, part b), in its order (pafprocess.h).
COCOPAIRS: tuple[tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
    (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17), (2, 16), (5, 17),
)
#: The PAF channels (x, y) of each limb, relative to the first PAF channel (pafprocess.h).
COCOPAIRS_NET: tuple[tuple[int, int], ...] = (
    (12, 13), (20, 21), (14, 15), (16, 17), (22, 23), (24, 25), (0, 1), (2, 3), (4, 5),
    (6, 7), (8, 9), (10, 11), (28, 29), (30, 31), (34, 35), (32, 33), (36, 37), (18, 19), (26, 27),
)
#: Parts, heatmap channels (parts + background) and PAF channels of the model.
NUM_PART = 18
N_HEAT = 19
N_CHANNELS = 57
#: Only the first 17 limbs may start a person (pafprocess: ``pair_id < 17``).
N_START_PAIRS = 17

THRESH_HEAT = 0.05
THRESH_VECTOR_SCORE = 0.05
# pafprocess.h as it ships with the mobilenet-v2 graphs (the shared model's
# origin): 6 and 0.3 (before that commit: 8 and 0.4).
THRESH_VECTOR_CNT1 = 6
THRESH_PART_CNT = 4
THRESH_HUMAN_SCORE = 0.3
STEP_PAF = 10
SMOOTH_SIZE = 25
SMOOTH_NSIG = 3.0
UPSAMPLE_RATIO = 4.0
#: tf-pose's own COCO evaluation (tf_pose/eval.py) upsamples 8x.
EVAL_UPSAMPLE_RATIO = 8.0

_F32 = np.float32


# --------------------------------------------------------------------------
# 1. resize_area
# --------------------------------------------------------------------------

def _area_axis(n_in: int, n_out: int):
    """Source cells and float32 weights of TF ``resize_area`` along one axis.

    Returns ``(index (n_out, K) int64, weight (n_out, K) float32, scale)``;
    unused slots have weight 0 (adding ``x * 0`` changes no sum).
    """
    scale = _F32(n_in) / _F32(n_out)
    rows = []
    for o in range(n_out):
        lo = _F32(o) * scale
        hi = _F32(o + 1) * scale
        cells = []
        for i in range(int(math.floor(lo)), int(math.ceil(hi))):
            fi = _F32(i)
            if fi < lo:
                w = scale if fi + 1 > hi else _F32(fi + 1 - lo)
            else:
                w = _F32(hi - fi) if fi + 1 > hi else _F32(1.0)
            cells.append((min(max(i, 0), n_in - 1), _F32(w)))
        rows.append(cells)
    k = max(len(c) for c in rows)
    index = np.zeros((n_out, k), np.int64)
    weight = np.zeros((n_out, k), np.float32)
    for o, cells in enumerate(rows):
        for j, (i, w) in enumerate(cells):
            index[o, j], weight[o, j] = i, w
    return index, weight, scale


def upsample_area(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """TensorFlow's ``resize_area`` (``align_corners=False``) of channel-first maps.

    Parameters
    ----------
    maps : ndarray of shape (C, h, w), float32
    size : (int, int)
        ``(height, width)`` of the result (TF's ``size`` order).

    Returns
    -------
    ndarray of shape (C, height, width), float32
        Each output pixel is the mean of the input over its footprint
        ``[y * h / height, (y + 1) * h / height)`` (likewise in x), with TF's
        float32 weights and order of summation. Upsampling by an integer
        factor therefore repeats every cell, and a factor like 4/3 blends
        neighbours only where a footprint straddles a cell border.
    """
    maps = np.asarray(maps, np.float32)
    out_h, out_w = size
    yi, yw, sy = _area_axis(maps.shape[1], out_h)
    xi, xw, sx = _area_axis(maps.shape[2], out_w)
    # TF: per source row, sum the x cells in order; then sum the rows in order.
    rows = maps[:, :, xi[:, 0]] * xw[:, 0]
    for j in range(1, xi.shape[1]):
        rows = rows + maps[:, :, xi[:, j]] * xw[:, j]
    out = rows[:, yi[:, 0], :] * yw[:, 0, None]
    for j in range(1, yi.shape[1]):
        out = out + rows[:, yi[:, j], :] * yw[:, j, None]
    scale = _F32(1.0 / float(_F32(sy * sx)))
    return (out * scale).astype(np.float32)


# --------------------------------------------------------------------------
# 2. Smoother
# --------------------------------------------------------------------------

def smoother_kernel_1d(size: int = SMOOTH_SIZE, nsig: float = SMOOTH_NSIG) -> np.ndarray:
    """The separable factor (float64, sums to 1) of tf-pose's Smoother kernel.

    The Smoother's 2-D kernel is ``sqrt(outer(k, k)) / sum``, ``k`` the
    normal probability of `size` equal bins centred on 0 that span
    ``+-(nsig + bin / 2)``; that equals ``outer(f, f)`` with
    ``f = sqrt(k) / sum(sqrt(k))``.
    """
    interval = (2 * nsig + 1.0) / size
    edges = np.linspace(-nsig - interval / 2.0, nsig + interval / 2.0, size + 1)
    cdf = np.array([0.5 * math.erfc(-e / math.sqrt(2.0)) for e in edges])
    f = np.sqrt(np.diff(cdf))
    return f / f.sum()


def smooth(maps: np.ndarray, size: int = SMOOTH_SIZE, nsig: float = SMOOTH_NSIG) -> np.ndarray:
    """Depthwise convolution of (C, H, W) maps with the Smoother kernel, zero ``SAME`` padding; float32."""
    f = smoother_kernel_1d(size, nsig)
    pad = (size - 1) // 2  # TF SAME with an odd kernel: the same on both sides
    x = np.asarray(maps, np.float64)
    h, w = x.shape[1:]
    p = np.pad(x, ((0, 0), (0, 0), (pad, size - 1 - pad)))
    acc = np.zeros_like(x)
    for k in range(size):
        acc += f[k] * p[:, :, k:k + w]
    p = np.pad(acc, ((0, 0), (pad, size - 1 - pad), (0, 0)))
    acc = np.zeros_like(x)
    for k in range(size):
        acc += f[k] * p[:, k:k + h, :]
    return acc.astype(np.float32)


# --------------------------------------------------------------------------
# 3. Peaks
# --------------------------------------------------------------------------

def _max_pool_3x3(x: np.ndarray) -> np.ndarray:
    """3 x 3 max-pool, stride 1, ``SAME`` (padding never wins), of (C, H, W)."""
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    h, w = x.shape[1:]
    out = p[:, 0:h, 0:w].copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(out, p[:, dy:dy + h, dx:dx + w], out=out)
    return out


def find_peaks(smoothed: np.ndarray, heat: np.ndarray, *, thresh_heat: float = THRESH_HEAT) -> list[np.ndarray]:
    """tf-pose's peaks of each part.

    Parameters
    ----------
    smoothed : ndarray of shape (P, H, W), float32
        Smoothed upsampled heatmaps (the parts only).
    heat : ndarray of shape (P', H, W), float32, P' >= P
        Unsmoothed upsampled heatmaps: the peak scores.
    thresh_heat : float

    Returns
    -------
    list of P ndarrays of shape (n_i, 3), float32
        Rows ``[x, y, score]`` in raster order; x, y are upsampled pixels.
    """
    peaks = np.where(smoothed == _max_pool_3x3(smoothed), smoothed, _F32(0))
    out = []
    for part in range(smoothed.shape[0]):
        ys, xs = np.nonzero(peaks[part] > _F32(thresh_heat))
        out.append(np.column_stack([xs, ys, heat[part, ys, xs]]).astype(np.float32).reshape(-1, 3))
    return out


# --------------------------------------------------------------------------
# 4. Limbs
# --------------------------------------------------------------------------

def connect_limb(
    peaks_a: np.ndarray,
    peaks_b: np.ndarray,
    paf_x: np.ndarray,
    paf_y: np.ndarray,
    *,
    height: int,
    step_paf: int = STEP_PAF,
    thresh_vector_score: float = THRESH_VECTOR_SCORE,
    thresh_vector_cnt1: int = THRESH_VECTOR_CNT1,
) -> np.ndarray:
    """Scored, greedily matched connections of one limb (pafprocess).

    Parameters
    ----------
    peaks_a, peaks_b : ndarray of shape (n, >=2)
        Candidates of the limb's two parts, columns ``x, y`` (integer
        upsampled pixels).
    paf_x, paf_y : ndarray of shape (H, W), float32
        The limb's two upsampled PAF channels.
    height : int
        ``H``, the upsampled height (criterion 2's length penalty).

    Returns
    -------
    ndarray of shape (m, 3), float32
        Rows ``[index in peaks_a, index in peaks_b, score]``, best first.
    """
    a = np.asarray(peaks_a)[:, :2].astype(np.int64)
    b = np.asarray(peaks_b)[:, :2].astype(np.int64)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((0, 3), np.float32)
    ax, ay = a[:, 0, None], a[:, 1, None]
    dx = (b[None, :, 0] - ax).astype(np.float32)
    dy = (b[None, :, 1] - ay).astype(np.float32)
    norm = np.sqrt(dx * dx + dy * dy)
    usable = norm >= 1e-12
    safe = np.where(usable, norm, _F32(1))
    ux, uy = dx / safe, dy / safe
    step = _F32(step_paf)
    step_x, step_y = dx / step, dy / step
    fax, fay = ax.astype(np.float32), ay.astype(np.float32)
    total = np.zeros(dx.shape, np.float32)
    count = np.zeros(dx.shape, np.int64)
    for i in range(step_paf):
        # roundpaf((float) a + i * step): (int)(v + 0.5) in double.
        lx = np.trunc((fax + _F32(i) * step_x).astype(np.float64) + 0.5).astype(np.int64)
        ly = np.trunc((fay + _F32(i) * step_y).astype(np.float64) + 0.5).astype(np.int64)
        s = ux * paf_x[ly, lx] + uy * paf_y[ly, lx]
        total = total + s
        count += s > _F32(thresh_vector_score)
    penalty = np.minimum(0.0, 0.5 * height / safe.astype(np.float64) - 1.0)
    criterion2 = ((total / step).astype(np.float64) + penalty).astype(np.float32)
    keep = usable & (count > thresh_vector_cnt1) & (criterion2 > 0)
    ia, ib = np.nonzero(keep)  # a-major, b-minor: generation order
    scores = criterion2[ia, ib]
    order = np.argsort(-scores, kind="stable")
    used_a, used_b, rows = set(), set(), []
    for k in order:
        i, j = int(ia[k]), int(ib[k])
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        rows.append((i, j, scores[k]))
    return np.array(rows, np.float32).reshape(-1, 3)


# --------------------------------------------------------------------------
# 5. People
# --------------------------------------------------------------------------

def assemble_people(
    connections: Sequence[np.ndarray],
    part_scores: np.ndarray,
    *,
    pairs: Sequence[tuple[int, int]] = COCOPAIRS,
    n_parts: int = NUM_PART,
    n_start_pairs: int = N_START_PAIRS,
    thresh_part_cnt: int = THRESH_PART_CNT,
    thresh_human_score: float = THRESH_HUMAN_SCORE,
) -> np.ndarray:
    """pafprocess's subsets from the matched connections.

    Parameters
    ----------
    connections : sequence of L ndarrays of shape (m_k, 3), float32
        Per limb, rows ``[peak id a, peak id b, score]`` (global ids), in
        matching order.
    part_scores : ndarray of shape (N,), float32
        Score of each peak by global id.
    pairs : sequence of L (int, int)
        The limbs' parts.

    Returns
    -------
    ndarray of shape (P, n_parts + 2), float32
        pafprocess's rows: peak ids (-1: none), then the total score, then
        the part count. Surviving people only, in pafprocess's order.
    """
    scores = np.asarray(part_scores, np.float32)
    i_total, i_count = n_parts, n_parts + 1
    rows: list[np.ndarray] = []
    for k, (pa, pb) in enumerate(pairs):
        for cid1, cid2, score in np.asarray(connections[k], np.float32).reshape(-1, 3):
            c1, c2 = int(cid1), int(cid2)
            hits = [i for i, r in enumerate(rows) if r[pa] == c1 or r[pb] == c2]
            if len(hits) == 1:
                r = rows[hits[0]]
                if r[pb] != c2:
                    r[pb] = c2
                    r[i_count] += _F32(1)
                    r[i_total] += scores[c2] + score
            elif len(hits) == 2:
                r1, r2 = rows[hits[0]], rows[hits[1]]
                # See the module notes: `membership` is 0 unless a slot is filled (> 0) in both.
                if not np.any((r1[:n_parts] > 0) & (r2[:n_parts] > 0)):
                    r1[:n_parts] += r2[:n_parts] + _F32(1)
                    r1[i_count] += r2[i_count]
                    r1[i_total] += r2[i_total]
                    r1[i_total] += score
                    del rows[hits[1]]
                else:
                    r1[pb] = c2
                    r1[i_count] += _F32(1)
                    r1[i_total] += scores[c2] + score
            elif not hits and k < n_start_pairs:
                r = np.full(n_parts + 2, -1, np.float32)
                r[pa], r[pb] = c1, c2
                r[i_count] = 2
                r[i_total] = scores[c1] + scores[c2] + score
                rows.append(r)
    kept = [r for r in rows
            if not (r[i_count] < thresh_part_cnt or r[i_total] / r[i_count] < _F32(thresh_human_score))]
    return np.array(kept, np.float32).reshape(-1, n_parts + 2)


# --------------------------------------------------------------------------
# The whole pipeline
# --------------------------------------------------------------------------

def tfpose_postprocess(
    net_output,
    *,
    image_size: tuple[int, int],
    upsample_ratio: float = UPSAMPLE_RATIO,
    smooth_size: int = SMOOTH_SIZE,
    smooth_nsig: float = SMOOTH_NSIG,
    thresh_heat: float = THRESH_HEAT,
    thresh_vector_score: float = THRESH_VECTOR_SCORE,
    thresh_vector_cnt1: int = THRESH_VECTOR_CNT1,
    thresh_part_cnt: int = THRESH_PART_CNT,
    thresh_human_score: float = THRESH_HUMAN_SCORE,
    step_paf: int = STEP_PAF,
) -> PoseResult:
    """People in one COCO-18 network output, as tf-pose-estimation groups them.

    Parameters
    ----------
    net_output : ndarray of shape (1, 57, h, w) or (57, h, w), float32
        19 heatmaps (18 parts + background) then 38 PAF channels.
    image_size : (int, int)
        ``(width, height)`` of the original image.
    upsample_ratio : float
        The maps are upsampled to ``int(h * ratio) x int(w * ratio)``
        (tf-pose's ``resize_out_ratio``; 4.0 in its run scripts).
    smooth_size, smooth_nsig, thresh_*, step_paf
        pafprocess's and the Smoother's constants (see the module notes).

    Returns
    -------
    PoseResult
        ``poses`` (P, 18, 3) float32 in image pixels (missing parts 0, 0, 0),
        ``scores`` (P,) float32 (total / part count), ``persons`` (P, 18)
        int32 peak ids, ``keypoints`` 18 arrays ``[id, x, y, score]``,
        ``valid_pairs`` 19 arrays ``[id_a, id_b, score]``; layout
        ``"coco"``, mode ``"tfpose"``.
    """
    net = v.net_output_array(net_output)
    if net.shape[0] != N_CHANNELS:
        msg = f"`net_output` must have {N_CHANNELS} channels (COCO-18 heatmaps and PAFs), got {net.shape[0]}"
        raise ValueError(msg)
    width, height = v.image_size(image_size)
    ratio = v.number(upsample_ratio, "upsample_ratio", minimum=0.0)
    h, w = net.shape[1:]
    up_h, up_w = int(h * ratio), int(w * ratio)
    if up_h < 1 or up_w < 1:
        msg = f"`upsample_ratio` {ratio} makes the {w}x{h} maps empty"
        raise ValueError(msg)

    heat = upsample_area(net[:N_HEAT], (up_h, up_w))
    paf = upsample_area(net[N_HEAT:], (up_h, up_w))
    smoothed = smooth(heat[:NUM_PART], smooth_size, smooth_nsig)
    peaks = find_peaks(smoothed, heat, thresh_heat=thresh_heat)

    starts = np.cumsum([0] + [len(p) for p in peaks])
    n_peaks = int(starts[-1])
    part_scores = np.concatenate([p[:, 2] for p in peaks]).astype(np.float32)
    connections, invalid = [], []
    for k, ((pa, pb), (cx, cy)) in enumerate(zip(COCOPAIRS, COCOPAIRS_NET)):
        if len(peaks[pa]) == 0 or len(peaks[pb]) == 0:
            invalid.append(k)
        conns = connect_limb(peaks[pa], peaks[pb], paf[cx], paf[cy], height=up_h, step_paf=step_paf,
                             thresh_vector_score=thresh_vector_score, thresh_vector_cnt1=thresh_vector_cnt1)
        conns[:, 0] += starts[pa]
        conns[:, 1] += starts[pb]
        connections.append(conns)
    rows = assemble_people(connections, part_scores, thresh_part_cnt=thresh_part_cnt,
                           thresh_human_score=thresh_human_score)

    # tf-pose: BodyPart.x = x / W_up (a fraction of the image); here in pixels.
    sx, sy = width / up_w, height / up_h
    keypoints = []
    for part, p in enumerate(peaks):
        ids = np.arange(starts[part], starts[part + 1], dtype=np.float32)
        keypoints.append(np.column_stack([ids, p[:, 0] * sx, p[:, 1] * sy, p[:, 2]]).astype(np.float32)
                         .reshape(-1, 4))
    table = np.concatenate(keypoints)[:, 1:4]
    persons, poses, scores = [], [], []
    for r in rows:
        ids = np.array([int(c) for c in r[:NUM_PART]], np.int64)  # (int) of the float slot
        ids[(ids < 0) | (ids >= n_peaks)] = -1
        if not (ids >= 0).any():
            continue  # tf-pose adds a human only when it has a part
        pose = np.zeros((NUM_PART, 3), np.float32)
        pose[ids >= 0] = table[ids[ids >= 0]]
        persons.append(ids.astype(np.int32))
        poses.append(pose)
        scores.append(r[NUM_PART] / r[NUM_PART + 1])
    return PoseResult(
        poses=np.array(poses, np.float32).reshape(-1, NUM_PART, 3),
        scores=np.array(scores, np.float32).reshape(-1),
        persons=np.array(persons, np.int32).reshape(-1, NUM_PART),
        keypoints=keypoints,
        valid_pairs=connections,
        invalid_pairs=invalid,
        layout=get_layout("coco"),
        image_size=(width, height),
        mode="tfpose",
    )
