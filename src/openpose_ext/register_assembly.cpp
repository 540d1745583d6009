// Person assembly from scored limbs.
#include "common.hpp"

#include "openpose/assembly.hpp"

using namespace openpose_ext;

void register_assembly(py::module_& m) {
    m.def(
        "seed_assemble",
        [](const std::vector<F32Array>& valid_pairs, const I32Array& limbs, const U8Array& starts_person, int n_parts) {
            const auto limb_table = limbs_from(limbs);
            const auto starts = flags_from(starts_person, "starts_person", limb_table.size());
            const auto pairs = vector_of(valid_pairs, [](const F32Array& a) { return pairs_from(a, "valid_pairs"); });
            std::vector<int> persons;
            {
                py::gil_scoped_release release;
                persons = openpose::seed_assemble(pairs, limb_table, starts, n_parts);
            }
            const auto n = static_cast<py::ssize_t>(persons.size()) / n_parts;
            return to_numpy(std::move(persons), {n, static_cast<py::ssize_t>(n_parts)});
        },
        py::arg("valid_pairs"), py::arg("limbs").noconvert(), py::arg("starts_person").noconvert(), py::arg("n_parts"),
        "The original getPersonwiseKeypoints: (P, n_parts) int32 keypoint ids, -1 where missing.");
}
