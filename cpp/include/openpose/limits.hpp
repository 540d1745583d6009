// Limits on what the core accepts, so that hostile input stays bounded in
// memory and time. They sit far above anything a real photo or a real
// network output reaches (docs/robustness.md); the Python package mirrors
// them in openpose._validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

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

// Throws std::invalid_argument naming `what` unless width x height is a
// positive size within kMaxImageSide and kMaxImagePixels.
inline void check_image_size(int width, int height, const char* what) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument(std::string(what) + " must be positive, got " + std::to_string(width) + "x" +
                                    std::to_string(height));
    }
    if (width > kMaxImageSide || height > kMaxImageSide ||
        static_cast<std::int64_t>(width) * height > kMaxImagePixels) {
        throw std::invalid_argument(std::string(what) + " " + std::to_string(width) + "x" + std::to_string(height) +
                                    " is too large: at most " + std::to_string(kMaxImageSide) +
                                    " pixels a side and " + std::to_string(kMaxImagePixels) + " pixels in all");
    }
}

// Throws std::invalid_argument unless `n` candidates fit kMaxPeaksPerPart.
inline void check_candidate_count(std::size_t n, const std::string& what) {
    if (n > kMaxPeaksPerPart) {
        throw std::invalid_argument(what + " has " + std::to_string(n) + " keypoint candidates, more than the limit of " +
                                    std::to_string(kMaxPeaksPerPart) +
                                    " per part (a heatmap of noise? see docs/robustness.md)");
    }
}

}  // namespace openpose
