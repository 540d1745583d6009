// Polygon rasterisation, reproducing OpenCV's fillConvexPoly.
#pragma once

#include <vector>

#include "openpose/common/types.hpp"

namespace openpose {

// Horizontal spans covering exactly the pixels that
// cv::fillConvexPoly(img(height x width), poly, color, LINE_8, 0) paints
// (OpenCV 4.6 behaviour), for any polygon: convex or not, degenerate (one
// point, two points, collinear) and partly or wholly outside the image.
// Spans are clipped to the image; they may overlap (their union is the
// painted set). An empty polygon gives no spans.
// Throws std::invalid_argument for width/height <= 0.
std::vector<Span> fill_convex_poly_spans(const std::vector<Point>& poly, int width, int height);

// The same into `spans` (cleared first), so that many calls reuse one
// allocation.
void fill_convex_poly_spans(const std::vector<Point>& poly, int width, int height, std::vector<Span>& spans);

}  // namespace openpose
