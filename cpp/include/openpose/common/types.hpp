// Plain data types shared by the C++ core (both algorithms).
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

// An inclusive pixel box: columns x0..x1, rows y0..y1.
struct Box {
    int x0;
    int y0;
    int x1;
    int y1;

    int width() const { return x1 - x0 + 1; }
    int height() const { return y1 - y0 + 1; }
    bool contains(int x, int y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
    // Grows the box to hold (x, y).
    void add(int x, int y) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
    }
    // Row-major index of (x, y) in a buffer of this box's pixels.
    std::size_t index(int x, int y) const {
        return static_cast<std::size_t>(y - y0) * static_cast<std::size_t>(width()) + static_cast<std::size_t>(x - x0);
    }
};

// A horizontal run of pixels: x0..x1 (both inclusive) on row y.
struct Span {
    int y;
    int x0;
    int x1;
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

// A network output blob of `channels` maps of height x width floats,
// C-contiguous (channel, row, column). The original program's
// splitNetOutputBlobToParts copies each channel out and resizes it to the
// image; here a channel is a view (channel()) and both algorithms read it
// through a resize grid on demand instead.
struct NetOutput {
    const float* data = nullptr;
    int channels = 0;
    int height = 0;
    int width = 0;

    MapView channel(int c) const {
        const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(height) * width;
        return MapView{data + plane * c, width, height, width};
    }
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

// A keypoint with a sub-pixel position (accurate mode): its id (numbered
// across all parts), position (x, y) and score.
struct KeypointF {
    int id;
    float x;
    float y;
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
// output's channel axis (the original program's POSE_PAIRS and mapIdx).
struct Limb {
    int part_a;
    int part_b;
    int paf_x;
    int paf_y;
};

}  // namespace openpose
