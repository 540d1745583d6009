// Accurate mode: CMU OpenPose's whole post-processing of one network
// output, stage after stage (python/openpose/reference_accurate.py is the
// pure-Python reference):
//   1. upsampling to the working resolution -> CubicGrid (accurate/upsample.hpp)
//   2. peaks, OpenPose's nmsCpu             -> accurate_find_peaks (accurate/peaks.hpp)
//   3. limb scores, OpenPose's getScoreAB   -> accurate_score_limb (accurate/paf.hpp)
//   4. grouping, createPeopleVector or the GPU build's pafPtrIntoVector +
//      pafVectorIntoPeopleVector, then the selection of people
//                                           -> accurate_assemble (accurate/assembly.hpp)
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/accurate/assembly.hpp"
#include "openpose/accurate/paf.hpp"
#include "openpose/accurate/peaks.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

// The tables of a layout that accurate mode needs.
struct AccurateLayout {
    int n_parts = 0;
    std::vector<Limb> limbs;
    std::vector<std::uint8_t> fill_only;  // one flag per limb (CPU grouping)
};

struct AccurateParams {
    int factor = 1;  // working resolution = network output x factor (bicubic; OpenPose: 8)
    AccuratePeakParams peaks;
    AccuratePairParams pairs;
    Grouping grouping = Grouping::cpu;
    int min_parts = 3;
    float min_mean_score = 0.4f;
};

// Throws std::invalid_argument naming the first bad parameter.
void check_params(const AccurateParams& params);

// Throws std::invalid_argument for inconsistent tables (n_parts outside
// 1..kMaxParts, a flag count that is not the limb count, bad limbs);
// returns how many network output channels the layout reads.
int check_layout(const AccurateLayout& layout);

struct AccurateResult {
    std::vector<std::vector<KeypointF>> keypoints;    // per part, image pixels
    std::vector<std::vector<ValidPair>> connections;  // per limb, candidates scoring > 1e-6
    std::vector<int> invalid_pairs;                   // limbs without candidates, ascending
    std::vector<int> persons;                         // P x n_parts ids, -1 missing
    std::vector<float> scores;                        // P person scores
};

// From network output to people, as OpenPose does it (see reference_accurate.py).
// Throws std::invalid_argument for bad input or parameters.
AccurateResult accurate_postprocess(const NetOutput& net, int image_width, int image_height,
                                    const AccurateLayout& layout, const AccurateParams& params);

}  // namespace openpose
