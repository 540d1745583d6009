"""Synthetic network outputs: people drawn as heatmap blobs and PAF strokes.

For tests and benchmarks that need many, or large, or crowded outputs with a
known structure. Deterministic for a given `seed`.
"""

from __future__ import annotations

import numpy as np

from .layouts import get_layout

__all__ = ["synthetic_net_output"]


def synthetic_net_output(
    n_people: int,
    *,
    map_size: tuple[int, int] = (62, 46),
    layout="coco",
    person_scale: float = 0.25,
    noise: float = 0.02,
    seed: int = 0,
) -> np.ndarray:
    """A (1, C, h, w) float32 output with `n_people` random upright skeletons.

    Parameters
    ----------
    n_people : int
        People to draw (they may overlap).
    map_size : (int, int)
        ``(w, h)`` of the maps (network resolution).
    layout : str or Layout
        Gives the channel count, parts and limbs.
    person_scale : float
        Person height as a fraction of the map height.
    noise : float
        Amplitude of uniform noise added to every channel.
    seed : int
        Random seed.
    """
    lay = get_layout(layout)
    rng = np.random.default_rng(seed)
    w, h = map_size
    out = rng.uniform(-noise, noise, size=(lay.n_channels, h, w)).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    # A canonical skeleton in unit coordinates: parts spread over a box.
    template = rng.uniform([-0.25, -0.5], [0.25, 0.5], size=(lay.n_parts, 2))
    for _ in range(n_people):
        size = h * person_scale * rng.uniform(0.6, 1.4)
        centre = rng.uniform([0, 0], [w, h])
        jitter = rng.normal(0, 0.05, size=template.shape)
        pts = centre + (template + jitter) * size
        sigma = max(0.7, size / 20)
        for i, (px, py) in enumerate(pts):
            blob = np.exp(-((xx - px) ** 2 + (yy - py) ** 2) / (2 * sigma**2))
            out[i] = np.maximum(out[i], rng.uniform(0.4, 1.0) * blob)
        for a, b, cx, cy in lay.limbs:
            pa, pb = pts[a], pts[b]
            d = pb - pa
            length = float(np.hypot(*d))
            if length < 1e-6:
                continue
            u = d / length
            # distance of each pixel to the segment
            t = np.clip(((xx - pa[0]) * u[0] + (yy - pa[1]) * u[1]) / length, 0, 1)
            dist = np.hypot(xx - (pa[0] + t * d[0]), yy - (pa[1] + t * d[1]))
            near = dist <= max(1.0, sigma)
            out[cx][near] = u[0]
            out[cy][near] = u[1]
    return out[None]
