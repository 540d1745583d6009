// What both algorithms share: the core's limits (module attributes) and the
// image primitives (exposed so tests can hold them against cv2).
#include "common.hpp"

#include "openpose/common/contours.hpp"
#include "openpose/common/image.hpp"
#include "openpose/common/polygon.hpp"

using namespace openpose_ext;

void register_common(py::module_& m) {
    // The limits of the core (common/limits.hpp), read by openpose._validation.
    m.attr("MAX_IMAGE_SIDE") = openpose::kMaxImageSide;
    m.attr("MAX_IMAGE_PIXELS") = openpose::kMaxImagePixels;
    m.attr("MAX_PEAKS_PER_PART") = openpose::kMaxPeaksPerPart;
    m.attr("MAX_SAMPLES") = openpose::kMaxSamples;
    m.attr("MAX_PARTS") = openpose::kMaxParts;
    m.attr("MAX_FACTOR") = openpose::kMaxFactor;
    m.attr("MAX_RADIUS") = openpose::kMaxRadius;
    m.attr("MAX_MIN_PARTS") = openpose::kMaxMinParts;

    m.def(
        "resize_linear",
        [](const F32Array& src, int width, int height) {
            const openpose::MapView view = map_view(src, "src");
            std::vector<float> out;
            {
                py::gil_scoped_release release;
                out = openpose::resize_linear(view, openpose::make_resize_grid(view.width, view.height, width, height));
            }
            return to_numpy(std::move(out), {height, width});
        },
        py::arg("src").noconvert(), py::arg("width"), py::arg("height"),
        "cv::resize(src, (width, height), INTER_LINEAR) with OpenCV's generic float arithmetic.");

    m.def(
        "gaussian_blur3",
        [](const F32Array& src) {
            const openpose::MapView view = map_view(src, "src");
            std::vector<float> out;
            {
                py::gil_scoped_release release;
                out = openpose::gaussian_blur3(view);
            }
            return to_numpy(std::move(out), {view.height, view.width});
        },
        py::arg("src").noconvert(), "cv::GaussianBlur(src, (3, 3), 0) (BORDER_REFLECT_101).");

    m.def(
        "find_contours",
        [](const py::array_t<std::uint8_t>& mask_any) {
            require_shape(mask_any, "mask", 2);
            // Rows may be strided (a window of a larger mask); pixels within a
            // row must be adjacent, else the mask is copied once.
            const py::array_t<std::uint8_t> mask =
                mask_any.strides(1) == 1 ? mask_any : py::array_t<std::uint8_t>(U8Array::ensure(mask_any));
            const int h = dim_as_int(mask, 0, "mask"), w = dim_as_int(mask, 1, "mask");
            const std::ptrdiff_t stride = mask.strides(0);
            std::vector<openpose::Contour> contours;
            {
                py::gil_scoped_release release;
                contours = openpose::find_contours(mask.data(), w, h, stride);
            }
            return list_of(contours, [](const openpose::Contour& c) {
                return rows_to_numpy<std::int32_t>(c, 2, [](openpose::Point p) { return std::array<int, 2>{p.x, p.y}; });
            });
        },
        py::arg("mask").noconvert(),
        "cv::findContours(mask, RETR_TREE, CHAIN_APPROX_SIMPLE): list of (n, 2) int32 arrays of (x, y).");

    m.def(
        "fill_convex_poly",
        [](const I32Array& poly, int width, int height) {
            require_shape(poly, "poly", 2, 2);
            openpose::check_image_size(width, height, "`width` x `height`");
            openpose::Contour pts;
            auto r = poly.unchecked<2>();
            for (py::ssize_t i = 0; i < poly.shape(0); ++i) pts.push_back({r(i, 0), r(i, 1)});
            std::vector<std::uint8_t> img(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 0);
            {
                py::gil_scoped_release release;
                for (const auto& s : openpose::fill_convex_poly_spans(pts, width, height)) {
                    std::fill_n(img.begin() + static_cast<std::ptrdiff_t>(s.y) * width + s.x0, s.x1 - s.x0 + 1, std::uint8_t{1});
                }
            }
            return to_numpy(std::move(img), {height, width});
        },
        py::arg("poly").noconvert(), py::arg("width"), py::arg("height"),
        "The pixels cv::fillConvexPoly(img, poly, 1) paints, as a (height, width) uint8 mask.");
}
