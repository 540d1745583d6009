// Limb scoring along part affinity fields.
#include "common.hpp"

#include "openpose/image.hpp"
#include "openpose/paf.hpp"

using namespace openpose_ext;

void register_paf(py::module_& m) {
    m.def(
        "seed_score_limb",
        [](const F32Array& paf_x, const F32Array& paf_y, const F32Array& cand_a, const F32Array& cand_b, int width,
           int height, int n_samples, float paf_threshold, float min_fraction) {
            const auto [vx, vy] = paf_views(paf_x, paf_y);
            const auto a = keypoints_from(cand_a, "candidates_a");
            const auto b = keypoints_from(cand_b, "candidates_b");
            std::vector<openpose::ValidPair> pairs;
            {
                py::gil_scoped_release release;
                openpose::require_finite(vx, "paf_x");
                openpose::require_finite(vy, "paf_y");
                const auto grid = openpose::make_resize_grid(vx.width, vx.height, width, height);
                pairs = openpose::seed_score_limb(vx, vy, grid, a, b, {n_samples, paf_threshold, min_fraction});
            }
            return pairs_to_numpy(pairs);
        },
        py::arg("paf_x").noconvert(), py::arg("paf_y").noconvert(), py::arg("candidates_a").noconvert(),
        py::arg("candidates_b").noconvert(), py::arg("width"), py::arg("height"), py::arg("n_samples"),
        py::arg("paf_threshold"), py::arg("min_fraction"),
        "The original getValidPairs for one limb: (m, 3) rows [a_id, b_id, score].");
}
