// Image primitives with the exact float32 arithmetic of the OpenCV calls the
// original program makes: cv::resize (INTER_LINEAR, generic float path) and
// cv::GaussianBlur (3x3, sigma 0, BORDER_REFLECT_101).
#pragma once

#include <vector>

#include "openpose/types.hpp"

namespace openpose {

// How one destination coordinate of a linear resize reads the source axis:
// value = src[i0] * w0 + src[i1] * w1, in float32.
struct AxisSample {
    int i0;
    int i1;
    float w0;
    float w1;
};

// The sampling of one axis by OpenCV's generic INTER_LINEAR resize.
// The source coordinate of destination d is (float)((d + 0.5) * scale - 0.5)
// with scale = 1 / (dst_len / src_len) in double, split into its floor and a
// float32 fraction. Along x OpenCV clamps both index and fraction at the
// borders (`clamp_fraction` = true); along y it clamps the two row indices
// into range but keeps the fraction (`clamp_fraction` = false).
AxisSample linear_axis_sample(int d, int src_len, int dst_len, bool clamp_fraction);

// The sampling of a whole resize from a src_width x src_height map to a
// dst_width x dst_height image, computed once and shared by every map of
// that size. When the sizes are equal, OpenCV copies: `identity` is set and
// the tables are empty.
struct ResizeGrid {
    int src_width = 0;
    int src_height = 0;
    int dst_width = 0;
    int dst_height = 0;
    bool identity = false;
    std::vector<AxisSample> xs;  // dst_width entries
    std::vector<AxisSample> ys;  // dst_height entries
};

// Throws std::invalid_argument for non-positive sizes.
ResizeGrid make_resize_grid(int src_width, int src_height, int dst_width, int dst_height);

// One pixel (x, y) of the resized map, exactly as the full resize computes it.
float resized_value(const MapView& src, const ResizeGrid& grid, int x, int y);

// The whole resized map, row-major dst_height x dst_width.
std::vector<float> resize_linear(const MapView& src, const ResizeGrid& grid);

// 3x3 Gaussian blur with sigma 0 (kernel 1/4, 1/2, 1/4 in both directions),
// border BORDER_REFLECT_101: rows first, then columns, as cv::GaussianBlur
// computes it for float32 images. Returns a row-major width x height image.
std::vector<float> gaussian_blur3(const MapView& src);

// Index of a neighbour under BORDER_REFLECT_101 (len >= 1, -1 <= i <= len).
inline int reflect101(int i, int len) {
    if (len == 1) return 0;
    if (i < 0) return 1;
    if (i >= len) return len - 2;
    return i;
}

// Throws std::invalid_argument naming `what` if any value is NaN or infinite.
void require_finite(const MapView& map, const char* what);

}  // namespace openpose
