// Accurate mode (CMU OpenPose's algorithm): the decoder class (its stages
// are its methods, its parameters named and given once) and the bicubic
// upsampling primitive.
#include "common.hpp"

#include "openpose/accurate/assembly.hpp"
#include "openpose/accurate/decoder.hpp"
#include "openpose/accurate/peaks.hpp"
#include "openpose/accurate/postprocess.hpp"
#include "openpose/accurate/upsample.hpp"

using namespace openpose_ext;

namespace {

// Rows [id, x, y, score] with sub-pixel positions.
std::vector<openpose::KeypointF> keypoints_f_from(const F32Array& a, const char* name) {
    require_shape(a, name, 2, 4);
    std::vector<openpose::KeypointF> out;
    auto r = a.unchecked<2>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i) {
        if (!whole_int(r(i, 0)) || !std::isfinite(r(i, 1)) || !std::isfinite(r(i, 2)) || !std::isfinite(r(i, 3))) {
            throw py::value_error("`" + std::string(name) + "` row " + std::to_string(i) +
                                  ": id must be a whole number within the int range and x, y, score finite");
        }
        out.push_back({static_cast<int>(r(i, 0)), r(i, 1), r(i, 2), r(i, 3)});
    }
    return out;
}

py::array_t<float> keypoints_f_to_numpy(const std::vector<openpose::KeypointF>& kps) {
    return rows_to_numpy<float>(kps, 4, [](const openpose::KeypointF& k) {
        return std::array<float, 4>{float(k.id), k.x, k.y, k.score};
    });
}

py::array_t<float> subpixel_peaks_to_numpy(const std::vector<openpose::SubpixelPeak>& peaks) {
    return rows_to_numpy<float>(peaks, 3, [](const openpose::SubpixelPeak& p) {
        return std::array<float, 3>{p.x, p.y, p.score};
    });
}

// The core's defaults (cpp/include/openpose/accurate/): the binding's defaults are these.
const openpose::AccurateParams kDefaults{};

std::string grouping_name(openpose::Grouping grouping) { return grouping == openpose::Grouping::cpu ? "cpu" : "gpu"; }

openpose::Grouping grouping_from(const std::string& name) {
    if (name == "cpu") return openpose::Grouping::cpu;
    if (name == "gpu") return openpose::Grouping::gpu;
    throw py::value_error("unknown `grouping` '" + name + "'; expected 'cpu' or 'gpu'");
}

py::tuple people_to_python(openpose::AccuratePeople&& people, int n_parts) {
    const auto n = static_cast<py::ssize_t>(people.scores.size());
    return py::make_tuple(to_numpy(std::move(people.persons), {n, static_cast<py::ssize_t>(n_parts)}),
                          to_numpy(std::move(people.scores), {n}));
}

py::tuple accurate_result_to_python(openpose::AccurateResult&& r, int n_parts) {
    const py::list keypoints = list_of(r.keypoints, keypoints_f_to_numpy);
    const py::list connections = list_of(r.connections, pairs_to_numpy);
    const auto n = static_cast<py::ssize_t>(r.scores.size());
    return py::make_tuple(keypoints, connections, r.invalid_pairs,
                          to_numpy(std::move(r.persons), {n, static_cast<py::ssize_t>(n_parts)}),
                          to_numpy(std::move(r.scores), {n}));
}

void register_accurate_decoder(py::module_& m) {
    using openpose::AccurateDecoder;
    py::class_<AccurateDecoder>(m, "AccurateDecoder",
                                "CMU OpenPose's post-processing, built once from a layout's tables and the accurate "
                                "constants (checked here: ValueError naming the parameter).")
        .def(py::init([](const I32Array& limbs, const U8Array& fill_only, int n_parts, int factor, float threshold,
                         int max_peaks, int radius, float paf_threshold, float min_above, const std::string& grouping,
                         int min_parts, float min_mean_score) {
                 openpose::AccurateLayout layout;
                 layout.n_parts = n_parts;
                 layout.limbs = limbs_from(limbs);
                 layout.fill_only = flags_from(fill_only, "fill_only", layout.limbs.size());
                 openpose::AccurateParams params;
                 params.factor = factor;
                 params.peaks = {threshold, max_peaks, radius};
                 params.pairs = {paf_threshold, min_above, threshold};
                 params.grouping = grouping_from(grouping);
                 params.min_parts = min_parts;
                 params.min_mean_score = min_mean_score;
                 return AccurateDecoder(std::move(layout), params);
             }),
             py::arg("limbs").noconvert(), py::arg("fill_only").noconvert(), py::arg("n_parts"), py::kw_only(),
             default_arg("factor", kDefaults.factor), default_arg("threshold", kDefaults.peaks.threshold),
             default_arg("max_peaks", kDefaults.peaks.max_peaks), default_arg("radius", kDefaults.peaks.radius),
             default_arg("paf_threshold", kDefaults.pairs.paf_threshold),
             default_arg("min_above", kDefaults.pairs.min_above),
             py::arg("grouping") = grouping_name(kDefaults.grouping), default_arg("min_parts", kDefaults.min_parts),
             default_arg("min_mean_score", kDefaults.min_mean_score))
        .def(
            "find_peaks",
            [](const AccurateDecoder& d, const F32Array& heatmap) {
                const openpose::MapView view = map_view(heatmap, "heatmap");
                std::vector<openpose::SubpixelPeak> peaks;
                {
                    py::gil_scoped_release release;
                    peaks = d.find_peaks(view);
                }
                return subpixel_peaks_to_numpy(peaks);
            },
            py::arg("heatmap").noconvert(),
            "OpenPose's peaks of one (h, w) heatmap: (n, 3) rows [x, y, score] at working resolution.")
        .def(
            "score_limb",
            [](const AccurateDecoder& d, const F32Array& paf_x, const F32Array& paf_y, const F32Array& cand_a,
               const F32Array& cand_b) {
                const auto [vx, vy] = paf_views(paf_x, paf_y);
                const auto a = keypoints_f_from(cand_a, "candidates_a");
                const auto b = keypoints_f_from(cand_b, "candidates_b");
                std::vector<openpose::ValidPair> pairs;
                {
                    py::gil_scoped_release release;
                    pairs = d.score_limb(vx, vy, a, b);
                }
                return pairs_to_numpy(pairs);
            },
            py::arg("paf_x").noconvert(), py::arg("paf_y").noconvert(), py::arg("candidates_a").noconvert(),
            py::arg("candidates_b").noconvert(),
            "OpenPose's candidate connections of one limb (candidates at working resolution): (m, 3) rows "
            "[a_id, b_id, score].")
        .def(
            "assemble",
            [](const AccurateDecoder& d, const std::vector<F32Array>& keypoints,
               const std::vector<F32Array>& valid_pairs) {
                const auto kps =
                    vector_of(keypoints, [](const F32Array& a) { return keypoints_f_from(a, "keypoints"); });
                const auto pairs =
                    vector_of(valid_pairs, [](const F32Array& a) { return pairs_from(a, "valid_pairs"); });
                openpose::AccuratePeople people;
                {
                    py::gil_scoped_release release;
                    people = d.assemble(kps, pairs);
                }
                return people_to_python(std::move(people), d.layout().n_parts);
            },
            py::arg("keypoints"), py::arg("valid_pairs"),
            "OpenPose's grouping and selection: (persons (P, n_parts) int32, scores (P,) float32).")
        .def(
            "decode",
            [](const AccurateDecoder& d, const F32Array& net_output, int width, int height) {
                const openpose::NetOutput net = net_output_view(net_output);
                openpose::AccurateResult r;
                {
                    py::gil_scoped_release release;
                    r = d.decode(net, width, height);
                }
                return accurate_result_to_python(std::move(r), d.layout().n_parts);
            },
            py::arg("net_output").noconvert(), py::arg("width"), py::arg("height"),
            "OpenPose's whole post-processing of a (C, h, w) output: (keypoints, valid_pairs, invalid_pairs, "
            "persons, scores).")
        .def_property_readonly("factor", [](const AccurateDecoder& d) { return d.params().factor; })
        .def_property_readonly("threshold", [](const AccurateDecoder& d) { return d.params().peaks.threshold; })
        .def_property_readonly("max_peaks", [](const AccurateDecoder& d) { return d.params().peaks.max_peaks; })
        .def_property_readonly("radius", [](const AccurateDecoder& d) { return d.params().peaks.radius; })
        .def_property_readonly("paf_threshold", [](const AccurateDecoder& d) { return d.params().pairs.paf_threshold; })
        .def_property_readonly("min_above", [](const AccurateDecoder& d) { return d.params().pairs.min_above; })
        .def_property_readonly("grouping",
                               [](const AccurateDecoder& d) {
                                   return grouping_name(d.params().grouping);
                               })
        .def_property_readonly("min_parts", [](const AccurateDecoder& d) { return d.params().min_parts; })
        .def_property_readonly("min_mean_score", [](const AccurateDecoder& d) { return d.params().min_mean_score; })
        .def_property_readonly("n_parts", [](const AccurateDecoder& d) { return d.layout().n_parts; });
}

}  // namespace

void register_accurate(py::module_& m) {
    register_accurate_decoder(m);
    // The one primitive of accurate mode, exposed so tests can hold it
    // against its reference (the stages are the decoder's methods).
    m.def(
        "accurate_upsample",
        [](const F32Array& map, int factor) {
            const openpose::MapView view = map_view(map, "map");
            std::vector<float> up;
            openpose::CubicGrid grid;
            {
                py::gil_scoped_release release;
                grid = openpose::make_cubic_grid(view.width, view.height, factor);
                up = openpose::upsample_cubic(view, grid);
            }
            return to_numpy(std::move(up), {grid.height(), grid.width()});
        },
        py::arg("map").noconvert(), py::kw_only(), py::arg("factor"),
        "Bicubic upsampling of a (h, w) map by an integer factor: (h * factor, w * factor).");
}
