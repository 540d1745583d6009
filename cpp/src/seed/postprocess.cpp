#include "openpose/seed/postprocess.hpp"

#include <cstdint>
#include <string>

#include "openpose/common/image.hpp"
#include "openpose/common/validation.hpp"
#include "openpose/seed/assembly.hpp"
#include "openpose/seed/peaks.hpp"

namespace openpose {

namespace {

// Every channel of net_output is checked for NaN and infinities once, each
// just before it is first used: the check reads the map in order, which also
// brings it into the cache for its use (limb scoring reads PAF maps at
// scattered points). Channels the layout does not use are checked first.
class FiniteChannels {
public:
    FiniteChannels(const NetOutput& net, const std::vector<int>& used)
        : net_(net), done_(static_cast<std::size_t>(net.channels), 0) {
        std::vector<std::uint8_t> is_used(static_cast<std::size_t>(net.channels), 0);
        for (const int c : used) is_used[static_cast<std::size_t>(c)] = 1;
        for (int c = 0; c < net.channels; ++c) {
            if (!is_used[static_cast<std::size_t>(c)]) check(c);
        }
    }

    MapView check(int c) {
        if (!done_[static_cast<std::size_t>(c)]) {
            require_finite(net_.channel(c), "net_output");
            done_[static_cast<std::size_t>(c)] = 1;
        }
        return net_.channel(c);
    }

private:
    NetOutput net_;
    std::vector<std::uint8_t> done_;
};

std::vector<int> used_channels(int n_parts, const std::vector<Limb>& limbs) {
    std::vector<int> used;
    for (int c = 0; c < n_parts; ++c) used.push_back(c);
    for (const Limb& l : limbs) {
        used.push_back(l.paf_x);
        used.push_back(l.paf_y);
    }
    return used;
}

}  // namespace

void check_params(const SeedParams& params) {
    check_threshold(params.threshold, "threshold");
    check_params(params.pairs);
}

int check_layout(const SeedLayout& layout) {
    check_n_parts(layout.n_parts);
    check_limb_flags(layout.starts_person, layout.limbs, "starts_person");
    return check_limbs(layout.n_parts, layout.limbs);
}

// The original program's main, from splitNetOutputBlobToParts to
// getPersonwiseKeypoints.
SeedResult seed_postprocess(const NetOutput& net, int image_width, int image_height, const SeedLayout& layout,
                            float threshold, const SeedPairParams& params) {
    check_net_shape(net, check_layout(layout));
    check_params(SeedParams{threshold, params});
    FiniteChannels maps(net, used_channels(layout.n_parts, layout.limbs));
    const ResizeGrid grid = make_resize_grid(net.width, net.height, image_width, image_height);

    SeedResult result;
    int next_id = 0;
    result.keypoints.reserve(static_cast<std::size_t>(layout.n_parts));
    SeedPeakWorkspace workspace;
    for (int part = 0; part < layout.n_parts; ++part) {
        std::vector<Keypoint> kps;
        for (const Peak& p : seed_find_peaks(maps.check(part), grid, threshold, workspace)) {
            kps.push_back(Keypoint{next_id++, p.x, p.y, p.score});
        }
        // Deviation from the original (which has no limit), reached only by
        // hostile maps: too many candidates is an error, not a quadratic
        // limb search (docs/robustness.md).
        check_candidate_count(kps.size(), "the heatmap of part " + std::to_string(part));
        result.keypoints.push_back(std::move(kps));
    }

    result.valid_pairs.reserve(layout.limbs.size());
    for (std::size_t k = 0; k < layout.limbs.size(); ++k) {
        const Limb& limb = layout.limbs[k];
        const MapView paf_x = maps.check(limb.paf_x);
        const MapView paf_y = maps.check(limb.paf_y);
        const auto& cand_a = result.keypoints[static_cast<std::size_t>(limb.part_a)];
        const auto& cand_b = result.keypoints[static_cast<std::size_t>(limb.part_b)];
        if (cand_a.empty() || cand_b.empty()) {
            result.invalid_pairs.push_back(static_cast<int>(k));
            result.valid_pairs.emplace_back();
            continue;
        }
        result.valid_pairs.push_back(seed_score_limb(paf_x, paf_y, grid, cand_a, cand_b, params));
    }

    result.persons = seed_assemble(result.valid_pairs, layout.limbs, layout.starts_person, layout.n_parts);
    return result;
}

}  // namespace openpose
