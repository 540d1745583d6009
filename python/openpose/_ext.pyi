"""Type stubs of ``openpose._ext``, the private C++ module (src/openpose_ext/).

One entry per binding, in the order of the register_*.cpp files. Arrays must
already have the dtype shown and be C-contiguous: the module never converts
(``noconvert``) and raises ``TypeError`` otherwise. tests/test_stubs.py fails
when a binding is missing here or its parameters differ.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

# register_image.cpp

def resize_linear(src: NDArray[np.float32], width: int, height: int) -> NDArray[np.float32]:
    """cv::resize INTER_LINEAR of a (h, w) map: (height, width) float32."""

def gaussian_blur3(src: NDArray[np.float32]) -> NDArray[np.float32]:
    """cv::GaussianBlur 3x3 (BORDER_REFLECT_101) of a (h, w) map: same shape, float32."""

def find_contours(mask: NDArray[np.uint8]) -> list[NDArray[np.int32]]:
    """cv::findContours RETR_TREE/CHAIN_APPROX_SIMPLE of a (h, w) mask: (n, 2) int32 (x, y) per contour."""

def fill_convex_poly(poly: NDArray[np.int32], width: int, height: int) -> NDArray[np.uint8]:
    """The pixels cv::fillConvexPoly paints for an (n, 2) int32 polygon: (height, width) uint8 mask."""

# register_peaks.cpp

def seed_find_peaks(heatmap: NDArray[np.float32], width: int, height: int, threshold: float) -> NDArray[np.float32]:
    """getKeyPoints on a (h, w) heatmap resized to (width, height): (n, 3) float32 rows [x, y, score]."""

# register_paf.cpp

def seed_score_limb(
    paf_x: NDArray[np.float32],
    paf_y: NDArray[np.float32],
    candidates_a: NDArray[np.float32],
    candidates_b: NDArray[np.float32],
    width: int,
    height: int,
    n_samples: int,
    paf_threshold: float,
    min_fraction: float,
) -> NDArray[np.float32]:
    """getValidPairs for one limb; candidates (n, 4) [id, x, y, score]: (m, 3) float32 rows [a_id, b_id, score]."""

# register_assembly.cpp

def seed_assemble(
    valid_pairs: Sequence[NDArray[np.float32]],
    limbs: NDArray[np.int32],
    starts_person: NDArray[np.uint8],
    n_parts: int,
) -> NDArray[np.int32]:
    """getPersonwiseKeypoints; valid_pairs (m_k, 3) per limb, limbs (L, 4): (P, n_parts) int32, -1 where missing."""

# register_postprocess.cpp

def seed_postprocess(
    net_output: NDArray[np.float32],
    width: int,
    height: int,
    n_parts: int,
    limbs: NDArray[np.int32],
    starts_person: NDArray[np.uint8],
    threshold: float,
    n_samples: int,
    paf_threshold: float,
    min_fraction: float,
) -> tuple[list[NDArray[np.float32]], list[NDArray[np.float32]], list[int], NDArray[np.int32]]:
    """The whole seed pipeline on a (C, h, w) output: (keypoints (n_i, 4) per part, valid_pairs (m_k, 3) per limb,
    invalid limb indices, persons (P, n_parts) int32)."""

# register_accurate.cpp

def accurate_upsample(map: NDArray[np.float32], factor: int) -> NDArray[np.float32]:
    """Bicubic upsampling of a (h, w) map by an integer factor: (h * factor, w * factor) float32."""

def accurate_find_peaks(
    heatmap: NDArray[np.float32],
    factor: int,
    threshold: float,
    max_peaks: int,
    radius: int,
) -> NDArray[np.float32]:
    """OpenPose's peaks of one heatmap: (n, 3) float32 rows [x, y, score] at working resolution."""

def accurate_score_limb(
    paf_x: NDArray[np.float32],
    paf_y: NDArray[np.float32],
    candidates_a: NDArray[np.float32],
    candidates_b: NDArray[np.float32],
    factor: int,
    paf_threshold: float,
    min_above: float,
    threshold: float,
) -> NDArray[np.float32]:
    """OpenPose's candidate connections of one limb: (m, 3) float32 rows [a_id, b_id, score]."""

def accurate_assemble(
    keypoints: Sequence[NDArray[np.float32]],
    valid_pairs: Sequence[NDArray[np.float32]],
    limbs: NDArray[np.int32],
    fill_only: NDArray[np.uint8],
    grouping: str,
    min_parts: int,
    min_mean_score: float,
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """OpenPose's grouping: (persons (P, n_parts) int32, scores (P,) float32)."""

def accurate_postprocess(
    net_output: NDArray[np.float32],
    width: int,
    height: int,
    n_parts: int,
    limbs: NDArray[np.int32],
    fill_only: NDArray[np.uint8],
    factor: int,
    threshold: float,
    max_peaks: int,
    radius: int,
    paf_threshold: float,
    min_above: float,
    grouping: str,
    min_parts: int,
    min_mean_score: float,
) -> tuple[
    list[NDArray[np.float32]], list[NDArray[np.float32]], list[int], NDArray[np.int32], NDArray[np.float32]
]:
    """OpenPose's whole post-processing on a (C, h, w) output: (keypoints (n_i, 4) per part, valid_pairs (m_k, 3)
    per limb, invalid limb indices, persons (P, n_parts) int32, scores (P,) float32)."""
