// Seed mode as one object: the original program's algorithm, built once
// from a layout and its constants.
#pragma once

#include <vector>

#include "openpose/common/types.hpp"
#include "openpose/seed/postprocess.hpp"

namespace openpose {

// Holds the checked constants and the layout tables; each method is one
// stage of seed_postprocess (or the whole of it) on one frame's arrays.
// Const methods, no state between calls: one decoder may serve many
// threads at once.
class SeedDecoder {
public:
    // Throws std::invalid_argument naming the first bad parameter or table.
    SeedDecoder(SeedLayout layout, SeedParams params);

    const SeedLayout& layout() const { return layout_; }
    const SeedParams& params() const { return params_; }

    // The original program's getKeyPoints on one network-resolution heatmap
    // resized to width x height (seed_find_peaks). Throws for a map with
    // NaN or infinite values.
    std::vector<Peak> find_peaks(const MapView& heatmap, int width, int height) const;

    // The original program's getValidPairs for one limb (seed_score_limb):
    // candidates in image pixels, PAF maps at network resolution read as
    // resized to width x height. Throws for PAF maps with NaN or infinite values.
    std::vector<ValidPair> score_limb(const MapView& paf_x, const MapView& paf_y, const std::vector<Keypoint>& cand_a,
                                      const std::vector<Keypoint>& cand_b, int width, int height) const;

    // The original program's getPersonwiseKeypoints (seed_assemble): one
    // list of valid pairs per limb of the layout.
    std::vector<int> assemble(const std::vector<std::vector<ValidPair>>& valid_pairs) const;

    // All of it (seed_postprocess) for an image of width x height pixels.
    SeedResult decode(const NetOutput& net, int width, int height) const;

private:
    SeedLayout layout_;
    SeedParams params_;
};

}  // namespace openpose
