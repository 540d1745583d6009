#include "openpose/accurate/peaks.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "openpose/common/validation.hpp"

namespace openpose {

void check_params(const AccuratePeakParams& p) {
    check_threshold(p.threshold, "threshold");
    check_int_range(p.max_peaks, 0, static_cast<int>(kMaxPeaksPerPart), "max_peaks");
    check_int_range(p.radius, 0, kMaxRadius, "radius");
}

namespace {

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
    check_params(params);
    return find_peaks_on(map.width, map.height, params, [&map](int x, int y) { return map.at(x, y); });
}

std::vector<SubpixelPeak> accurate_find_peaks(const MapView& heatmap, const CubicGrid& grid,
                                              const AccuratePeakParams& params) {
    check_params(params);
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
