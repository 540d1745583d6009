// Accurate mode: CMU OpenPose's limb scoring (getScoreAB) along part
// affinity fields.
#pragma once

#include <vector>

#include "openpose/accurate/upsample.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

struct AccuratePairParams {
    float paf_threshold = 0.05f;  // a sample counts when its PAF score is above this
    float min_above = 0.95f;      // ... and the limb is valid when more than this fraction count
    float threshold = 0.05f;      // the peak threshold: short limbs score threshold + 1e-6
};

// Throws std::invalid_argument unless paf_threshold and min_above are
// finite and threshold is finite and >= 0.
void check_params(const AccuratePairParams& params);

// The score of the segment a -> b (working-resolution coordinates) on the
// PAF maps read through `grid`: N = max(5, min(25, round(sqrt(5 max(|dx|,
// |dy|))))) samples a + k (b - a) / N, k = 0..N-1, rounded (int(v + 0.5))
// and clamped; the dot products with the unit vector above paf_threshold
// are kept; if more than min_above of the N are kept the score is their
// mean, else limbs shorter than sqrt(W H) / 150 score threshold + 1e-6 and
// the rest 0. Coincident ends score 0. Sampling stops once too few
// samples are left to pass the min_above test (the score is then decided).
float accurate_limb_score(const MapView& paf_x, const MapView& paf_y, const CubicGrid& grid, float ax, float ay,
                          float bx, float by, const AccuratePairParams& params);

// Every candidate connection of one limb scoring above 1e-6, A-major order
// (rows [a_id, b_id, score]). Candidates carry working-resolution positions.
std::vector<ValidPair> accurate_score_limb(const MapView& paf_x, const MapView& paf_y, const CubicGrid& grid,
                                           const std::vector<KeypointF>& cand_a, const std::vector<KeypointF>& cand_b,
                                           const AccuratePairParams& params);

}  // namespace openpose
