// Keypoint candidates (peaks) of one part's heatmap.
#pragma once

#include <vector>

#include "openpose/image.hpp"
#include "openpose/types.hpp"

namespace openpose {

// The original program's getKeyPoints, on a network-resolution heatmap:
// resize to the image size (grid), blur 3x3, threshold (value > threshold),
// trace every contour (outer and hole, OpenCV's RETR_TREE order), fill each
// contour as cv::fillConvexPoly does and take the first maximum of the
// blurred map inside it. The peak's score is the resized (unblurred) map at
// that pixel. Peaks come in contour order.
// Throws std::invalid_argument if the map does not match the grid's source
// size or threshold is negative or not finite.
std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold);

// The same, on a map already at image size (no resize).
std::vector<Peak> seed_find_peaks_full(const MapView& prob, float threshold);

}  // namespace openpose
