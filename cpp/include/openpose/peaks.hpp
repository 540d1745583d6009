// Keypoint candidates (peaks) of one part's heatmap.
#pragma once

#include <cstdint>
#include <vector>

#include "openpose/image.hpp"
#include "openpose/polygon.hpp"
#include "openpose/types.hpp"

namespace openpose {

// Buffers seed_find_peaks reuses from one map to the next (large windows
// would otherwise be fresh allocations, and fresh pages, for every map).
// Holds no results: any workspace, new or used, gives the same peaks. One
// workspace per thread.
struct SeedPeakWorkspace {
    std::vector<float> smooth;
    std::vector<float> rows;
    std::vector<float> resized;
    std::vector<float> rowpass;
    std::vector<std::uint8_t> mask;
    std::vector<std::uint8_t> contour_work;
    std::vector<Span> spans;
};

// The original program's getKeyPoints, on a network-resolution heatmap:
// resize to the image size (grid), blur 3x3, threshold (value > threshold),
// trace every contour (outer and hole, OpenCV's RETR_TREE order), fill each
// contour as cv::fillConvexPoly does and take the first maximum of the
// blurred map inside it. The peak's score is the resized (unblurred) map at
// that pixel. Peaks come in contour order.
// Throws std::invalid_argument if the map does not match the grid's source
// size or threshold is negative or not finite. A map with NaN or infinite
// values gives valid positions but otherwise unspecified peaks
// (seed_postprocess and the bindings reject such maps first).
std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold);

// The same, with its buffers in `workspace`.
std::vector<Peak> seed_find_peaks(const MapView& heatmap, const ResizeGrid& grid, float threshold,
                                  SeedPeakWorkspace& workspace);

// The same, on a map already at image size (no resize).
std::vector<Peak> seed_find_peaks_full(const MapView& prob, float threshold);

}  // namespace openpose

namespace openpose {

// --- Accurate mode: CMU OpenPose's peak finding (nmsCpu) --------------------

struct AccuratePeakParams {
    float threshold = 0.05f;  // a peak is above this
    int max_peaks = 127;      // per part, the first ones in raster order
    int radius = 3;           // refinement window (2 radius + 1)^2: 7x7
};

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
std::vector<SubpixelPeak> accurate_find_peaks(const MapView& heatmap, const CubicGrid& grid,
                                              const AccuratePeakParams& params);

// Working-resolution coordinate -> image pixels, with pixel centres
// aligned: (v + 0.5) * image_len / work_len - 0.5, in float.
float to_image_coord(float v, int work_len, int image_len);

}  // namespace openpose
