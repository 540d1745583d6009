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

namespace openpose {

// --- Accurate mode: CMU OpenPose's limb scoring (getScoreAB) ----------------

struct AccuratePairParams {
    float paf_threshold = 0.05f;  // a sample counts when its PAF score is above this
    float min_above = 0.95f;      // ... and the limb is valid when more than this fraction count
    float threshold = 0.05f;      // the peak threshold: short limbs score threshold + 1e-6
};

// The score of the segment a -> b (working-resolution coordinates) on the
// PAF maps read through `grid`: N = max(5, min(25, round(sqrt(5 max(|dx|,
// |dy|))))) samples a + k (b - a) / N, k = 0..N-1, rounded (int(v + 0.5))
// and clamped; the dot products with the unit vector above paf_threshold
// are kept; if more than min_above of the N are kept the score is their
// mean, else limbs shorter than sqrt(W H) / 150 score threshold + 1e-6 and
// the rest 0. Coincident ends score 0.
float accurate_limb_score(const MapView& paf_x, const MapView& paf_y, const CubicGrid& grid, float ax, float ay,
                          float bx, float by, const AccuratePairParams& params);

// Every candidate connection of one limb scoring above 1e-6, A-major order
// (rows [a_id, b_id, score]). Candidates carry working-resolution positions.
std::vector<ValidPair> accurate_score_limb(const MapView& paf_x, const MapView& paf_y, const CubicGrid& grid,
                                           const std::vector<KeypointF>& cand_a, const std::vector<KeypointF>& cand_b,
                                           const AccuratePairParams& params);

}  // namespace openpose
