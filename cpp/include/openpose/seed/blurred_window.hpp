// Seed mode: the blurred, resized map over one image window, evaluated
// only where needed: bounds per block of pixels, exact values on demand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "openpose/common/image.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

// The map the original program thresholds and searches is
//     smooth = gaussian_blur3(resize_linear(src, grid))
// at image resolution. When the grid upscales a lot (a 4K frame from a
// 82x46 map: one source cell covers ~47x47 image pixels), almost every pixel
// of a blob is far above or far below the threshold, and almost every pixel
// of a contour's interior is far below the blob's maximum. BlurredWindow
// answers both questions with per-block bounds and computes exact values
// (the same float operations in the same order as the full-size path) only
// for the blocks the bounds cannot decide (blurred_resized). See
// blurred_window.cpp for why the bounds hold.
class BlurredWindow {
public:
    // `box`: the window, inside the image (grid's destination size).
    // Throws std::invalid_argument for an identity grid, an image narrower
    // or lower than 2 pixels, a box outside the image or a map that does
    // not match the grid.
    BlurredWindow(const MapView& src, const ResizeGrid& grid, const Box& box);

    // The thresholded window (255 where smooth > threshold, else 0), row
    // major, box width x box height bytes, into `mask` (resized to fit).
    void threshold_mask(float threshold, std::vector<std::uint8_t>& mask) const;

    // The first maximum of smooth, in raster order, over the union of
    // `spans` (which must lie in the window); the result of scanning every
    // pixel. Returns {-1, -1} for no pixel.
    Point first_maximum(const std::vector<Span>& spans) const;

    // Exact smooth values of the rectangle x0..x1, y0..y1 (inclusive, inside
    // the image), row-major into `out` (resized to fit).
    void exact(int x0, int x1, int y0, int y1, std::vector<float>& out) const;

private:
    // Blocks: the lattice columns lx_ (and rows ly_) cut the resized window
    // into closed rectangles [lx_[i], lx_[i+1]] x [ly_[j], ly_[j+1]]; pixel
    // column x belongs to block column i with lx_[i] <= x < lx_[i+1] (the
    // last lattice column to the last block).
    int block_col(int x) const { return col_block_[static_cast<std::size_t>(x - lx_.front())]; }
    int block_row(int y) const { return row_block_[static_cast<std::size_t>(y - ly_.front())]; }
    std::size_t block_index(int i, int j) const {
        return static_cast<std::size_t>(j) * static_cast<std::size_t>(n_bx_) + static_cast<std::size_t>(i);
    }

    MapView src_;
    const ResizeGrid& grid_;
    Box box_;
    std::vector<int> lx_;          // lattice columns, ascending, first = window start - 1 (clipped)
    std::vector<int> ly_;          // lattice rows
    std::vector<int> col_block_;   // block column of every pixel column from lx_.front()
    std::vector<int> row_block_;   // block row of every pixel row from ly_.front()
    int n_bx_ = 0;                 // blocks per row (lx_.size() - 1)
    int n_by_ = 0;
    std::vector<float> lo_;        // per block: every smooth value of the block is >= lo_
    std::vector<float> hi_;        // per block: every smooth value of the block is <= hi_

    // Scratch space of exact() (so one window is not shared between threads).
    mutable BlurScratch scratch_;
};

}  // namespace openpose
