#include "openpose/image.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "openpose/limits.hpp"

namespace openpose {

AxisSample linear_axis_sample(int d, int src_len, int dst_len, bool clamp_fraction) {
    // OpenCV computes inv_scale = dst / src and then scale = 1 / inv_scale;
    // both in double. The two divisions are kept so the rounding matches.
    const double inv_scale = static_cast<double>(dst_len) / src_len;
    const double scale = 1.0 / inv_scale;
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);

    AxisSample out{};
    if (clamp_fraction) {
        if (s < 0) {
            s = 0;
            f = 0.0f;
        }
        if (s >= src_len - 1) {
            s = src_len - 1;
            f = 0.0f;
        }
        out.i0 = s;
        out.i1 = s + 1 < src_len ? s + 1 : src_len - 1;
    } else {
        auto clip = [src_len](int i) { return i < 0 ? 0 : (i >= src_len ? src_len - 1 : i); };
        out.i0 = clip(s);
        out.i1 = clip(s + 1);
    }
    out.w0 = 1.0f - f;
    out.w1 = f;
    return out;
}

ResizeGrid make_resize_grid(int src_width, int src_height, int dst_width, int dst_height) {
    if (src_width <= 0 || src_height <= 0) {
        throw std::invalid_argument("resize: the source map must have a positive size, got " +
                                    std::to_string(src_width) + "x" + std::to_string(src_height));
    }
    check_image_size(dst_width, dst_height, "resize: image_size");
    ResizeGrid grid;
    grid.src_width = src_width;
    grid.src_height = src_height;
    grid.dst_width = dst_width;
    grid.dst_height = dst_height;
    grid.identity = src_width == dst_width && src_height == dst_height;
    if (grid.identity) return grid;
    grid.xs.reserve(static_cast<std::size_t>(dst_width));
    for (int x = 0; x < dst_width; ++x) grid.xs.push_back(linear_axis_sample(x, src_width, dst_width, true));
    grid.ys.reserve(static_cast<std::size_t>(dst_height));
    for (int y = 0; y < dst_height; ++y) grid.ys.push_back(linear_axis_sample(y, src_height, dst_height, false));
    return grid;
}

std::vector<float> resize_linear(const MapView& src, const ResizeGrid& grid) {
    const auto W = static_cast<std::size_t>(grid.dst_width);
    const auto H = static_cast<std::size_t>(grid.dst_height);
    std::vector<float> out(W * H);
    if (grid.identity) {
        for (std::size_t y = 0; y < H; ++y) {
            const float* row = src.row(static_cast<int>(y));
            std::copy(row, row + W, out.begin() + static_cast<std::ptrdiff_t>(y * W));
        }
        return out;
    }
    // Horizontal pass of every source row, once; then the vertical pass.
    const auto sh = static_cast<std::size_t>(grid.src_height);
    std::vector<float> rows(sh * W);
    for (std::size_t r = 0; r < sh; ++r) {
        const float* srow = src.row(static_cast<int>(r));
        float* drow = rows.data() + r * W;
        for (std::size_t x = 0; x < W; ++x) drow[x] = resize_horizontal(srow, grid.xs[x]);
    }
    for (std::size_t y = 0; y < H; ++y) {
        const AxisSample& sy = grid.ys[y];
        const float* r0 = rows.data() + static_cast<std::size_t>(sy.i0) * W;
        const float* r1 = rows.data() + static_cast<std::size_t>(sy.i1) * W;
        float* d = out.data() + y * W;
        for (std::size_t x = 0; x < W; ++x) d[x] = r0[x] * sy.w0 + r1[x] * sy.w1;
    }
    return out;
}

std::vector<float> gaussian_blur3(const MapView& src) {
    const int W = src.width;
    const int H = src.height;
    const auto stride = static_cast<std::size_t>(W);
    const auto n = stride * static_cast<std::size_t>(H);
    std::vector<float> rows(n);
    std::vector<float> out(n);
    // Row pass: centre * 1/2 + (left + right) * 1/4.
    for (int y = 0; y < H; ++y) {
        const float* s = src.row(y);
        float* d = rows.data() + static_cast<std::size_t>(y) * stride;
        for (int x = 0; x < W; ++x) {
            d[x] = s[x] * 0.5f + (s[reflect101(x - 1, W)] + s[reflect101(x + 1, W)]) * 0.25f;
        }
    }
    // Column pass, same kernel.
    for (int y = 0; y < H; ++y) {
        const float* up = rows.data() + static_cast<std::size_t>(reflect101(y - 1, H)) * stride;
        const float* mid = rows.data() + static_cast<std::size_t>(y) * stride;
        const float* down = rows.data() + static_cast<std::size_t>(reflect101(y + 1, H)) * stride;
        float* d = out.data() + static_cast<std::size_t>(y) * stride;
        for (int x = 0; x < W; ++x) d[x] = mid[x] * 0.5f + (up[x] + down[x]) * 0.25f;
    }
    return out;
}

void require_finite(const MapView& map, const char* what) {
    for (int y = 0; y < map.height; ++y) {
        const float* row = map.row(y);
        // NaN and infinities have every exponent bit set. Counting them over
        // the whole row (no early exit, an integer sum) vectorises; only a
        // row with one is searched for its first bad value.
        const int width = map.width;
        std::uint32_t n_bad = 0;
        for (int x = 0; x < width; ++x) {
            std::uint32_t bits;
            std::memcpy(&bits, row + x, sizeof bits);
            n_bad += (bits & 0x7f800000u) == 0x7f800000u ? 1u : 0u;
        }
        if (n_bad == 0) continue;
        for (int x = 0; x < width; ++x) {
            if (!std::isfinite(row[x])) {
                throw std::invalid_argument(std::string(what) + " contains NaN or infinite values (first at x=" +
                                            std::to_string(x) + ", y=" + std::to_string(y) + ")");
            }
        }
    }
}

}  // namespace openpose

#include <algorithm>

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

CubicGrid make_cubic_grid(int src_width, int src_height, int factor) {
    if (src_width <= 0 || src_height <= 0 || factor <= 0 || factor > 8) {
        throw std::invalid_argument("make_cubic_grid: sizes must be positive and factor between 1 and 8");
    }
    check_image_size(src_width * factor, src_height * factor, "the upsampled map");
    CubicGrid g;
    g.src_width = src_width;
    g.src_height = src_height;
    g.factor = factor;
    g.xs = cubic_axis(src_width, factor);
    g.ys = cubic_axis(src_height, factor);
    return g;
}

float cubic_value(const MapView& src, const CubicGrid& grid, int x, int y) {
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
    for (int r = 0; r < src.height; ++r) {
        const float* s = src.row(r);
        float* o = rows.data() + static_cast<std::size_t>(r) * W;
        for (std::size_t x = 0; x < W; ++x) {
            const CubicTap& t = grid.xs[x];
            float v = s[t.i[0]] * t.w[0];
            v = v + s[t.i[1]] * t.w[1];
            v = v + s[t.i[2]] * t.w[2];
            v = v + s[t.i[3]] * t.w[3];
            o[x] = v;
        }
    }
    for (std::size_t y = 0; y < H; ++y) {
        const CubicTap& t = grid.ys[y];
        const float* r0 = rows.data() + static_cast<std::size_t>(t.i[0]) * W;
        const float* r1 = rows.data() + static_cast<std::size_t>(t.i[1]) * W;
        const float* r2 = rows.data() + static_cast<std::size_t>(t.i[2]) * W;
        const float* r3 = rows.data() + static_cast<std::size_t>(t.i[3]) * W;
        float* o = out.data() + y * W;
        for (std::size_t x = 0; x < W; ++x) {
            float v = r0[x] * t.w[0];
            v = v + r1[x] * t.w[1];
            v = v + r2[x] * t.w[2];
            v = v + r3[x] * t.w[3];
            o[x] = v;
        }
    }
    return out;
}

}  // namespace openpose
