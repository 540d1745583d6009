#include "openpose/accurate/peaks.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "openpose/common/validation.hpp"

namespace openpose {

void check_params(const AccuratePeakParams& p) {
    check_threshold(p.threshold, "threshold");
    check_int_range(p.max_peaks, 0, static_cast<int>(kMaxPeaksPerPart), "max_peaks");
    check_int_range(p.radius, 0, kMaxRadius, "radius");
}

namespace {

// Whether v = value(x, y) is strictly greater than its 8 neighbours.
template <class Value>
bool above_neighbours(float v, int x, int y, Value& value) {
    for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
            if ((dx != 0 || dy != 0) && !(v > value(x + dx, y + dy))) return false;
        }
    }
    return true;
}

// The peak at (x, y) of a w x h map read through value(x, y), of value v:
// x and y weighted by the map over the window, values > 0 only.
template <class Value>
SubpixelPeak refined_peak(int w, int h, int x, int y, float v, int radius, Value& value) {
    float x_acc = 0.0f, y_acc = 0.0f, s_acc = 0.0f;
    for (int yy = std::max(0, y - radius); yy < std::min(h, y + radius + 1); ++yy) {
        for (int xx = std::max(0, x - radius); xx < std::min(w, x + radius + 1); ++xx) {
            const float s = value(xx, yy);
            if (s > 0.0f) {
                x_acc = x_acc + static_cast<float>(xx) * s;
                y_acc = y_acc + static_cast<float>(yy) * s;
                s_acc = s_acc + s;
            }
        }
    }
    return SubpixelPeak{x_acc / s_acc, y_acc / s_acc, v};
}

// Peaks of a w x h map read through value(x, y), scanning every pixel.
template <class Value>
std::vector<SubpixelPeak> find_peaks_on(int w, int h, const AccuratePeakParams& params, Value&& value) {
    std::vector<SubpixelPeak> peaks;
    for (int y = 1; y < h - 1; ++y) {
        for (int x = 1; x < w - 1; ++x) {
            if (static_cast<int>(peaks.size()) == params.max_peaks) return peaks;
            const float v = value(x, y);
            if (v > params.threshold && above_neighbours(v, x, y, value)) {
                peaks.push_back(refined_peak(w, h, x, y, v, params.radius, value));
            }
        }
    }
    return peaks;
}

// Consecutive destination coordinates of one axis whose taps lie in the
// source range lo..hi (a span's).
struct TapRun {
    int begin;
    int end;
    int lo;
    int hi;
};

std::vector<TapRun> tap_runs(const std::vector<CubicSpan>& spans) {
    std::vector<TapRun> runs;
    runs.reserve(spans.size());
    for (const CubicSpan& s : spans) {
        const int lo = std::min(std::min(s.i[0], s.i[1]), std::min(s.i[2], s.i[3]));
        const int hi = std::max(std::max(s.i[0], s.i[1]), std::max(s.i[2], s.i[3]));
        runs.push_back(TapRun{s.begin, s.end, lo, hi});
    }
    return runs;
}

// The largest sum of |weights| over one axis' taps.
float max_abs_weight_sum(const std::vector<CubicTap>& taps) {
    float best = 0.0f;
    for (const CubicTap& t : taps) {
        best = std::max(best, std::abs(t.w[0]) + std::abs(t.w[1]) + std::abs(t.w[2]) + std::abs(t.w[3]));
    }
    return best;
}

// The upsampled map, computed where it is read, with upsample_cubic's
// arithmetic: its horizontal pass on a source row the first time a pixel
// needs that row, its vertical pass on the row segments the scan asks for
// (fill) and on single pixels read elsewhere (operator()).
class LazyUpsampled {
  public:
    LazyUpsampled(const MapView& src, const CubicGrid& grid)
        : src_(src),
          grid_(grid),
          width_(static_cast<std::size_t>(grid.width())),
          rows_(new float[static_cast<std::size_t>(src.height) * width_]),
          row_known_(static_cast<std::size_t>(src.height), 0),
          values_(new float[width_ * static_cast<std::size_t>(grid.height())]),
          known_(width_ * static_cast<std::size_t>(grid.height()), 0) {
#ifdef OPENPOSE_POISON_UNINITIALISED  // sanitizer builds: a read before its write shows
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::fill(rows_.get(), rows_.get() + static_cast<std::size_t>(src.height) * width_, nan);
        std::fill(values_.get(), values_.get() + known_.size(), nan);
#endif
    }

    // Pixels x0..x1-1 of row y.
    void fill(int y, int x0, int x1) {
        const CubicTap& t = grid_.ys[static_cast<std::size_t>(y)];
        const float* const taps[4] = {source_row(t.i[0]), source_row(t.i[1]), source_row(t.i[2]), source_row(t.i[3])};
        const std::size_t base = static_cast<std::size_t>(y) * width_;
        cubic_column(t, taps, x0, x1, values_.get() + base);
        std::fill(known_.begin() + static_cast<std::ptrdiff_t>(base) + x0,
                  known_.begin() + static_cast<std::ptrdiff_t>(base) + x1, static_cast<unsigned char>(1));
    }

    float operator()(int x, int y) {
        const std::size_t i = static_cast<std::size_t>(y) * width_ + static_cast<std::size_t>(x);
        if (known_[i] == 0) fill(y, x, x + 1);
        return values_[i];
    }

    // Row y of the map, for pixels already computed by fill.
    const float* filled_row(int y) const { return values_.get() + static_cast<std::size_t>(y) * width_; }

    // A pixel already computed by fill.
    float filled(int x, int y) const {
        return values_[static_cast<std::size_t>(y) * width_ + static_cast<std::size_t>(x)];
    }

  private:
    // Source row r combined along x (upsample_cubic's first pass).
    const float* source_row(int r) {
        float* o = rows_.get() + static_cast<std::size_t>(r) * width_;
        if (row_known_[static_cast<std::size_t>(r)] == 0) {
            cubic_row(src_.row(r), grid_, o);
            row_known_[static_cast<std::size_t>(r)] = 1;
        }
        return o;
    }

    const MapView& src_;
    const CubicGrid& grid_;
    std::size_t width_;
    std::unique_ptr<float[]> rows_;  // not initialised: written before read
    std::vector<unsigned char> row_known_;
    std::unique_ptr<float[]> values_;  // idem
    std::vector<unsigned char> known_;
};

}  // namespace

std::vector<SubpixelPeak> accurate_find_peaks(const MapView& map, const AccuratePeakParams& params) {
    check_params(params);
    auto value = [&map](int x, int y) { return map.at(x, y); };
    return find_peaks_on(map.width, map.height, params, value);
}

std::vector<SubpixelPeak> accurate_find_peaks(const MapView& heatmap, const CubicGrid& grid,
                                              const AccuratePeakParams& params) {
    check_params(params);
    if (heatmap.width != grid.src_width || heatmap.height != grid.src_height) {
        throw std::invalid_argument("heatmap size does not match the bicubic grid");
    }
    if (grid.factor == 1) return accurate_find_peaks(heatmap, params);
    if (params.max_peaks == 0) return {};

    // Most of an upsampled heatmap is far below the threshold. A pixel is
    // a combination of the source values over its taps' range, so it is at
    // most (sum |wx|) (sum |wy|) times their largest magnitude (float
    // rounding stays far inside the 1% margin). Runs of pixels whose bound
    // is not above the threshold cannot be peaks and are not computed; the
    // rest, their neighbours and refinement windows are computed on demand
    // with upsample_cubic's arithmetic, so the peaks are the same, in the
    // same raster order.
    const std::vector<TapRun> xruns = tap_runs(grid.x_spans);
    const std::vector<TapRun> yruns = tap_runs(grid.y_spans);
    const float bound_scale = max_abs_weight_sum(grid.xs) * max_abs_weight_sum(grid.ys) * 1.01f;
    const auto nx = xruns.size();
    // Largest |value| of each source row over each x run's source range
    // (0 if none is larger; NaN never wins: a pixel reading NaN is NaN,
    // never a peak). Inside the map a range is 4 columns, read from the
    // row's maxima over every 4 consecutive columns (a loop that
    // vectorises); at the borders it is shorter and read one by one.
    const auto larger = [](float m, float a) { return a > m ? a : m; };
    const auto sw = static_cast<std::size_t>(heatmap.width);
    std::vector<float> row_max(static_cast<std::size_t>(heatmap.height) * nx, 0.0f);
    std::vector<float> max2(sw);  // max2[c]: columns c, c + 1 (c + 1 < width)
    std::vector<float> max4(sw);  // max4[c]: columns c .. c + 3 (c + 3 < width)
    for (int r = 0; r < heatmap.height; ++r) {
        const float* src = heatmap.row(r);
        for (std::size_t c = 0; c + 1 < sw; ++c) max2[c] = larger(larger(0.0f, std::abs(src[c])), std::abs(src[c + 1]));
        for (std::size_t c = 0; c + 3 < sw; ++c) max4[c] = larger(max2[c], max2[c + 2]);
        for (std::size_t j = 0; j < nx; ++j) {
            const TapRun& run = xruns[j];
            float m = 0.0f;
            if (run.hi - run.lo == 3) {
                m = max4[static_cast<std::size_t>(run.lo)];
            } else {
                for (int c = run.lo; c <= run.hi; ++c) m = larger(m, std::abs(src[c]));
            }
            row_max[static_cast<std::size_t>(r) * nx + j] = m;
        }
    }

    const int w = grid.width();
    const int h = grid.height();
    LazyUpsampled value(heatmap, grid);
    auto filled = [&value](int x, int y) { return value.filled(x, y); };
    std::vector<float> col_max(nx);
    std::vector<unsigned char> flags(static_cast<std::size_t>(w) + 8);  // the prefilter's, per pixel of a row
    std::vector<std::pair<int, int>> segments;  // a y run's x ranges that may hold peaks
    std::vector<SubpixelPeak> peaks;
    for (const TapRun& ry : yruns) {
        const int y0 = std::max(ry.begin, 1);
        const int y1 = std::min(ry.end, h - 1);
        if (y0 >= y1) continue;
        std::fill(col_max.begin(), col_max.end(), 0.0f);
        for (int r = ry.lo; r <= ry.hi; ++r) {
            const float* m = row_max.data() + static_cast<std::size_t>(r) * nx;
            for (std::size_t j = 0; j < nx; ++j) col_max[j] = std::max(col_max[j], m[j]);
        }
        segments.clear();
        for (std::size_t j = 0; j < nx; ++j) {
            if (!(col_max[j] * bound_scale > params.threshold)) continue;
            if (!segments.empty() && segments.back().second == xruns[j].begin) {
                segments.back().second = xruns[j].end;
            } else {
                segments.emplace_back(xruns[j].begin, xruns[j].end);
            }
        }
        // The segments' pixels and their 8 neighbours, computed up front.
        for (const auto& [x0, x1] : segments) {
            for (int y = y0 - 1; y <= y1; ++y) value.fill(y, std::max(x0 - 1, 0), std::min(x1 + 1, w));
        }
        for (int y = y0; y < y1; ++y) {
            for (const auto& [x0, x1] : segments) {
                const int xa = std::max(x0, 1);
                const int xb = std::min(x1, w - 1);
                if (xa >= xb) continue;
                // Above the threshold and both horizontal neighbours: a flag
                // per pixel, in a loop without branches (it vectorises); the
                // few flagged pixels get the full test, in order, found 8
                // flags at a time.
                const float* row = value.filled_row(y);
                const float threshold = params.threshold;
                for (int x = xa; x < xb; ++x) {
                    const float v = row[x];
                    flags[static_cast<std::size_t>(x)] =
                        static_cast<unsigned char>((v > threshold) & (v > row[x - 1]) & (v > row[x + 1]));
                }
                std::fill_n(flags.begin() + xb, 8, static_cast<unsigned char>(0));
                for (int x8 = xa; x8 < xb; x8 += 8) {
                    std::uint64_t word;
                    std::memcpy(&word, flags.data() + x8, sizeof word);
                    if (word == 0) continue;
                    for (int x = x8; x < std::min(x8 + 8, xb); ++x) {
                        if (flags[static_cast<std::size_t>(x)] == 0) continue;
                        const float v = row[x];
                        if (!above_neighbours(v, x, y, filled)) continue;
                        peaks.push_back(refined_peak(w, h, x, y, v, params.radius, value));
                        if (static_cast<int>(peaks.size()) == params.max_peaks) return peaks;
                    }
                }
            }
        }
    }
    return peaks;
}

float to_image_coord(float v, int work_len, int image_len) {
    const float scale = static_cast<float>(image_len) / static_cast<float>(work_len);
    return (v + 0.5f) * scale - 0.5f;
}

}  // namespace openpose
