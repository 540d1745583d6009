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
