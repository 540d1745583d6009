#include "openpose/image.hpp"

#include <cmath>
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

namespace {

// The horizontal pass at one destination column of one source row.
inline float horizontal(const float* row, const AxisSample& sx) {
    return row[sx.i0] * sx.w0 + row[sx.i1] * sx.w1;
}

}  // namespace

float resized_value(const MapView& src, const ResizeGrid& grid, int x, int y) {
    if (grid.identity) return src.at(x, y);
    const AxisSample& sx = grid.xs[static_cast<std::size_t>(x)];
    const AxisSample& sy = grid.ys[static_cast<std::size_t>(y)];
    const float h0 = horizontal(src.row(sy.i0), sx);
    const float h1 = horizontal(src.row(sy.i1), sx);
    return h0 * sy.w0 + h1 * sy.w1;
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
        for (std::size_t x = 0; x < W; ++x) drow[x] = horizontal(srow, grid.xs[x]);
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
    const auto n = static_cast<std::size_t>(W) * static_cast<std::size_t>(H);
    std::vector<float> rows(n);
    std::vector<float> out(n);
    // Row pass: centre * 1/2 + (left + right) * 1/4.
    for (int y = 0; y < H; ++y) {
        const float* s = src.row(y);
        float* d = rows.data() + static_cast<std::size_t>(y) * W;
        for (int x = 0; x < W; ++x) {
            d[x] = s[x] * 0.5f + (s[reflect101(x - 1, W)] + s[reflect101(x + 1, W)]) * 0.25f;
        }
    }
    // Column pass, same kernel.
    for (int y = 0; y < H; ++y) {
        const float* up = rows.data() + static_cast<std::size_t>(reflect101(y - 1, H)) * W;
        const float* mid = rows.data() + static_cast<std::size_t>(y) * W;
        const float* down = rows.data() + static_cast<std::size_t>(reflect101(y + 1, H)) * W;
        float* d = out.data() + static_cast<std::size_t>(y) * W;
        for (int x = 0; x < W; ++x) d[x] = mid[x] * 0.5f + (up[x] + down[x]) * 0.25f;
    }
    return out;
}

void require_finite(const MapView& map, const char* what) {
    for (int y = 0; y < map.height; ++y) {
        const float* row = map.row(y);
        for (int x = 0; x < map.width; ++x) {
            if (!std::isfinite(row[x])) {
                throw std::invalid_argument(std::string(what) + " contains NaN or infinite values (first at x=" +
                                            std::to_string(x) + ", y=" + std::to_string(y) + ")");
            }
        }
    }
}

}  // namespace openpose
