// Scoring limb candidates along part affinity fields (PAFs).
#pragma once

#include <vector>

#include "openpose/image.hpp"
#include "openpose/types.hpp"

namespace openpose {

// Constants of the original program's getValidPairs.
struct SeedPairParams {
    int n_samples = 10;           // points sampled on the segment A-B
    float paf_threshold = 0.1f;   // a sample counts when its score is above this
    float min_fraction = 0.7f;    // ... and a pair is valid when more than this fraction count
};

// The original program's populateInterpPoints: n points from a to b, the
// inner ones truncated to integers the way cv::Point(float, float) does.
std::vector<Point> seed_interp_points(Point a, Point b, int n);

// The original program's getValidPairs for one limb: for each candidate of
// A, the candidate of B with the best mean PAF score among those whose
// samples pass the test. `paf_x`, `paf_y` are network-resolution maps read
// through `grid` (resized on the fly, exactly as the full resize would).
// Candidates carry image-pixel coordinates. Pairs come in A order.
std::vector<ValidPair> seed_score_limb(const MapView& paf_x, const MapView& paf_y, const ResizeGrid& grid,
                                       const std::vector<Keypoint>& cand_a, const std::vector<Keypoint>& cand_b,
                                       const SeedPairParams& params);

}  // namespace openpose
