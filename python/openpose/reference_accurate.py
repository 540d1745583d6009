"""The pure-Python reference of accurate mode: CMU OpenPose's own algorithm.

Stages, as OpenPose runs them on one network output:

1. Upsampling. Every map is read as if resized by ``factor`` to the
   *working resolution* (OpenPose: 8, the network stride, bicubic); the
   library's default ``factor=1`` works on the network output itself. The bicubic kernel is Keys' cubic
   with a = -0.75 (OpenCV's), half-pixel centres, replicated borders.
2. Peaks (OpenPose's ``nmsCpu``): a pixel of a part's heatmap is a peak when
   it is above ``threshold`` and strictly greater than its 8 neighbours
   (pixels on the outer border are never peaks); at most ``max_peaks`` per
   part, in raster order. The position is refined to the mean of x and y
   weighted by the heatmap over a (2r+1) x (2r+1) window (r = 3: 7x7; values
   > 0 only). The score is the heatmap value at the integer peak.
3. Limb scores (OpenPose's ``getScoreAB``): N = max(5, min(25,
   round(sqrt(5 * max(|dx|, |dy|))))) samples at A + k(B - A)/N, k = 0..N-1,
   rounded to the nearest pixel and clamped; the dot products of the unit
   vector A->B with the PAF that exceed ``paf_threshold`` are kept; if more
   than ``min_above`` of the samples are kept, the score is their mean;
   otherwise limbs shorter than sqrt(W * H) / 150 (working resolution) get
   ``threshold + 1e-6`` and the others 0. Connections scoring > 1e-6 are
   candidates.
4. Grouping, one of OpenPose's two:
   - ``"cpu"`` (``createPeopleVector``): limb by limb, candidates sorted by
     score and matched greedily one-to-one; a connection whose A belongs to
     a person extends it, else it starts a new person; when one side of a
     limb has no candidate at all, each candidate of the other side that is
     in nobody becomes a one-part person; the "fill-only" limbs of the
     layout (COCO: the two ear-shoulder limbs) only fill empty slots of
     people that hold one of their ends, adding neither count nor score.
   - ``"gpu"`` (``pafPtrIntoVector`` + ``pafVectorIntoPeopleVector``): all
     limbs' candidates sorted together by ``paf + 0.1 score(A) + 0.1
     score(B)``; each connection starts a person, extends one (if its slot
     is free), adds to the score of the person holding both ends, or merges
     two people whose parts do not overlap.
5. People with at least ``min_parts`` parts and total / parts >=
   ``min_mean_score`` are kept (total: keypoint scores plus connection
   scores); a person's score is total / (n_parts + n_limbs).

Working-resolution coordinates map to image pixels with pixel centres:
``x_image = (x + 0.5) * image_width / W - 0.5`` (same for y).

Arithmetic is float32 throughout, in the order the C++ core uses, so that
both implementations agree to the last bit where they can.
"""

from __future__ import annotations

import math

import numpy as np

from .params import AccurateParams as Cmu

__all__ = [
    "AccurateDecoder",
    "accurate_postprocess",
    "assemble_cpu",
    "assemble_gpu",
    "cubic_weights",
    "find_peaks",
    "limb_score",
    "score_limb",
    "to_image_coords",
    "upsample_cubic",
]

f32 = np.float32
_A = f32(-0.75)


# --- 1. upsampling -----------------------------------------------------------

def cubic_weights(t) -> tuple[np.float32, np.float32, np.float32, np.float32]:
    """Keys' cubic (a = -0.75) weights of the 4 taps around fraction t in [0, 1)."""
    t = f32(t)
    one = f32(1)
    u = t + one                                   # distance to tap -1
    w0 = ((_A * u - f32(5) * _A) * u + f32(8) * _A) * u - f32(4) * _A
    w1 = ((_A + f32(2)) * t - (_A + f32(3))) * t * t + one
    s = one - t                                   # distance to tap +1
    w2 = ((_A + f32(2)) * s - (_A + f32(3))) * s * s + one
    w3 = one - w0 - w1 - w2
    return w0, w1, w2, w3


def _axis(src_len: int, factor: int):
    """Tap indices (n, 4) and weights (n, 4) of one axis upsampled by `factor`."""
    n = src_len * factor
    idx = np.zeros((n, 4), np.int64)
    wts = np.zeros((n, 4), f32)
    for d in range(n):
        pos = (f32(d) + f32(0.5)) / f32(factor) - f32(0.5)
        base = math.floor(pos)
        wts[d] = cubic_weights(pos - f32(base))
        idx[d] = [min(max(base - 1 + i, 0), src_len - 1) for i in range(4)]
    return idx, wts


def upsample_cubic(src: np.ndarray, factor: int) -> np.ndarray:
    """(h, w) float32 map -> (factor*h, factor*w): rows first, then columns."""
    src = np.asarray(src, f32)
    if factor == 1:
        return src.copy()
    h, w = src.shape
    xi, xw = _axis(w, factor)
    yi, yw = _axis(h, factor)
    rows = src[:, xi[:, 0]] * xw[:, 0]
    for i in range(1, 4):
        rows = rows + src[:, xi[:, i]] * xw[:, i]
    out = rows[yi[:, 0], :] * yw[:, 0, None]
    for i in range(1, 4):
        out = out + rows[yi[:, i], :] * yw[:, i, None]
    return out.astype(f32)


# --- 2. peaks ----------------------------------------------------------------

def find_peaks(up: np.ndarray, *, threshold=Cmu.threshold, max_peaks=Cmu.max_peaks,
               radius=Cmu.radius) -> list[tuple[np.float32, np.float32, np.float32]]:
    """Peaks of one working-resolution heatmap: ``(x, y, score)``, raster order."""
    up = np.asarray(up, f32)
    h, w = up.shape
    if h < 3 or w < 3:
        return []
    # Above the threshold and strictly greater than each of the 8 neighbours
    # (border pixels have no full neighbourhood and are never peaks).
    centre = up[1:-1, 1:-1]
    is_peak = centre > f32(threshold)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                is_peak &= centre > up[1 + dy:h - 1 + dy, 1 + dx:w - 1 + dx]
    ys, xs = np.nonzero(is_peak)                  # row-major: raster order
    peaks = []
    for y, x in list(zip(ys + 1, xs + 1))[:max_peaks]:
        x_acc = y_acc = s_acc = f32(0)
        for yy in range(max(0, y - radius), min(h, y + radius + 1)):
            for xx in range(max(0, x - radius), min(w, x + radius + 1)):
                s = up[yy, xx]
                if s > 0:
                    x_acc = f32(x_acc + f32(xx) * s)
                    y_acc = f32(y_acc + f32(yy) * s)
                    s_acc = f32(s_acc + s)
        peaks.append((f32(x_acc / s_acc), f32(y_acc / s_acc), up[y, x]))
    return peaks


def to_image_coords(x, y, work_size, image_size):
    """Working-resolution (x, y) -> image pixels, pixel centres aligned."""
    (ww, wh), (iw, ih) = work_size, image_size
    sx, sy = f32(iw) / f32(ww), f32(ih) / f32(wh)
    return f32((f32(x) + f32(0.5)) * sx - f32(0.5)), f32((f32(y) + f32(0.5)) * sy - f32(0.5))


# --- 3. limb scores ----------------------------------------------------------

def _round(v) -> int:
    """OpenPose's positiveIntRound: int(v + 0.5), truncating."""
    return int(f32(v) + f32(0.5))


def limb_score(paf_x: np.ndarray, paf_y: np.ndarray, a, b, *, paf_threshold=Cmu.paf_threshold,
               min_above=Cmu.min_above, threshold=Cmu.threshold) -> np.float32:
    """getScoreAB: the PAF score of the segment a -> b (working-resolution (x, y))."""
    h, w = paf_x.shape
    ax, ay, bx, by = f32(a[0]), f32(a[1]), f32(b[0]), f32(b[1])
    dx, dy = bx - ax, by - ay
    longest = max(abs(dx), abs(dy))
    n = max(5, min(25, _round(np.sqrt(f32(5) * longest))))
    norm = np.sqrt(dx * dx + dy * dy)
    if not float(norm) > 1e-6:
        return f32(0)
    ux, uy = dx / norm, dy / norm
    step_x, step_y = dx / f32(n), dy / f32(n)
    total, count = f32(0), 0
    for k in range(n):
        mx = max(0, min(w - 1, _round(ax + f32(k) * step_x)))
        my = max(0, min(h - 1, _round(ay + f32(k) * step_y)))
        score = ux * paf_x[my, mx] + uy * paf_y[my, mx]
        if score > f32(paf_threshold):
            total = f32(total + score)
            count += 1
    if f32(count) / f32(n) > f32(min_above):
        return f32(total / f32(count))
    if float(norm) < math.sqrt(w * h) / 150.0:
        return f32(float(f32(threshold)) + 1e-6)
    return f32(0)


def score_limb(paf_x, paf_y, cand_a, cand_b, **params) -> list[tuple[int, int, np.float32]]:
    """Candidate connections ``(a_id, b_id, score)`` with score > 1e-6, A-major order.

    Candidates are ``(id, x, y, score)`` in working-resolution coordinates.
    """
    out = []
    for ida, xa, ya, _ in cand_a:
        for idb, xb, yb, _ in cand_b:
            s = limb_score(paf_x, paf_y, (xa, ya), (xb, yb), **params)
            if float(s) > 1e-6:
                out.append((int(ida), int(idb), s))
    return out


# --- 4. grouping -------------------------------------------------------------

class _Person:
    def __init__(self, n_parts):
        self.slots = [-1] * n_parts
        self.count = 0
        self.score = f32(0)


def assemble_cpu(keypoints, connections, limbs, fill_only) -> list[_Person]:
    """createPeopleVector. `keypoints`: per part [(id, ..., score)]; `connections`: per limb."""
    n_parts = len(keypoints)
    kscore = {int(k[0]): f32(k[-1]) for part in keypoints for k in part}
    people: list[_Person] = []
    for k, (pa, pb) in enumerate((int(row[0]), int(row[1])) for row in limbs):
        cand_a, cand_b = keypoints[pa], keypoints[pb]
        if not cand_a or not cand_b:
            part, lone = (pb, cand_b) if not cand_a else (pa, cand_a)
            for kp in lone:
                kid = int(kp[0])
                if not any(p.slots[part] == kid for p in people):
                    person = _Person(n_parts)
                    person.slots[part], person.count, person.score = kid, 1, kscore[kid]
                    people.append(person)
            continue
        # Greedy one-to-one: best score first (ties: higher ids first, as a descending tuple sort).
        chosen, used_a, used_b = [], set(), set()
        for s, a, b in sorted(((f32(s), int(a), int(b)) for a, b, s in connections[k]), reverse=True):
            if a not in used_a and b not in used_b:
                chosen.append((a, b, s))
                if len(chosen) == min(len(cand_a), len(cand_b)):
                    break
                used_a.add(a)
                used_b.add(b)
        if fill_only[k]:
            for a, b, _ in chosen:
                for p in people:
                    if p.slots[pa] == a and p.slots[pb] == -1:
                        p.slots[pb] = b
                    elif p.slots[pb] == b and p.slots[pa] == -1:
                        p.slots[pa] = a
            continue
        for a, b, s in chosen:
            for p in people:
                if p.slots[pa] == a:
                    p.slots[pb] = b
                    p.count += 1
                    p.score = f32(p.score + f32(kscore[b] + s))
                    break
            else:
                person = _Person(n_parts)
                person.slots[pa], person.slots[pb], person.count = a, b, 2
                person.score = f32(f32(kscore[a] + kscore[b]) + s)
                people.append(person)
    return people


def assemble_gpu(keypoints, connections, limbs) -> list[_Person]:
    """pafPtrIntoVector + pafVectorIntoPeopleVector: one global sort, merges."""
    n_parts = len(keypoints)
    kscore = {int(k[0]): f32(k[-1]) for part in keypoints for k in part}
    tenth = f32(0.1)
    ranked = []
    for k, conns in enumerate(connections):
        for a, b, s in conns:
            a, b, s = int(a), int(b), f32(s)
            total = f32(f32(s + tenth * kscore[a]) + tenth * kscore[b])
            ranked.append((total, s, k, a, b))
    ranked.sort(reverse=True)
    people: list[_Person] = []
    assigned: dict[int, int] = {}                  # keypoint id -> person index
    for _, s, k, a, b in ranked:
        pa, pb = int(limbs[k][0]), int(limbs[k][1])
        ia, ib = assigned.get(a, -1), assigned.get(b, -1)
        if ia < 0 and ib < 0:
            person = _Person(n_parts)
            person.slots[pa], person.slots[pb], person.count = a, b, 2
            person.score = f32(f32(kscore[a] + kscore[b]) + s)
            assigned[a] = assigned[b] = len(people)
            people.append(person)
        elif ia < 0 or ib < 0:
            owner = ia if ia >= 0 else ib
            part, kid = (pb, b) if ia >= 0 else (pa, a)
            p = people[owner]
            if p.slots[part] == -1:
                p.slots[part] = kid
                p.count += 1
                p.score = f32(p.score + f32(kscore[kid] + s))
                assigned[kid] = owner
        elif ia == ib:
            people[ia].score = f32(people[ia].score + s)
        else:
            keep, drop = min(ia, ib), max(ia, ib)
            p1, p2 = people[keep], people[drop]
            if all(x == -1 or y == -1 for x, y in zip(p1.slots, p2.slots)):
                p1.slots = [x if x != -1 else y for x, y in zip(p1.slots, p2.slots)]
                p1.count += p2.count
                p1.score = f32(p1.score + f32(p2.score + s))
                del people[drop]
                for kid, owner in assigned.items():
                    if owner == drop:
                        assigned[kid] = keep
                    elif owner > drop:
                        assigned[kid] = owner - 1
    return people


def select_people(people, n_limbs, *, min_parts=Cmu.min_parts, min_mean_score=Cmu.min_mean_score):
    """Keep people with enough parts and mean score; (rows of ids, person scores)."""
    rows, scores = [], []
    for p in people:
        if p.count >= min_parts and f32(p.score / f32(p.count)) >= f32(min_mean_score):
            rows.append(list(p.slots))
            scores.append(f32(p.score / f32(len(p.slots) + n_limbs)))
    return rows, scores


# --- the whole pipeline ------------------------------------------------------

def accurate_postprocess(net_output, width, height, n_parts, limbs, fill_only, *, factor=Cmu.factor,
                         threshold=Cmu.threshold, max_peaks=Cmu.max_peaks, radius=Cmu.radius,
                         paf_threshold=Cmu.paf_threshold, min_above=Cmu.min_above, min_parts=Cmu.min_parts,
                         min_mean_score=Cmu.min_mean_score, grouping=Cmu.grouping):
    """From a (C, h, w) blob to people.

    Returns ``(keypoints, connections, invalid_limbs, persons, scores)``:
    per part ``[(id, x, y, score)]`` in image pixels, per limb
    ``[(a_id, b_id, score)]``, limbs lacking candidates, id rows, person scores.
    """
    net_output = np.asarray(net_output, f32)
    h, w = net_output.shape[1:]
    work = (w * factor, h * factor)
    up = {}

    def channel(c):
        if c not in up:
            up[c] = upsample_cubic(net_output[c], factor)
        return up[c]

    work_kps, image_kps, next_id = [], [], 0
    for part in range(n_parts):
        found = find_peaks(channel(part), threshold=threshold, max_peaks=max_peaks, radius=radius)
        work_kps.append([(next_id + i, x, y, s) for i, (x, y, s) in enumerate(found)])
        image_kps.append([(next_id + i, *to_image_coords(x, y, work, (width, height)), s)
                          for i, (x, y, s) in enumerate(found)])
        next_id += len(found)

    connections: list[list[tuple[int, int, np.float32]]] = []
    invalid: list[int] = []
    for k, (pa, pb, cx, cy) in enumerate(limbs):
        cand_a, cand_b = work_kps[int(pa)], work_kps[int(pb)]
        if not cand_a or not cand_b:
            invalid.append(k)
            connections.append([])
            continue
        connections.append(score_limb(channel(int(cx)), channel(int(cy)), cand_a, cand_b,
                                      paf_threshold=paf_threshold, min_above=min_above, threshold=threshold))

    if grouping == "cpu":
        people = assemble_cpu(work_kps, connections, limbs, fill_only)
    else:
        people = assemble_gpu(work_kps, connections, limbs)
    rows, scores = select_people(people, len(limbs), min_parts=min_parts, min_mean_score=min_mean_score)
    return image_kps, connections, invalid, rows, scores


# --- the same, as the object the C++ core binds -------------------------------

class AccurateDecoder:
    """The functions above behind the methods of ``openpose._ext.AccurateDecoder``.

    Same constructor and methods, arguments in the same order, the same
    arrays out; `openpose.AccurateDecoder(..., implementation="python")`
    runs it. The parameters are taken as given (the public decoder checks
    them). Coordinates are at the working resolution.
    """

    def __init__(self, limbs, fill_only, n_parts, *, factor=Cmu.factor, threshold=Cmu.threshold,
                 max_peaks=Cmu.max_peaks, radius=Cmu.radius, paf_threshold=Cmu.paf_threshold,
                 min_above=Cmu.min_above, grouping=Cmu.grouping, min_parts=Cmu.min_parts,
                 min_mean_score=Cmu.min_mean_score):
        self.limbs, self.fill_only, self.n_parts = limbs, fill_only, n_parts
        self.factor, self.threshold, self.max_peaks, self.radius = factor, threshold, max_peaks, radius
        self.paf_threshold, self.min_above = paf_threshold, min_above
        self.grouping, self.min_parts, self.min_mean_score = grouping, min_parts, min_mean_score

    def find_peaks(self, heatmap):
        """Peaks of a (h, w) heatmap: (n, 3) float32 [x, y, score] at working resolution."""
        found = find_peaks(upsample_cubic(heatmap, self.factor), threshold=self.threshold,
                           max_peaks=self.max_peaks, radius=self.radius)
        return np.asarray(found, f32).reshape(-1, 3)

    def score_limb(self, paf_x, paf_y, candidates_a, candidates_b):
        """Candidate connections of one limb; candidates (n, 4) at working resolution: (m, 3) float32."""
        pairs = score_limb(upsample_cubic(paf_x, self.factor), upsample_cubic(paf_y, self.factor),
                           [tuple(r) for r in candidates_a], [tuple(r) for r in candidates_b],
                           paf_threshold=self.paf_threshold, min_above=self.min_above, threshold=self.threshold)
        return np.asarray(pairs, f32).reshape(-1, 3)

    def assemble(self, keypoints, valid_pairs):
        """Grouping and selection: (persons (P, n_parts) int32, scores (P,) float32)."""
        rows_k = [[tuple(r) for r in k] for k in keypoints]
        conns = [[(int(a), int(b), f32(s)) for a, b, s in c] for c in valid_pairs]
        if self.grouping == "cpu":
            people = assemble_cpu(rows_k, conns, self.limbs, self.fill_only)
        else:
            people = assemble_gpu(rows_k, conns, self.limbs)
        rows, scores = select_people(people, len(self.limbs), min_parts=self.min_parts,
                                     min_mean_score=self.min_mean_score)
        return np.asarray(rows, np.int32).reshape(-1, self.n_parts), np.asarray(scores, f32).reshape(-1)

    def decode(self, net_output, width, height):
        """accurate_postprocess as arrays: (keypoints (n_i, 4) per part, valid_pairs (m_k, 3) per limb,
        invalid limb indices, persons (P, n_parts) int32, scores (P,) float32)."""
        keypoints, valid_pairs, invalid_pairs, persons, scores = accurate_postprocess(
            net_output, width, height, self.n_parts, self.limbs, self.fill_only, factor=self.factor,
            threshold=self.threshold, max_peaks=self.max_peaks, radius=self.radius,
            paf_threshold=self.paf_threshold, min_above=self.min_above, min_parts=self.min_parts,
            min_mean_score=self.min_mean_score, grouping=self.grouping)
        return ([np.asarray(k, f32).reshape(-1, 4) for k in keypoints],
                [np.asarray(c, f32).reshape(-1, 3) for c in valid_pairs],
                invalid_pairs, np.asarray(persons, np.int32).reshape(-1, self.n_parts),
                np.asarray(scores, f32).reshape(-1))
