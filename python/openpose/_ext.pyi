"""Type stubs of ``openpose._ext``, the private C++ module (src/openpose_ext/).

One entry per binding, in the order of the register_*.cpp files (common,
seed, accurate). Arrays must already have the dtype shown and be
C-contiguous: the module never converts (``noconvert``) and raises
``TypeError`` otherwise. tests/test_stubs.py fails when a binding, a limit
or a class member is missing here or its parameters differ.
"""

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

# register_common.cpp: the core's limits (cpp/include/openpose/common/limits.hpp)

#: Largest image side, in pixels.
MAX_IMAGE_SIDE: int
#: Largest image area, in pixels.
MAX_IMAGE_PIXELS: int
#: Most keypoint candidates one part may have.
MAX_PEAKS_PER_PART: int
#: Most samples along one candidate limb (seed mode's n_samples).
MAX_SAMPLES: int
#: Most parts in a layout.
MAX_PARTS: int
#: Largest upsampling factor of accurate mode.
MAX_FACTOR: int
#: Largest peak refinement radius of accurate mode.
MAX_RADIUS: int
#: Largest min_parts of accurate mode.
MAX_MIN_PARTS: int

# register_common.cpp: image primitives

def resize_linear(src: NDArray[np.float32], width: int, height: int) -> NDArray[np.float32]:
    """cv::resize INTER_LINEAR of a (h, w) map: (height, width) float32."""

def gaussian_blur3(src: NDArray[np.float32]) -> NDArray[np.float32]:
    """cv::GaussianBlur 3x3 (BORDER_REFLECT_101) of a (h, w) map: same shape, float32."""

def find_contours(mask: NDArray[np.uint8]) -> list[NDArray[np.int32]]:
    """cv::findContours RETR_TREE/CHAIN_APPROX_SIMPLE of a (h, w) mask: (n, 2) int32 (x, y) per contour."""

def fill_convex_poly(poly: NDArray[np.int32], width: int, height: int) -> NDArray[np.uint8]:
    """The pixels cv::fillConvexPoly paints for an (n, 2) int32 polygon: (height, width) uint8 mask."""

# register_seed.cpp

class SeedDecoder:
    """The original program's post-processing, built once (parameters checked here: ValueError naming them).

    limbs: (L, 4) int32 rows [part_a, part_b, paf_x, paf_y]; starts_person: (L,) uint8. Every method releases
    the GIL; one decoder may be used from several threads.
    """

    def __init__(
        self,
        limbs: NDArray[np.int32],
        starts_person: NDArray[np.uint8],
        n_parts: int,
        *,
        threshold: float = 0.1,
        n_samples: int = 10,
        paf_threshold: float = 0.1,
        min_fraction: float = 0.7,
    ) -> None: ...
    def find_peaks(self, heatmap: NDArray[np.float32], width: int, height: int) -> NDArray[np.float32]:
        """getKeyPoints on a (h, w) heatmap resized to (width, height): (n, 3) float32 rows [x, y, score]."""
    def score_limb(
        self,
        paf_x: NDArray[np.float32],
        paf_y: NDArray[np.float32],
        candidates_a: NDArray[np.float32],
        candidates_b: NDArray[np.float32],
        width: int,
        height: int,
    ) -> NDArray[np.float32]:
        """getValidPairs for one limb; candidates (n, 4) [id, x, y, score] in image pixels: (m, 3) float32."""
    def assemble(self, valid_pairs: Sequence[NDArray[np.float32]]) -> NDArray[np.int32]:
        """getPersonwiseKeypoints on one (m_k, 3) array per limb: (P, n_parts) int32, -1 where missing."""
    def decode(
        self, net_output: NDArray[np.float32], width: int, height: int
    ) -> tuple[list[NDArray[np.float32]], list[NDArray[np.float32]], list[int], NDArray[np.int32]]:
        """All the stages with the stored parameters: (keypoints, valid_pairs, invalid_pairs, persons)."""
    @property
    def threshold(self) -> float: ...
    @property
    def n_samples(self) -> int: ...
    @property
    def paf_threshold(self) -> float: ...
    @property
    def min_fraction(self) -> float: ...
    @property
    def n_parts(self) -> int: ...

# register_accurate.cpp

class AccurateDecoder:
    """CMU OpenPose's post-processing, built once (parameters checked here: ValueError naming them).

    limbs: (L, 4) int32 rows [part_a, part_b, paf_x, paf_y]; fill_only: (L,) uint8. Every method releases the
    GIL; one decoder may be used from several threads.
    """

    def __init__(
        self,
        limbs: NDArray[np.int32],
        fill_only: NDArray[np.uint8],
        n_parts: int,
        *,
        factor: int = 1,
        threshold: float = 0.05,
        max_peaks: int = 127,
        radius: int = 3,
        paf_threshold: float = 0.05,
        min_above: float = 0.95,
        grouping: Literal["cpu", "gpu"] = "cpu",
        min_parts: int = 3,
        min_mean_score: float = 0.4,
    ) -> None: ...
    def find_peaks(self, heatmap: NDArray[np.float32]) -> NDArray[np.float32]:
        """OpenPose's peaks of one (h, w) heatmap: (n, 3) float32 rows [x, y, score] at working resolution."""
    def score_limb(
        self,
        paf_x: NDArray[np.float32],
        paf_y: NDArray[np.float32],
        candidates_a: NDArray[np.float32],
        candidates_b: NDArray[np.float32],
    ) -> NDArray[np.float32]:
        """Candidate connections of one limb (candidates at working resolution): (m, 3) float32."""
    def assemble(
        self, keypoints: Sequence[NDArray[np.float32]], valid_pairs: Sequence[NDArray[np.float32]]
    ) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """Grouping and selection (n_parts candidate arrays, L pair arrays): (persons (P, n_parts), scores (P,))."""
    def decode(
        self, net_output: NDArray[np.float32], width: int, height: int
    ) -> tuple[
        list[NDArray[np.float32]], list[NDArray[np.float32]], list[int], NDArray[np.int32], NDArray[np.float32]
    ]:
        """All the stages with the stored parameters: (keypoints, valid_pairs, invalid_pairs, persons, scores)."""
    @property
    def factor(self) -> int: ...
    @property
    def threshold(self) -> float: ...
    @property
    def max_peaks(self) -> int: ...
    @property
    def radius(self) -> int: ...
    @property
    def paf_threshold(self) -> float: ...
    @property
    def min_above(self) -> float: ...
    @property
    def grouping(self) -> str: ...
    @property
    def min_parts(self) -> int: ...
    @property
    def min_mean_score(self) -> float: ...
    @property
    def n_parts(self) -> int: ...

# register_accurate.cpp: the bicubic upsampling primitive

def accurate_upsample(map: NDArray[np.float32], *, factor: int) -> NDArray[np.float32]:
    """Bicubic upsampling of a (h, w) map by an integer factor: (h * factor, w * factor) float32."""
