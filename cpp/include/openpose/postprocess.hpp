// The whole post-processing of one network output, stage after stage.
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/paf.hpp"
#include "openpose/types.hpp"

namespace openpose {

// A network output blob of `channels` maps of height x width floats,
// C-contiguous (channel, row, column).
struct NetOutput {
    const float* data = nullptr;
    int channels = 0;
    int height = 0;
    int width = 0;

    MapView channel(int c) const {
        const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(height) * width;
        return MapView{data + plane * c, width, height, width};
    }
};

// The tables of a keypoint layout that the seed algorithm needs. Heatmap of
// part i is channel i.
struct SeedLayout {
    int n_parts = 0;
    std::vector<Limb> limbs;
    std::vector<std::uint8_t> starts_person;  // one flag per limb
};

struct SeedResult {
    std::vector<std::vector<Keypoint>> keypoints;    // per part
    std::vector<std::vector<ValidPair>> valid_pairs;  // per limb
    std::vector<int> invalid_pairs;                   // limbs without candidates, ascending
    std::vector<int> persons;                         // P x n_parts ids, -1 missing
};

// Throws std::invalid_argument naming the problem for a blob with too few
// channels, an empty map, non-finite values, or a non-positive image size.
void check_net_output(const NetOutput& net, int n_channels_needed);

// The original program, from network output to people.
SeedResult seed_postprocess(const NetOutput& net, int image_width, int image_height, const SeedLayout& layout,
                            float threshold, const SeedPairParams& params);

}  // namespace openpose

#include "openpose/assembly.hpp"
#include "openpose/peaks.hpp"

namespace openpose {

// --- Accurate mode: CMU OpenPose's post-processing --------------------------

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
