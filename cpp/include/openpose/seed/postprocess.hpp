// Seed mode: the original program's whole post-processing of one network
// output, stage after stage.
//
// Where each function of the original program (../shared/seed) lives:
//   getKeyPoints            -> seed_find_peaks (seed/peaks.hpp)
//   getValidPairs           -> seed_score_limb (seed/paf.hpp), one limb per call
//   populateInterpPoints    -> InterpPoints in seed/paf.cpp (the sample points
//                              of getValidPairs, computed one at a time)
//   getPersonwiseKeypoints  -> seed_assemble (seed/assembly.hpp)
//   splitNetOutputBlobToParts -> replaced by channel views (NetOutput::channel,
//                              common/types.hpp) read through a ResizeGrid on
//                              demand: no resized copy of every channel
//   populateColorPalette    -> replaced by the layout's fixed colours
//                              (python/openpose/layouts.py, drawn by draw.py):
//                              drawing is not the core's job
//   main's loop over parts and limbs -> seed_postprocess below
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/common/types.hpp"
#include "openpose/seed/paf.hpp"

namespace openpose {

// The tables of a keypoint layout that the seed algorithm needs. Heatmap of
// part i is channel i.
struct SeedLayout {
    int n_parts = 0;
    std::vector<Limb> limbs;
    std::vector<std::uint8_t> starts_person;  // one flag per limb
};

// The seed algorithm's constants: the peak threshold (getKeyPoints' 0.1)
// and those of limb scoring.
struct SeedParams {
    float threshold = 0.1f;
    SeedPairParams pairs;
};

struct SeedResult {
    std::vector<std::vector<Keypoint>> keypoints;    // per part
    std::vector<std::vector<ValidPair>> valid_pairs;  // per limb
    std::vector<int> invalid_pairs;                   // limbs without candidates, ascending
    std::vector<int> persons;                         // P x n_parts ids, -1 missing
};

// Throws std::invalid_argument naming the first bad parameter.
void check_params(const SeedParams& params);

// Throws std::invalid_argument for inconsistent tables (n_parts outside
// 1..kMaxParts, a flag count that is not the limb count, bad limbs);
// returns how many network output channels the layout reads.
int check_layout(const SeedLayout& layout);

// The original program, from network output to people.
SeedResult seed_postprocess(const NetOutput& net, int image_width, int image_height, const SeedLayout& layout,
                            float threshold, const SeedPairParams& params);

}  // namespace openpose
