// Border following (Suzuki & Abe, 1985) as done by OpenCV 4.6's
// cv::findContours(mask, RETR_TREE, CHAIN_APPROX_SIMPLE).
//
// The result must match OpenCV exactly (same contours, order, starting
// points, directions and corner points), so this file follows the same
// procedure step by step:
//
//  * The mask is copied into a work image with a one-pixel zero frame
//    (cv::findContours pads the input the same way). Work pixels hold
//    0 (background), 1 (foreground not yet on any followed border) or a
//    border mark: a 7-bit label plus kRightFlag when the pixel's east
//    neighbour is background and was examined while following the border.
//  * A raster scan starts a new border at "0 then 1" (outer border) and at
//    "unflagged nonzero then 0" (hole border). The border is followed and
//    its pixels marked; its corner points are recorded (CHAIN_APPROX_SIMPLE
//    keeps a point whenever the chain direction changes).
//  * The parent of a new border comes from the last border mark the scan
//    met on the row (Suzuki's LNBD). Labels are 7-bit like OpenCV's
//    (2, 3, ..., 127, then 3, ..., 127 again), so after 126 borders several
//    borders share a label; OpenCV then picks among them by bounding box and
//    by re-following candidate borders, and so does this file, to give the
//    same tree in those cases too. OpenCV's way is quadratic on noisy masks
//    (it scans every border with the label and re-follows candidates at
//    every look-up); here borders that end above the scan row leave the
//    per-label lists, and each border is re-followed at most once, its
//    pixels kept in a sorted table. The answers are the same: following only
//    depends on which pixels are zero, and that never changes.
//  * The output lists the tree in depth-first pre-order where, at every
//    level, later-found borders come first (OpenCV inserts each new border
//    at the head of its parent's child list).
#include "openpose/common/contours.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace openpose {

namespace {

// Chain-code directions; y grows downwards, so the codes run counter-clockwise
// on screen: 0 = east, 1 = north-east, 2 = north, ..., 6 = south, 7 = south-east.
constexpr int kDirX[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDirY[8] = {0, -1, -1, -1, 0, 1, 1, 1};

constexpr std::uint8_t kBackground = 0;
constexpr std::uint8_t kUnvisited = 1;     // foreground pixel not marked yet
constexpr std::uint8_t kRightFlag = 0x80;  // "east neighbour is background" mark
constexpr int kLabelMask = 0x7f;
constexpr int kNone = -1;                  // no border / the image frame

// A pixel of a border walk, for the label-collision look-ups: `scanned_last`
// is true when, at some visit, no foreground neighbour lies between the walk's
// next direction and the east (turning clockwise), i.e. this border is the
// last one a raster scan meets at the pixel.
struct Visit {
    std::ptrdiff_t pixel;
    bool scanned_last;
};

// One followed border (a node of the contour tree).
struct Border {
    Contour points;                 // corner points, in input-image coordinates
    std::ptrdiff_t origin = 0;      // work-image index of the starting pixel
    bool hole = false;
    bool isolated = false;          // one-pixel border (no foreground neighbour)
    int parent = kNone;             // enclosing border, kNone = image frame
    int first_child = kNone;        // most recently found child
    int next_sibling = kNone;       // previously found child of the same parent
    int next_same_label = kNone;    // previously found border with the same label
    Box box{0, 0, 0, 0};            // bounding box of `points` and the origin
    bool visits_ready = false;      // `visits` filled (on first look-up)
    std::vector<Visit> visits;      // pixels of the walk, sorted, one per pixel
};

class BorderFollower {
public:
    BorderFollower(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride,
                   std::vector<std::uint8_t>& work)
        : width_(width), height_(height), pitch_(static_cast<std::ptrdiff_t>(width) + 2), pixels_(work) {
        pixels_.assign(static_cast<std::size_t>(pitch_) * (static_cast<std::size_t>(height) + 2), kBackground);
        for (int y = 0; y < height; ++y) {
            const std::uint8_t* src = mask + static_cast<std::ptrdiff_t>(y) * stride;
            std::uint8_t* dst = &pixels_[static_cast<std::size_t>((y + 1) * pitch_ + 1)];
            for (int x = 0; x < width; ++x) dst[x] = src[x] != 0 ? kUnvisited : kBackground;
        }
        for (int d = 0; d < 16; ++d) {
            offset_[d] = static_cast<std::ptrdiff_t>(kDirY[d & 7]) * pitch_ + kDirX[d & 7];
        }
        for (int& head : label_head_) head = kNone;
    }

    std::vector<Contour> run() {
        scan();
        return tree_in_output_order();
    }

    // The same output, plus one group per outermost border (see
    // find_contours_grouped).
    std::vector<Contour> run_grouped(std::vector<ContourGroup>& groups) {
        scan();
        groups.clear();
        std::vector<Contour> out = tree_in_output_order();
        // The output is a pre-order: every border whose parent is the frame
        // opens a group that runs until the next such border.
        // A parent is always found before its children, so subtree sizes
        // add up in one backward pass over the borders.
        std::vector<std::size_t> size(borders_.size(), 1);
        for (std::size_t b = borders_.size(); b-- > 0;) {
            const int parent = borders_[b].parent;
            if (parent != kNone) size[static_cast<std::size_t>(parent)] += size[b];
        }
        std::size_t i = 0;
        for (int root = root_head_; root != kNone; root = borders_[static_cast<std::size_t>(root)].next_sibling) {
            const std::ptrdiff_t origin = borders_[static_cast<std::size_t>(root)].origin;
            const Point p{static_cast<int>(origin % pitch_) - 1, static_cast<int>(origin / pitch_) - 1};
            groups.push_back(ContourGroup{p, i, size[static_cast<std::size_t>(root)]});
            i += groups.back().count;
        }
        return out;
    }

private:
    std::uint8_t at(std::ptrdiff_t index) const { return pixels_[static_cast<std::size_t>(index)]; }
    std::uint8_t& at(std::ptrdiff_t index) { return pixels_[static_cast<std::size_t>(index)]; }

    // Raster scan of the work image (frame excluded); starts and follows
    // every border, building the contour tree.
    void scan() {
        for (int y = 1; y <= height_; ++y) {
            const std::ptrdiff_t row = y * pitch_;
            int prev = kBackground;  // value of the pixel left of x, as last seen
            // Column of the last border mark met on this row (0 = none).
            // Like OpenCV, it is only updated where the pixel value changes
            // and where a border starts, not inside a run of equal values.
            int last_mark_x = 0;
            for (int x = 1; x <= width_; ++x) {
                x = skip_run(row, x, prev);  // nothing happens inside a run
                if (x > width_) break;
                const int p = at(row + x);

                // Outer border: background, then foreground no border has
                // visited. Hole border: foreground not flagged as the right
                // end of a followed border, then background.
                const bool outer_start = prev == kBackground && p == kUnvisited;
                const bool hole_start = p == kBackground && prev != kBackground && (prev & kRightFlag) == 0;
                if (!outer_start && !hole_start) {
                    prev = p;
                    if (p > kUnvisited) last_mark_x = x;
                    continue;
                }

                // A hole border starts on the foreground pixel left of x.
                if (hole_start && prev > kUnvisited) last_mark_x = x - 1;
                const int start_x = hole_start ? x - 1 : x;
                const int parent = find_parent(last_mark_x, y, hole_start);
                follow_border(row + start_x, start_x, y, hole_start, parent);
                last_mark_x = start_x;
                prev = at(row + x);  // the border may have marked pixel x
            }
        }
    }

    // The first column from x on (up to width_ + 1) whose pixel differs
    // from `value`: whole runs are skipped 8 pixels at a time. The scan
    // only acts where the value changes, and nothing changes pixels while
    // skipping, so this is the byte-by-byte scan's answer.
    int skip_run(std::ptrdiff_t row, int x, int value) const {
        const std::uint8_t* p = pixels_.data() + row;
        const std::uint64_t pattern = static_cast<std::uint64_t>(value) * 0x0101010101010101ULL;
        while (x + 8 <= width_ + 1) {
            std::uint64_t word = 0;
            std::memcpy(&word, p + x, sizeof word);
            if (word != pattern) return x + first_differing_byte(word ^ pattern);
            x += 8;
        }
        while (x <= width_ && p[x] == value) ++x;
        return x;
    }

    // Index in memory order of the first nonzero byte of `diff` (nonzero),
    // a word loaded with memcpy.
    static int first_differing_byte(std::uint64_t diff) {
        int i = 0;
        if (little_endian()) {
            while ((diff & 0xffu) == 0) {
                diff >>= 8;
                ++i;
            }
        } else {
            while ((diff >> 56) == 0) {
                diff <<= 8;
                ++i;
            }
        }
        return i;
    }

    static bool little_endian() {
        const std::uint16_t one = 1;
        std::uint8_t first = 0;
        std::memcpy(&first, &one, 1);
        return first == 1;
    }

    // Parent of a border starting on row y, given the column of the last
    // border mark met on that row (Suzuki's LNBD decision table).
    int find_parent(int mark_x, int y, bool hole) {
        if (mark_x <= 0) return kNone;  // no border met yet on this row: the frame
        const std::ptrdiff_t mark_index = y * pitch_ + mark_x;
        const int label = at(mark_index) & kLabelMask;

        // The border that set the mark. Candidates: borders with this label
        // whose box holds the pixel, latest found first. A candidate is kept
        // when no older candidate exists or when it passes the check of
        // is_last_border_through; otherwise the next older candidate replaces
        // it (OpenCV's rule; with at most 126 borders there is only one
        // candidate).
        int found = kNone;
        // Borders whose box ends above row y can hold no pixel of this or
        // any later look-up (rows only grow): they are unlinked on the way,
        // which keeps the lists short without changing any answer.
        int* link = &label_head_[label];
        while (*link != kNone) {
            const int b = *link;
            Border& candidate = borders_[static_cast<std::size_t>(b)];
            if (candidate.box.y1 < y) {
                *link = candidate.next_same_label;
                continue;
            }
            link = &candidate.next_same_label;
            if (!candidate.box.contains(mark_x, y)) continue;
            if (found != kNone && is_last_border_through(found, mark_index)) break;
            found = b;
        }
        if (found == kNone) return kNone;  // cannot happen: the mark came from some border

        // Same kind (outer/outer or hole/hole): siblings, share the parent.
        // Different kind: the marked border encloses the new one.
        const Border& neighbour = borders_[static_cast<std::size_t>(found)];
        return neighbour.hole == hole ? neighbour.parent : found;
    }

    // First step of a border walk: turning clockwise from the west (outer
    // border) or the east (hole border), the first nonzero neighbour of
    // `start`. Returns its direction, or the initial direction itself when
    // the pixel has no foreground neighbour (a one-pixel border).
    int first_neighbour(std::ptrdiff_t start, bool hole, std::ptrdiff_t* neighbour) const {
        const int stop = hole ? 0 : 4;
        int s = stop;
        do {
            s = (s + 7) & 7;
            *neighbour = start + offset_[s];
        } while (at(*neighbour) == kBackground && s != stop);
        return s;
    }

    // Follows the border starting at work pixel `start` = (x, y), marks its
    // pixels with the next label and records it as a child of `parent`.
    void follow_border(std::ptrdiff_t start, int x, int y, bool hole, int parent) {
        const std::uint8_t label = static_cast<std::uint8_t>(next_label_);
        next_label_ = (next_label_ + 1) & kLabelMask;
        if (next_label_ == 0) next_label_ = 3;

        Border border;
        border.origin = start;
        border.hole = hole;
        border.parent = parent;
        border.box = Box{x, y, x, y};

        std::ptrdiff_t before_start = 0;  // the pixel the walk ends on
        int s = first_neighbour(start, hole, &before_start);
        if (s == (hole ? 0 : 4)) {
            // Isolated pixel.
            border.isolated = true;
            at(start) = static_cast<std::uint8_t>(label | kRightFlag);
            border.points.push_back(Point{x - 1, y - 1});
        } else {
            std::ptrdiff_t current = start;
            // A point is recorded whenever the walk changes direction. Like
            // OpenCV, the walk starts as if it had been heading away from
            // the first neighbour, so the start is normally recorded first.
            int last_dir = s ^ 4;
            int px = x;
            int py = y;
            for (;;) {
                // Turn counter-clockwise from the direction we came from to
                // the next nonzero neighbour (the pixel we came from is
                // nonzero, so at most 8 steps).
                const int back = s;
                std::ptrdiff_t next = 0;
                do {
                    ++s;
                    next = current + offset_[s];
                } while (at(next) == kBackground && s < back + 8);
                s &= 7;

                // The east neighbour was examined (the turn passed
                // direction 0) and is background: flag the pixel. Otherwise
                // label it unless an earlier border already did.
                if (static_cast<unsigned>(s - 1) < static_cast<unsigned>(back)) {
                    at(current) = static_cast<std::uint8_t>(label | kRightFlag);
                } else if (at(current) == kUnvisited) {
                    at(current) = label;
                }

                if (s != last_dir) {
                    border.points.push_back(Point{px - 1, py - 1});
                    border.box.add(px, py);
                    last_dir = s;
                }
                px += kDirX[s];
                py += kDirY[s];

                if (next == start && current == before_start) break;
                current = next;
                s = (s + 4) & 7;
            }
        }

        const int index = static_cast<int>(borders_.size());
        border.next_same_label = label_head_[label];
        label_head_[label] = index;
        if (parent == kNone) {
            border.next_sibling = root_head_;
            root_head_ = index;
        } else {
            Border& up = borders_[static_cast<std::size_t>(parent)];
            border.next_sibling = up.first_child;
            up.first_child = index;
        }
        borders_.push_back(std::move(border));
    }

    // Tells whether border b passes through work pixel `stop` and is the last
    // border a raster scan met there: the pixel has no right flag, or, at
    // some visit, turning clockwise from the walk's next direction towards
    // the east finds no foreground neighbour. (OpenCV answers this by
    // walking the border each time; the walk only depends on which pixels
    // are zero, which never changes, so it is done once and cached.)
    bool is_last_border_through(int b, std::ptrdiff_t stop) {
        Border& border = borders_[static_cast<std::size_t>(b)];
        if (border.isolated) return border.origin == stop;
        if (!border.visits_ready) record_visits(border);
        const auto it = std::lower_bound(border.visits.begin(), border.visits.end(), stop,
                                         [](const Visit& v, std::ptrdiff_t pixel) { return v.pixel < pixel; });
        if (it == border.visits.end() || it->pixel != stop) return false;
        return (at(stop) & kRightFlag) == 0 || it->scanned_last;
    }

    // Walks a (not isolated) border again, without marking, and stores its
    // pixels in border.visits, sorted, with the `scanned_last` test per pixel
    // (true if true at any visit).
    void record_visits(Border& border) {
        std::vector<Visit>& visits = border.visits;
        const std::ptrdiff_t start = border.origin;
        std::ptrdiff_t before_start = 0;
        int s = first_neighbour(start, border.hole, &before_start);
        std::ptrdiff_t current = start;
        for (;;) {
            std::ptrdiff_t next = 0;
            do {
                ++s;
                next = current + offset_[s];
            } while (at(next) == kBackground && s < 15);

            // Turning clockwise from s (exclusive) down to east (inclusive):
            // all background means no border further right is met later.
            bool scanned_last = false;
            for (int t = s;;) {
                t = (t - 1) & 7;
                if (at(current + offset_[t]) != kBackground) break;
                if (t == 0) {
                    scanned_last = true;
                    break;
                }
            }
            visits.push_back(Visit{current, scanned_last});

            if (next == start && current == before_start) break;
            current = next;
            s = (s + 4) & 7;
        }

        std::sort(visits.begin(), visits.end(),
                  [](const Visit& a, const Visit& b) { return a.pixel < b.pixel; });
        std::size_t kept = 0;
        for (const Visit& v : visits) {
            if (kept > 0 && visits[kept - 1].pixel == v.pixel) {
                visits[kept - 1].scanned_last = visits[kept - 1].scanned_last || v.scanned_last;
            } else {
                visits[kept++] = v;
            }
        }
        visits.resize(kept);
        visits.shrink_to_fit();
        border.visits_ready = true;
    }

    // Depth-first pre-order of the tree, later-found borders first.
    std::vector<Contour> tree_in_output_order() {
        std::vector<Contour> out;
        out.reserve(borders_.size());
        int node = root_head_;
        while (node != kNone) {
            Border& border = borders_[static_cast<std::size_t>(node)];
            out.push_back(std::move(border.points));
            if (border.first_child != kNone) {
                node = border.first_child;
                continue;
            }
            while (node != kNone && borders_[static_cast<std::size_t>(node)].next_sibling == kNone) {
                node = borders_[static_cast<std::size_t>(node)].parent;
            }
            if (node != kNone) node = borders_[static_cast<std::size_t>(node)].next_sibling;
        }
        return out;
    }

    int width_;
    int height_;
    std::ptrdiff_t pitch_;               // work-image row length (width + 2)
    std::vector<std::uint8_t>& pixels_;  // work image with a zero frame
    std::ptrdiff_t offset_[16];          // index offset per direction, twice over
    std::vector<Border> borders_;        // in the order found
    int label_head_[kLabelMask + 1];     // latest border per label
    int root_head_ = kNone;              // latest border whose parent is the frame
    int next_label_ = 2;
};

void check_mask(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("find_contours: width and height must be positive");
    }
    if (stride < width) {
        throw std::invalid_argument("find_contours: stride must be at least width");
    }
    if (mask == nullptr) {
        throw std::invalid_argument("find_contours: mask is null");
    }
}

}  // namespace

std::vector<Contour> find_contours(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride) {
    check_mask(mask, width, height, stride);
    std::vector<std::uint8_t> work;
    BorderFollower follower(mask, width, height, stride, work);
    return follower.run();
}

std::vector<Contour> find_contours_grouped(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride,
                                           std::vector<ContourGroup>& groups, std::vector<std::uint8_t>& work) {
    check_mask(mask, width, height, stride);
    BorderFollower follower(mask, width, height, stride, work);
    return follower.run_grouped(groups);
}

std::vector<Contour> find_contours_grouped(const std::uint8_t* mask, int width, int height, std::ptrdiff_t stride,
                                           std::vector<ContourGroup>& groups) {
    std::vector<std::uint8_t> work;
    return find_contours_grouped(mask, width, height, stride, groups, work);
}

}  // namespace openpose
