// The first maximum in raster order, as cv::minMaxLoc reports it, kept while
// values are offered in any order.
#pragma once

#include "openpose/types.hpp"

namespace openpose {

struct FirstMaximum {
    float value = 0.0f;
    int x = -1;
    int y = -1;

    bool empty() const { return x < 0; }

    // Keeps (v, px, py) if it is larger, or equal and earlier in raster order.
    void offer(float v, int px, int py) {
        const bool earlier = py < y || (py == y && px < x);
        if (empty() || v > value || (v == value && earlier)) {
            value = v;
            x = px;
            y = py;
        }
    }

    Point point() const { return Point{x, y}; }
};

}  // namespace openpose
