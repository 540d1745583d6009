#include "openpose/accurate/decoder.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "openpose/accurate/paf.hpp"
#include "openpose/accurate/upsample.hpp"
#include "openpose/common/validation.hpp"

namespace openpose {

AccurateDecoder::AccurateDecoder(AccurateLayout layout, AccurateParams params)
    : layout_(std::move(layout)), params_(params) {
    check_params(params_);
    check_layout(layout_);
}

std::vector<SubpixelPeak> AccurateDecoder::find_peaks(const MapView& heatmap) const {
    require_finite(heatmap, "heatmap");
    const CubicGrid grid = make_cubic_grid(heatmap.width, heatmap.height, params_.factor);
    return accurate_find_peaks(heatmap, grid, params_.peaks);
}

std::vector<ValidPair> AccurateDecoder::score_limb(const MapView& paf_x, const MapView& paf_y,
                                                   const std::vector<KeypointF>& cand_a,
                                                   const std::vector<KeypointF>& cand_b) const {
    require_finite(paf_x, "paf_x");
    require_finite(paf_y, "paf_y");
    const CubicGrid grid = make_cubic_grid(paf_x.width, paf_x.height, params_.factor);
    return accurate_score_limb(paf_x, paf_y, grid, cand_a, cand_b, params_.pairs);
}

AccuratePeople AccurateDecoder::assemble(const std::vector<std::vector<KeypointF>>& keypoints,
                                         const std::vector<std::vector<ValidPair>>& connections) const {
    if (keypoints.size() != static_cast<std::size_t>(layout_.n_parts)) {
        throw std::invalid_argument("keypoints must have one entry per part (" + std::to_string(layout_.n_parts) +
                                    "), got " + std::to_string(keypoints.size()));
    }
    return accurate_assemble(keypoints, connections, layout_.limbs, layout_.fill_only, params_.grouping,
                             params_.min_parts, params_.min_mean_score);
}

AccurateResult AccurateDecoder::decode(const NetOutput& net, int width, int height) const {
    return accurate_postprocess(net, width, height, layout_, params_);
}

}  // namespace openpose
