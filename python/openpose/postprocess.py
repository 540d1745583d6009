"""Post-processing of OpenPose network outputs: public functions.

Each function is a thin layer over a decoder (`openpose.decoders`): it
builds one from its options and calls it. To process many outputs, build
the decoder once (`SeedDecoder`, `AccurateDecoder`, `make_decoder`) and call
it per frame. ``implementation`` chooses between the compiled C++ core
(``"cpp"``, the default) and the pure-Python reference (``"python"``); both
give the same results.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from . import _validation as v
from .decoders import make_decoder
from .layouts import COCO, get_layout, layout_for_channels
from .params import PARAMS, AccurateParams, SeedParams, check_names
from .result import PoseResult

__all__ = [
    "AccurateParams",
    "SeedParams",
    "assemble_persons",
    "find_peaks",
    "postprocess",
    "postprocess_batch",
    "score_limb",
]

# The options each stage function takes, per mode.
_STAGE_OPTIONS = {
    "find_peaks": {"seed": ("threshold",), "accurate": ("factor", "threshold", "max_peaks", "radius")},
    "score_limb": {"seed": ("n_samples", "paf_threshold", "min_fraction"),
                   "accurate": ("factor", "threshold", "paf_threshold", "min_above")},
    "assemble_persons": {"seed": (), "accurate": ("grouping", "min_parts", "min_mean_score")},
}


def _params(mode: str, options: dict, allowed=None):
    """The checked parameters of `mode` from `options` (TypeError for an unknown one)."""
    check_names(mode, options, allowed)
    return PARAMS[mode](**options).checked()


def _stage_decoder(stage: str, mode: str, implementation: str, options: dict, layout=COCO):
    """The decoder a stage function runs: `mode`'s, with only the options `stage` takes."""
    mode = v.choice(mode, "mode", v.MODES)
    check_names(mode, options, _STAGE_OPTIONS[stage][mode])
    return make_decoder(mode, layout=layout, implementation=implementation, **options)


def postprocess(
    net_output,
    *,
    image_size: tuple[int, int],
    mode: str = "accurate",
    implementation: str = "cpp",
    layout=None,
    **options,
) -> PoseResult:
    """Turn one network output into people.

    Builds the mode's decoder and calls it: to process many outputs, build
    it once (`make_decoder`, `SeedDecoder`, `AccurateDecoder`).

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

    Examples
    --------
    >>> from openpose.postprocess import postprocess
    >>> from openpose.synthetic import synthetic_net_output
    >>> net = synthetic_net_output(2, seed=1)  # (1, 57, 46, 62): two people drawn as maps
    >>> res = postprocess(net, image_size=(496, 368))
    >>> res.poses.shape, res.scores.shape
    ((2, 18, 3), (2,))
    """
    mode = v.choice(mode, "mode", v.MODES)
    if layout is not None:
        return make_decoder(mode, layout=layout, implementation=implementation, **options)(
            net_output, image_size=image_size)
    check_names(mode, options)
    net = v.net_output_array(net_output)
    decoder = make_decoder(mode, layout=layout_for_channels(net.shape[0]), implementation=implementation, **options)
    return decoder._decode(net, v.image_size(image_size))


def find_peaks(
    heatmap,
    *,
    image_size: tuple[int, int] | None = None,
    mode: str = "accurate",
    threshold: float | None = None,
    implementation: str = "cpp",
    first_id: int = 0,
    **options,
) -> np.ndarray:
    """Keypoint candidates of one heatmap, numbered (the decoders' `find_peaks`).

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
    first_id : int
        Id of the first peak, the others follow: numbered from the number of
        candidates of the parts before, the table equals
        `PoseResult.keypoints` of that part and goes straight to `score_limb`
        and `assemble_persons`.
    **options
        Accurate mode: ``factor``, ``max_peaks``, ``radius``.

    Returns
    -------
    ndarray of shape (n, 4), float32
        Rows ``[id, x, y, score]``, (x, y) in image pixels.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.postprocess import find_peaks
    >>> heatmap = np.zeros((46, 62), np.float32)
    >>> heatmap[10, 20], heatmap[30, 40] = 0.9, 0.5
    >>> find_peaks(heatmap).tolist()  # in the map's own pixels
    [[0.0, 20.0, 10.0, 0.8999999761581421], [1.0, 40.0, 30.0, 0.5]]
    >>> find_peaks(heatmap, image_size=(496, 368))[:, 1:3].tolist()  # in those of an image 8 times larger
    [[163.5, 83.5], [323.5, 243.5]]
    """
    if threshold is not None:
        options["threshold"] = threshold
    decoder = _stage_decoder("find_peaks", mode, implementation, options)
    return decoder.find_peaks(heatmap, image_size=image_size, first_id=first_id)


def score_limb(
    paf_x,
    paf_y,
    candidates_a,
    candidates_b,
    *,
    image_size: tuple[int, int] | None = None,
    mode: str = "accurate",
    implementation: str = "cpp",
    **options,
) -> np.ndarray:
    """Scored connections of one limb (the decoders' `score_limb`).

    Parameters
    ----------
    paf_x, paf_y : array_like of shape (h, w)
        The limb's two PAF channels, at network resolution (seed mode: or
        already at image size).
    candidates_a, candidates_b : array_like of shape (n, 4)
        Rows ``[id, x, y, score]`` (as `find_peaks` returns them and as
        `PoseResult.keypoints`), in pixels of `image_size`.
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

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.postprocess import score_limb
    >>> a = np.array([[0, 20.0, 10.0, 0.9]], np.float32)  # [id, x, y, score]
    >>> b = np.array([[1, 40.0, 10.0, 0.8]], np.float32)
    >>> paf_x, paf_y = np.zeros((46, 62), np.float32), np.zeros((46, 62), np.float32)
    >>> paf_x[9:12, 20:41] = 1.0  # the field points from a to b
    >>> score_limb(paf_x, paf_y, a, b).tolist()
    [[0.0, 1.0, 1.0]]
    """
    decoder = _stage_decoder("score_limb", mode, implementation, options)
    return decoder.score_limb(paf_x, paf_y, candidates_a, candidates_b, image_size=image_size)


def assemble_persons(
    valid_pairs: Sequence,
    *,
    layout="coco",
    mode: str = "accurate",
    implementation: str = "cpp",
    keypoints: Sequence | None = None,
    **options,
) -> np.ndarray:
    """Group scored limbs into people (the decoders' `assemble`).

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

    Examples
    --------
    >>> from openpose.postprocess import assemble_persons, postprocess
    >>> from openpose.synthetic import synthetic_net_output
    >>> res = postprocess(synthetic_net_output(2, seed=1), image_size=(496, 368))
    >>> persons = assemble_persons(res.valid_pairs, keypoints=res.keypoints)  # the last stage alone
    >>> persons.shape, bool((persons == res.persons).all())
    ((2, 18), True)
    """
    decoder = _stage_decoder("assemble_persons", mode, implementation, options, layout=get_layout(layout))
    return decoder.assemble(valid_pairs, keypoints=keypoints)


def postprocess_batch(
    net_outputs,
    *,
    image_sizes,
    mode: str = "accurate",
    implementation: str = "cpp",
    layout=None,
    threads: int | None = None,
    **options,
) -> list[PoseResult]:
    """`postprocess` on several network outputs, spread over threads.

    The decoder is built once (once per layout, when inferred from the
    channel count). The C++ implementation releases the GIL for the whole
    post-processing of one output, so frames run in parallel on a thread
    pool; the Python implementation gains nothing from threads.

    Parameters
    ----------
    net_outputs : sequence of array_like, each (1, C, h, w) or (C, h, w); or one array (N, C, h, w)
        One network output per frame (sizes may differ).
    image_sizes : (int, int) or sequence of N (int, int)
        ``(width, height)`` of the original images: one pair for all frames,
        or one per frame.
    mode, implementation, layout, **options
        As for `postprocess`.
    threads : int, optional
        Worker threads (>= 1); default: the number of CPUs, at most N.

    Returns
    -------
    list of PoseResult
        One per output, in input order; identical to calling `postprocess`
        on each.

    Examples
    --------
    >>> from openpose.postprocess import postprocess, postprocess_batch
    >>> from openpose.synthetic import synthetic_net_output
    >>> outs = [synthetic_net_output(1, seed=n) for n in range(3)]
    >>> results = postprocess_batch(outs, image_sizes=(496, 368), threads=2)
    >>> len(results), results[0].poses.shape
    (3, (1, 18, 3))
    >>> all((r.poses == postprocess(o, image_size=(496, 368)).poses).all() for r, o in zip(results, outs))
    True
    """
    mode = v.choice(mode, "mode", v.MODES)
    _params(mode, options)  # bad options fail here, even with no frame
    v.choice(implementation, "implementation", v.IMPLEMENTATIONS)
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

    nets = [v.net_output_array(item, f"net_outputs[{i}]") for i, item in enumerate(items)]
    decoders: dict = {}
    for net in nets:
        key = None if layout is not None else net.shape[0]
        if key not in decoders:
            lay = get_layout(layout) if layout is not None else layout_for_channels(net.shape[0])
            decoders[key] = make_decoder(mode, layout=lay, implementation=implementation, **options)

    def one(i):
        return decoders[None if layout is not None else nets[i].shape[0]]._decode(nets[i], sizes[i])

    if threads == 1 or n <= 1:
        return [one(i) for i in range(n)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(n)))
