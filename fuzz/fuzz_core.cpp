// libFuzzer target over the C++ core's public functions.
//
// The first byte of an input picks the function; the bytes after it are read
// as its sizes, parameters and data (a reader that runs dry gives zeros, so
// every input is valid). Each call must either return a result that keeps
// the function's promises (checked below: positions inside the image, ids
// that exist, ...) or throw std::invalid_argument. Anything else (a crash, a
// sanitizer report, another exception, a broken promise) is a finding.
//
// Input layout (fuzz/make_corpus.py writes seed inputs in it):
//   byte 0: target (mod 5)   byte 1: flags (bit 0: map values are raw
//   float32 bits instead of bytes / 255)   then the target's fields.
//
// Build: .ci/fuzz (clang -fsanitize=fuzzer,address,undefined).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "openpose/common/contours.hpp"
#include "openpose/common/image.hpp"
#include "openpose/common/polygon.hpp"
#include "openpose/seed/assembly.hpp"
#include "openpose/seed/paf.hpp"
#include "openpose/seed/peaks.hpp"
#include "openpose/seed/postprocess.hpp"

namespace {

using namespace openpose;

class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
    std::int32_t i32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(u8()) << (8 * i);
        std::int32_t out;
        std::memcpy(&out, &v, sizeof out);
        return out;
    }
    float raw_f32() {
        const std::int32_t bits = i32();
        float out;
        std::memcpy(&out, &bits, sizeof out);
        return out;
    }
    // A map value: a byte scaled to 0..1, or any float32 (NaN, inf, ...).
    float value(bool raw) { return raw ? raw_f32() : static_cast<float>(u8()) / 255.0f; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "fuzz_core: broken promise: %s\n", what);
    std::abort();
}

void check(bool ok, const char* what) {
    if (!ok) broken(what);
}

std::vector<float> read_map(Reader& in, std::size_t n, bool raw) {
    std::vector<float> out(n);
    for (float& v : out) v = in.value(raw);
    return out;
}

void fuzz_contours(Reader& in) {
    const int w = 1 + in.u8() % 64;
    const int h = 1 + in.u8() % 64;
    const int stride = w + in.u8() % 3;
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(stride) * static_cast<std::size_t>(h));
    // Eight pixels a byte: structured shapes from few bytes.
    for (std::size_t i = 0; i < mask.size(); i += 8) {
        const std::uint8_t bits = in.u8();
        for (std::size_t b = 0; b < 8 && i + b < mask.size(); ++b) mask[i + b] = (bits >> b) & 1 ? 255 : 0;
    }
    const auto contours = find_contours(mask.data(), w, h, stride);
    check(contours.size() <= static_cast<std::size_t>(w) * static_cast<std::size_t>(h), "contour count");
    for (const auto& c : contours) {
        check(!c.empty(), "empty contour");
        for (const Point& p : c) {
            check(p.x >= 0 && p.x < w && p.y >= 0 && p.y < h, "contour point outside the mask");
            check(mask[static_cast<std::size_t>(p.y) * static_cast<std::size_t>(stride) + static_cast<std::size_t>(p.x)] != 0,
                  "contour point on background");
        }
    }
}

void fuzz_polygon(Reader& in, bool raw) {
    const int w = 1 + in.u8() % 128;
    const int h = 1 + in.u8() % 128;
    const std::size_t n = in.u8() % 16;
    std::vector<Point> poly;
    for (std::size_t i = 0; i < n; ++i) {
        // Raw: anywhere in the int range; else near the image.
        const int x = raw ? in.i32() : static_cast<int>(in.u8()) - 64;
        const int y = raw ? in.i32() : static_cast<int>(in.u8()) - 64;
        poly.push_back(Point{x, y});
    }
    for (const Span& s : fill_convex_poly_spans(poly, w, h)) {
        check(s.y >= 0 && s.y < h && s.x0 >= 0 && s.x0 <= s.x1 && s.x1 < w, "span outside the image");
    }
}

void fuzz_peaks(Reader& in, bool raw) {
    const int mw = 1 + in.u8() % 48;
    const int mh = 1 + in.u8() % 48;
    const int dw = 1 + in.u16() % 512;
    const int dh = 1 + in.u16() % 512;
    const float threshold = raw ? in.raw_f32() : static_cast<float>(in.u8()) / 255.0f;
    const auto map = read_map(in, static_cast<std::size_t>(mw) * static_cast<std::size_t>(mh), raw);
    const MapView view{map.data(), mw, mh, mw};
    const auto peaks = seed_find_peaks(view, make_resize_grid(mw, mh, dw, dh), threshold);
    for (const Peak& p : peaks) check(p.x >= 0 && p.x < dw && p.y >= 0 && p.y < dh, "peak outside the image");
}

void check_result(const SeedResult& r, const SeedLayout& layout) {
    int n_ids = 0;
    for (const auto& kps : r.keypoints) {
        for (const Keypoint& k : kps) check(k.id == n_ids++, "keypoint ids not consecutive");
    }
    check(r.valid_pairs.size() == layout.limbs.size(), "one pair list per limb");
    for (const auto& pairs : r.valid_pairs) {
        for (const ValidPair& p : pairs) check(p.a_id >= 0 && p.a_id < n_ids && p.b_id >= 0 && p.b_id < n_ids, "pair id");
    }
    check(r.persons.size() % static_cast<std::size_t>(layout.n_parts) == 0, "persons shape");
    for (int id : r.persons) check(id >= -1 && id < n_ids, "person id");
}

void fuzz_postprocess(Reader& in, bool raw) {
    SeedLayout layout;
    layout.n_parts = 1 + in.u8() % 4;
    const int n_limbs = in.u8() % 5;
    for (int k = 0; k < n_limbs; ++k) {
        // One past the valid range now and then: must be rejected.
        const int a = in.u8() % (layout.n_parts + 1);
        const int b = in.u8() % (layout.n_parts + 1);
        const int px = in.u8() % 9;
        const int py = in.u8() % 9;
        layout.limbs.push_back(Limb{a, b, px, py});
        layout.starts_person.push_back(in.u8() & 1);
    }
    const int channels = 1 + in.u8() % 10;
    const int mw = 1 + in.u8() % 24;
    const int mh = 1 + in.u8() % 24;
    const int iw = 1 + in.u8() % 200;
    const int ih = 1 + in.u8() % 200;
    const float threshold = static_cast<float>(in.u8()) / 255.0f;
    SeedPairParams params;
    params.n_samples = in.u8() % 16;
    params.paf_threshold = static_cast<float>(in.u8()) / 255.0f;
    params.min_fraction = static_cast<float>(in.u8()) / 255.0f;
    const auto data = read_map(in, static_cast<std::size_t>(channels) * static_cast<std::size_t>(mw * mh), raw);
    const NetOutput net{data.data(), channels, mh, mw};
    check_result(seed_postprocess(net, iw, ih, layout, threshold, params), layout);
}

void fuzz_limb_and_assembly(Reader& in, bool raw) {
    const int mw = 1 + in.u8() % 16;
    const int mh = 1 + in.u8() % 16;
    const int iw = 1 + in.u8() % 100;
    const int ih = 1 + in.u8() % 100;
    const auto px = read_map(in, static_cast<std::size_t>(mw * mh), raw);
    const auto py = read_map(in, static_cast<std::size_t>(mw * mh), raw);
    std::vector<Keypoint> cand[2];
    for (auto& c : cand) {
        const int n = in.u8() % 8;
        for (int i = 0; i < n; ++i) {
            // Mostly inside the image, sometimes outside (must throw).
            const int x = static_cast<int>(in.u8()) - 8;
            const int y = static_cast<int>(in.u8()) - 8;
            c.push_back(Keypoint{static_cast<int>(in.u8()), x, y, 1.0f});
        }
    }
    SeedPairParams params;
    params.n_samples = in.u8() % 16;
    params.paf_threshold = static_cast<float>(static_cast<int>(in.u8()) - 128) / 64.0f;
    params.min_fraction = static_cast<float>(in.u8()) / 255.0f;
    const MapView vx{px.data(), mw, mh, mw}, vy{py.data(), mw, mh, mw};
    try {
        const auto pairs = seed_score_limb(vx, vy, make_resize_grid(mw, mh, iw, ih), cand[0], cand[1], params);
        check(pairs.size() <= cand[0].size(), "at most one pair per candidate of A");
    } catch (const std::invalid_argument&) {
    }

    // Assembly on arbitrary pairs and limb tables.
    const int n_parts = static_cast<int>(in.u8() % 6);
    const int n_limbs = in.u8() % 6;
    std::vector<Limb> limbs;
    std::vector<std::uint8_t> starts;
    std::vector<std::vector<ValidPair>> pairs;
    for (int k = 0; k < n_limbs; ++k) {
        limbs.push_back(Limb{static_cast<int>(in.u8() % 7) - 1, static_cast<int>(in.u8() % 7) - 1, 0, 0});
        starts.push_back(in.u8() & 1);
        std::vector<ValidPair> lp;
        const int m = in.u8() % 6;
        for (int i = 0; i < m; ++i) lp.push_back(ValidPair{static_cast<int>(in.u8() % 12), static_cast<int>(in.u8() % 12), 0.5f});
        pairs.push_back(lp);
    }
    if (in.u8() & 1 && !starts.empty()) starts.pop_back();  // inconsistent tables: must throw
    const auto persons = seed_assemble(pairs, limbs, starts, n_parts);
    check(n_parts > 0 && persons.size() % static_cast<std::size_t>(n_parts) == 0, "persons shape");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in(data, size);
    const int target = in.u8() % 5;
    const bool raw = (in.u8() & 1) != 0;
    try {
        switch (target) {
            case 0: fuzz_contours(in); break;
            case 1: fuzz_polygon(in, raw); break;
            case 2: fuzz_peaks(in, raw); break;
            case 3: fuzz_postprocess(in, raw); break;
            default: fuzz_limb_and_assembly(in, raw); break;
        }
    } catch (const std::invalid_argument&) {
        // A clear error is an accepted outcome.
    }
    return 0;
}
