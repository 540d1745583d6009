#include "openpose/accurate/upsample.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "openpose/common/validation.hpp"

namespace openpose {

void cubic_weights(float t, float w[4]) {
    const float a = -0.75f;
    const float u = t + 1.0f;  // distance to tap -1
    w[0] = ((a * u - 5.0f * a) * u + 8.0f * a) * u - 4.0f * a;
    w[1] = ((a + 2.0f) * t - (a + 3.0f)) * t * t + 1.0f;
    const float s = 1.0f - t;  // distance to tap +1
    w[2] = ((a + 2.0f) * s - (a + 3.0f)) * s * s + 1.0f;
    w[3] = 1.0f - w[0] - w[1] - w[2];
}

std::vector<CubicTap> cubic_axis(int src_len, int factor) {
    if (src_len <= 0 || factor <= 0) throw std::invalid_argument("cubic_axis: sizes and factor must be positive");
    const int n = src_len * factor;
    std::vector<CubicTap> taps(static_cast<std::size_t>(n));
    for (int d = 0; d < n; ++d) {
        const float pos = (static_cast<float>(d) + 0.5f) / static_cast<float>(factor) - 0.5f;
        const float base_f = std::floor(pos);
        const int base = static_cast<int>(base_f);
        CubicTap& tap = taps[static_cast<std::size_t>(d)];
        cubic_weights(pos - base_f, tap.w);
        for (int k = 0; k < 4; ++k) tap.i[k] = std::min(std::max(base - 1 + k, 0), src_len - 1);
    }
    return taps;
}

std::vector<CubicSpan> cubic_spans(const std::vector<CubicTap>& taps) {
    std::vector<CubicSpan> spans;
    for (std::size_t d = 0; d < taps.size(); ++d) {
        const int* i = taps[d].i;
        const int di = static_cast<int>(d);
        if (!spans.empty() && std::equal(i, i + 4, spans.back().i)) {
            spans.back().end = di + 1;
        } else {
            spans.push_back(CubicSpan{di, di + 1, {i[0], i[1], i[2], i[3]}});
        }
    }
    return spans;
}

CubicGrid make_cubic_grid(int src_width, int src_height, int factor) {
    if (src_width <= 0 || src_height <= 0 || factor <= 0 || factor > kMaxFactor) {
        throw std::invalid_argument("make_cubic_grid: sizes must be positive and factor between 1 and " +
                                    std::to_string(kMaxFactor));
    }
    check_image_size(src_width * factor, src_height * factor, "the upsampled map");
    CubicGrid g;
    g.src_width = src_width;
    g.src_height = src_height;
    g.factor = factor;
    g.xs = cubic_axis(src_width, factor);
    g.ys = cubic_axis(src_height, factor);
    g.x_spans = cubic_spans(g.xs);
    g.y_spans = cubic_spans(g.ys);
    const auto W = g.xs.size();
    g.x_weights.resize(4 * W);
    for (std::size_t x = 0; x < W; ++x) {
        for (std::size_t k = 0; k < 4; ++k) g.x_weights[k * W + x] = g.xs[x].w[k];
    }
    return g;
}

void cubic_row(const float* src_row, const CubicGrid& grid, float* out) {
    // Span by span: the 4 source values are the same across a span and the
    // weights are read by tap (x_weights), so the inner loop vectorises;
    // the sum is the same, term after term, as cubic_value's.
    const auto W = static_cast<std::size_t>(grid.width());
    const float* w0 = grid.x_weights.data();
    const float* w1 = w0 + W;
    const float* w2 = w1 + W;
    const float* w3 = w2 + W;
    for (const CubicSpan& span : grid.x_spans) {
        const float s0 = src_row[span.i[0]];
        const float s1 = src_row[span.i[1]];
        const float s2 = src_row[span.i[2]];
        const float s3 = src_row[span.i[3]];
        for (auto x = static_cast<std::size_t>(span.begin); x < static_cast<std::size_t>(span.end); ++x) {
            float v = s0 * w0[x];
            v = v + s1 * w1[x];
            v = v + s2 * w2[x];
            v = v + s3 * w3[x];
            out[x] = v;
        }
    }
}

void cubic_column(const CubicTap& ty, const float* const rows[4], int x0, int x1, float* out) {
    const float* r0 = rows[0];
    const float* r1 = rows[1];
    const float* r2 = rows[2];
    const float* r3 = rows[3];
    for (auto x = static_cast<std::size_t>(x0); x < static_cast<std::size_t>(x1); ++x) {
        float v = r0[x] * ty.w[0];
        v = v + r1[x] * ty.w[1];
        v = v + r2[x] * ty.w[2];
        v = v + r3[x] * ty.w[3];
        out[x] = v;
    }
}

std::vector<float> upsample_cubic(const MapView& src, const CubicGrid& grid) {
    if (src.width != grid.src_width || src.height != grid.src_height) {
        throw std::invalid_argument("upsample_cubic: map size does not match the grid");
    }
    const auto W = static_cast<std::size_t>(grid.width());
    const auto H = static_cast<std::size_t>(grid.height());
    std::vector<float> out(W * H);
    if (grid.factor == 1) {
        for (std::size_t y = 0; y < H; ++y) std::copy(src.row(static_cast<int>(y)), src.row(static_cast<int>(y)) + W, out.begin() + static_cast<std::ptrdiff_t>(y * W));
        return out;
    }
    // Horizontal pass on every source row, then the vertical pass.
    std::vector<float> rows(static_cast<std::size_t>(src.height) * W);
    for (int r = 0; r < src.height; ++r) cubic_row(src.row(r), grid, rows.data() + static_cast<std::size_t>(r) * W);
    for (std::size_t y = 0; y < H; ++y) {
        const CubicTap& t = grid.ys[y];
        const float* const taps[4] = {rows.data() + static_cast<std::size_t>(t.i[0]) * W,
                                      rows.data() + static_cast<std::size_t>(t.i[1]) * W,
                                      rows.data() + static_cast<std::size_t>(t.i[2]) * W,
                                      rows.data() + static_cast<std::size_t>(t.i[3]) * W};
        cubic_column(t, taps, 0, grid.width(), out.data() + y * W);
    }
    return out;
}

}  // namespace openpose
