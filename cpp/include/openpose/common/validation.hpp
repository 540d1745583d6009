// The checks of the C++ core, in one place: sizes, maps, parameters and
// layout tables. Each throws std::invalid_argument with a message naming
// what is wrong; the bindings turn it into ValueError. The parameter checks
// take the parameter's name (as the Python API spells it) and quote it in
// backticks. The algorithms' own parameter sets are checked by
// check_params() overloads next to them (seed/, accurate/), built from these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "openpose/common/limits.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

// --- Sizes and counts ------------------------------------------------------

// Unless width x height is a positive size within kMaxImageSide and kMaxImagePixels.
void check_image_size(int width, int height, const char* what);

// Unless `n` candidates fit kMaxPeaksPerPart.
void check_candidate_count(std::size_t n, const std::string& what);

// Unless every value of `map` is finite (no NaN, no infinity).
void require_finite(const MapView& map, const char* what);

// Unless both PAF maps have the size width x height (the grid's source size).
void check_paf_size(const MapView& paf_x, const MapView& paf_y, int width, int height, const char* grid);

// Unless `net` is a non-empty blob with at least `n_channels_needed` channels.
void check_net_shape(const NetOutput& net, int n_channels_needed);

// check_net_shape, and every value of every channel finite.
void check_net_output(const NetOutput& net, int n_channels_needed);

// --- Parameters ------------------------------------------------------------

// Unless `value` is finite and >= 0 (a peak threshold).
void check_threshold(float value, const char* name);

// Unless `value` is finite.
void check_finite(float value, const char* name);

// Unless lo <= value <= hi.
void check_int_range(int value, int lo, int hi, const char* name);

// Seed mode's samples per limb: 2..kMaxSamples.
void check_n_samples(int n);

// Accurate mode's upsampling factor: 1..kMaxFactor.
void check_factor(int factor);

// --- Layout tables ---------------------------------------------------------

// Unless 1 <= n_parts <= kMaxParts.
void check_n_parts(int n_parts);

// Unless every limb joins parts in 0..n_parts-1.
void check_limb_parts(int n_parts, const std::vector<Limb>& limbs);

// Unless every limb joins parts in 0..n_parts-1 and names non-negative PAF
// channels. Returns how many channels of a network output the layout reads
// (its parts, then its PAF channels).
int check_limbs(int n_parts, const std::vector<Limb>& limbs);

// Unless `flags` has one entry per limb.
void check_limb_flags(const std::vector<std::uint8_t>& flags, const std::vector<Limb>& limbs, const char* name);

}  // namespace openpose
