#include "openpose/paf.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "openpose/limits.hpp"

namespace openpose {

std::vector<Point> seed_interp_points(Point a, Point b, int n) {
    if (n < 2 || n > kMaxSamples) {
        throw std::invalid_argument("n_samples must be between 2 and " + std::to_string(kMaxSamples));
    }
    const float x_step = static_cast<float>(b.x - a.x) / static_cast<float>(n - 1);
    const float y_step = static_cast<float>(b.y - a.y) / static_cast<float>(n - 1);
    std::vector<Point> pts;
    pts.reserve(static_cast<std::size_t>(n));
    pts.push_back(a);
    for (int i = 1; i < n - 1; ++i) {
        const float fx = static_cast<float>(a.x) + x_step * static_cast<float>(i);
        const float fy = static_cast<float>(a.y) + y_step * static_cast<float>(i);
        pts.push_back(Point{static_cast<int>(fx), static_cast<int>(fy)});
    }
    pts.push_back(b);
    return pts;
}

std::vector<ValidPair> seed_score_limb(const MapView& paf_x, const MapView& paf_y, const ResizeGrid& grid,
                                       const std::vector<Keypoint>& cand_a, const std::vector<Keypoint>& cand_b,
                                       const SeedPairParams& params) {
    if (paf_x.width != grid.src_width || paf_x.height != grid.src_height || paf_y.width != grid.src_width ||
        paf_y.height != grid.src_height) {
        throw std::invalid_argument("PAF map size does not match the resize grid");
    }
    if (params.n_samples < 2 || params.n_samples > kMaxSamples) {
        throw std::invalid_argument("n_samples must be between 2 and " + std::to_string(kMaxSamples));
    }
    check_candidate_count(cand_a.size(), "candidates_a");
    check_candidate_count(cand_b.size(), "candidates_b");
    for (const auto* cands : {&cand_a, &cand_b}) {
        for (const Keypoint& k : *cands) {
            if (k.x < 0 || k.y < 0 || k.x >= grid.dst_width || k.y >= grid.dst_height) {
                throw std::invalid_argument("candidate keypoint lies outside the image");
            }
        }
    }
    auto clamp = [](int v, int hi) { return v < 0 ? 0 : (v > hi ? hi : v); };

    std::vector<ValidPair> pairs;
    const float n_f = static_cast<float>(params.n_samples);
    for (const Keypoint& a : cand_a) {
        int max_j = -1;
        float max_score = -1.0f;
        for (std::size_t j = 0; j < cand_b.size(); ++j) {
            const Keypoint& b = cand_b[j];
            float dx = static_cast<float>(b.x - a.x);
            float dy = static_cast<float>(b.y - a.y);
            const float norm = std::sqrt(dx * dx + dy * dy);
            if (norm == 0.0f) continue;
            dx /= norm;
            dy /= norm;

            const std::vector<Point> pts = seed_interp_points({a.x, a.y}, {b.x, b.y}, params.n_samples);
            float sum = 0.0f;
            int over = 0;
            int under = 0;
            for (const Point& p : pts) {
                // Once too many samples are at or below paf_threshold the
                // pair cannot pass the min_fraction test, whose left side
                // only grows with `over`: it is rejected without reading
                // the remaining samples (its score would be discarded).
                if (!(static_cast<float>(params.n_samples - under) / n_f > params.min_fraction)) break;
                // Truncated samples stay inside the segment's bounding box;
                // the clamp only guards the memory access.
                const int x = clamp(p.x, grid.dst_width - 1);
                const int y = clamp(p.y, grid.dst_height - 1);
                const float s = resized_value(paf_x, grid, x, y) * dx + resized_value(paf_y, grid, x, y) * dy;
                sum += s;
                if (s > params.paf_threshold) {
                    ++over;
                } else {
                    ++under;
                }
            }
            const float avg = sum / static_cast<float>(pts.size());
            if (static_cast<float>(over) / n_f > params.min_fraction && avg > max_score) {
                max_j = static_cast<int>(j);
                max_score = avg;
            }
        }
        if (max_j >= 0) pairs.push_back(ValidPair{a.id, cand_b[static_cast<std::size_t>(max_j)].id, max_score});
    }
    return pairs;
}

}  // namespace openpose

#include <algorithm>

namespace openpose {

namespace {

int positive_round(float v) { return static_cast<int>(v + 0.5f); }

}  // namespace

float accurate_limb_score(const MapView& paf_x, const MapView& paf_y, const CubicGrid& grid, float ax, float ay,
                          float bx, float by, const AccuratePairParams& params) {
    const int w = grid.width();
    const int h = grid.height();
    const float dx = bx - ax;
    const float dy = by - ay;
    const float longest = std::max(std::abs(dx), std::abs(dy));
    const int n = std::max(5, std::min(25, positive_round(std::sqrt(5.0f * longest))));
    const float norm = std::sqrt(dx * dx + dy * dy);
    if (!(static_cast<double>(norm) > 1e-6)) return 0.0f;
    const float ux = dx / norm;
    const float uy = dy / norm;
    const float step_x = dx / static_cast<float>(n);
    const float step_y = dy / static_cast<float>(n);
    float sum = 0.0f;
    int count = 0;
    for (int k = 0; k < n; ++k) {
        const int mx = std::max(0, std::min(w - 1, positive_round(ax + static_cast<float>(k) * step_x)));
        const int my = std::max(0, std::min(h - 1, positive_round(ay + static_cast<float>(k) * step_y)));
        const float score = ux * cubic_value(paf_x, grid, mx, my) + uy * cubic_value(paf_y, grid, mx, my);
        if (score > params.paf_threshold) {
            sum = sum + score;
            ++count;
        }
    }
    if (static_cast<float>(count) / static_cast<float>(n) > params.min_above) return sum / static_cast<float>(count);
    if (static_cast<double>(norm) < std::sqrt(static_cast<double>(w) * static_cast<double>(h)) / 150.0) {
        return static_cast<float>(static_cast<double>(params.threshold) + 1e-6);
    }
    return 0.0f;
}

std::vector<ValidPair> accurate_score_limb(const MapView& paf_x, const MapView& paf_y, const CubicGrid& grid,
                                           const std::vector<KeypointF>& cand_a, const std::vector<KeypointF>& cand_b,
                                           const AccuratePairParams& params) {
    if (paf_x.width != grid.src_width || paf_x.height != grid.src_height || paf_y.width != grid.src_width ||
        paf_y.height != grid.src_height) {
        throw std::invalid_argument("PAF map size does not match the bicubic grid");
    }
    check_candidate_count(cand_a.size(), "candidates_a");
    check_candidate_count(cand_b.size(), "candidates_b");
    std::vector<ValidPair> pairs;
    for (const KeypointF& a : cand_a) {
        for (const KeypointF& b : cand_b) {
            const float s = accurate_limb_score(paf_x, paf_y, grid, a.x, a.y, b.x, b.y, params);
            if (static_cast<double>(s) > 1e-6) pairs.push_back(ValidPair{a.id, b.id, s});
        }
    }
    return pairs;
}

}  // namespace openpose
