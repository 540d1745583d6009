// Accurate mode: CMU OpenPose's peak finding (nmsCpu) on one heatmap.
#pragma once

#include <vector>

#include "openpose/accurate/upsample.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

struct AccuratePeakParams {
    float threshold = 0.05f;  // a peak is above this
    int max_peaks = 127;      // per part, the first ones in raster order
    int radius = 3;           // refinement window (2 radius + 1)^2: 7x7
};

// Throws std::invalid_argument unless threshold is finite and >= 0,
// max_peaks in 0..kMaxPeaksPerPart and radius in 0..kMaxRadius.
void check_params(const AccuratePeakParams& params);

// A peak at a sub-pixel position (working-resolution pixels).
struct SubpixelPeak {
    float x;
    float y;
    float score;
};

// Peaks of a heatmap already at working resolution: pixels not on the outer
// border, above `threshold` and strictly greater than their 8 neighbours,
// the first `max_peaks` in raster order. Each is refined to the mean of x
// and y weighted by the map over the window (values > 0 only, accumulated
// in float row by row); its score is the map value at the integer peak.
// Throws std::invalid_argument for bad parameters.
std::vector<SubpixelPeak> accurate_find_peaks(const MapView& map, const AccuratePeakParams& params);

// The same on a network-resolution heatmap read through a bicubic grid
// (upsampled by grid.factor; identical results to upsampling it first).
// Only the pixels that can be above the threshold, by a bound on the
// source values they read, are scanned; upsampled values are computed
// where they are read.
std::vector<SubpixelPeak> accurate_find_peaks(const MapView& heatmap, const CubicGrid& grid,
                                              const AccuratePeakParams& params);

// Working-resolution coordinate -> image pixels, with pixel centres
// aligned: (v + 0.5) * image_len / work_len - 0.5, in float.
float to_image_coord(float v, int work_len, int image_len);

}  // namespace openpose
