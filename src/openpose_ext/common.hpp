// Shared helpers of the bindings: array checks and zero-copy returns.
// Included first by every register_*.cpp.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "openpose/common/validation.hpp"
#include "openpose/common/types.hpp"

namespace py = pybind11;

namespace openpose_ext {

using F32Array = py::array_t<float, py::array::c_style>;
using I32Array = py::array_t<std::int32_t, py::array::c_style>;
using U8Array = py::array_t<std::uint8_t, py::array::c_style>;

// A keyword argument whose default is a C++ header's constant (the core's one source of its defaults),
// given to Python as the decimal written there (0.05, not the float's expansion 0.0500000007...), which
// converts back to the same float.
inline py::arg_v default_arg(const char* name, float value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.7g", static_cast<double>(value));
    return py::arg_v(name, std::strtod(text, nullptr));
}

inline py::arg_v default_arg(const char* name, int value) { return py::arg_v(name, value); }

inline std::string shape_of(const py::array& a) {
    std::string s = "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
    return s + (a.ndim() == 1 ? ",)" : ")");
}

// Throws ValueError unless `a` has `ndim` dimensions (and, where cols >= 0,
// exactly `cols` columns in its last one).
inline void require_shape(const py::array& a, const char* name, py::ssize_t ndim, py::ssize_t cols = -1) {
    if (a.ndim() != ndim || (cols >= 0 && a.shape(ndim - 1) != cols)) {
        std::string want = ndim == 2 && cols >= 0 ? "(n, " + std::to_string(cols) + ")" : std::to_string(ndim) + "-D";
        throw py::value_error("`" + std::string(name) + "` must have shape " + want + ", got " + shape_of(a));
    }
}

// An array dimension as an int (the core's sizes), or ValueError.
inline int dim_as_int(const py::array& a, py::ssize_t axis, const char* name) {
    if (a.shape(axis) > static_cast<py::ssize_t>(openpose::kMaxImageSide) * 16) {
        throw py::value_error("`" + std::string(name) + "` is too large, got shape " + shape_of(a));
    }
    return static_cast<int>(a.shape(axis));
}

// True when `v` is a whole number that fits an int (a float outside that
// range must not be cast: undefined behaviour).
inline bool whole_int(float v) {
    return v == std::floor(v) && v >= -2147483648.0f && v < 2147483648.0f;
}

// A 2-D float32 array as a map view (the array stays alive with the caller).
inline openpose::MapView map_view(const F32Array& a, const char* name) {
    require_shape(a, name, 2);
    if (a.shape(0) == 0 || a.shape(1) == 0) {
        throw py::value_error("`" + std::string(name) + "` must not be empty, got shape " + shape_of(a));
    }
    return openpose::MapView{a.data(), dim_as_int(a, 1, name), dim_as_int(a, 0, name),
                             static_cast<std::ptrdiff_t>(a.shape(1))};
}

// The two PAF channels of a limb as map views of one shape.
inline std::pair<openpose::MapView, openpose::MapView> paf_views(const F32Array& paf_x, const F32Array& paf_y) {
    const openpose::MapView vx = map_view(paf_x, "paf_x");
    const openpose::MapView vy = map_view(paf_y, "paf_y");
    if (vx.width != vy.width || vx.height != vy.height) {
        throw py::value_error("`paf_x` and `paf_y` must have the same shape, got " + shape_of(paf_x) + " and " +
                              shape_of(paf_y));
    }
    return {vx, vy};
}

// A (C, h, w) float32 network output as the core's view (the array stays
// alive with the caller).
inline openpose::NetOutput net_output_view(const F32Array& a) {
    require_shape(a, "net_output", 3);
    return openpose::NetOutput{a.data(), dim_as_int(a, 0, "net_output"), dim_as_int(a, 1, "net_output"),
                               dim_as_int(a, 2, "net_output")};
}

// Hands a std::vector over to numpy without copying its elements.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule release(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(std::move(shape), owned->data(), release);
}

// Rows [id, x, y, score] of keypoint candidates, as the C++ structs.
// Ids and coordinates must be whole numbers.
inline std::vector<openpose::Keypoint> keypoints_from(const F32Array& a, const char* name) {
    require_shape(a, name, 2, 4);
    std::vector<openpose::Keypoint> out;
    out.reserve(static_cast<std::size_t>(a.shape(0)));
    auto r = a.unchecked<2>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i) {
        const float id = r(i, 0), x = r(i, 1), y = r(i, 2);
        if (!whole_int(id) || !whole_int(x) || !whole_int(y) || !std::isfinite(r(i, 3))) {
            throw py::value_error("`" + std::string(name) + "` row " + std::to_string(i) +
                                  ": id, x and y must be whole numbers within the int range and score finite");
        }
        out.push_back({static_cast<int>(id), static_cast<int>(x), static_cast<int>(y), r(i, 3)});
    }
    return out;
}

// Items as a (n, cols) numpy array; `row(item)` gives one row (a std::array).
template <class T, class Item, class Row>
py::array_t<T> rows_to_numpy(const std::vector<Item>& items, py::ssize_t cols, Row row) {
    std::vector<T> flat;
    flat.reserve(items.size() * static_cast<std::size_t>(cols));
    for (const Item& item : items) {
        const auto values = row(item);
        flat.insert(flat.end(), values.begin(), values.end());
    }
    return to_numpy(std::move(flat), {static_cast<py::ssize_t>(items.size()), cols});
}

// A Python list of `convert(item)` for each item.
template <class Item, class Convert>
py::list list_of(const std::vector<Item>& items, Convert convert) {
    py::list out;
    for (const Item& item : items) out.append(convert(item));
    return out;
}

// A vector of `convert(array)` for each array of a sequence argument.
template <class Array, class Convert>
auto vector_of(const std::vector<Array>& arrays, Convert convert) {
    std::vector<decltype(convert(arrays.front()))> out;
    out.reserve(arrays.size());
    for (const Array& a : arrays) out.push_back(convert(a));
    return out;
}

// Keypoints as a (n, 4) float32 array of rows [id, x, y, score].
inline py::array_t<float> keypoints_to_numpy(const std::vector<openpose::Keypoint>& kps) {
    return rows_to_numpy<float>(kps, 4, [](const openpose::Keypoint& k) {
        return std::array<float, 4>{float(k.id), float(k.x), float(k.y), k.score};
    });
}

// Valid pairs as a (m, 3) float32 array of rows [a_id, b_id, score].
inline py::array_t<float> pairs_to_numpy(const std::vector<openpose::ValidPair>& pairs) {
    return rows_to_numpy<float>(pairs, 3, [](const openpose::ValidPair& p) {
        return std::array<float, 3>{float(p.a_id), float(p.b_id), p.score};
    });
}

// Rows [id_a, id_b, score] back into pairs.
inline std::vector<openpose::ValidPair> pairs_from(const F32Array& a, const char* name) {
    require_shape(a, name, 2, 3);
    std::vector<openpose::ValidPair> out;
    auto r = a.unchecked<2>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i) {
        if (!whole_int(r(i, 0)) || !whole_int(r(i, 1))) {
            throw py::value_error("`" + std::string(name) + "` row " + std::to_string(i) +
                                  ": ids must be whole numbers within the int range");
        }
        out.push_back({static_cast<int>(r(i, 0)), static_cast<int>(r(i, 1)), r(i, 2)});
    }
    return out;
}

// Rows [part_a, part_b, paf_x, paf_y] of a layout's limb table.
inline std::vector<openpose::Limb> limbs_from(const I32Array& a) {
    require_shape(a, "limbs", 2, 4);
    std::vector<openpose::Limb> out;
    auto r = a.unchecked<2>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i) out.push_back({r(i, 0), r(i, 1), r(i, 2), r(i, 3)});
    return out;
}

inline std::vector<std::uint8_t> flags_from(const U8Array& a, const char* name, std::size_t n) {
    require_shape(a, name, 1);
    if (static_cast<std::size_t>(a.shape(0)) != n) {
        throw py::value_error("`" + std::string(name) + "` must have one entry per limb");
    }
    return std::vector<std::uint8_t>(a.data(), a.data() + n);
}

}  // namespace openpose_ext

void register_common(py::module_& m);
void register_seed(py::module_& m);
void register_accurate(py::module_& m);
