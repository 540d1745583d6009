// Image primitives with the exact float32 arithmetic of the OpenCV calls the
// original program makes: cv::resize (INTER_LINEAR, generic float path) and
// cv::GaussianBlur (3x3, sigma 0, BORDER_REFLECT_101).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "openpose/common/types.hpp"

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

// Throws std::invalid_argument for non-positive sizes (and, through
// check_image_size, a destination beyond the limits).
ResizeGrid make_resize_grid(int src_width, int src_height, int dst_width, int dst_height);

// The arithmetic of the resize and of the blur, written once: every path
// that computes resized or blurred values (the whole-image functions below,
// the windows of seed-mode peak finding) goes through these, so that all
// give the same bits.

// The horizontal pass of the resize at one destination column of one source row.
inline float resize_horizontal(const float* row, const AxisSample& sx) {
    return row[sx.i0] * sx.w0 + row[sx.i1] * sx.w1;
}

// The vertical pass: the horizontal values of the two source rows combined.
inline float resize_vertical(float h0, float h1, const AxisSample& sy) { return h0 * sy.w0 + h1 * sy.w1; }

// One tap of the 3x3 Gaussian (kernel 1/4, 1/2, 1/4) along one axis.
inline float blur_tap(float centre, float before, float after) { return centre * 0.5f + (before + after) * 0.25f; }

// One pixel (x, y) of the resized map, exactly as the full resize computes it
// (horizontal pass of the two source rows, then the vertical pass). Inline:
// limb scoring calls it for every sample.
inline float resized_value(const MapView& src, const ResizeGrid& grid, int x, int y) {
    if (grid.identity) return src.at(x, y);
    const AxisSample& sx = grid.xs[static_cast<std::size_t>(x)];
    const AxisSample& sy = grid.ys[static_cast<std::size_t>(y)];
    return resize_vertical(resize_horizontal(src.row(sy.i0), sx), resize_horizontal(src.row(sy.i1), sx), sy);
}

// The whole resized map, row-major dst_height x dst_width.
std::vector<float> resize_linear(const MapView& src, const ResizeGrid& grid);

// Index of a neighbour under BORDER_REFLECT_101 (len >= 1, -1 <= i <= len).
inline int reflect101(int i, int len) {
    if (len == 1) return 0;
    if (i < 0) return 1;
    if (i >= len) return len - 2;
    return i;
}

// Buffers blurred_resized reuses from one call to the next. Holds no
// results; one per thread.
struct BlurScratch {
    std::vector<float> horizontal;
    std::vector<std::uint8_t> have_row;
    std::vector<float> resized;
    std::vector<float> rowpass;
};

// gaussian_blur3(resize_linear(src, grid)) on the pixels of `box` only (a
// box inside the grid's destination image), with the same float operations
// in the same order as computing the whole image: the resize (horizontal
// pass of each source row read, then the vertical pass) at the box's pixels
// and their reflected neighbours, then the blur, rows first. Writes
// box.height() rows of box.width() floats, row r at out + r * out_stride.
// Throws std::invalid_argument for a box outside the image or a map that
// does not match the grid. The one place the resize+blur of seed mode is
// computed: the whole-image path, the dense windows and the bounded windows
// of seed_find_peaks all call it.
void blurred_resized(const MapView& src, const ResizeGrid& grid, const Box& box, float* out, std::size_t out_stride,
                     BlurScratch& scratch);

// 3x3 Gaussian blur with sigma 0 (kernel 1/4, 1/2, 1/4 in both directions),
// border BORDER_REFLECT_101: rows first, then columns, as cv::GaussianBlur
// computes it for float32 images. Returns a row-major width x height image.
// (blurred_resized on an identity grid.)
std::vector<float> gaussian_blur3(const MapView& src);

}  // namespace openpose
