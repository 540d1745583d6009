// Grouping scored limbs into people.
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/types.hpp"

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

namespace openpose {

// --- Accurate mode: CMU OpenPose's person grouping --------------------------

// A person while grouping: keypoint id per part (-1 missing), the number of
// parts counted and the running total (keypoint scores + connection scores).
struct AccuratePerson {
    std::vector<int> slots;
    int count = 0;
    float score = 0.0f;
};

// OpenPose's CPU grouping (createPeopleVector). Limb by limb: its
// connections sorted by score (descending; ties: higher ids first) are
// matched greedily one-to-one (at most min(nA, nB)); a connection whose A
// holds a person's slot extends the first such person (B set, count + 1,
// total + score(B) + connection), else starts a person (count 2, total
// score(A) + score(B) + connection). When a limb's part A or B has no
// candidate at all, each candidate of the other part that is in nobody
// becomes a one-part person (count 1, total its score). Limbs flagged in
// `fill_only` only fill an empty slot of every person holding one of their
// two ends, changing neither count nor total.
// `keypoints`: candidates per part (ids unique); `connections`: per limb.
std::vector<AccuratePerson> accurate_group_cpu(const std::vector<std::vector<KeypointF>>& keypoints,
                                               const std::vector<std::vector<ValidPair>>& connections,
                                               const std::vector<Limb>& limbs,
                                               const std::vector<std::uint8_t>& fill_only);

// OpenPose's GPU-build grouping (pafPtrIntoVector + pafVectorIntoPeopleVector):
// all limbs' connections sorted together (descending) by connection +
// 0.1 score(A) + 0.1 score(B), then connection, limb, A id, B id; each
// starts a person (neither end assigned), extends the person of the
// assigned end (if its slot is free), adds its score to the person holding
// both ends, or merges the two people holding its ends when they share no
// part (into the earlier one; total += other total + connection).
std::vector<AccuratePerson> accurate_group_gpu(const std::vector<std::vector<KeypointF>>& keypoints,
                                               const std::vector<std::vector<ValidPair>>& connections,
                                               const std::vector<Limb>& limbs);

// The people kept: count >= min_parts and total / count >= min_mean_score.
// `persons`: rows of ids, row-major P x n_parts; `scores`: total / (n_parts + n_limbs).
struct AccuratePeople {
    std::vector<int> persons;
    std::vector<float> scores;
};
AccuratePeople accurate_select(const std::vector<AccuratePerson>& people, int n_parts, int n_limbs, int min_parts,
                               float min_mean_score);

enum class Grouping { cpu, gpu };

// Grouping then selection. Throws std::invalid_argument for inconsistent
// tables, unknown ids or ids of the wrong part.
AccuratePeople accurate_assemble(const std::vector<std::vector<KeypointF>>& keypoints,
                                 const std::vector<std::vector<ValidPair>>& connections, const std::vector<Limb>& limbs,
                                 const std::vector<std::uint8_t>& fill_only, Grouping grouping, int min_parts,
                                 float min_mean_score);

}  // namespace openpose
