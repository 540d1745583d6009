// Seed mode: scoring limb candidates along part affinity fields (PAFs),
// the original program's getValidPairs (with its populateInterpPoints).
#pragma once

#include <vector>

#include "openpose/common/image.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

// Constants of the original program's getValidPairs.
struct SeedPairParams {
    int n_samples = 10;           // points sampled on the segment A-B
    float paf_threshold = 0.1f;   // a sample counts when its score is above this
    float min_fraction = 0.7f;    // ... and a pair is valid when more than this fraction count
};

// Throws std::invalid_argument unless n_samples is in 2..kMaxSamples and
// paf_threshold and min_fraction are finite.
void check_params(const SeedPairParams& params);

// The original program's getValidPairs for one limb: for each candidate of
// A, the candidate of B with the best mean PAF score among those whose
// samples pass the test. `paf_x`, `paf_y` are network-resolution maps read
// through `grid` (resized on the fly, exactly as the full resize would).
// Candidates carry image-pixel coordinates. Pairs come in A order. The
// sample points are the original's populateInterpPoints (n points from A to
// B, the inner ones truncated like cv::Point(float, float)), computed one at
// a time as they are read (InterpPoints in paf.cpp).
std::vector<ValidPair> seed_score_limb(const MapView& paf_x, const MapView& paf_y, const ResizeGrid& grid,
                                       const std::vector<Keypoint>& cand_a, const std::vector<Keypoint>& cand_b,
                                       const SeedPairParams& params);

}  // namespace openpose
