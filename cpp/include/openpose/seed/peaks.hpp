// Seed mode: keypoint candidates (peaks) of one part's heatmap, the
// original program's getKeyPoints.
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/common/image.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

// Buffers seed_find_peaks reuses from one map to the next (large windows
// would otherwise be fresh allocations, and fresh pages, for every map).
// Holds no results: any workspace, new or used, gives the same peaks. One
// workspace per thread.
struct SeedPeakWorkspace {
    std::vector<float> smooth;
    BlurScratch blur;
    std::vector<std::uint8_t> mask;
    std::vector<std::uint8_t> contour_work;
    std::vector<Span> spans;
};

// The original program's getKeyPoints, on a network-resolution heatmap:
// resize to the image size (grid), blur 3x3, threshold (value > threshold),
// trace every contour (outer and hole, OpenCV's RETR_TREE order), fill each
// contour as cv::fillConvexPoly does and take the first maximum of the
// blurred map inside it. The peak's score is the resized (unblurred) map at
// that pixel. Peaks come in contour order.
// Throws std::invalid_argument if the map does not match the grid's source
// size or threshold is negative or not finite. A map with NaN or infinite
// values gives valid positions but otherwise unspecified peaks
// (seed_postprocess and the bindings reject such maps first).
std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold);

// The same, with its buffers in `workspace`.
std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold,
                                  SeedPeakWorkspace& workspace);

}  // namespace openpose
