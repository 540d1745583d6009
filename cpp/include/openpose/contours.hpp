// Border following on a binary mask, reproducing OpenCV's findContours.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "openpose/types.hpp"

namespace openpose {

// One closed contour, as a list of its corner pixels (x, y).
using Contour = std::vector<Point>;

// Same result as cv::findContours(mask, RETR_TREE, CHAIN_APPROX_SIMPLE) of
// OpenCV 4.6 (the "old" C implementation; Suzuki & Abe border following):
// every contour (outer borders and hole borders), in OpenCV's order, each
// with OpenCV's starting point, direction and corner points.
//
// mask: row-major, `height` rows of `width` bytes, row r starts at
// mask + r * stride; nonzero = foreground. Pixels outside the width x height
// window are never read, so `mask` may point into a larger image.
// Throws std::invalid_argument for width/height <= 0, stride < width or a
// null mask.
std::vector<Contour> find_contours(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride);

}  // namespace openpose
