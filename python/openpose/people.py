"""Choosing people in a result: OpenPose's ``--number_people_max``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .result import PoseResult

__all__ = ["keep_top_people"]


def keep_top_people(result: PoseResult, n: int | None) -> PoseResult:
    """`result` with only its `n` highest-scoring people (all for None or ``n >= len(result)``).

    The people kept stay in their order in `result`; among equal scores the
    earlier one is kept. ``poses``, ``scores`` and ``persons`` are cut; the
    candidate tables (``keypoints``, ``valid_pairs``) are the image's and stay.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.people import keep_top_people
    >>> from openpose.postprocess import postprocess
    >>> empty = postprocess(np.zeros((1, 57, 8, 8), np.float32), image_size=(64, 64))
    >>> keep_top_people(empty, 2).poses.shape
    (0, 18, 3)
    """
    if not isinstance(result, PoseResult):
        msg = f"`result` must be a PoseResult, got {type(result).__name__}"
        raise TypeError(msg)
    if n is None or len(result) <= n:
        return result
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        msg = f"`n` must be an integer >= 0 or None, got {n!r}"
        raise ValueError(msg)
    order = np.argsort(-np.asarray(result.scores, np.float64), kind="stable")[:n]
    keep = np.sort(order)
    return replace(result, poses=result.poses[keep], scores=result.scores[keep], persons=result.persons[keep])
