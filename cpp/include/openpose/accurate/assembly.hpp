// Accurate mode: CMU OpenPose's person grouping and selection.
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/common/types.hpp"

namespace openpose {

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
