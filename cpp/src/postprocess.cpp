#include "openpose/postprocess.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "openpose/assembly.hpp"
#include "openpose/image.hpp"
#include "openpose/limits.hpp"
#include "openpose/peaks.hpp"

namespace openpose {

namespace {

void check_net_shape(const NetOutput& net, int n_channels_needed) {
    if (net.data == nullptr || net.height <= 0 || net.width <= 0) {
        throw std::invalid_argument("net_output maps must not be empty, got " + std::to_string(net.height) + "x" +
                                    std::to_string(net.width));
    }
    if (net.channels < n_channels_needed) {
        throw std::invalid_argument("net_output has " + std::to_string(net.channels) +
                                    " channels, the layout needs at least " + std::to_string(n_channels_needed));
    }
}

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

// Checks the limbs of a layout with n_parts parts; returns how many
// channels of net_output the layout reads (parts, then PAF channels).
int check_limbs(int n_parts, const std::vector<Limb>& limbs) {
    int needed = n_parts;
    for (const Limb& l : limbs) {
        if (l.paf_x < 0 || l.paf_y < 0) throw std::invalid_argument("layout names a negative PAF channel");
        if (l.part_a < 0 || l.part_b < 0 || l.part_a >= n_parts || l.part_b >= n_parts) {
            throw std::invalid_argument("layout names a limb part outside 0..n_parts-1");
        }
        needed = std::max({needed, l.paf_x + 1, l.paf_y + 1});
    }
    return needed;
}

}  // namespace

void check_net_output(const NetOutput& net, int n_channels_needed) {
    check_net_shape(net, n_channels_needed);
    for (int c = 0; c < net.channels; ++c) require_finite(net.channel(c), "net_output");
}

SeedResult seed_postprocess(const NetOutput& net, int image_width, int image_height, const SeedLayout& layout,
                            float threshold, const SeedPairParams& params) {
    if (layout.n_parts <= 0 || layout.n_parts > kMaxParts || layout.starts_person.size() != layout.limbs.size()) {
        throw std::invalid_argument("layout tables are inconsistent");
    }
    check_net_shape(net, check_limbs(layout.n_parts, layout.limbs));
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

namespace openpose {

AccurateResult accurate_postprocess(const NetOutput& net, int image_width, int image_height,
                                    const AccurateLayout& layout, const AccurateParams& params) {
    if (layout.n_parts <= 0 || layout.fill_only.size() != layout.limbs.size()) {
        throw std::invalid_argument("layout tables are inconsistent");
    }
    if (image_width <= 0 || image_height <= 0) throw std::invalid_argument("image size must be positive");
    if (params.factor < 1 || params.factor > 8) throw std::invalid_argument("factor must be between 1 and 8");
    check_net_output(net, check_limbs(layout.n_parts, layout.limbs));
    const CubicGrid grid = make_cubic_grid(net.width, net.height, params.factor);

    AccurateResult result;
    std::vector<std::vector<KeypointF>> work(static_cast<std::size_t>(layout.n_parts));
    int next_id = 0;
    for (int part = 0; part < layout.n_parts; ++part) {
        std::vector<KeypointF> image_kps;
        for (const SubpixelPeak& p : accurate_find_peaks(net.channel(part), grid, params.peaks)) {
            work[static_cast<std::size_t>(part)].push_back(KeypointF{next_id, p.x, p.y, p.score});
            image_kps.push_back(KeypointF{next_id, to_image_coord(p.x, grid.width(), image_width),
                                          to_image_coord(p.y, grid.height(), image_height), p.score});
            ++next_id;
        }
        result.keypoints.push_back(std::move(image_kps));
    }

    for (std::size_t k = 0; k < layout.limbs.size(); ++k) {
        const Limb& limb = layout.limbs[k];
        const auto& cand_a = work[static_cast<std::size_t>(limb.part_a)];
        const auto& cand_b = work[static_cast<std::size_t>(limb.part_b)];
        if (cand_a.empty() || cand_b.empty()) {
            result.invalid_pairs.push_back(static_cast<int>(k));
            result.connections.emplace_back();
            continue;
        }
        result.connections.push_back(accurate_score_limb(net.channel(limb.paf_x), net.channel(limb.paf_y), grid,
                                                         cand_a, cand_b, params.pairs));
    }

    AccuratePeople people = accurate_assemble(work, result.connections, layout.limbs, layout.fill_only,
                                              params.grouping, params.min_parts, params.min_mean_score);
    result.persons = std::move(people.persons);
    result.scores = std::move(people.scores);
    return result;
}

}  // namespace openpose
