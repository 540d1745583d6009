// Limits on what the core accepts, so that hostile input stays bounded in
// memory and time. They sit far above anything a real photo or a real
// network output reaches (docs/robustness.md). Defined here only: the
// extension exports them (openpose._ext.MAX_IMAGE_SIDE, ...) and
// openpose._validation reads them from there. The checks that use them are
// in validation.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace openpose {

// Largest image side, and largest image area, in pixels (the seed
// algorithm resizes every map to the image size).
constexpr int kMaxImageSide = 32768;
constexpr std::int64_t kMaxImagePixels = std::int64_t{8192} * 8192;

// Most keypoint candidates one part may have. Limb scoring compares every
// candidate of one part with every candidate of the other, so a heatmap of
// noise or a checkerboard would make it quadratic in the image area; real
// network outputs have a few dozen candidates per part at most (CMU
// OpenPose itself keeps at most 127 peaks per part).
constexpr std::size_t kMaxPeaksPerPart = 500;

// Most samples along one candidate limb (the seed default is 10).
constexpr int kMaxSamples = 10000;

// Most parts in a layout (the known ones have 15 to 25).
constexpr int kMaxParts = 1024;

// Largest upsampling factor of accurate mode (OpenPose's choice: 8, the stride).
constexpr int kMaxFactor = 8;

// Largest peak refinement radius of accurate mode (OpenPose: 3, a 7x7 window).
constexpr int kMaxRadius = 50;

// Largest `min_parts` of accurate mode (any value above the parts of a
// layout keeps nobody).
constexpr int kMaxMinParts = 1000000;

}  // namespace openpose
