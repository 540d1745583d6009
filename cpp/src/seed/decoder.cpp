#include "openpose/seed/decoder.hpp"

#include <utility>

#include "openpose/common/image.hpp"
#include "openpose/common/validation.hpp"
#include "openpose/seed/assembly.hpp"
#include "openpose/seed/paf.hpp"
#include "openpose/seed/peaks.hpp"

namespace openpose {

SeedDecoder::SeedDecoder(SeedLayout layout, SeedParams params) : layout_(std::move(layout)), params_(params) {
    check_params(params_);
    check_layout(layout_);
}

std::vector<Peak> SeedDecoder::find_peaks(const MapView& heatmap, int width, int height) const {
    require_finite(heatmap, "heatmap");
    return seed_find_peaks(heatmap, make_resize_grid(heatmap.width, heatmap.height, width, height), params_.threshold);
}

std::vector<ValidPair> SeedDecoder::score_limb(const MapView& paf_x, const MapView& paf_y,
                                               const std::vector<Keypoint>& cand_a,
                                               const std::vector<Keypoint>& cand_b, int width, int height) const {
    require_finite(paf_x, "paf_x");
    require_finite(paf_y, "paf_y");
    const ResizeGrid grid = make_resize_grid(paf_x.width, paf_x.height, width, height);
    return seed_score_limb(paf_x, paf_y, grid, cand_a, cand_b, params_.pairs);
}

std::vector<int> SeedDecoder::assemble(const std::vector<std::vector<ValidPair>>& valid_pairs) const {
    return seed_assemble(valid_pairs, layout_.limbs, layout_.starts_person, layout_.n_parts);
}

SeedResult SeedDecoder::decode(const NetOutput& net, int width, int height) const {
    return seed_postprocess(net, width, height, layout_, params_.threshold, params_.pairs);
}

}  // namespace openpose
