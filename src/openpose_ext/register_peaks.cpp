// Peak finding on one heatmap.
#include "common.hpp"

#include "openpose/peaks.hpp"

using namespace openpose_ext;

void register_peaks(py::module_& m) {
    m.def(
        "seed_find_peaks",
        [](const F32Array& heatmap, int width, int height, float threshold) {
            const openpose::MapView view = map_view(heatmap, "heatmap");
            std::vector<openpose::Peak> peaks;
            {
                py::gil_scoped_release release;
                openpose::require_finite(view, "heatmap");
                peaks = openpose::seed_find_peaks(view, openpose::make_resize_grid(view.width, view.height, width, height),
                                                  threshold);
            }
            return rows_to_numpy<float>(peaks, 3, [](const openpose::Peak& p) {
                return std::array<float, 3>{float(p.x), float(p.y), p.score};
            });
        },
        py::arg("heatmap").noconvert(), py::arg("width"), py::arg("height"), py::arg("threshold"),
        "The original getKeyPoints on a heatmap resized to (width, height): (n, 3) rows [x, y, score].");
}
