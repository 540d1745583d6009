#include "openpose/seed/paf.hpp"

#include <cmath>
#include <stdexcept>

#include "openpose/common/validation.hpp"

namespace openpose {

void check_params(const SeedPairParams& params) {
    check_n_samples(params.n_samples);
    check_finite(params.paf_threshold, "paf_threshold");
    check_finite(params.min_fraction, "min_fraction");
}

namespace {

// The original program's populateInterpPoints, one point at a time: point i of n from a to b (the
// ends exact, the inner points truncated like cv::Point(float, float)).
class InterpPoints {
public:
    InterpPoints(Point a, Point b, int n)
        : a_(a), b_(b), n_(n), x_step_(static_cast<float>(b.x - a.x) / static_cast<float>(n - 1)),
          y_step_(static_cast<float>(b.y - a.y) / static_cast<float>(n - 1)) {}

    Point operator[](int i) const {
        if (i == 0) return a_;
        if (i == n_ - 1) return b_;
        const float fx = static_cast<float>(a_.x) + x_step_ * static_cast<float>(i);
        const float fy = static_cast<float>(a_.y) + y_step_ * static_cast<float>(i);
        return Point{static_cast<int>(fx), static_cast<int>(fy)};
    }

private:
    Point a_;
    Point b_;
    int n_;
    float x_step_;
    float y_step_;
};

}  // namespace

// The original program's getValidPairs, for one limb.
std::vector<ValidPair> seed_score_limb(const MapView& paf_x, const MapView& paf_y, const ResizeGrid& grid,
                                       const std::vector<Keypoint>& cand_a, const std::vector<Keypoint>& cand_b,
                                       const SeedPairParams& params) {
    check_paf_size(paf_x, paf_y, grid.src_width, grid.src_height, "resize grid");
    check_params(params);
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
    struct Vec2 {
        float x;
        float y;
    };
    auto paf_at = [&](int x, int y) {
        return Vec2{resized_value(paf_x, grid, x, y), resized_value(paf_y, grid, x, y)};
    };

    // Every pair's first sample is its A and its last its B: the PAF there
    // is read once per candidate, not once per pair.
    std::vector<Vec2> at_b;
    at_b.reserve(cand_b.size());
    for (const Keypoint& b : cand_b) at_b.push_back(paf_at(b.x, b.y));

    const int n = params.n_samples;
    const float n_f = static_cast<float>(n);
    // A pair is valid when more than min_fraction of its samples score above
    // paf_threshold. Once too many are at or below it the pair cannot pass
    // (the test only grows with the count above), so it is rejected without
    // reading the rest. The verdict does not depend on the order in which
    // samples are read, so the two known ends go first, and the pairs of one
    // A advance together, one sample index at a time: the map reads of
    // different pairs are independent and overlap in memory. The score of a
    // valid pair is then summed in sample order, as the original adds it
    // (the samples computed again, to the same values), and the best B is
    // chosen in the original's order (first maximum).
    // can_pass(under) is the original's test with `over` = n - under; it
    // only falls as `under` grows, so it is true exactly up to max_under.
    auto can_pass = [&](int under) { return static_cast<float>(n - under) / n_f > params.min_fraction; };
    int max_under = -1;
    while (max_under < n && can_pass(max_under + 1)) ++max_under;

    struct Live {
        std::size_t j;  // index in cand_b
        float dx;       // unit vector A -> B
        float dy;
        int under;      // samples at or below paf_threshold so far
    };
    const auto nb = cand_b.size();
    std::vector<Live> live;
    live.reserve(nb);
    std::vector<ValidPair> pairs;
    for (const Keypoint& a : cand_a) {
        const Vec2 at_a = paf_at(a.x, a.y);
        // Sample i of the pair (a, cand_b[l.j]). The inner points are
        // computed as they are read; truncated points stay inside the
        // segment's bounding box, the clamp only guards the memory access.
        auto sample = [&](const Live& l, int i) {
            Vec2 v = at_a;
            if (i == n - 1) {
                v = at_b[l.j];
            } else if (i > 0) {
                const Keypoint& b = cand_b[l.j];
                const Point p = InterpPoints({a.x, a.y}, {b.x, b.y}, n)[i];
                v = paf_at(clamp(p.x, grid.dst_width - 1), clamp(p.y, grid.dst_height - 1));
            }
            return v.x * l.dx + v.y * l.dy;
        };
        auto under_if = [&](float s) { return s > params.paf_threshold ? 0 : 1; };

        live.clear();
        for (std::size_t j = 0; j < nb; ++j) {
            const Keypoint& b = cand_b[j];
            float dx = static_cast<float>(b.x - a.x);
            float dy = static_cast<float>(b.y - a.y);
            const float norm = std::sqrt(dx * dx + dy * dy);
            if (norm == 0.0f) continue;
            dx /= norm;
            dy /= norm;
            Live l{j, dx, dy, 0};
            l.under = under_if(sample(l, 0)) + under_if(sample(l, n - 1));
            if (l.under <= max_under) live.push_back(l);
        }
        for (int i = 1; i < n - 1 && !live.empty(); ++i) {
            std::size_t kept = 0;
            for (std::size_t k = 0; k < live.size(); ++k) {
                Live l = live[k];
                l.under += under_if(sample(l, i));
                if (l.under <= max_under) live[kept++] = l;
            }
            live.resize(kept);
        }
        int max_j = -1;
        float max_score = -1.0f;
        for (const Live& l : live) {  // ascending j
            float sum = 0.0f;
            for (int i = 0; i < n; ++i) sum += sample(l, i);
            const float avg = sum / n_f;
            if (avg > max_score) {
                max_j = static_cast<int>(l.j);
                max_score = avg;
            }
        }
        if (max_j >= 0) pairs.push_back(ValidPair{a.id, cand_b[static_cast<std::size_t>(max_j)].id, max_score});
    }
    return pairs;
}

}  // namespace openpose
