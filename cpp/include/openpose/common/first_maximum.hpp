// The first maximum in raster order, as cv::minMaxLoc reports it, kept while
// values are offered in any order.
#pragma once

#include "openpose/common/types.hpp"

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

    // Offers row[0..n-1] as the pixels (x0, y) .. (x0 + n - 1, y), with the
    // result of offering them one by one. Only the leftmost maximum of the
    // row can win (raster order breaks ties), so the row's maximum is found
    // first (eight independent lanes, which compilers vectorise), then its
    // first position. A NaN in the row can make that maximum differ from the
    // one-by-one result (a NaN offered first sticks; NaN never equals the
    // maximum): such rows, where the maximum is not found in the row or
    // row[0] is NaN, are offered one by one.
    void offer_row(const float* row, int n, int x0, int py) {
        if (n <= 0) return;
        float lane[8];
        const int n8 = n < 8 ? 0 : n - n % 8;
        for (int k = 0; k < 8; ++k) lane[k] = row[0];
        for (int i = 0; i < n8; i += 8) {
            for (int k = 0; k < 8; ++k) lane[k] = row[i + k] > lane[k] ? row[i + k] : lane[k];
        }
        float m = lane[0];
        for (int k = 1; k < 8; ++k) m = lane[k] > m ? lane[k] : m;
        for (int i = n8; i < n; ++i) m = row[i] > m ? row[i] : m;
        int i = 0;
        while (i < n && !(row[i] == m)) ++i;
        if (i == n) {
            for (int k = 0; k < n; ++k) offer(row[k], x0 + k, py);
            return;
        }
        offer(row[i], x0 + i, py);
    }

    Point point() const { return Point{x, y}; }
};

}  // namespace openpose
