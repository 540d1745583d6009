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

// The horizontal pass of the resize at one destination column of one source row.
inline float resize_horizontal(const float* row, const AxisSample& sx) {
    return row[sx.i0] * sx.w0 + row[sx.i1] * sx.w1;
}

// One pixel (x, y) of the resized map, exactly as the full resize computes it
// (horizontal pass of the two source rows, then the vertical pass). Inline:
// limb scoring calls it for every sample.
inline float resized_value(const MapView& src, const ResizeGrid& grid, int x, int y) {
    if (grid.identity) return src.at(x, y);
    const AxisSample& sx = grid.xs[static_cast<std::size_t>(x)];
    const AxisSample& sy = grid.ys[static_cast<std::size_t>(y)];
    const float h0 = resize_horizontal(src.row(sy.i0), sx);
    const float h1 = resize_horizontal(src.row(sy.i1), sx);
    return h0 * sy.w0 + h1 * sy.w1;
}

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

namespace openpose {

// --- Bicubic upsampling by an integer factor (accurate mode) ---------------
// Keys' cubic kernel with a = -0.75 (OpenCV's INTER_CUBIC coefficients),
// half-pixel centres (destination d reads source (d + 0.5) / factor - 0.5),
// replicated borders. All arithmetic in float32.

// The 4 taps of one destination coordinate: value = sum_k src[i[k]] * w[k].
struct CubicTap {
    int i[4];
    float w[4];
};

// Weights of the 4 taps around a fraction t in [0, 1).
void cubic_weights(float t, float w[4]);

// Taps of every destination coordinate of one axis (src_len * factor of them).
std::vector<CubicTap> cubic_axis(int src_len, int factor);

// The sampling of a src_width x src_height map upsampled by `factor`.
struct CubicGrid {
    int src_width = 0;
    int src_height = 0;
    int factor = 1;
    std::vector<CubicTap> xs;  // src_width * factor entries
    std::vector<CubicTap> ys;  // src_height * factor entries
    int width() const { return src_width * factor; }
    int height() const { return src_height * factor; }
};

// Throws std::invalid_argument for non-positive sizes or factor.
CubicGrid make_cubic_grid(int src_width, int src_height, int factor);

// One pixel (x, y) of the upsampled map, bit-identical to upsample_cubic:
// each of the 4 source rows is combined along x first (taps in order), then
// the 4 row values along y.
float cubic_value(const MapView& src, const CubicGrid& grid, int x, int y);

// The whole upsampled map, row-major height() x width().
std::vector<float> upsample_cubic(const MapView& src, const CubicGrid& grid);

}  // namespace openpose
