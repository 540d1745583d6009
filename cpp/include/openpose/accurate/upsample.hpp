// Bicubic upsampling by an integer factor: how accurate mode reads the
// network output at its working resolution.
#pragma once

#include <cstddef>
#include <vector>

#include "openpose/common/types.hpp"

namespace openpose {

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

// Consecutive destination coordinates begin..end-1 that read the same 4
// source indices i[]: those between two neighbouring source pixels'
// centres (`factor` of them inside the map, fewer at the borders).
struct CubicSpan {
    int begin;
    int end;
    int i[4];
};

// The spans of an axis' taps, in order, covering every coordinate.
std::vector<CubicSpan> cubic_spans(const std::vector<CubicTap>& taps);

// The sampling of a src_width x src_height map upsampled by `factor`.
struct CubicGrid {
    int src_width = 0;
    int src_height = 0;
    int factor = 1;
    std::vector<CubicTap> xs;  // src_width * factor entries
    std::vector<CubicTap> ys;  // src_height * factor entries
    std::vector<CubicSpan> x_spans;  // cubic_spans(xs)
    std::vector<CubicSpan> y_spans;  // cubic_spans(ys)
    std::vector<float> x_weights;    // weight k of coordinate x at [k * width() + x] (xs' w, by tap)
    int width() const { return src_width * factor; }
    int height() const { return src_height * factor; }
};

// Throws std::invalid_argument for non-positive sizes or factor.
CubicGrid make_cubic_grid(int src_width, int src_height, int factor);

// One pixel (x, y) of the upsampled map, bit-identical to upsample_cubic:
// each of the 4 source rows is combined along x first (taps in order), then
// the 4 row values along y.
// Inline: limb scoring calls it for every PAF sample.
inline float cubic_value(const MapView& src, const CubicGrid& grid, int x, int y) {
    if (grid.factor == 1) return src.at(x, y);
    const CubicTap& tx = grid.xs[static_cast<std::size_t>(x)];
    const CubicTap& ty = grid.ys[static_cast<std::size_t>(y)];
    float rows[4];
    for (int k = 0; k < 4; ++k) {
        const float* r = src.row(ty.i[k]);
        float v = r[tx.i[0]] * tx.w[0];
        v = v + r[tx.i[1]] * tx.w[1];
        v = v + r[tx.i[2]] * tx.w[2];
        v = v + r[tx.i[3]] * tx.w[3];
        rows[k] = v;
    }
    float v = rows[0] * ty.w[0];
    v = v + rows[1] * ty.w[1];
    v = v + rows[2] * ty.w[2];
    v = v + rows[3] * ty.w[3];
    return v;
}

// The two passes of upsample_cubic, for code that upsamples only part of a
// map with the same arithmetic. One source row combined along x into all
// grid.width() pixels of `out`:
void cubic_row(const float* src_row, const CubicGrid& grid, float* out);
// Pixels x0..x1-1 of one destination row from the 4 x-combined source rows
// its tap `ty` reads (rows[k] = cubic_row of source row ty.i[k]):
void cubic_column(const CubicTap& ty, const float* const rows[4], int x0, int x1, float* out);

// The whole upsampled map, row-major height() x width().
std::vector<float> upsample_cubic(const MapView& src, const CubicGrid& grid);

}  // namespace openpose
