// Seed mode (the original program's algorithm): the decoder class. Its
// stages are its methods; its parameters are given once, by name, when it is
// built.
#include "common.hpp"

#include "openpose/seed/decoder.hpp"
#include "openpose/seed/postprocess.hpp"

using namespace openpose_ext;

namespace {

py::array_t<float> peaks_to_numpy(const std::vector<openpose::Peak>& peaks) {
    return rows_to_numpy<float>(peaks, 3, [](const openpose::Peak& p) {
        return std::array<float, 3>{float(p.x), float(p.y), p.score};
    });
}

py::tuple seed_result_to_python(openpose::SeedResult&& r, int n_parts) {
    const py::list keypoints = list_of(r.keypoints, keypoints_to_numpy);
    const py::list valid_pairs = list_of(r.valid_pairs, pairs_to_numpy);
    const auto n = static_cast<py::ssize_t>(r.persons.size()) / n_parts;
    return py::make_tuple(keypoints, valid_pairs, r.invalid_pairs,
                          to_numpy(std::move(r.persons), {n, static_cast<py::ssize_t>(n_parts)}));
}

// The core's defaults (cpp/include/openpose/seed/): the binding's defaults are these.
const openpose::SeedParams kDefaults{};

void register_seed_decoder(py::module_& m) {
    using openpose::SeedDecoder;
    py::class_<SeedDecoder>(m, "SeedDecoder",
                            "The original program's post-processing, built once from a layout's tables and the "
                            "seed constants (checked here: ValueError naming the parameter).")
        .def(py::init([](const I32Array& limbs, const U8Array& starts_person, int n_parts, float threshold,
                         int n_samples, float paf_threshold, float min_fraction) {
                 openpose::SeedLayout layout;
                 layout.n_parts = n_parts;
                 layout.limbs = limbs_from(limbs);
                 layout.starts_person = flags_from(starts_person, "starts_person", layout.limbs.size());
                 return SeedDecoder(std::move(layout),
                                    openpose::SeedParams{threshold, {n_samples, paf_threshold, min_fraction}});
             }),
             py::arg("limbs").noconvert(), py::arg("starts_person").noconvert(), py::arg("n_parts"), py::kw_only(),
             default_arg("threshold", kDefaults.threshold), default_arg("n_samples", kDefaults.pairs.n_samples),
             default_arg("paf_threshold", kDefaults.pairs.paf_threshold),
             default_arg("min_fraction", kDefaults.pairs.min_fraction))
        .def(
            "find_peaks",
            [](const SeedDecoder& d, const F32Array& heatmap, int width, int height) {
                const openpose::MapView view = map_view(heatmap, "heatmap");
                std::vector<openpose::Peak> peaks;
                {
                    py::gil_scoped_release release;
                    peaks = d.find_peaks(view, width, height);
                }
                return peaks_to_numpy(peaks);
            },
            py::arg("heatmap").noconvert(), py::arg("width"), py::arg("height"),
            "getKeyPoints on a (h, w) heatmap resized to (width, height): (n, 3) rows [x, y, score].")
        .def(
            "score_limb",
            [](const SeedDecoder& d, const F32Array& paf_x, const F32Array& paf_y, const F32Array& cand_a,
               const F32Array& cand_b, int width, int height) {
                const auto [vx, vy] = paf_views(paf_x, paf_y);
                const auto a = keypoints_from(cand_a, "candidates_a");
                const auto b = keypoints_from(cand_b, "candidates_b");
                std::vector<openpose::ValidPair> pairs;
                {
                    py::gil_scoped_release release;
                    pairs = d.score_limb(vx, vy, a, b, width, height);
                }
                return pairs_to_numpy(pairs);
            },
            py::arg("paf_x").noconvert(), py::arg("paf_y").noconvert(), py::arg("candidates_a").noconvert(),
            py::arg("candidates_b").noconvert(), py::arg("width"), py::arg("height"),
            "getValidPairs for one limb; candidates (n, 4) [id, x, y, score] in image pixels: (m, 3) rows "
            "[a_id, b_id, score].")
        .def(
            "assemble",
            [](const SeedDecoder& d, const std::vector<F32Array>& valid_pairs) {
                const auto pairs =
                    vector_of(valid_pairs, [](const F32Array& a) { return pairs_from(a, "valid_pairs"); });
                std::vector<int> persons;
                {
                    py::gil_scoped_release release;
                    persons = d.assemble(pairs);
                }
                const int n_parts = d.layout().n_parts;
                const auto n = static_cast<py::ssize_t>(persons.size()) / n_parts;
                return to_numpy(std::move(persons), {n, static_cast<py::ssize_t>(n_parts)});
            },
            py::arg("valid_pairs"),
            "getPersonwiseKeypoints on one (m, 3) array per limb: (P, n_parts) int32 ids, -1 where missing.")
        .def(
            "decode",
            [](const SeedDecoder& d, const F32Array& net_output, int width, int height) {
                const openpose::NetOutput net = net_output_view(net_output);
                openpose::SeedResult r;
                {
                    py::gil_scoped_release release;
                    r = d.decode(net, width, height);
                }
                return seed_result_to_python(std::move(r), d.layout().n_parts);
            },
            py::arg("net_output").noconvert(), py::arg("width"), py::arg("height"),
            "The whole seed post-processing of a (C, h, w) output: (keypoints, valid_pairs, invalid_pairs, persons).")
        .def_property_readonly("threshold", [](const SeedDecoder& d) { return d.params().threshold; })
        .def_property_readonly("n_samples", [](const SeedDecoder& d) { return d.params().pairs.n_samples; })
        .def_property_readonly("paf_threshold", [](const SeedDecoder& d) { return d.params().pairs.paf_threshold; })
        .def_property_readonly("min_fraction", [](const SeedDecoder& d) { return d.params().pairs.min_fraction; })
        .def_property_readonly("n_parts", [](const SeedDecoder& d) { return d.layout().n_parts; });
}

}  // namespace

void register_seed(py::module_& m) { register_seed_decoder(m); }
