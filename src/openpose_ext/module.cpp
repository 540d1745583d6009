// openpose._ext: the compiled post-processing core. Private: the public API
// is the Python package `openpose`.
#include "common.hpp"

PYBIND11_MODULE(_ext, m) {
    m.doc() = "C++ core of openpose's post-processing (private; use the openpose package).";
    register_common(m);
    register_seed(m);
    register_accurate(m);
}
