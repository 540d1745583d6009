#include "openpose/accurate/assembly.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>

#include "openpose/common/validation.hpp"

namespace openpose {

namespace {

// Score of each keypoint id, and the part each id belongs to.
struct IdTable {
    std::unordered_map<int, float> score;
    std::unordered_map<int, int> part;
};

IdTable id_table(const std::vector<std::vector<KeypointF>>& keypoints) {
    IdTable t;
    for (std::size_t p = 0; p < keypoints.size(); ++p) {
        for (const KeypointF& k : keypoints[p]) {
            if (!t.score.emplace(k.id, k.score).second) throw std::invalid_argument("keypoint ids must be unique");
            t.part.emplace(k.id, static_cast<int>(p));
        }
    }
    return t;
}

void check_tables(const std::vector<std::vector<KeypointF>>& keypoints,
                  const std::vector<std::vector<ValidPair>>& connections, const std::vector<Limb>& limbs,
                  const IdTable& ids) {
    const auto n_parts = static_cast<int>(keypoints.size());
    if (connections.size() != limbs.size()) throw std::invalid_argument("one list of connections per limb is needed");
    check_limb_parts(n_parts, limbs);
    for (std::size_t k = 0; k < limbs.size(); ++k) {
        const Limb& l = limbs[k];
        for (const ValidPair& c : connections[k]) {
            const auto a = ids.part.find(c.a_id);
            const auto b = ids.part.find(c.b_id);
            if (a == ids.part.end() || b == ids.part.end() || a->second != l.part_a || b->second != l.part_b) {
                throw std::invalid_argument("connection of limb " + std::to_string(k) +
                                            " names a keypoint that is not a candidate of its parts");
            }
        }
    }
}

AccuratePerson new_person(int n_parts) {
    AccuratePerson p;
    p.slots.assign(static_cast<std::size_t>(n_parts), -1);
    return p;
}

}  // namespace

std::vector<AccuratePerson> accurate_group_cpu(const std::vector<std::vector<KeypointF>>& keypoints,
                                               const std::vector<std::vector<ValidPair>>& connections,
                                               const std::vector<Limb>& limbs,
                                               const std::vector<std::uint8_t>& fill_only) {
    const IdTable ids = id_table(keypoints);
    check_tables(keypoints, connections, limbs, ids);
    check_limb_flags(fill_only, limbs, "fill_only");
    const auto n_parts = static_cast<int>(keypoints.size());
    std::vector<AccuratePerson> people;
    for (std::size_t k = 0; k < limbs.size(); ++k) {
        const auto pa = static_cast<std::size_t>(limbs[k].part_a);
        const auto pb = static_cast<std::size_t>(limbs[k].part_b);
        const auto& cand_a = keypoints[pa];
        const auto& cand_b = keypoints[pb];
        if (cand_a.empty() || cand_b.empty()) {
            const std::size_t part = cand_a.empty() ? pb : pa;
            for (const KeypointF& kp : keypoints[part]) {
                const bool known = std::any_of(people.begin(), people.end(),
                                               [&](const AccuratePerson& p) { return p.slots[part] == kp.id; });
                if (known) continue;
                AccuratePerson p = new_person(n_parts);
                p.slots[part] = kp.id;
                p.count = 1;
                p.score = kp.score;
                people.push_back(std::move(p));
            }
            continue;
        }
        // Greedy one-to-one matching, best first.
        std::vector<std::tuple<float, int, int>> sorted;
        sorted.reserve(connections[k].size());
        for (const ValidPair& c : connections[k]) sorted.emplace_back(c.score, c.a_id, c.b_id);
        std::sort(sorted.begin(), sorted.end(), std::greater<std::tuple<float, int, int>>());
        const std::size_t limit = std::min(cand_a.size(), cand_b.size());
        std::vector<ValidPair> chosen;
        std::vector<int> used_a, used_b;
        for (const auto& [s, a, b] : sorted) {
            if (std::find(used_a.begin(), used_a.end(), a) != used_a.end() ||
                std::find(used_b.begin(), used_b.end(), b) != used_b.end()) {
                continue;
            }
            chosen.push_back(ValidPair{a, b, s});
            if (chosen.size() == limit) break;
            used_a.push_back(a);
            used_b.push_back(b);
        }
        if (fill_only[k]) {
            for (const ValidPair& c : chosen) {
                for (AccuratePerson& p : people) {
                    if (p.slots[pa] == c.a_id && p.slots[pb] == -1) {
                        p.slots[pb] = c.b_id;
                    } else if (p.slots[pb] == c.b_id && p.slots[pa] == -1) {
                        p.slots[pa] = c.a_id;
                    }
                }
            }
            continue;
        }
        for (const ValidPair& c : chosen) {
            auto it = std::find_if(people.begin(), people.end(),
                                   [&](const AccuratePerson& p) { return p.slots[pa] == c.a_id; });
            if (it != people.end()) {
                it->slots[pb] = c.b_id;
                it->count += 1;
                it->score = it->score + (ids.score.at(c.b_id) + c.score);
            } else {
                AccuratePerson p = new_person(n_parts);
                p.slots[pa] = c.a_id;
                p.slots[pb] = c.b_id;
                p.count = 2;
                p.score = (ids.score.at(c.a_id) + ids.score.at(c.b_id)) + c.score;
                people.push_back(std::move(p));
            }
        }
    }
    return people;
}

std::vector<AccuratePerson> accurate_group_gpu(const std::vector<std::vector<KeypointF>>& keypoints,
                                               const std::vector<std::vector<ValidPair>>& connections,
                                               const std::vector<Limb>& limbs) {
    const IdTable ids = id_table(keypoints);
    check_tables(keypoints, connections, limbs, ids);
    const auto n_parts = static_cast<int>(keypoints.size());
    // (total, connection, limb, a, b), sorted descending.
    std::vector<std::tuple<float, float, int, int, int>> ranked;
    for (std::size_t k = 0; k < connections.size(); ++k) {
        for (const ValidPair& c : connections[k]) {
            const float total = (c.score + 0.1f * ids.score.at(c.a_id)) + 0.1f * ids.score.at(c.b_id);
            ranked.emplace_back(total, c.score, static_cast<int>(k), c.a_id, c.b_id);
        }
    }
    std::sort(ranked.begin(), ranked.end(), std::greater<std::tuple<float, float, int, int, int>>());

    std::vector<AccuratePerson> people;
    std::unordered_map<int, int> assigned;  // keypoint id -> person index
    auto owner_of = [&assigned](int id) {
        const auto it = assigned.find(id);
        return it == assigned.end() ? -1 : it->second;
    };
    for (const auto& [total, s, k, a, b] : ranked) {
        (void)total;
        const auto pa = static_cast<std::size_t>(limbs[static_cast<std::size_t>(k)].part_a);
        const auto pb = static_cast<std::size_t>(limbs[static_cast<std::size_t>(k)].part_b);
        const int ia = owner_of(a);
        const int ib = owner_of(b);
        if (ia < 0 && ib < 0) {
            AccuratePerson p = new_person(n_parts);
            p.slots[pa] = a;
            p.slots[pb] = b;
            p.count = 2;
            p.score = (ids.score.at(a) + ids.score.at(b)) + s;
            assigned[a] = assigned[b] = static_cast<int>(people.size());
            people.push_back(std::move(p));
        } else if (ia < 0 || ib < 0) {
            const int owner = ia >= 0 ? ia : ib;
            const std::size_t part = ia >= 0 ? pb : pa;
            const int id = ia >= 0 ? b : a;
            AccuratePerson& p = people[static_cast<std::size_t>(owner)];
            if (p.slots[part] == -1) {
                p.slots[part] = id;
                p.count += 1;
                p.score = p.score + (ids.score.at(id) + s);
                assigned[id] = owner;
            }
        } else if (ia == ib) {
            people[static_cast<std::size_t>(ia)].score = people[static_cast<std::size_t>(ia)].score + s;
        } else {
            const int keep = std::min(ia, ib);
            const int drop = std::max(ia, ib);
            AccuratePerson& p1 = people[static_cast<std::size_t>(keep)];
            const AccuratePerson& p2 = people[static_cast<std::size_t>(drop)];
            bool disjoint = true;
            for (std::size_t part = 0; part < p1.slots.size(); ++part) {
                if (p1.slots[part] != -1 && p2.slots[part] != -1) {
                    disjoint = false;
                    break;
                }
            }
            if (!disjoint) continue;
            for (std::size_t part = 0; part < p1.slots.size(); ++part) {
                if (p1.slots[part] == -1) p1.slots[part] = p2.slots[part];
            }
            p1.count += p2.count;
            p1.score = p1.score + (p2.score + s);
            people.erase(people.begin() + drop);
            for (auto& entry : assigned) {
                if (entry.second == drop) {
                    entry.second = keep;
                } else if (entry.second > drop) {
                    entry.second -= 1;
                }
            }
        }
    }
    return people;
}

AccuratePeople accurate_select(const std::vector<AccuratePerson>& people, int n_parts, int n_limbs, int min_parts,
                               float min_mean_score) {
    AccuratePeople out;
    for (const AccuratePerson& p : people) {
        if (p.count >= min_parts && p.score / static_cast<float>(p.count) >= min_mean_score) {
            out.persons.insert(out.persons.end(), p.slots.begin(), p.slots.end());
            out.scores.push_back(p.score / static_cast<float>(n_parts + n_limbs));
        }
    }
    return out;
}

AccuratePeople accurate_assemble(const std::vector<std::vector<KeypointF>>& keypoints,
                                 const std::vector<std::vector<ValidPair>>& connections, const std::vector<Limb>& limbs,
                                 const std::vector<std::uint8_t>& fill_only, Grouping grouping, int min_parts,
                                 float min_mean_score) {
    const auto people = grouping == Grouping::cpu ? accurate_group_cpu(keypoints, connections, limbs, fill_only)
                                                  : accurate_group_gpu(keypoints, connections, limbs);
    return accurate_select(people, static_cast<int>(keypoints.size()), static_cast<int>(limbs.size()), min_parts,
                           min_mean_score);
}

}  // namespace openpose
