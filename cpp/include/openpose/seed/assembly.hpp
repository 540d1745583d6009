// Seed mode: grouping scored limbs into people, the original program's
// getPersonwiseKeypoints.
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/common/types.hpp"

namespace openpose {

// The original program's getPersonwiseKeypoints. Limbs are visited in
// order; each valid pair (a, b) of limb k joins the first person whose slot
// for part_a holds a (its slot for part_b is then overwritten with b), or,
// if none does and `starts_person[k]` is set, starts a new person with just
// a and b. (The original allows this for limbs k < 17 of COCO.)
// Returns persons as rows of n_parts keypoint ids, -1 where missing,
// row-major P x n_parts.
// Throws std::invalid_argument if the tables disagree in size or name parts
// outside 0..n_parts-1.
std::vector<int> seed_assemble(const std::vector<std::vector<ValidPair>>& valid_pairs, const std::vector<Limb>& limbs,
                               const std::vector<std::uint8_t>& starts_person, int n_parts);

}  // namespace openpose
