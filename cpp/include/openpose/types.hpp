// Plain data types shared by the C++ core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace openpose {

// An integer pixel position, (x, y), like cv::Point.
struct Point {
    int x;
    int y;
};

// A read-only view of a 2-D float32 map stored row by row.
// Row r starts at data + r * stride (stride counted in floats).
struct MapView {
    const float* data = nullptr;
    int width = 0;
    int height = 0;
    std::ptrdiff_t stride = 0;

    float at(int x, int y) const { return data[static_cast<std::ptrdiff_t>(y) * stride + x]; }
    const float* row(int y) const { return data + static_cast<std::ptrdiff_t>(y) * stride; }
};

// A peak of one heatmap: integer position and score.
struct Peak {
    int x;
    int y;
    float score;
};

// A detected keypoint: its id (numbered across all parts), position and score.
struct Keypoint {
    int id;
    int x;
    int y;
    float score;
};

// A scored connection between keypoint a_id and keypoint b_id of one limb.
struct ValidPair {
    int a_id;
    int b_id;
    float score;
};

// One limb of a layout: the two parts it joins and the two PAF channels
// (x component, y component) that describe it, as indices into the network
// output's channel axis.
struct Limb {
    int part_a;
    int part_b;
    int paf_x;
    int paf_y;
};

}  // namespace openpose

namespace openpose {

// A keypoint with a sub-pixel position (accurate mode): its id (numbered
// across all parts), position (x, y) and score.
struct KeypointF {
    int id;
    float x;
    float y;
    float score;
};

}  // namespace openpose
