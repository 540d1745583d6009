"""Decoders: the post-processing algorithms as objects, built once.

A decoder turns network outputs (keypoint heatmaps + part affinity fields)
into people. It is built once from a layout and its algorithm's parameters,
checks them then, and converts the layout's tables once; every later call
checks only its arrays. It keeps no state between calls, so one decoder
serves every frame, from any number of threads.

- `SeedDecoder`: the original program's algorithm (``mode="seed"``).
- `AccurateDecoder`: CMU OpenPose's own algorithm (``mode="accurate"``).

Both offer the same methods, and the stages chain without glue: what
`find_peaks` returns is what `score_limb` and `assemble` take, numbered as
`PoseResult.keypoints` numbers them::

    dec = AccurateDecoder("coco")
    keypoints, next_id = [], 0
    for part in range(dec.n_parts):
        keypoints.append(dec.find_peaks(net[0, part], image_size=size, first_id=next_id))
        next_id += len(keypoints[-1])
    pairs = [dec.score_limb(net[0, cx], net[0, cy], keypoints[a], keypoints[b], image_size=size)
             for a, b, cx, cy in dec.limbs]
    persons = dec.assemble(pairs, keypoints=keypoints)   # == dec(net, image_size=size).persons

``implementation="cpp"`` (default) runs the C++ core (``openpose._ext``),
``"python"`` the pure-Python reference (`openpose.reference`,
`openpose.reference_accurate`); both give the same results, bit for bit.
The two take the same arguments in the same order: ``(limbs, flags,
n_parts, **params)`` to build, then ``find_peaks``, ``score_limb``,
``assemble``, ``decode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from . import _validation as v
from . import reference
from . import reference_accurate as ref_acc
from ._cpp import ext
from .layouts import Layout, get_layout
from .result import PoseResult, poses_from_persons

__all__ = ["AccurateDecoder", "AccurateParams", "Decoder", "SeedDecoder", "SeedParams", "make_decoder"]

#: Keypoint ids are float32 in the tables; they are exact up to 2**24.
MAX_KEYPOINT_ID = 2**24


# --- parameters ----------------------------------------------------------------

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

    def checked(self) -> SeedParams:
        """These parameters converted (int, float), or a TypeError/ValueError naming the bad one."""
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
        docs/accuracy.md for the measurements.
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

    def checked(self) -> AccurateParams:
        """These parameters converted (int, float), or a TypeError/ValueError naming the bad one."""
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


# --- the C++ classes ------------------------------------------------------------

def _cpp_seed(limbs, starts_person, n_parts, **params):
    """``openpose._ext.SeedDecoder(limbs, starts_person, n_parts, **params)``."""
    return ext().SeedDecoder(limbs, starts_person, n_parts, **params)


def _cpp_accurate(limbs, fill_only, n_parts, **params):
    """``openpose._ext.AccurateDecoder(limbs, fill_only, n_parts, **params)``."""
    return ext().AccurateDecoder(limbs, fill_only, n_parts, **params)


# --- checks and conversions of arrays shared by both decoders ------------------

def _image_size_or_map(image_size, map_, name: str) -> tuple[int, int]:
    """`image_size` checked, or the map's own (width, height) when it is None."""
    if image_size is None:
        return v.image_size((map_.shape[1], map_.shape[0]), name)
    return v.image_size(image_size)


def _pafs(paf_x, paf_y):
    px = v.float32_array(paf_x, "paf_x", ndim=2)
    py = v.float32_array(paf_y, "paf_y", ndim=2)
    if px.shape != py.shape:
        msg = f"`paf_x` and `paf_y` must have the same shape, got {px.shape} and {py.shape}"
        raise ValueError(msg)
    return px, py


def _candidates(value, name: str, *, whole: bool = True) -> np.ndarray:
    """An (n, 4) float32 table [id, x, y, score]; ids (and, if `whole`, coordinates) whole numbers."""
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


def _valid_pairs(valid_pairs, n_limbs: int, layout_name: str) -> list[np.ndarray]:
    """L (m_k, 3) float32 tables [a_id, b_id, score], one per limb."""
    if isinstance(valid_pairs, np.ndarray) or len(valid_pairs) != n_limbs:
        msg = f"`valid_pairs` must be a sequence of {n_limbs} arrays (one per limb of {layout_name!r})"
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
    return pairs


def _numbered(peaks: np.ndarray, first_id) -> np.ndarray:
    """(n, 3) rows [x, y, score] -> (n, 4) rows [id, x, y, score], ids first_id, first_id + 1, ..."""
    first = v.number(first_id, "first_id", minimum=0, maximum=MAX_KEYPOINT_ID, integer=True)
    if first + len(peaks) > MAX_KEYPOINT_ID:
        msg = f"`first_id` {first} + {len(peaks)} peaks exceeds {MAX_KEYPOINT_ID} (ids are exact float32)"
        raise ValueError(msg)
    ids = np.arange(first, first + len(peaks), dtype=np.float32)[:, None]
    return np.hstack([ids, np.asarray(peaks, np.float32).reshape(-1, 3)])


def _work_size(map_shape, factor: int) -> tuple[int, int]:
    """(W, H) of the working resolution of (h, w) maps upsampled by `factor`."""
    return map_shape[1] * factor, map_shape[0] * factor


def _to_work(cand: np.ndarray, work_size, image_size) -> np.ndarray:
    """Image-pixel candidates -> working-resolution candidates (inverse of to_image_coords)."""
    (ww, wh), (iw, ih) = work_size, image_size
    out = cand.copy()
    out[:, 1] = (cand[:, 1] + np.float32(0.5)) * (np.float32(ww) / np.float32(iw)) - np.float32(0.5)
    out[:, 2] = (cand[:, 2] + np.float32(0.5)) * (np.float32(wh) / np.float32(ih)) - np.float32(0.5)
    return out


# --- the decoders --------------------------------------------------------------

def _rebuild(cls, layout, params, implementation):
    return cls(layout, implementation=implementation, **params)


class _Decoder:
    """What both decoders share: the layout and its tables, the parameters, the array checks."""

    mode: ClassVar[str]

    def __init__(self, layout, params, implementation: str):
        self._implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
        self._layout: Layout = get_layout(layout)
        self._params = params.checked()
        limbs = self._layout.limb_table(self.mode)
        limbs.setflags(write=False)
        self._limbs = limbs
        self._channels = max(self._layout.n_parts, int(limbs[:, 2:].max()) + 1)

    @property
    def layout(self) -> Layout:
        """The keypoint layout (its parts, limbs and PAF channels)."""
        return self._layout

    @property
    def implementation(self) -> str:
        """``"cpp"`` (the C++ core) or ``"python"`` (the pure-Python reference)."""
        return self._implementation

    @property
    def params(self):
        """The checked parameters (`SeedParams` or `AccurateParams`)."""
        return self._params

    @property
    def limbs(self) -> np.ndarray:
        """``(L, 4)`` int32, read-only: rows ``(part_a, part_b, paf_x_channel, paf_y_channel)`` of this mode."""
        return self._limbs

    @property
    def n_parts(self) -> int:
        """Number of keypoints of the layout."""
        return self._layout.n_parts

    def options(self) -> dict:
        """The parameters as keyword arguments (``make_decoder(mode, layout=..., **options())`` rebuilds it)."""
        return {f.name: getattr(self._params, f.name) for f in fields(self._params)}

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={val!r}" for k, val in self.options().items())
        return f"{type(self).__name__}({self._layout.name!r}, {opts}, implementation={self._implementation!r})"

    def __reduce__(self):
        return _rebuild, (type(self), self._layout, self.options(), self._implementation)

    def decode(self, net_output, *, image_size: tuple[int, int]) -> PoseResult:
        """People in one network output.

        Parameters
        ----------
        net_output : array_like of shape (1, C, h, w) or (C, h, w)
            Raw output of the network: keypoint heatmaps, background, PAF
            channels (at least those the layout uses). Floating or integer
            values are converted to float32; NaN and infinite values are
            rejected.
        image_size : (int, int)
            ``(width, height)`` of the original image; coordinates are
            returned in its pixels.

        Returns
        -------
        PoseResult
            As `openpose.postprocess`.
        """
        net = v.net_output_array(net_output)
        return self._decode(net, v.image_size(image_size))

    __call__ = decode

    def _decode(self, net: np.ndarray, size: tuple[int, int]) -> PoseResult:
        """`decode` of a checked (C, h, w) float32 output and (width, height)."""
        raise NotImplementedError

    def _check_channels(self, net: np.ndarray) -> None:
        if net.shape[0] < self._channels:
            msg = (f"`net_output` has {net.shape[0]} channels; layout {self._layout.name!r} needs at least "
                   f"{self._channels}")
            raise ValueError(msg)

    def _result(self, size, keypoints, valid_pairs, invalid_pairs, persons, scores=None) -> PoseResult:
        persons = np.asarray(persons, np.int32)
        poses, mean_scores = poses_from_persons(persons, keypoints)
        scores = mean_scores if scores is None else np.asarray(scores, np.float32).reshape(-1)
        return PoseResult(
            poses=poses, scores=scores, persons=persons, keypoints=list(keypoints), valid_pairs=list(valid_pairs),
            invalid_pairs=sorted(int(k) for k in invalid_pairs), layout=self._layout, image_size=size,
            mode=self.mode,
        )


class SeedDecoder(_Decoder):
    """The original program's algorithm, built once.

    Parameters
    ----------
    layout : str or Layout
        Keypoint layout (seed mode uses its ``seed_limbs`` where it has them:
        the original's limb table for COCO-18).
    threshold, n_samples, paf_threshold, min_fraction
        See `SeedParams` (defaults: the original's 0.1, 10, 0.1, 0.7).
    implementation : {"cpp", "python"}
        The compiled core or the pure-Python reference (`openpose.reference`).

    Raises
    ------
    TypeError, ValueError
        For a bad parameter, once, here; the message names it.
    """

    mode: ClassVar[str] = "seed"

    def __init__(
        self,
        layout,
        *,
        threshold: float = SeedParams.threshold,
        n_samples: int = SeedParams.n_samples,
        paf_threshold: float = SeedParams.paf_threshold,
        min_fraction: float = SeedParams.min_fraction,
        implementation: str = "cpp",
    ):
        params = SeedParams(threshold=threshold, n_samples=n_samples, paf_threshold=paf_threshold,
                            min_fraction=min_fraction)
        super().__init__(layout, params, implementation)
        starts = self._layout.seed_starts_person()
        starts.setflags(write=False)
        self._starts = starts
        build = _cpp_seed if self._implementation == "cpp" else reference.SeedDecoder
        self._core = build(self._limbs, starts, self.n_parts, **self.options())

    @property
    def params(self) -> SeedParams:
        """The checked parameters."""
        return self._params

    threshold = property(lambda self: self._params.threshold, doc="Keypoint region threshold (`SeedParams`).")
    n_samples = property(lambda self: self._params.n_samples, doc="Samples per candidate limb (`SeedParams`).")
    paf_threshold = property(lambda self: self._params.paf_threshold, doc="PAF sample threshold (`SeedParams`).")
    min_fraction = property(lambda self: self._params.min_fraction, doc="Fraction of samples (`SeedParams`).")

    @property
    def starts_person(self) -> np.ndarray:
        """``(L,)`` uint8, read-only: which limbs may start a new person."""
        return self._starts

    def find_peaks(self, heatmap, *, image_size: tuple[int, int] | None = None, first_id: int = 0) -> np.ndarray:
        """The original's getKeyPoints on one heatmap resized to `image_size`.

        Parameters
        ----------
        heatmap : array_like of shape (h, w)
            One part's heatmap, at network resolution or already at image size.
        image_size : (int, int), optional
            ``(width, height)`` the map is resized to; omitted: its own size.
        first_id : int
            Id of the first peak; the others follow (as `PoseResult.keypoints`
            numbers them: the first part from 0, each next part after the last).

        Returns
        -------
        ndarray of shape (n, 4), float32
            Rows ``[id, x, y, score]`` in image pixels, in contour order.
        """
        hm = v.float32_array(heatmap, "heatmap", ndim=2)
        width, height = _image_size_or_map(image_size, hm, "heatmap")
        return _numbered(self._core.find_peaks(hm, width, height), first_id)

    def score_limb(self, paf_x, paf_y, candidates_a, candidates_b, *,
                   image_size: tuple[int, int] | None = None) -> np.ndarray:
        """The original's getValidPairs for one limb: at most one pair per candidate of A.

        Parameters
        ----------
        paf_x, paf_y : array_like of shape (h, w)
            The limb's two PAF channels, at network resolution or at image size.
        candidates_a, candidates_b : array_like of shape (n, 4)
            Rows ``[id, x, y, score]`` (as `find_peaks` returns them), whole
            pixels inside `image_size`.
        image_size : (int, int), optional
            ``(width, height)`` of the image; omitted: the maps' own size.

        Returns
        -------
        ndarray of shape (m, 3), float32
            Rows ``[a_id, b_id, score]``.
        """
        px, py = _pafs(paf_x, paf_y)
        width, height = _image_size_or_map(image_size, px, "paf_x")
        cand_a, cand_b = _candidates(candidates_a, "candidates_a"), _candidates(candidates_b, "candidates_b")
        for name, cand in (("candidates_a", cand_a), ("candidates_b", cand_b)):
            xs, ys = cand[:, 1], cand[:, 2]
            if ((xs < 0) | (xs >= width) | (ys < 0) | (ys >= height)).any():
                msg = f"`{name}` has points outside the {width}x{height} image"
                raise ValueError(msg)
        return self._core.score_limb(px, py, cand_a, cand_b, width, height)

    def assemble(self, valid_pairs: Sequence, *, keypoints: Sequence | None = None) -> np.ndarray:
        """The original's getPersonwiseKeypoints: scored limbs grouped into people.

        Parameters
        ----------
        valid_pairs : sequence of L array_like of shape (m_k, 3)
            Per limb of ``self.limbs``, rows ``[a_id, b_id, score]`` (as
            `score_limb` returns them).
        keypoints : sequence, optional
            Not used in seed mode (accepted so that both decoders take the
            same call).

        Returns
        -------
        ndarray of shape (P, K), int32
            Keypoint ids per person, -1 where missing.
        """
        pairs = _valid_pairs(valid_pairs, len(self._limbs), self._layout.name)
        return np.asarray(self._core.assemble(pairs), np.int32)

    def _decode(self, net, size):
        self._check_channels(net)
        keypoints, valid_pairs, invalid_pairs, persons = self._core.decode(net, *size)
        return self._result(size, keypoints, valid_pairs, invalid_pairs, persons)


class AccurateDecoder(_Decoder):
    """CMU OpenPose's own algorithm, built once.

    Parameters
    ----------
    layout : str or Layout
        Keypoint layout.
    factor, threshold, max_peaks, radius, paf_threshold, min_above, min_parts, min_mean_score, grouping
        See `AccurateParams` (defaults: 1, 0.05, 127, 3, 0.05, 0.95, 3, 0.4, "cpu").
    implementation : {"cpp", "python"}
        The compiled core or the pure-Python reference (`openpose.reference_accurate`).

    Raises
    ------
    TypeError, ValueError
        For a bad parameter, once, here; the message names it.
    """

    mode: ClassVar[str] = "accurate"

    def __init__(
        self,
        layout,
        *,
        factor: int = AccurateParams.factor,
        threshold: float = AccurateParams.threshold,
        max_peaks: int = AccurateParams.max_peaks,
        radius: int = AccurateParams.radius,
        paf_threshold: float = AccurateParams.paf_threshold,
        min_above: float = AccurateParams.min_above,
        min_parts: int = AccurateParams.min_parts,
        min_mean_score: float = AccurateParams.min_mean_score,
        grouping: str = AccurateParams.grouping,
        implementation: str = "cpp",
    ):
        params = AccurateParams(factor=factor, threshold=threshold, max_peaks=max_peaks, radius=radius,
                                paf_threshold=paf_threshold, min_above=min_above, min_parts=min_parts,
                                min_mean_score=min_mean_score, grouping=grouping)
        super().__init__(layout, params, implementation)
        fill = self._layout.fill_only()
        fill.setflags(write=False)
        self._fill = fill
        build = _cpp_accurate if self._implementation == "cpp" else ref_acc.AccurateDecoder
        self._core = build(self._limbs, fill, self.n_parts, **self.options())

    @property
    def params(self) -> AccurateParams:
        """The checked parameters."""
        return self._params

    factor = property(lambda self: self._params.factor, doc="Upsampling factor (`AccurateParams`).")
    threshold = property(lambda self: self._params.threshold, doc="Peak threshold (`AccurateParams`).")
    max_peaks = property(lambda self: self._params.max_peaks, doc="Peaks per part at most (`AccurateParams`).")
    radius = property(lambda self: self._params.radius, doc="Peak refinement radius (`AccurateParams`).")
    paf_threshold = property(lambda self: self._params.paf_threshold, doc="PAF sample threshold (`AccurateParams`).")
    min_above = property(lambda self: self._params.min_above, doc="Fraction of samples (`AccurateParams`).")
    min_parts = property(lambda self: self._params.min_parts, doc="Parts per person at least (`AccurateParams`).")
    min_mean_score = property(lambda self: self._params.min_mean_score, doc="Score per part (`AccurateParams`).")
    grouping = property(lambda self: self._params.grouping, doc='"cpu" or "gpu" grouping (`AccurateParams`).')

    @property
    def fill_only(self) -> np.ndarray:
        """``(L,)`` uint8, read-only: limbs that only fill empty slots (CPU grouping)."""
        return self._fill

    def find_peaks(self, heatmap, *, image_size: tuple[int, int] | None = None, first_id: int = 0) -> np.ndarray:
        """OpenPose's peaks of one heatmap (nmsCpu), sub-pixel, in raster order.

        Parameters
        ----------
        heatmap : array_like of shape (h, w)
            One part's heatmap at network resolution.
        image_size : (int, int), optional
            ``(width, height)`` of the image the coordinates refer to;
            omitted: the map's own size.
        first_id : int
            Id of the first peak; the others follow (as `PoseResult.keypoints`
            numbers them: the first part from 0, each next part after the last).

        Returns
        -------
        ndarray of shape (n, 4), float32
            Rows ``[id, x, y, score]``, (x, y) in image pixels.
        """
        hm = v.float32_array(heatmap, "heatmap", ndim=2)
        size = _image_size_or_map(image_size, hm, "heatmap")
        peaks = np.asarray(self._core.find_peaks(hm), np.float32).reshape(-1, 3)
        work = _work_size(hm.shape, self._params.factor)
        out = peaks.copy()
        for i, (x, y, _) in enumerate(peaks):
            out[i, :2] = ref_acc.to_image_coords(x, y, work, size)
        return _numbered(out, first_id)

    def score_limb(self, paf_x, paf_y, candidates_a, candidates_b, *,
                   image_size: tuple[int, int] | None = None) -> np.ndarray:
        """OpenPose's getScoreAB on every pair of candidates of one limb.

        Parameters
        ----------
        paf_x, paf_y : array_like of shape (h, w)
            The limb's two PAF channels at network resolution.
        candidates_a, candidates_b : array_like of shape (n, 4)
            Rows ``[id, x, y, score]`` (as `find_peaks` returns them), in
            pixels of `image_size`.
        image_size : (int, int), optional
            ``(width, height)`` of the image; omitted: the maps' own size.

        Returns
        -------
        ndarray of shape (m, 3), float32
            Rows ``[a_id, b_id, score]``, every pair scoring above 1e-6, A-major.
        """
        px, py = _pafs(paf_x, paf_y)
        size = _image_size_or_map(image_size, px, "paf_x")
        work = _work_size(px.shape, self._params.factor)
        cand_a, cand_b = (_to_work(_candidates(c, n, whole=False), work, size)
                          for c, n in ((candidates_a, "candidates_a"), (candidates_b, "candidates_b")))
        return self._core.score_limb(px, py, cand_a, cand_b)

    def assemble(self, valid_pairs: Sequence, *, keypoints: Sequence | None = None) -> np.ndarray:
        """OpenPose's grouping (``grouping``) and selection (``min_parts``, ``min_mean_score``).

        Parameters
        ----------
        valid_pairs : sequence of L array_like of shape (m_k, 3)
            Per limb of ``self.limbs``, rows ``[a_id, b_id, score]`` (as
            `score_limb` returns them).
        keypoints : sequence of K array_like of shape (n_i, 4)
            Required: the candidates per part, rows ``[id, x, y, score]`` (as
            `find_peaks` returns them; only ids and scores are used).

        Returns
        -------
        ndarray of shape (P, K), int32
            Keypoint ids per person, -1 where missing.
        """
        pairs = _valid_pairs(valid_pairs, len(self._limbs), self._layout.name)
        if keypoints is None or isinstance(keypoints, np.ndarray) or len(keypoints) != self.n_parts:
            msg = f"`keypoints` must be a sequence of {self.n_parts} arrays (one per part of {self._layout.name!r})"
            raise ValueError(msg)
        kps = [_candidates(k, f"keypoints[{i}]", whole=False) for i, k in enumerate(keypoints)]
        persons, _ = self._core.assemble(kps, pairs)
        return np.asarray(persons, np.int32)

    def _decode(self, net, size):
        self._check_channels(net)
        keypoints, valid_pairs, invalid_pairs, persons, scores = self._core.decode(net, *size)
        return self._result(size, keypoints, valid_pairs, invalid_pairs, persons, scores)


#: Either decoder (for annotations).
Decoder = SeedDecoder | AccurateDecoder

_DECODERS: dict[str, type[SeedDecoder] | type[AccurateDecoder]] = {"seed": SeedDecoder, "accurate": AccurateDecoder}
_PARAMS = {"seed": SeedParams, "accurate": AccurateParams}


def _check_names(mode: str, options, allowed=None) -> None:
    """A TypeError naming the options `mode` does not know (or that are not in `allowed`)."""
    known = {f.name for f in fields(_PARAMS[mode])} if allowed is None else set(allowed)
    unknown = sorted(set(options) - known)
    if unknown:
        msg = f"unknown option(s) for mode={mode!r}: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise TypeError(msg)


def make_decoder(mode: str, *, layout, implementation: str = "cpp", **options) -> Decoder:
    """The decoder of `mode`, built once.

    Parameters
    ----------
    mode : {"accurate", "seed"}
        `AccurateDecoder` or `SeedDecoder`.
    layout : str or Layout
        Keypoint layout.
    implementation : {"cpp", "python"}
        The compiled core or the pure-Python reference.
    **options
        The mode's constants (see `AccurateParams`, `SeedParams`).

    Raises
    ------
    TypeError
        For an option the mode does not know (the message names it and
        lists the known ones), or one of a wrong type.
    ValueError
        For an unknown mode or implementation, or an option out of range.
    """
    mode = v.choice(mode, "mode", v.MODES)
    _check_names(mode, options)
    return _DECODERS[mode](layout, implementation=implementation, **options)
