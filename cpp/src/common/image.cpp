#include "openpose/common/image.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "openpose/common/validation.hpp"

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
        for (std::size_t x = 0; x < W; ++x) d[x] = resize_vertical(r0[x], r1[x], sy);
    }
    return out;
}

void blurred_resized(const MapView& src, const ResizeGrid& grid, const Box& box, float* out, std::size_t out_stride,
                     BlurScratch& scratch) {
    const int W = grid.dst_width;
    const int H = grid.dst_height;
    if (box.x0 < 0 || box.y0 < 0 || box.x1 >= W || box.y1 >= H || box.x0 > box.x1 || box.y0 > box.y1) {
        throw std::invalid_argument("blurred_resized: the box must lie inside the image");
    }
    if (src.width != grid.src_width || src.height != grid.src_height) {
        throw std::invalid_argument("blurred_resized: map size does not match the resize grid");
    }
    const auto n = static_cast<std::size_t>(box.width());   // output columns
    const auto m = static_cast<std::size_t>(box.height());  // output rows
    const std::size_t pn = n + 2;                           // with one neighbour each side
    const std::size_t pm = m + 2;
    // Resized values of rows y0-1..y1+1 at columns x0-1..x1+1 (reflected at
    // the image border), row k of `resized` being image row y0 - 1 + k.
    auto column = [&](std::size_t c) { return reflect101(box.x0 + static_cast<int>(c) - 1, W); };
    auto image_row = [&](std::size_t k) { return reflect101(box.y0 + static_cast<int>(k) - 1, H); };
    std::vector<float>& resized = scratch.resized;
    resized.resize(pm * pn);
    if (grid.identity) {
        for (std::size_t k = 0; k < pm; ++k) {
            const float* row = src.row(image_row(k));
            float* d = resized.data() + k * pn;
            for (std::size_t c = 0; c < pn; ++c) d[c] = row[column(c)];
        }
    } else {
        // Horizontal pass of each source row these rows read, once.
        int s0 = grid.src_height;
        int s1 = -1;
        for (std::size_t k = 0; k < pm; ++k) {
            const AxisSample& sy = grid.ys[static_cast<std::size_t>(image_row(k))];
            s0 = std::min(s0, sy.i0);
            s1 = std::max(s1, sy.i1);
        }
        const auto n_src = static_cast<std::size_t>(s1 - s0 + 1);
        scratch.horizontal.resize(n_src * pn);
        scratch.have_row.assign(n_src, 0);
        for (std::size_t k = 0; k < pm; ++k) {
            const AxisSample& sy = grid.ys[static_cast<std::size_t>(image_row(k))];
            for (const int r : {sy.i0, sy.i1}) {
                const auto slot = static_cast<std::size_t>(r - s0);
                if (scratch.have_row[slot]) continue;
                scratch.have_row[slot] = 1;
                const float* row = src.row(r);
                float* h = scratch.horizontal.data() + slot * pn;
                for (std::size_t c = 0; c < pn; ++c) h[c] = resize_horizontal(row, grid.xs[static_cast<std::size_t>(column(c))]);
            }
            const float* h0 = scratch.horizontal.data() + static_cast<std::size_t>(sy.i0 - s0) * pn;
            const float* h1 = scratch.horizontal.data() + static_cast<std::size_t>(sy.i1 - s0) * pn;
            float* d = resized.data() + k * pn;
            for (std::size_t c = 0; c < pn; ++c) d[c] = resize_vertical(h0[c], h1[c], sy);
        }
    }
    // Blur, rows then columns (cv::GaussianBlur's order).
    std::vector<float>& rowpass = scratch.rowpass;
    rowpass.resize(pm * n);
    for (std::size_t k = 0; k < pm; ++k) {
        const float* s = resized.data() + k * pn;
        float* d = rowpass.data() + k * n;
        for (std::size_t c = 0; c < n; ++c) d[c] = blur_tap(s[c + 1], s[c], s[c + 2]);
    }
    for (std::size_t k = 0; k < m; ++k) {
        const float* up = rowpass.data() + k * n;
        const float* mid = up + n;
        const float* down = mid + n;
        float* d = out + k * out_stride;
        for (std::size_t c = 0; c < n; ++c) d[c] = blur_tap(mid[c], up[c], down[c]);
    }
}

std::vector<float> gaussian_blur3(const MapView& src) {
    ResizeGrid identity;
    identity.src_width = identity.dst_width = src.width;
    identity.src_height = identity.dst_height = src.height;
    identity.identity = true;
    const auto W = static_cast<std::size_t>(src.width);
    std::vector<float> out(W * static_cast<std::size_t>(src.height));
    BlurScratch scratch;
    blurred_resized(src, identity, Box{0, 0, src.width - 1, src.height - 1}, out.data(), W, scratch);
    return out;
}

}  // namespace openpose
