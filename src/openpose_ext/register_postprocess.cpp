// The whole pipeline in one call (the GIL is released throughout).
#include "common.hpp"

#include "openpose/postprocess.hpp"

using namespace openpose_ext;

void register_postprocess(py::module_& m) {
    m.def(
        "seed_postprocess",
        [](const F32Array& net_output, int width, int height, int n_parts, const I32Array& limbs,
           const U8Array& starts_person, float threshold, int n_samples, float paf_threshold, float min_fraction) {
            require_shape(net_output, "net_output", 3);
            openpose::SeedLayout layout;
            layout.n_parts = n_parts;
            layout.limbs = limbs_from(limbs);
            layout.starts_person = flags_from(starts_person, "starts_person", layout.limbs.size());
            const openpose::NetOutput net{net_output.data(), dim_as_int(net_output, 0, "net_output"),
                                          dim_as_int(net_output, 1, "net_output"),
                                          dim_as_int(net_output, 2, "net_output")};
            openpose::SeedResult r;
            {
                py::gil_scoped_release release;
                r = openpose::seed_postprocess(net, width, height, layout, threshold,
                                               {n_samples, paf_threshold, min_fraction});
            }
            const py::list keypoints = list_of(r.keypoints, keypoints_to_numpy);
            const py::list valid_pairs = list_of(r.valid_pairs, pairs_to_numpy);
            const auto n = static_cast<py::ssize_t>(r.persons.size()) / n_parts;
            return py::make_tuple(keypoints, valid_pairs, r.invalid_pairs,
                                  to_numpy(std::move(r.persons), {n, static_cast<py::ssize_t>(n_parts)}));
        },
        py::arg("net_output").noconvert(), py::arg("width"), py::arg("height"), py::arg("n_parts"),
        py::arg("limbs").noconvert(), py::arg("starts_person").noconvert(), py::arg("threshold"), py::arg("n_samples"),
        py::arg("paf_threshold"), py::arg("min_fraction"),
        "The original program's post-processing: (keypoints, valid_pairs, invalid_pairs, persons).");
}
