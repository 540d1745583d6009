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
from dataclasses import fields
from typing import ClassVar

import numpy as np

from . import _validation as v
from . import reference
from . import reference_accurate as ref_acc
from ._cpp import ext
from .layouts import Layout, get_layout
from .params import PARAMS, AccurateParams, SeedParams, check_names
from .result import PoseResult, poses_from_persons

__all__ = ["AccurateDecoder", "AccurateParams", "Decoder", "SeedDecoder", "SeedParams", "make_decoder"]

#: Keypoint ids are float32 in the tables; they are exact up to 2**24.
MAX_KEYPOINT_ID = 2**24


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
    _flags_of: ClassVar[str]
    _cores: ClassVar[dict]

    def __init__(self, layout, *, implementation: str = "cpp", **params):
        check_names(self.mode, params)
        self._implementation = v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
        self._layout: Layout = get_layout(layout)
        self._params = PARAMS[self.mode](**params).checked()
        limbs = self._layout.limb_table(self.mode)
        limbs.setflags(write=False)
        self._limbs = limbs
        self._channels = max(self._layout.n_parts, int(limbs[:, 2:].max()) + 1)
        # The mode's per-limb flags (`_flags_of`: which limbs start a person, or only fill slots), and its core
        # (`_cores`: the C++ class or the reference's, which take the same arguments).
        flags = getattr(self._layout, self._flags_of)()
        flags.setflags(write=False)
        self._flags = flags
        self._core = self._cores[self._implementation](self._limbs, flags, self.n_parts, **self.options())

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
        """The checked parameters (`SeedParams` or `AccurateParams`); each is also an attribute of the decoder."""
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
    implementation : {"cpp", "python"}
        The compiled core or the pure-Python reference (`openpose.reference`).
    **params
        The mode's constants, `SeedParams` (defaults: the original's).

    Raises
    ------
    TypeError, ValueError
        For a bad parameter, once, here; the message names it.
    """

    mode: ClassVar[str] = "seed"
    _flags_of = "seed_starts_person"
    _cores: ClassVar[dict] = {"cpp": _cpp_seed, "python": reference.SeedDecoder}
    _params: SeedParams

    @property
    def starts_person(self) -> np.ndarray:
        """``(L,)`` uint8, read-only: which limbs may start a new person."""
        return self._flags

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
    implementation : {"cpp", "python"}
        The compiled core or the pure-Python reference (`openpose.reference_accurate`).
    **params
        The mode's constants, `AccurateParams` (defaults: CMU OpenPose's).

    Raises
    ------
    TypeError, ValueError
        For a bad parameter, once, here; the message names it.
    """

    mode: ClassVar[str] = "accurate"
    _flags_of = "fill_only"
    _cores: ClassVar[dict] = {"cpp": _cpp_accurate, "python": ref_acc.AccurateDecoder}
    _params: AccurateParams

    @property
    def fill_only(self) -> np.ndarray:
        """``(L,)`` uint8, read-only: limbs that only fill empty slots (CPU grouping)."""
        return self._flags

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


def _param_property(name: str):
    return property(lambda self: getattr(self._params, name), doc=f"The `{name}` parameter (`params`).")


# Each parameter is an attribute of its decoder (decoder.threshold), read from the checked parameters.
for _cls in (SeedDecoder, AccurateDecoder):
    for _field in fields(PARAMS[_cls.mode]):
        setattr(_cls, _field.name, _param_property(_field.name))


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
    check_names(mode, options)
    return _DECODERS[mode](layout, implementation=implementation, **options)
