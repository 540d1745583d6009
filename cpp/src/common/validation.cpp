#include "openpose/common/validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace openpose {

namespace {

bool parts_in_range(const Limb& l, int n_parts) {
    return l.part_a >= 0 && l.part_b >= 0 && l.part_a < n_parts && l.part_b < n_parts;
}

std::string quoted(const char* name) { return std::string("`") + name + "`"; }

}  // namespace

void check_image_size(int width, int height, const char* what) {
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

void check_candidate_count(std::size_t n, const std::string& what) {
    if (n > kMaxPeaksPerPart) {
        throw std::invalid_argument(what + " has " + std::to_string(n) + " keypoint candidates, more than the limit of " +
                                    std::to_string(kMaxPeaksPerPart) +
                                    " per part (a heatmap of noise? see docs/robustness.md)");
    }
}

void require_finite(const MapView& map, const char* what) {
    for (int y = 0; y < map.height; ++y) {
        const float* row = map.row(y);
        // NaN and infinities have every exponent bit set. Counting them over
        // the whole row (no early exit, an integer sum) vectorises; only a
        // row with one is searched for its first bad value.
        const int width = map.width;
        std::uint32_t n_bad = 0;
        for (int x = 0; x < width; ++x) {
            std::uint32_t bits;
            std::memcpy(&bits, row + x, sizeof bits);
            n_bad += (bits & 0x7f800000u) == 0x7f800000u ? 1u : 0u;
        }
        if (n_bad == 0) continue;
        for (int x = 0; x < width; ++x) {
            if (!std::isfinite(row[x])) {
                throw std::invalid_argument(std::string(what) + " contains NaN or infinite values (first at x=" +
                                            std::to_string(x) + ", y=" + std::to_string(y) + ")");
            }
        }
    }
}

void check_paf_size(const MapView& paf_x, const MapView& paf_y, int width, int height, const char* grid) {
    if (paf_x.width != width || paf_x.height != height || paf_y.width != width || paf_y.height != height) {
        throw std::invalid_argument(std::string("PAF map size does not match the ") + grid);
    }
}

void check_net_shape(const NetOutput& net, int n_channels_needed) {
    if (net.data == nullptr || net.height <= 0 || net.width <= 0) {
        throw std::invalid_argument("net_output maps must not be empty, got " + std::to_string(net.height) + "x" +
                                    std::to_string(net.width));
    }
    if (net.channels < n_channels_needed) {
        throw std::invalid_argument("net_output has " + std::to_string(net.channels) +
                                    " channels, the layout needs at least " + std::to_string(n_channels_needed));
    }
}

void check_net_output(const NetOutput& net, int n_channels_needed) {
    check_net_shape(net, n_channels_needed);
    for (int c = 0; c < net.channels; ++c) require_finite(net.channel(c), "net_output");
}

void check_threshold(float value, const char* name) {
    if (!(value >= 0.0f) || !std::isfinite(value)) {
        throw std::invalid_argument(quoted(name) + " must be a finite number >= 0, got " + std::to_string(value));
    }
}

void check_finite(float value, const char* name) {
    if (!std::isfinite(value)) {
        throw std::invalid_argument(quoted(name) + " must be finite, got " + std::to_string(value));
    }
}

void check_int_range(int value, int lo, int hi, const char* name) {
    if (value < lo || value > hi) {
        throw std::invalid_argument(quoted(name) + " must be between " + std::to_string(lo) + " and " +
                                    std::to_string(hi) + ", got " + std::to_string(value));
    }
}

void check_n_samples(int n) { check_int_range(n, 2, kMaxSamples, "n_samples"); }

void check_factor(int factor) { check_int_range(factor, 1, kMaxFactor, "factor"); }

void check_n_parts(int n_parts) { check_int_range(n_parts, 1, kMaxParts, "n_parts"); }

void check_limb_parts(int n_parts, const std::vector<Limb>& limbs) {
    for (const Limb& l : limbs) {
        if (!parts_in_range(l, n_parts)) throw std::invalid_argument("layout names a limb part outside 0..n_parts-1");
    }
}

int check_limbs(int n_parts, const std::vector<Limb>& limbs) {
    int needed = n_parts;
    for (const Limb& l : limbs) {
        if (l.paf_x < 0 || l.paf_y < 0) throw std::invalid_argument("layout names a negative PAF channel");
        if (!parts_in_range(l, n_parts)) throw std::invalid_argument("layout names a limb part outside 0..n_parts-1");
        needed = std::max({needed, l.paf_x + 1, l.paf_y + 1});
    }
    return needed;
}

void check_limb_flags(const std::vector<std::uint8_t>& flags, const std::vector<Limb>& limbs, const char* name) {
    if (flags.size() != limbs.size()) {
        throw std::invalid_argument(quoted(name) + " must have one entry per limb, got " +
                                    std::to_string(flags.size()) + " for " + std::to_string(limbs.size()) + " limbs");
    }
}

}  // namespace openpose
