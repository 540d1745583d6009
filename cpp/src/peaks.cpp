#include "openpose/peaks.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "openpose/contours.hpp"
#include "openpose/polygon.hpp"

namespace openpose {

namespace {

void check_threshold(float threshold) {
    if (!(threshold >= 0.0f) || !std::isfinite(threshold)) {
        throw std::invalid_argument("threshold must be a finite number >= 0, got " + std::to_string(threshold));
    }
}

// getKeyPoints on an image-size map `prob` (row-major, dense).
std::vector<Peak> peaks_of_full_map(const MapView& prob, float threshold) {
    const int W = prob.width;
    const int H = prob.height;
    const std::vector<float> smooth = gaussian_blur3(prob);

    // cv::threshold(THRESH_BINARY, 255) + convertTo(CV_8U): 255 where > threshold.
    std::vector<std::uint8_t> mask(smooth.size());
    for (std::size_t i = 0; i < smooth.size(); ++i) mask[i] = smooth[i] > threshold ? 255 : 0;

    const std::vector<Contour> contours = find_contours(mask.data(), W, H, W);
    std::vector<Peak> peaks;
    peaks.reserve(contours.size());
    for (const Contour& contour : contours) {
        // minMaxLoc(smooth .* filled) returns the first maximum in raster
        // order. Every contour pixel lies in the blob (> threshold >= 0), so
        // the maximum is positive and lies inside the filled area; pixels
        // outside it are 0 in the product and cannot win.
        const std::vector<Span> spans = fill_convex_poly_spans(contour, W, H);
        float best = 0.0f;
        int best_x = -1;
        int best_y = -1;
        for (const Span& s : spans) {
            const float* row = smooth.data() + static_cast<std::size_t>(s.y) * static_cast<std::size_t>(W);
            for (int x = s.x0; x <= s.x1; ++x) {
                const float v = row[x];
                const bool earlier = s.y < best_y || (s.y == best_y && x < best_x);
                if (best_x < 0 || v > best || (v == best && earlier)) {
                    best = v;
                    best_x = x;
                    best_y = s.y;
                }
            }
        }
        if (best_x < 0) continue;  // cannot happen for a traced contour
        peaks.push_back(Peak{best_x, best_y, prob.at(best_x, best_y)});
    }
    return peaks;
}

}  // namespace

std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold) {
    check_threshold(threshold);
    if (heatmap.width != grid.src_width || heatmap.height != grid.src_height) {
        throw std::invalid_argument("heatmap size does not match the resize grid");
    }
    if (grid.identity) return peaks_of_full_map(heatmap, threshold);
    const std::vector<float> prob = resize_linear(heatmap, grid);
    const MapView view{prob.data(), grid.dst_width, grid.dst_height, grid.dst_width};
    return peaks_of_full_map(view, threshold);
}

std::vector<Peak> seed_find_peaks_full(const MapView& prob, float threshold) {
    check_threshold(threshold);
    if (prob.width <= 0 || prob.height <= 0) {
        throw std::invalid_argument("heatmap must have a positive size");
    }
    return peaks_of_full_map(prob, threshold);
}

}  // namespace openpose

#include <algorithm>

namespace openpose {

namespace {

void check_peak_params(const AccuratePeakParams& p) {
    if (!(p.threshold >= 0.0f) || !std::isfinite(p.threshold)) {
        throw std::invalid_argument("threshold must be finite and >= 0");
    }
    if (p.max_peaks < 0) throw std::invalid_argument("max_peaks must be >= 0");
    if (p.radius < 0) throw std::invalid_argument("radius must be >= 0");
}

// Peak test and refinement on any accessor value(x, y) over a w x h map.
template <class Value>
std::vector<SubpixelPeak> find_peaks_on(int w, int h, const AccuratePeakParams& params, Value&& value) {
    std::vector<SubpixelPeak> peaks;
    for (int y = 1; y < h - 1; ++y) {
        for (int x = 1; x < w - 1; ++x) {
            if (static_cast<int>(peaks.size()) == params.max_peaks) return peaks;
            const float v = value(x, y);
            if (!(v > params.threshold)) continue;
            bool is_max = true;
            for (int dy = -1; dy <= 1 && is_max; ++dy) {
                for (int dx = -1; dx <= 1; ++dx) {
                    if ((dx != 0 || dy != 0) && !(v > value(x + dx, y + dy))) {
                        is_max = false;
                        break;
                    }
                }
            }
            if (!is_max) continue;
            float x_acc = 0.0f, y_acc = 0.0f, s_acc = 0.0f;
            for (int yy = std::max(0, y - params.radius); yy < std::min(h, y + params.radius + 1); ++yy) {
                for (int xx = std::max(0, x - params.radius); xx < std::min(w, x + params.radius + 1); ++xx) {
                    const float s = value(xx, yy);
                    if (s > 0.0f) {
                        x_acc = x_acc + static_cast<float>(xx) * s;
                        y_acc = y_acc + static_cast<float>(yy) * s;
                        s_acc = s_acc + s;
                    }
                }
            }
            peaks.push_back(SubpixelPeak{x_acc / s_acc, y_acc / s_acc, v});
        }
    }
    return peaks;
}

}  // namespace

std::vector<SubpixelPeak> accurate_find_peaks(const MapView& map, const AccuratePeakParams& params) {
    check_peak_params(params);
    return find_peaks_on(map.width, map.height, params, [&map](int x, int y) { return map.at(x, y); });
}

std::vector<SubpixelPeak> accurate_find_peaks(const MapView& heatmap, const CubicGrid& grid,
                                              const AccuratePeakParams& params) {
    check_peak_params(params);
    if (heatmap.width != grid.src_width || heatmap.height != grid.src_height) {
        throw std::invalid_argument("heatmap size does not match the bicubic grid");
    }
    if (grid.factor == 1) return accurate_find_peaks(heatmap, params);
    const std::vector<float> up = upsample_cubic(heatmap, grid);
    const MapView view{up.data(), grid.width(), grid.height(), grid.width()};
    return find_peaks_on(view.width, view.height, params, [&view](int x, int y) { return view.at(x, y); });
}

float to_image_coord(float v, int work_len, int image_len) {
    const float scale = static_cast<float>(image_len) / static_cast<float>(work_len);
    return (v + 0.5f) * scale - 0.5f;
}

}  // namespace openpose
