// Why the bounds hold.
//
// Resize. Along one axis, destination pixel d reads source indices
// (i0, i1) with weights (1 - f, f), f the float fraction of its source
// coordinate (image.hpp). Call a *cell* a maximal run of destination pixels
// with the same (i0, i1). Inside a cell f never decreases with d (it is the
// rounded source coordinate minus a constant floor; clamped pixels have
// f = 0 and come first or, with i0 == i1, are constant). So inside a cell of
// both axes the resized value is, in exact arithmetic, a bilinear function
// of (fx, fy), monotone in fx and fy. On a rectangle of pixels that lies in
// one cell along each axis, every value therefore lies between the smallest
// and the largest value at the rectangle's 4 corners.
//
// The lattice. Columns lx_ contain the first and last pixel of every cell
// met in the window (plus the window's ends and a column every kStep pixels
// inside long cells), rows ly_ likewise. So between two consecutive lattice
// columns either all pixels share one cell, or there is no pixel between
// them; the same for rows. In both cases the corner rule above holds for the
// closed lattice rectangle [lx_[i], lx_[i+1]] x [ly_[j], ly_[j+1]] (along an
// axis without interior pixels it is trivial).
//
// Blur. smooth(x, y) is a convex combination (weights 1/4, 1/2, 1/4 per
// axis, exact powers of two) of the resized values at x-1..x+1, y-1..y+1
// (reflected at the image border, which stays inside the same lattice
// rectangles). For a pixel of the window in block (i, j) (lx_[i] <= x < lx_[i+1]) these
// lie in the closed rectangles i-1, i and j-1, j. So the block's smooth
// values lie between the smallest and the largest corner value of those (up
// to) 4 rectangles.
//
// Rounding. The float computation of a resized value differs from the exact
// bilinear value by a few units in the last place of M, the largest
// magnitude among the source values involved (6 roundings, plus 1 - f
// rounded in the weight); the blur adds 3 roundings of at most the same
// magnitude. Both the corner values and the pixel values carry such errors,
// so the bounds are widened by margin = 1e-5 * M (about 14 times the worst
// case of 12 * 2^-24 * M) plus 1e-30 for underflow in products.
// Pixels whose block bounds straddle the threshold (or can reach the best
// value in the arg-max search) are computed exactly.
#include "openpose/seed/blurred_window.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "openpose/common/first_maximum.hpp"

namespace openpose {

namespace {

// Lattice spacing inside long cells: smaller gives tighter bounds and more
// corner evaluations.
constexpr int kStep = 12;

// Lattice positions of one axis over p0..p1 (see above).
std::vector<int> axis_lattice(const std::vector<AxisSample>& axis, int p0, int p1) {
    auto cell_changes = [&axis](int d) {  // between d - 1 and d
        const AxisSample& a = axis[static_cast<std::size_t>(d - 1)];
        const AxisSample& b = axis[static_cast<std::size_t>(d)];
        return a.i0 != b.i0 || a.i1 != b.i1;
    };
    std::vector<int> out;
    out.push_back(p0);
    for (int d = p0 + 1; d <= p1; ++d) {
        const bool keep = d == p1 || cell_changes(d) || cell_changes(d + 1) || d - out.back() >= kStep;
        if (keep) out.push_back(d);
    }
    return out;
}

// Stable counting sort of spans by row.
void sort_by_row(std::vector<Span>& spans) {
    if (spans.size() < 2) return;
    int y0 = spans.front().y;
    int y1 = y0;
    bool sorted = true;
    for (std::size_t k = 1; k < spans.size(); ++k) {
        sorted = sorted && spans[k - 1].y <= spans[k].y;
        y0 = std::min(y0, spans[k].y);
        y1 = std::max(y1, spans[k].y);
    }
    if (sorted) return;
    std::vector<std::size_t> next(static_cast<std::size_t>(y1 - y0) + 2, 0);
    for (const Span& s : spans) ++next[static_cast<std::size_t>(s.y - y0) + 1];
    for (std::size_t r = 1; r < next.size(); ++r) next[r] += next[r - 1];
    std::vector<Span> out(spans.size());
    for (const Span& s : spans) out[next[static_cast<std::size_t>(s.y - y0)]++] = s;
    spans.swap(out);
}

// Block index of every pixel from lattice.front() to lattice.back().
std::vector<int> block_of_pixels(const std::vector<int>& lattice) {
    std::vector<int> out(static_cast<std::size_t>(lattice.back() - lattice.front() + 1));
    const int n_blocks = static_cast<int>(lattice.size()) - 1;
    for (int b = 0; b < n_blocks; ++b) {
        for (int p = lattice[static_cast<std::size_t>(b)]; p < lattice[static_cast<std::size_t>(b) + 1]; ++p) {
            out[static_cast<std::size_t>(p - lattice.front())] = b;
        }
    }
    out.back() = n_blocks - 1;
    return out;
}

}  // namespace

BlurredWindow::BlurredWindow(const MapView& src, const ResizeGrid& grid, const Box& box)
    : src_(src), grid_(grid), box_(box) {
    const int W = grid.dst_width;
    const int H = grid.dst_height;
    if (grid.identity) throw std::invalid_argument("BlurredWindow: the grid must resize");
    if (W < 2 || H < 2) throw std::invalid_argument("BlurredWindow: the image must be at least 2x2 pixels");
    if (src.width != grid.src_width || src.height != grid.src_height) {
        throw std::invalid_argument("BlurredWindow: map size does not match the resize grid");
    }
    if (box.x0 < 0 || box.y0 < 0 || box.x1 >= W || box.y1 >= H || box.x0 > box.x1 || box.y0 > box.y1) {
        throw std::invalid_argument("BlurredWindow: the box must lie inside the image");
    }
    // The window plus the blur's neighbours, clipped: 2 pixels or more per
    // axis since the image has them.
    const int px0 = std::max(box.x0 - 1, 0);
    const int px1 = std::min(box.x1 + 1, W - 1);
    const int py0 = std::max(box.y0 - 1, 0);
    const int py1 = std::min(box.y1 + 1, H - 1);
    lx_ = axis_lattice(grid.xs, px0, px1);
    ly_ = axis_lattice(grid.ys, py0, py1);
    col_block_ = block_of_pixels(lx_);
    row_block_ = block_of_pixels(ly_);
    const int nx = static_cast<int>(lx_.size());
    const int ny = static_cast<int>(ly_.size());
    n_bx_ = nx - 1;
    n_by_ = ny - 1;

    // M: the largest magnitude of the source values the window reads.
    float m = 0.0f;
    for (int r = grid.ys[static_cast<std::size_t>(py0)].i0; r <= grid.ys[static_cast<std::size_t>(py1)].i1; ++r) {
        const float* row = src.row(r);
        for (int c = grid.xs[static_cast<std::size_t>(px0)].i0; c <= grid.xs[static_cast<std::size_t>(px1)].i1; ++c) {
            m = std::max(m, std::abs(row[c]));
        }
    }
    const float margin = m * 1e-5f + 1e-30f;

    // Exact resized values at the lattice points, then the range of each
    // closed lattice rectangle.
    std::vector<float> corner(static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny));
    for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
            corner[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(i)] =
                resized_value(src, grid, lx_[static_cast<std::size_t>(i)], ly_[static_cast<std::size_t>(j)]);
        }
    }
    const std::size_t n_blocks = static_cast<std::size_t>(n_bx_) * static_cast<std::size_t>(n_by_);
    std::vector<float> rect_lo(n_blocks);
    std::vector<float> rect_hi(n_blocks);
    for (int j = 0; j < n_by_; ++j) {
        for (int i = 0; i < n_bx_; ++i) {
            const float* c0 = corner.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) + i;
            const float* c1 = c0 + nx;
            rect_lo[block_index(i, j)] = std::min({c0[0], c0[1], c1[0], c1[1]});
            rect_hi[block_index(i, j)] = std::max({c0[0], c0[1], c1[0], c1[1]});
        }
    }
    // Block (i, j) reads the rectangles i-1..i, j-1..j.
    lo_.resize(n_blocks);
    hi_.resize(n_blocks);
    for (int j = 0; j < n_by_; ++j) {
        for (int i = 0; i < n_bx_; ++i) {
            float lo = rect_lo[block_index(i, j)];
            float hi = rect_hi[block_index(i, j)];
            for (int jj = std::max(j - 1, 0); jj <= j; ++jj) {
                for (int ii = std::max(i - 1, 0); ii <= i; ++ii) {
                    lo = std::min(lo, rect_lo[block_index(ii, jj)]);
                    hi = std::max(hi, rect_hi[block_index(ii, jj)]);
                }
            }
            lo_[block_index(i, j)] = lo - margin;
            hi_[block_index(i, j)] = hi + margin;
            if (!(m <= 1e30f)) {  // NaN, infinity or near overflow: no bounds, all exact
                lo_[block_index(i, j)] = -std::numeric_limits<float>::infinity();
                hi_[block_index(i, j)] = std::numeric_limits<float>::infinity();
            }
        }
    }
}

void BlurredWindow::exact(int x0, int x1, int y0, int y1, std::vector<float>& out) const {
    if (x0 < 0 || y0 < 0 || x1 >= grid_.dst_width || y1 >= grid_.dst_height || x0 > x1 || y0 > y1) {
        throw std::invalid_argument("BlurredWindow::exact: the rectangle must lie inside the image");
    }
    const Box rect{x0, y0, x1, y1};
    out.resize(static_cast<std::size_t>(rect.width()) * static_cast<std::size_t>(rect.height()));
    blurred_resized(src_, grid_, rect, out.data(), static_cast<std::size_t>(rect.width()), scratch_);
}

void BlurredWindow::threshold_mask(float threshold, std::vector<std::uint8_t>& mask) const {
    const auto bw = static_cast<std::size_t>(box_.x1 - box_.x0 + 1);
    const auto bh = static_cast<std::size_t>(box_.y1 - box_.y0 + 1);
    mask.resize(bw * bh);
    std::vector<float> values;
    std::vector<std::uint8_t> decided(bw);  // one row of a block row, the decided blocks filled in
    const int i0 = block_col(box_.x0);
    const int i1 = block_col(box_.x1);
    // Pixel range of block b of a lattice, clipped to lo..hi.
    auto block_range = [](const std::vector<int>& lattice, int b, int lo, int hi, int& a, int& z) {
        const auto k = static_cast<std::size_t>(b);
        a = std::max(lattice[k], lo);
        z = std::min(k + 2 == lattice.size() ? lattice[k + 1] : lattice[k + 1] - 1, hi);
    };
    for (int j = block_row(box_.y0); j <= block_row(box_.y1); ++j) {
        int ya = 0;
        int yb = 0;
        block_range(ly_, j, box_.y0, box_.y1, ya, yb);
        const float* lo = lo_.data() + block_index(0, j);
        const float* hi = hi_.data() + block_index(0, j);
        auto undecided = [&](int i) { return !(lo[i] > threshold) && hi[i] > threshold; };
        // Blocks certainly above the threshold (lo > threshold) are 255,
        // blocks certainly not above it (hi <= threshold) are 0.
        for (int i = i0; i <= i1; ++i) {
            int xa = 0;
            int xb = 0;
            block_range(lx_, i, box_.x0, box_.x1, xa, xb);
            std::memset(decided.data() + (xa - box_.x0), lo[i] > threshold ? 255 : 0, static_cast<std::size_t>(xb - xa + 1));
        }
        for (int y = ya; y <= yb; ++y) {
            std::memcpy(mask.data() + static_cast<std::size_t>(y - box_.y0) * bw, decided.data(), bw);
        }
        // Runs of undecided blocks: computed exactly, one rectangle each.
        for (int i = i0; i <= i1; ++i) {
            if (!undecided(i)) continue;
            int k = i;
            while (k + 1 <= i1 && undecided(k + 1)) ++k;
            int xa = 0;
            int xz = 0;
            int unused = 0;
            block_range(lx_, i, box_.x0, box_.x1, xa, unused);
            block_range(lx_, k, box_.x0, box_.x1, unused, xz);
            exact(xa, xz, ya, yb, values);
            const auto n = static_cast<std::size_t>(xz - xa + 1);
            for (int y = ya; y <= yb; ++y) {
                const float* v = values.data() + static_cast<std::size_t>(y - ya) * n;
                std::uint8_t* d = mask.data() + static_cast<std::size_t>(y - box_.y0) * bw +
                                  static_cast<std::size_t>(xa - box_.x0);
                for (std::size_t c = 0; c < n; ++c) d[c] = v[c] > threshold ? 255 : 0;
            }
            i = k;
        }
    }
}

Point BlurredWindow::first_maximum(const std::vector<Span>& spans) const {
    // Branch and bound over blocks. Every pixel of a span lies in a block
    // whose smooth values lie in [lo, hi]. The maximum is at least the
    // largest lo of the blocks the spans touch, so blocks with hi below that
    // cannot hold it. The others are computed exactly, in decreasing order
    // of hi, until hi drops below the best exact value found: a block with
    // hi equal to the best may hold an equal value earlier in raster order,
    // so it is computed too. Among equal values the raster-first pixel wins,
    // whatever the order the blocks are visited in.
    constexpr float kInf = std::numeric_limits<float>::infinity();
    FirstMaximum best;
    std::vector<float> values;

    // Spans outside the window have no bounds (not expected: contours stay
    // in the window): computed exactly. The others, by row.
    std::vector<Span> rows;
    rows.reserve(spans.size());
    for (const Span& s : spans) {
        if (s.x0 > s.x1) continue;
        if (s.y >= box_.y0 && s.y <= box_.y1 && s.x0 >= box_.x0 && s.x1 <= box_.x1) {
            rows.push_back(s);
            continue;
        }
        exact(s.x0, s.x1, s.y, s.y, values);
        best.offer_row(values.data(), s.x1 - s.x0 + 1, s.x0, s.y);
    }
    sort_by_row(rows);

    // The floor: the largest lo of a touched block.
    float floor_value = -kInf;
    for (const Span& s : rows) {
        const float* lo = lo_.data() + block_index(0, block_row(s.y));
        floor_value = std::max(floor_value, *std::max_element(lo + block_col(s.x0), lo + block_col(s.x1) + 1));
    }
    // The blocks that can reach it: per block row, those between the
    // leftmost and the rightmost block its spans touch (a superset of the
    // touched ones; only span pixels are ever compared).
    std::vector<std::size_t> candidates;
    for (std::size_t k = 0; k < rows.size();) {
        const int j = block_row(rows[k].y);
        int i0 = block_col(rows[k].x0);
        int i1 = block_col(rows[k].x1);
        for (++k; k < rows.size() && block_row(rows[k].y) == j; ++k) {
            i0 = std::min(i0, block_col(rows[k].x0));
            i1 = std::max(i1, block_col(rows[k].x1));
        }
        for (int i = i0; i <= i1; ++i) {
            if (hi_[block_index(i, j)] >= floor_value) candidates.push_back(block_index(i, j));
        }
    }
    std::sort(candidates.begin(), candidates.end(),
              [this](std::size_t a, std::size_t b) { return hi_[a] > hi_[b] || (hi_[a] == hi_[b] && a < b); });

    for (const std::size_t b : candidates) {
        if (!best.empty() && hi_[b] < best.value) break;
        // The block's pixels inside the window, computed in one go; then the
        // span pixels among them.
        const auto i = static_cast<std::size_t>(b % static_cast<std::size_t>(n_bx_));
        const auto j = static_cast<std::size_t>(b / static_cast<std::size_t>(n_bx_));
        const int x0 = std::max(lx_[i], box_.x0);
        const int x1 = std::min(i + 2 == lx_.size() ? lx_[i + 1] : lx_[i + 1] - 1, box_.x1);
        const int y0 = std::max(ly_[j], box_.y0);
        const int y1 = std::min(j + 2 == ly_.size() ? ly_[j + 1] : ly_[j + 1] - 1, box_.y1);
        exact(x0, x1, y0, y1, values);
        const auto n = static_cast<std::size_t>(x1 - x0 + 1);
        auto it = std::lower_bound(rows.begin(), rows.end(), y0, [](const Span& s, int y) { return s.y < y; });
        for (; it != rows.end() && it->y <= y1; ++it) {
            const float* v = values.data() + static_cast<std::size_t>(it->y - y0) * n;
            const int from = std::max(it->x0, x0);
            best.offer_row(v + (from - x0), std::min(it->x1, x1) - from + 1, from, it->y);
        }
    }
    return best.point();
}

}  // namespace openpose
