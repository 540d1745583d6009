"""The pure-Python reference of the post-processing.

Seed mode mirrors the original C++ program function by function
(``getKeyPoints``, ``splitNetOutputBlobToParts``, ``populateInterpPoints``,
``getValidPairs``, ``getPersonwiseKeypoints``) and reads like it. It is slow
on purpose: it exists to state the algorithm plainly and to check the C++
implementation, which must give identical results.

OpenCV's ``findContours`` and ``fillConvexPoly`` are called through cv2, as
the original does. ``resize`` and ``GaussianBlur`` are written out in numpy
with the exact float32 arithmetic of OpenCV's generic code, because the cv2
wheels take optimised paths whose last bits differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import MAX_PEAKS_PER_PART
from .params import SeedParams as Seed

__all__ = [
    "SeedDecoder",
    "gaussian_blur3",
    "get_keypoints",
    "get_personwise_keypoints",
    "get_valid_pairs_for_limb",
    "populate_interp_points",
    "resize_linear",
    "seed_postprocess",
]

f32 = np.float32


# --- image primitives ------------------------------------------------------

def _axis(src_len: int, dst_len: int, clamp_fraction: bool):
    """Sampling of one axis by OpenCV's generic INTER_LINEAR resize.

    Returns index arrays i0, i1 and float32 weights w0, w1 so that
    ``dst[d] = src[i0[d]] * w0[d] + src[i1[d]] * w1[d]``.
    """
    inv_scale = dst_len / src_len            # double, as OpenCV
    scale = 1.0 / inv_scale
    d = np.arange(dst_len, dtype=np.float64)
    f = ((d + 0.5) * scale - 0.5).astype(f32)
    s = np.floor(f).astype(np.int64)
    f = (f - s.astype(f32)).astype(f32)
    if clamp_fraction:                       # x: OpenCV clamps index and fraction
        low = s < 0
        s[low], f[low] = 0, 0
        high = s >= src_len - 1
        s[high], f[high] = src_len - 1, 0
        i0, i1 = s, np.minimum(s + 1, src_len - 1)
    else:                                    # y: only the rows are clamped
        i0, i1 = np.clip(s, 0, src_len - 1), np.clip(s + 1, 0, src_len - 1)
    return i0, i1, (f32(1) - f).astype(f32), f


def resize_linear(src: np.ndarray, width: int, height: int) -> np.ndarray:
    """``cv::resize(src, (width, height), INTER_LINEAR)`` for float32 maps.

    `src` is (h, w) or (C, h, w); every map is resized. Horizontal pass, then
    vertical, in float32, as OpenCV's generic code does.
    """
    src = np.asarray(src, dtype=f32)
    h, w = src.shape[-2:]
    if (w, h) == (width, height):            # OpenCV copies
        return src.copy()
    x0, x1, a0, a1 = _axis(w, width, True)
    y0, y1, b0, b1 = _axis(h, height, False)
    rows = src[..., x0] * a0 + src[..., x1] * a1                  # (..., h, width)
    return rows[..., y0, :] * b0[:, None] + rows[..., y1, :] * b1[:, None]


def _reflect101(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the previous and next neighbour under BORDER_REFLECT_101."""
    i = np.arange(n)
    if n == 1:
        return i, i
    prev, nxt = i - 1, i + 1
    prev[0], nxt[-1] = 1, n - 2
    return prev, nxt


def gaussian_blur3(src: np.ndarray) -> np.ndarray:
    """``cv::GaussianBlur(src, (3, 3), 0)``: kernel (1/4, 1/2, 1/4), rows then columns."""
    src = np.asarray(src, dtype=f32)
    h, w = src.shape
    left, right = _reflect101(w)
    rows = src * f32(0.5) + (src[:, left] + src[:, right]) * f32(0.25)
    up, down = _reflect101(h)
    return rows * f32(0.5) + (rows[up, :] + rows[down, :]) * f32(0.25)


# --- the original program's functions --------------------------------------

def get_keypoints(prob_map: np.ndarray, threshold: float = Seed.threshold) -> list[tuple[int, int, float]]:
    """getKeyPoints: the peaks of one image-size probability map.

    Returns ``(x, y, probability)`` per keypoint region, in contour order.
    """
    import cv2

    prob_map = np.asarray(prob_map, dtype=f32)
    smooth = gaussian_blur3(prob_map)
    # cv::threshold(THRESH_BINARY, 255) on float compares with (float)threshold.
    masked = np.where(smooth > f32(threshold), 255, 0).astype(np.uint8)
    contours, _ = cv2.findContours(masked, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    keypoints = []
    for contour in contours:
        blob_mask = np.zeros_like(smooth)
        cv2.fillConvexPoly(blob_mask, contour, 1)
        product = smooth * blob_mask
        y, x = np.unravel_index(int(np.argmax(product)), product.shape)   # first maximum
        keypoints.append((int(x), int(y), float(prob_map[y, x])))
    return keypoints


def populate_interp_points(a: tuple[int, int], b: tuple[int, int], num_points: int) -> list[tuple[int, int]]:
    """populateInterpPoints: num_points from a to b, inner ones truncated like cv::Point."""
    x_step = f32(b[0] - a[0]) / f32(num_points - 1)
    y_step = f32(b[1] - a[1]) / f32(num_points - 1)
    coords = [(a[0], a[1])]
    for i in range(1, num_points - 1):
        coords.append((int(f32(a[0]) + x_step * f32(i)), int(f32(a[1]) + y_step * f32(i))))
    coords.append((b[0], b[1]))
    return coords


def get_valid_pairs_for_limb(
    paf_a: np.ndarray,
    paf_b: np.ndarray,
    cand_a: Sequence[tuple[int, int, int, float]],
    cand_b: Sequence[tuple[int, int, int, float]],
    *,
    n_interp_samples: int = Seed.n_samples,
    paf_score_th: float = Seed.paf_threshold,
    conf_th: float = Seed.min_fraction,
) -> list[tuple[int, int, float]]:
    """The body of getValidPairs for one limb.

    `paf_a`, `paf_b` are the image-size PAF maps; candidates are
    ``(id, x, y, score)``. Returns ``(a_id, b_id, score)`` per valid pair.
    """
    h, w = paf_a.shape
    pairs = []
    for ida, xa, ya, _ in cand_a:
        max_j, max_score, found = -1, f32(-1), False
        for j, (_, xb, yb, _) in enumerate(cand_b):
            dx, dy = f32(xb - xa), f32(yb - ya)
            norm = np.sqrt(dx * dx + dy * dy)
            if not norm:
                continue
            dx, dy = dx / norm, dy / norm
            interp = populate_interp_points((xa, ya), (xb, yb), n_interp_samples)
            sum_scores, num_over_th = f32(0), 0
            for x, y in interp:
                x, y = min(max(x, 0), w - 1), min(max(y, 0), h - 1)
                score = paf_a[y, x] * dx + paf_b[y, x] * dy
                sum_scores = f32(sum_scores + score)
                if score > f32(paf_score_th):
                    num_over_th += 1
            avg = sum_scores / f32(len(interp))
            if f32(num_over_th) / f32(n_interp_samples) > f32(conf_th) and avg > max_score:
                max_j, max_score, found = j, avg, True
        if found:
            pairs.append((int(ida), int(cand_b[max_j][0]), float(max_score)))
    return pairs


def get_personwise_keypoints(
    valid_pairs: Sequence[Sequence[tuple[int, int, float]]],
    limbs: np.ndarray,
    starts_person: np.ndarray,
    n_parts: int,
) -> list[list[int]]:
    """getPersonwiseKeypoints: group valid pairs into people (lists of ids, -1 missing)."""
    persons: list[list[int]] = []
    for k, local_pairs in enumerate(valid_pairs):
        index_a, index_b = int(limbs[k][0]), int(limbs[k][1])
        for a_id, b_id, _ in local_pairs:
            for person in persons:
                if person[index_a] == a_id:
                    person[index_b] = b_id
                    break
            else:
                if starts_person[k]:
                    person = [-1] * n_parts
                    person[index_a], person[index_b] = a_id, b_id
                    persons.append(person)
    return persons


def seed_postprocess(
    net_output: np.ndarray,
    width: int,
    height: int,
    n_parts: int,
    limbs: np.ndarray,
    starts_person: np.ndarray,
    *,
    threshold: float = Seed.threshold,
    n_samples: int = Seed.n_samples,
    paf_threshold: float = Seed.paf_threshold,
    min_fraction: float = Seed.min_fraction,
):
    """The original program's main, from a (C, h, w) blob to people.

    Returns ``(keypoints, valid_pairs, invalid_pairs, persons)`` as lists, in
    the original's structures: per part ``[(id, x, y, score)]``, per limb
    ``[(a_id, b_id, score)]``, limb indices, and id rows.
    """
    # splitNetOutputBlobToParts: every map used, resized to the image size.
    used = sorted(set(range(n_parts)) | {int(c) for c in limbs[:, 2:].ravel()})
    parts = dict(zip(used, resize_linear(net_output[used], width, height)))

    detected, next_id = [], 0
    for i in range(n_parts):
        keypoints = []
        for x, y, prob in get_keypoints(parts[i], threshold):
            keypoints.append((next_id, x, y, prob))
            next_id += 1
        # Not in the original (no limit there): see docs/robustness.md.
        if len(keypoints) > MAX_PEAKS_PER_PART:
            msg = (f"the heatmap of part {i} has {len(keypoints)} keypoint candidates, more than the limit of "
                   f"{MAX_PEAKS_PER_PART} per part (a heatmap of noise? see docs/robustness.md)")
            raise ValueError(msg)
        detected.append(keypoints)

    valid_pairs, invalid_pairs = [], []
    for k, (part_a, part_b, paf_x, paf_y) in enumerate(limbs):
        cand_a, cand_b = detected[part_a], detected[part_b]
        if cand_a and cand_b:
            valid_pairs.append(get_valid_pairs_for_limb(
                parts[int(paf_x)], parts[int(paf_y)], cand_a, cand_b,
                n_interp_samples=n_samples, paf_score_th=paf_threshold, conf_th=min_fraction))
        else:
            invalid_pairs.append(k)
            valid_pairs.append([])

    persons = get_personwise_keypoints(valid_pairs, limbs, starts_person, n_parts)
    return detected, valid_pairs, invalid_pairs, persons


# --- the same, as the object the C++ core binds -------------------------------

class SeedDecoder:
    """The functions above behind the methods of ``openpose._ext.SeedDecoder``.

    Same constructor and methods, arguments in the same order, the same
    arrays out; `openpose.SeedDecoder(..., implementation="python")` runs
    it. The parameters are taken as given (the public decoder checks them).
    """

    def __init__(self, limbs, starts_person, n_parts, *, threshold=Seed.threshold, n_samples=Seed.n_samples,
                 paf_threshold=Seed.paf_threshold, min_fraction=Seed.min_fraction):
        self.limbs, self.starts_person, self.n_parts = limbs, starts_person, n_parts
        self.threshold, self.n_samples = threshold, n_samples
        self.paf_threshold, self.min_fraction = paf_threshold, min_fraction

    def find_peaks(self, heatmap, width, height):
        """getKeyPoints on `heatmap` resized to (width, height): (n, 3) float32 [x, y, score]."""
        prob_map = resize_linear(heatmap, width, height)
        return np.asarray(get_keypoints(prob_map, self.threshold), f32).reshape(-1, 3)

    def score_limb(self, paf_x, paf_y, candidates_a, candidates_b, width, height):
        """getValidPairs for one limb; candidates (n, 4) [id, x, y, score]: (m, 3) float32 [a_id, b_id, score]."""
        paf_a, paf_b = resize_linear(np.stack([paf_x, paf_y]), width, height)
        as_rows = lambda c: [(int(r[0]), int(r[1]), int(r[2]), float(r[3])) for r in c]  # noqa: E731
        pairs = get_valid_pairs_for_limb(
            paf_a, paf_b, as_rows(candidates_a), as_rows(candidates_b), n_interp_samples=self.n_samples,
            paf_score_th=self.paf_threshold, conf_th=self.min_fraction)
        return np.asarray(pairs, f32).reshape(-1, 3)

    def assemble(self, valid_pairs):
        """getPersonwiseKeypoints; valid_pairs (m_k, 3) per limb: (P, n_parts) int32, -1 where missing."""
        pairs = [[(int(a), int(b), float(s)) for a, b, s in p] for p in valid_pairs]
        persons = get_personwise_keypoints(pairs, self.limbs, self.starts_person, self.n_parts)
        return np.asarray(persons, np.int32).reshape(-1, self.n_parts)

    def decode(self, net_output, width, height):
        """seed_postprocess as arrays: (keypoints (n_i, 4) per part, valid_pairs (m_k, 3) per limb,
        invalid limb indices, persons (P, n_parts) int32)."""
        keypoints, valid_pairs, invalid_pairs, persons = seed_postprocess(
            net_output, width, height, self.n_parts, self.limbs, self.starts_person, threshold=self.threshold,
            n_samples=self.n_samples, paf_threshold=self.paf_threshold, min_fraction=self.min_fraction)
        return ([np.asarray(k, f32).reshape(-1, 4) for k in keypoints],
                [np.asarray(p, f32).reshape(-1, 3) for p in valid_pairs],
                invalid_pairs, np.asarray(persons, np.int32).reshape(-1, self.n_parts))
