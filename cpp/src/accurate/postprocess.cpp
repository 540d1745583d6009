#include "openpose/accurate/postprocess.hpp"

#include <vector>

#include "openpose/common/validation.hpp"

namespace openpose {

void check_params(const AccurateParams& params) {
    check_factor(params.factor);
    check_params(params.peaks);
    check_params(params.pairs);
    check_int_range(params.min_parts, 1, kMaxMinParts, "min_parts");
    check_finite(params.min_mean_score, "min_mean_score");
}

int check_layout(const AccurateLayout& layout) {
    check_n_parts(layout.n_parts);
    check_limb_flags(layout.fill_only, layout.limbs, "fill_only");
    return check_limbs(layout.n_parts, layout.limbs);
}

AccurateResult accurate_postprocess(const NetOutput& net, int image_width, int image_height,
                                    const AccurateLayout& layout, const AccurateParams& params) {
    const int needed = check_layout(layout);
    check_image_size(image_width, image_height, "image_size");
    check_params(params);
    check_net_output(net, needed);
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
