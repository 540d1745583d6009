#include "openpose/seed/peaks.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "openpose/common/contours.hpp"
#include "openpose/common/first_maximum.hpp"
#include "openpose/common/polygon.hpp"
#include "openpose/common/validation.hpp"
#include "openpose/seed/blurred_window.hpp"

namespace openpose {

namespace {

// cv::threshold(THRESH_BINARY, maxval 255) then convertTo(CV_8U): 255 where
// the value is above `threshold`, else 0. The count is a local and the
// output is written through its own pointer, so the loop vectorises (a
// uint8_t store may alias anything, a vector's size included).
void threshold_to_mask(const float* values, std::size_t n, float threshold, std::vector<std::uint8_t>& mask) {
    mask.resize(n);
    std::uint8_t* m = mask.data();
    for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<std::uint8_t>(values[i] > threshold ? 255 : 0);
}

// getKeyPoints over the whole image: the map resized to the image and
// blurred (every pixel), thresholded, traced.
std::vector<Peak> peaks_of_full_map(const MapView& src, const ResizeGrid& grid, float threshold,
                                    SeedPeakWorkspace& ws) {
    const int W = grid.dst_width;
    const int H = grid.dst_height;
    std::vector<float> smooth(static_cast<std::size_t>(W) * static_cast<std::size_t>(H));
    blurred_resized(src, grid, Box{0, 0, W - 1, H - 1}, smooth.data(), static_cast<std::size_t>(W), ws.blur);

    // cv::threshold(THRESH_BINARY, 255) + convertTo(CV_8U): 255 where > threshold.
    std::vector<std::uint8_t> mask;
    threshold_to_mask(smooth.data(), smooth.size(), threshold, mask);

    const std::vector<Contour> contours = find_contours(mask.data(), W, H, W);
    std::vector<Peak> peaks;
    peaks.reserve(contours.size());
    for (const Contour& contour : contours) {
        // minMaxLoc(smooth .* filled) returns the first maximum in raster
        // order. Every contour pixel lies in the blob (> threshold >= 0), so
        // the maximum is positive and lies inside the filled area; pixels
        // outside it are 0 in the product and cannot win.
        FirstMaximum best;
        for (const Span& s : fill_convex_poly_spans(contour, W, H)) {
            const float* row = smooth.data() + static_cast<std::size_t>(s.y) * static_cast<std::size_t>(W);
            best.offer_row(row + s.x0, s.x1 - s.x0 + 1, s.x0, s.y);
        }
        if (best.empty()) continue;  // cannot happen for a traced contour
        peaks.push_back(Peak{best.x, best.y, resized_value(src, grid, best.x, best.y)});
    }
    return peaks;
}


// ---------------------------------------------------------------------------
// Work proportional to the blobs.
//
// The full-size path above resizes the whole map, blurs it, thresholds it
// and traces contours over the whole image. Only pixels whose blurred value
// exceeds the threshold matter, and each blurred pixel is a weighted mean
// (non-negative weights summing to 1, up to float rounding) of at most 3x3
// resized pixels, each a weighted mean of at most 2x2 source pixels. So a
// blurred pixel can pass the threshold only if some source pixel in its
// footprint is above (a safe margin below) the threshold. The windowed path
//  1. finds the connected groups of such source pixels at network
//     resolution and maps each to the image-pixel box it can influence
//     (resize footprint, plus one pixel for the blur);
//  2. merges boxes until no two are overlapping or 8-adjacent, so every blob
//     of the full-size mask lies inside exactly one box, whole;
//  3. in each box computes the resized and blurred values with the same
//     float arithmetic as the full-size path (both call blurred_resized),
//     thresholds and traces the contours;
//  4. lists the contours in the full-image order: find_contours lists each
//     outermost border followed by its nested borders, outermost borders in
//     reverse raster order of their first pixel; so the groups of all boxes
//     are sorted by their origin, last first;
//  5. fills each contour on the full image grid and takes the first maximum
//     of the blurred map, reading the box (the fill stays inside the
//     contour's bounding box, so inside the box; any pixel outside would be
//     computed exactly on demand).
//
// One case is left to the full-size path: OpenCV's contour tracer labels
// borders with 7 bits, and once more than 126 borders exist it decides
// nesting heuristically (see contours.cpp); with nested borders present that
// decision depends on the other blobs of the image, so the order could
// differ from the per-box one. Such maps (more than 126 contours and at
// least one hole) take the full-size path.
// ---------------------------------------------------------------------------

constexpr std::size_t kUniqueLabels = 126;  // border labels 2..127 before reuse

// True when a and b overlap or touch (8-adjacency included).
bool near(const Box& a, const Box& b) {
    return a.x0 <= b.x1 + 1 && b.x0 <= a.x1 + 1 && a.y0 <= b.y1 + 1 && b.y0 <= a.y1 + 1;
}

// Which destination pixels along one axis read source indices lo..hi: the
// destinations d with i1(d) >= lo and i0(d) <= hi (i0 <= i1, both
// non-decreasing in d). Returns false when none does.
bool dst_range(const std::vector<AxisSample>& axis, int lo, int hi, int& d0, int& d1) {
    const auto first = std::partition_point(axis.begin(), axis.end(), [lo](const AxisSample& a) { return a.i1 < lo; });
    const auto last = std::partition_point(axis.begin(), axis.end(), [hi](const AxisSample& a) { return a.i0 <= hi; });
    if (first >= last) return false;
    d0 = static_cast<int>(first - axis.begin());
    d1 = static_cast<int>(last - axis.begin()) - 1;
    return true;
}

// Bounding box of the 8-connected component of source pixels above `cut`
// that holds (x, y), marking its pixels in `seen`.
Box component_box(const MapView& src, float cut, int x, int y, std::vector<std::uint8_t>& seen,
                   std::vector<Point>& stack) {
    const int w = src.width;
    const int h = src.height;
    seen[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)] = 1;
    Box b{x, y, x, y};
    stack.push_back(Point{x, y});
    while (!stack.empty()) {
        const Point p = stack.back();
        stack.pop_back();
        b.x0 = std::min(b.x0, p.x);
        b.x1 = std::max(b.x1, p.x);
        b.y0 = std::min(b.y0, p.y);
        b.y1 = std::max(b.y1, p.y);
        for (int ny = std::max(p.y - 1, 0); ny <= std::min(p.y + 1, h - 1); ++ny) {
            const float* nrow = src.row(ny);
            for (int nx = std::max(p.x - 1, 0); nx <= std::min(p.x + 1, w - 1); ++nx) {
                const std::size_t j = static_cast<std::size_t>(ny) * static_cast<std::size_t>(w) + static_cast<std::size_t>(nx);
                if (seen[j] || !(nrow[nx] > cut)) continue;
                seen[j] = 1;
                stack.push_back(Point{nx, ny});
            }
        }
    }
    return b;
}

// A window of step 2: the merged box and the windows of step 1 merged into
// it. A pixel of the box outside every part has a blurred value at or below
// the threshold (no candidate source pixel is in its footprint).
struct Region {
    Box box;
    std::vector<Box> parts;
};

// The regions of step 1 and 2. `cut`: source values above it are candidates.
std::vector<Region> candidate_windows(const MapView& src, const ResizeGrid& grid, float cut) {
    const int w = src.width;
    const int h = src.height;
    // 8-connected components of the candidate source pixels, as bounding boxes.
    std::vector<std::uint8_t> seen(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0);
    std::vector<Box> boxes;
    std::vector<Point> stack;
    for (int y = 0; y < h; ++y) {
        const float* row = src.row(y);
        // Most rows have no pixel above the cut: counting them (an integer
        // sum without early exit) vectorises.
        int n_above = 0;
        for (int x = 0; x < w; ++x) n_above += row[x] > cut ? 1 : 0;
        if (n_above == 0) continue;
        const std::uint8_t* seen_row = seen.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(w);
        for (int x0 = 0; x0 < w; x0 += 16) {
            const int x1 = std::min(x0 + 16, w);
            int n_chunk = 0;
            for (int x = x0; x < x1; ++x) n_chunk += row[x] > cut ? 1 : 0;
            if (n_chunk == 0) continue;
            for (int x = x0; x < x1; ++x) {
                if (row[x] > cut && !seen_row[x]) boxes.push_back(component_box(src, cut, x, y, seen, stack));
            }
        }
    }

    // Map each component to the image pixels whose blurred value it can
    // reach: the resize footprint, widened by the blur's one pixel.
    const int W = grid.dst_width;
    const int H = grid.dst_height;
    std::vector<Region> windows;
    windows.reserve(boxes.size());
    for (const Box& b : boxes) {
        Box d{b.x0, b.y0, b.x1, b.y1};
        if (!grid.identity) {
            if (!dst_range(grid.xs, b.x0, b.x1, d.x0, d.x1) || !dst_range(grid.ys, b.y0, b.y1, d.y0, d.y1)) continue;
        }
        const Box window{std::max(d.x0 - 1, 0), std::max(d.y0 - 1, 0), std::min(d.x1 + 1, W - 1),
                         std::min(d.y1 + 1, H - 1)};
        windows.push_back(Region{window, {window}});
    }

    // Merge until no two boxes overlap or touch.
    bool merged = true;
    while (merged) {
        merged = false;
        for (std::size_t i = 0; i < windows.size(); ++i) {
            for (std::size_t j = i + 1; j < windows.size();) {
                if (near(windows[i].box, windows[j].box)) {
                    Region& a = windows[i];
                    Region& b = windows[j];
                    a.box = Box{std::min(a.box.x0, b.box.x0), std::min(a.box.y0, b.box.y0),
                                std::max(a.box.x1, b.box.x1), std::max(a.box.y1, b.box.y1)};
                    a.parts.insert(a.parts.end(), b.parts.begin(), b.parts.end());
                    if (j + 1 != windows.size()) b = std::move(windows.back());
                    windows.pop_back();
                    merged = true;
                } else {
                    ++j;
                }
            }
        }
    }
    return windows;
}

// The resized and blurred values of one region, computed exactly as the
// full-size path computes them inside its parts; elsewhere in the box the
// blurred value is at or below the threshold and is held as 0 (<= threshold:
// the mask is 0 there, as it is in the full-size path, and no such pixel can
// be a contour's maximum, which lies on the blob, above the threshold).
class Window {
public:
    // The values live in `ws` until the next window is built there.
    Window(const MapView& src, const ResizeGrid& grid, const Region& region, SeedPeakWorkspace& ws)
        : src_(src), grid_(grid), box_(region.box), smooth_(ws.smooth), blur_(ws.blur) {
        const std::size_t area = static_cast<std::size_t>(box_.width()) * static_cast<std::size_t>(box_.height());
        smooth_.resize(area);
        std::fill(smooth_.begin(), smooth_.end(), 0.0f);
        for (const Box& part : region.parts) {
            blurred_resized(src_, grid_, part, smooth_.data() + box_.index(part.x0, part.y0),
                            static_cast<std::size_t>(box_.width()), blur_);
        }
    }

    const Box& box() const { return box_; }

    void threshold_mask(float threshold, std::vector<std::uint8_t>& mask) const {
        threshold_to_mask(smooth_.data(), smooth_.size(), threshold, mask);
    }

    // First maximum of the blurred map over the spans, in raster order.
    Point first_maximum(const std::vector<Span>& spans) const {
        FirstMaximum best;
        for (const Span& s : spans) {
            const bool inside_box = s.y >= box_.y0 && s.y <= box_.y1 && s.x0 >= box_.x0 && s.x1 <= box_.x1;
            if (inside_box) {
                best.offer_row(smooth_.data() + box_.index(s.x0, s.y), s.x1 - s.x0 + 1, s.x0, s.y);
            } else {
                for (int x = s.x0; x <= s.x1; ++x) best.offer(smooth_at(x, s.y), x, s.y);
            }
        }
        return best.point();
    }

    // Blurred value at image pixel (x, y): from the window, or computed
    // exactly outside it.
    float smooth_at(int x, int y) const {
        if (box_.contains(x, y)) return smooth_[box_.index(x, y)];
        float v = 0.0f;
        blurred_resized(src_, grid_, Box{x, y, x, y}, &v, 1, blur_);
        return v;
    }

private:
    MapView src_;
    const ResizeGrid& grid_;
    Box box_;
    std::vector<float>& smooth_;  // blurred map on box_ (0 outside the parts)
    BlurScratch& blur_;           // scratch of blurred_resized
};

// Steps 3-5 on the windows of step 1-2, one window at a time, with windows
// of type WindowT built by make(region); returns false (and no peaks) when
// the map must take the full-size path.
template <class WindowT, class Make>
bool peaks_by_windows(const std::vector<Region>& regions, const MapView& src, const ResizeGrid& grid,
                      float threshold, Make&& make, SeedPeakWorkspace& ws, std::vector<Peak>& peaks) {
    // The peaks of each window's contours are found while the window is
    // built; the groups (an outermost border and its nested ones) are put in
    // the full image's order afterwards.
    struct Group {
        Point origin;       // image coordinates
        std::size_t first;  // in found_peaks
        std::size_t count;
    };
    constexpr int kNoPeak = -1;  // a contour without pixels (cannot happen for a traced contour)
    std::vector<Peak> found_peaks;
    std::vector<Group> groups;
    std::size_t n_contours = 0;
    std::vector<ContourGroup> found;
    for (const Region& region : regions) {
        const Box& box = region.box;
        const WindowT window = make(region);
        window.threshold_mask(threshold, ws.mask);
        const int bw = box.x1 - box.x0 + 1;
        const int bh = box.y1 - box.y0 + 1;
        std::vector<Contour> contours = find_contours_grouped(ws.mask.data(), bw, bh, bw, found, ws.contour_work);
        const std::size_t base = found_peaks.size();
        for (Contour& c : contours) {
            for (Point& p : c) {
                p.x += box.x0;
                p.y += box.y0;
            }
            fill_convex_poly_spans(c, grid.dst_width, grid.dst_height, ws.spans);
            const Point best = window.first_maximum(ws.spans);
            found_peaks.push_back(best.x < 0 ? Peak{kNoPeak, kNoPeak, 0.0f}
                                             : Peak{best.x, best.y, resized_value(src, grid, best.x, best.y)});
        }
        for (const ContourGroup& g : found) {
            groups.push_back(Group{Point{g.origin.x + box.x0, g.origin.y + box.y0}, base + g.first, g.count});
        }
        n_contours += contours.size();
    }
    if (n_contours > kUniqueLabels && n_contours != groups.size()) return false;

    // Outermost borders: later-found (raster order of origin) first.
    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
        return a.origin.y != b.origin.y ? a.origin.y > b.origin.y : a.origin.x > b.origin.x;
    });

    peaks.reserve(n_contours);
    for (const Group& g : groups) {
        for (std::size_t k = g.first; k < g.first + g.count; ++k) {
            if (found_peaks[k].x != kNoPeak) peaks.push_back(found_peaks[k]);
        }
    }
    return true;
}

// Below this upscale factor (per axis) a resize cell holds too few pixels
// for block bounds to pay (measured: at 8x to 16x, e.g. photos and crowds
// at 1280x720 from 82x46 maps, the dense windows are as fast or faster):
// the windows are computed densely.
constexpr int kMinUpscaleForBounds = 16;

// Steps 1-5 on a source map; returns false (and no peaks) when the map must
// take the full-size path.
bool peaks_by_windows(const MapView& src, const ResizeGrid& grid, float threshold, SeedPeakWorkspace& ws,
                      std::vector<Peak>& peaks) {
    // Every weight is non-negative and the weights of each mean sum to 1
    // within a few float roundings, so a blurred value exceeds the threshold
    // only if some source value in its footprint exceeds threshold * (1 -
    // 1e-4) (for threshold 0: some source value is positive).
    const float cut = threshold * (1.0f - 1e-4f);
    const std::vector<Region> regions = candidate_windows(src, grid, cut);
    const bool bounded = !grid.identity && grid.dst_width >= kMinUpscaleForBounds * grid.src_width &&
                         grid.dst_height >= kMinUpscaleForBounds * grid.src_height;
    if (bounded) {
        // Only the blocks the bounds cannot decide are computed (blurred_window.hpp).
        return peaks_by_windows<BlurredWindow>(
            regions, src, grid, threshold,
            [&](const Region& r) {
                return BlurredWindow(src, grid, r.box);
            },
            ws, peaks);
    }
    return peaks_by_windows<Window>(
        regions, src, grid, threshold, [&](const Region& r) { return Window(src, grid, r, ws); }, ws, peaks);
}

std::vector<Peak> find_peaks_on_grid(const MapView& src, const ResizeGrid& grid, float threshold,
                                     SeedPeakWorkspace& ws) {
    std::vector<Peak> peaks;
    if (peaks_by_windows(src, grid, threshold, ws, peaks)) return peaks;
    return peaks_of_full_map(src, grid, threshold, ws);
}

}  // namespace

std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold,
                                  SeedPeakWorkspace& workspace) {
    check_threshold(threshold, "threshold");
    if (heatmap.width != grid.src_width || heatmap.height != grid.src_height) {
        throw std::invalid_argument("heatmap size does not match the resize grid");
    }
    return find_peaks_on_grid(heatmap, grid, threshold, workspace);
}

std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold) {
    SeedPeakWorkspace workspace;
    return seed_find_peaks(heatmap, grid, threshold, workspace);
}

}  // namespace openpose
