#include "openpose/accurate/paf.hpp"

#include <algorithm>
#include <cmath>

#include "openpose/common/validation.hpp"

namespace openpose {

void check_params(const AccuratePairParams& p) {
    check_finite(p.paf_threshold, "paf_threshold");
    check_finite(p.min_above, "min_above");
    check_threshold(p.threshold, "threshold");
}

namespace {

int positive_round(float v) { return static_cast<int>(v + 0.5f); }

// The fewest kept samples c of n with c / n > min_above, in float as the
// test computes it (n + 1: none). The test is monotone in c, so the search
// starts at min_above * n and moves a step or two.
int fewest_passing(int n, float min_above) {
    const float guess = std::floor(min_above * static_cast<float>(n));
    int c = guess < 0.0f ? 0 : (guess > static_cast<float>(n + 1) ? n + 1 : static_cast<int>(guess));
    while (c > 0 && static_cast<float>(c - 1) / static_cast<float>(n) > min_above) --c;
    while (c <= n && !(static_cast<float>(c) / static_cast<float>(n) > min_above)) ++c;
    return c;
}

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
    // A pair stops being read once it can no longer reach the kept samples
    // the min_above test needs: its score is then the fallback below,
    // whatever the remaining samples hold.
    const int needed = fewest_passing(n, params.min_above);
    float sum = 0.0f;
    int count = 0;
    for (int k = 0; k < n && count + (n - k) >= needed; ++k) {
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
    check_paf_size(paf_x, paf_y, grid.src_width, grid.src_height, "bicubic grid");
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
