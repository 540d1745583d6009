// cv::fillConvexPoly(img, poly, color, LINE_8, shift = 0) as done by
// OpenCV 4.6, reproduced pixel for pixel.
//
// OpenCV paints a polygon in two passes, and so does this file:
//  1. every edge (the closing edge v[n-1] -> v[0] first) is drawn as an
//     8-connected Bresenham line, clipped to the image the way
//     cv::clipLine does;
//  2. for three or more vertices, a scanline pass walks two edge chains
//     from the topmost vertex (one forwards, one backwards through the
//     vertex list) in 16.16 fixed point, and fills between them row by row.
//     For a non-convex polygon the chains end early, exactly as in OpenCV.
// The painted set is the union of both passes, so the spans may overlap.
#include "openpose/common/polygon.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace openpose {

namespace {

constexpr int kFracBits = 16;                                  // OpenCV's XY_SHIFT
constexpr std::int64_t kOne = std::int64_t{1} << kFracBits;    // 1.0 in fixed point
constexpr std::int64_t kHalf = kOne >> 1;

// floor(v / 2^16), without relying on the sign behaviour of >>.
std::int64_t fixed_floor(std::int64_t v) {
    std::int64_t q = v / kOne;
    if (v % kOne < 0) --q;
    return q;
}

// Collects painted pixels as spans, merging a pixel into the last span when
// it extends it on the same row.
class SpanSink {
public:
    explicit SpanSink(std::vector<Span>& out) : out_(out) {}

    void pixel(int x, int y) {
        if (!out_.empty() && out_.back().y == y && out_.back().x1 + 1 == x) {
            out_.back().x1 = x;
            return;
        }
        out_.push_back(Span{y, x, x});
    }
    void span(int y, int x0, int x1) { out_.push_back(Span{y, x0, x1}); }

private:
    std::vector<Span>& out_;
};

// cv::clipLine on a width x height image: Cohen-Sutherland style clipping
// with OpenCV's exact arithmetic (double products, truncation towards zero,
// the second end point computed from the already clipped first one).
// Returns false when the segment misses the image.
bool clip_segment(std::int64_t width, std::int64_t height, std::int64_t& x1, std::int64_t& y1, std::int64_t& x2,
                  std::int64_t& y2) {
    const std::int64_t right = width - 1;
    const std::int64_t bottom = height - 1;
    auto outcode = [&](std::int64_t x, std::int64_t y) {
        return (x < 0 ? 1 : 0) | (x > right ? 2 : 0) | (y < 0 ? 4 : 0) | (y > bottom ? 8 : 0);
    };
    auto x_code = [&](std::int64_t x) { return (x < 0 ? 1 : 0) | (x > right ? 2 : 0); };
    // Moves `along` so the point lies on the line at `to` (the other axis).
    auto shift_along = [](std::int64_t to, std::int64_t from, std::int64_t num, std::int64_t den) {
        return static_cast<std::int64_t>(static_cast<double>(to - from) * static_cast<double>(num) /
                                         static_cast<double>(den));
    };

    int c1 = outcode(x1, y1);
    int c2 = outcode(x2, y2);
    if ((c1 & c2) == 0 && (c1 | c2) != 0) {
        // First against the top/bottom edges...
        if (c1 & 12) {
            const std::int64_t a = c1 < 8 ? 0 : bottom;
            x1 += shift_along(a, y1, x2 - x1, y2 - y1);
            y1 = a;
            c1 = x_code(x1);
        }
        if (c2 & 12) {
            const std::int64_t a = c2 < 8 ? 0 : bottom;
            x2 += shift_along(a, y2, x2 - x1, y2 - y1);
            y2 = a;
            c2 = x_code(x2);
        }
        // ... then against the left/right edges.
        if ((c1 & c2) == 0 && (c1 | c2) != 0) {
            if (c1) {
                const std::int64_t a = c1 == 1 ? 0 : right;
                y1 += shift_along(a, x1, y2 - y1, x2 - x1);
                x1 = a;
                c1 = 0;
            }
            if (c2) {
                const std::int64_t a = c2 == 1 ? 0 : right;
                y2 += shift_along(a, x2, y2 - y1, x2 - x1);
                x2 = a;
                c2 = 0;
            }
        }
    }
    return (c1 | c2) == 0;
}

// cv::line(img, a, b, LINE_8) as drawn by OpenCV's LineIterator with
// leftToRight = true: clip, then Bresenham from the left end point.
void draw_line(Point a, Point b, int width, int height, SpanSink& sink) {
    std::int64_t x1 = a.x;
    std::int64_t y1 = a.y;
    std::int64_t x2 = b.x;
    std::int64_t y2 = b.y;
    const bool a_inside = a.x >= 0 && a.x < width && a.y >= 0 && a.y < height;
    const bool b_inside = b.x >= 0 && b.x < width && b.y >= 0 && b.y < height;
    if (!a_inside || !b_inside) {
        if (!clip_segment(width, height, x1, y1, x2, y2)) return;
    }

    // After clipping every coordinate lies inside the image.
    int x = static_cast<int>(x1);
    int y = static_cast<int>(y1);
    int dx = static_cast<int>(x2 - x1);
    int dy = static_cast<int>(y2 - y1);
    if (dx < 0) {  // start from the left end
        dx = -dx;
        dy = -dy;
        x = static_cast<int>(x2);
        y = static_cast<int>(y2);
    }
    int step_y = 1;
    if (dy < 0) {
        dy = -dy;
        step_y = -1;
    }
    const bool steep = dy > dx;
    if (steep) std::swap(dx, dy);  // dx: major axis length, dy: minor

    int err = dx - 2 * dy;
    for (int i = 0; i <= dx; ++i) {
        sink.pixel(x, y);
        const bool minor_step = err < 0;
        err += -2 * dy + (minor_step ? 2 * dx : 0);
        if (steep) {
            y += step_y;
            if (minor_step) ++x;
        } else {
            ++x;
            if (minor_step) y += step_y;
        }
    }
}

// One of the two edge chains of the scanline pass.
struct Edge {
    std::size_t idx;     // vertex the current edge ends at
    std::size_t step;    // 1 (forwards) or n - 1 (backwards), modulo n
    std::int64_t x;      // x on the current row, 16.16 fixed point
    std::int64_t dx;     // x increment per row
    std::int64_t y_end;  // row of the vertex the current edge ends at
};

}  // namespace

void fill_convex_poly_spans(const std::vector<Point>& poly, int width, int height, std::vector<Span>& spans) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("fill_convex_poly_spans: width and height must be positive");
    }
    spans.clear();
    const std::size_t n = poly.size();
    if (n == 0) return;
    SpanSink sink(spans);

    // Pass 1: the outline, and the bounds (top vertex: the first with min y).
    std::size_t top = 0;
    std::int64_t xmin = poly[0].x, xmax = poly[0].x, ymin = poly[0].y, ymax = poly[0].y;
    Point prev = poly[n - 1];
    for (std::size_t i = 0; i < n; ++i) {
        const Point p = poly[i];
        if (p.y < ymin) {
            ymin = p.y;
            top = i;
        }
        ymax = std::max<std::int64_t>(ymax, p.y);
        xmax = std::max<std::int64_t>(xmax, p.x);
        xmin = std::min<std::int64_t>(xmin, p.x);
        draw_line(prev, p, width, height, sink);
        prev = p;
    }
    if (n < 3 || xmax < 0 || ymax < 0 || xmin >= width || ymin >= height) return;

    // Pass 2: scanlines from the top vertex down to the last row needed.
    ymax = std::min<std::int64_t>(ymax, height - 1);
    Edge edges[2] = {Edge{top, 1, -kOne, 0, ymin}, Edge{top, n - 1, -kOne, 0, ymin}};
    // Edge switches left for both chains together; when they run out the
    // fill stops (this is what ends the fill early on non-convex polygons).
    std::int64_t switches_left = static_cast<std::int64_t>(n);
    std::int64_t y = ymin;
    do {
        for (Edge& e : edges) {
            if (y < e.y_end) continue;
            // Advance the chain to the first vertex below row y.
            std::size_t from = e.idx;
            std::size_t to = (from + e.step) % n;
            while (switches_left-- > 0) {
                const std::int64_t ty = poly[to].y;
                if (ty > y) {
                    const std::int64_t xs = static_cast<std::int64_t>(poly[from].x) * kOne;
                    const std::int64_t xe = static_cast<std::int64_t>(poly[to].x) * kOne;
                    const std::int64_t rows = ty - y;
                    e.y_end = ty;
                    e.dx = ((xe - xs) * 2 + rows) / (2 * rows);  // rounded slope, C++ division
                    e.x = xs;
                    e.idx = to;
                    break;
                }
                from = to;
                to = (to + e.step) % n;
            }
        }
        if (switches_left < 0) break;

        if (y >= 0) {
            const bool swap = edges[0].x > edges[1].x;
            const Edge& left = edges[swap ? 1 : 0];
            const Edge& right = edges[swap ? 0 : 1];
            int x0 = static_cast<int>(fixed_floor(left.x + kHalf));
            int x1 = static_cast<int>(fixed_floor(right.x + kHalf));
            if (x1 >= 0 && x0 < width) {
                x0 = std::max(x0, 0);
                x1 = std::min(x1, width - 1);
                sink.span(static_cast<int>(y), x0, x1);
            }
        }
        edges[0].x += edges[0].dx;
        edges[1].x += edges[1].dx;

        // Rows above the image paint nothing: jump to the next row where an
        // edge ends or the image starts, moving the edges as the row by row
        // loop would.
        if (y + 1 < 0) {
            const std::int64_t target = std::min({edges[0].y_end, edges[1].y_end, std::int64_t{0}});
            if (target > y + 1) {
                const std::int64_t rows = target - (y + 1);
                edges[0].x += edges[0].dx * rows;
                edges[1].x += edges[1].dx * rows;
                y = target - 1;
            }
        }
    } while (++y <= ymax);
}

std::vector<Span> fill_convex_poly_spans(const std::vector<Point>& poly, int width, int height) {
    std::vector<Span> spans;
    fill_convex_poly_spans(poly, width, height, spans);
    return spans;
}

}  // namespace openpose
