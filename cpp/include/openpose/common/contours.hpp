// Border following on a binary mask, reproducing OpenCV's findContours.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "openpose/common/types.hpp"

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

// An outermost contour (one whose parent is the image frame: the outer
// border of a blob not enclosed by any other) together with every contour
// nested inside it. In find_contours' output they are `count` consecutive
// contours from index `first`, the outermost one first. `origin` is the
// pixel where the raster scan met the outermost border: the blob's first
// pixel in raster order.
struct ContourGroup {
    Point origin;
    std::size_t first;
    std::size_t count;
};

// find_contours, also listing the groups in output order. The groups come in
// reverse raster order of their origins (OpenCV lists later-found borders
// first) and partition the output.
std::vector<Contour> find_contours_grouped(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride,
                                           std::vector<ContourGroup>& groups);

// The same, with the tracer's work image (the mask with a one-pixel frame)
// kept in `work`, so that many calls reuse one allocation.
std::vector<Contour> find_contours_grouped(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride,
                                           std::vector<ContourGroup>& groups, std::vector<std::uint8_t>& work);

}  // namespace openpose
