#include "openpose/seed/assembly.hpp"

#include <stdexcept>
#include <string>

#include "openpose/common/validation.hpp"

namespace openpose {

// The original program's getPersonwiseKeypoints.
std::vector<int> seed_assemble(const std::vector<std::vector<ValidPair>>& valid_pairs, const std::vector<Limb>& limbs,
                               const std::vector<std::uint8_t>& starts_person, int n_parts) {
    if (valid_pairs.size() != limbs.size() || starts_person.size() != limbs.size()) {
        throw std::invalid_argument("valid_pairs, limbs and starts_person must have one entry per limb");
    }
    check_n_parts(n_parts);
    for (std::size_t k = 0; k < valid_pairs.size(); ++k) {
        // Seed scoring gives at most one pair per candidate of part A.
        if (valid_pairs[k].size() > kMaxPeaksPerPart) {
            throw std::invalid_argument("valid_pairs of limb " + std::to_string(k) + " has " +
                                        std::to_string(valid_pairs[k].size()) + " pairs, more than the limit of " +
                                        std::to_string(kMaxPeaksPerPart) + " (one per candidate of a part)");
        }
    }
    check_limb_parts(n_parts, limbs);
    const auto stride = static_cast<std::size_t>(n_parts);
    std::vector<int> persons;  // P x n_parts, row-major
    for (std::size_t k = 0; k < limbs.size(); ++k) {
        const auto a_slot = static_cast<std::size_t>(limbs[k].part_a);
        const auto b_slot = static_cast<std::size_t>(limbs[k].part_b);
        for (const ValidPair& pair : valid_pairs[k]) {
            const std::size_t n_persons = persons.size() / stride;
            std::size_t found = n_persons;
            for (std::size_t p = 0; p < n_persons; ++p) {
                if (persons[p * stride + a_slot] == pair.a_id) {
                    found = p;
                    break;
                }
            }
            if (found < n_persons) {
                persons[found * stride + b_slot] = pair.b_id;
            } else if (starts_person[k] != 0) {
                persons.insert(persons.end(), stride, -1);
                persons[n_persons * stride + a_slot] = pair.a_id;
                persons[n_persons * stride + b_slot] = pair.b_id;
            }
        }
    }
    return persons;
}

}  // namespace openpose
