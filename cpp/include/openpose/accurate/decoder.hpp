// Accurate mode as one object: CMU OpenPose's algorithm, built once from a
// layout and its constants.
#pragma once

#include <vector>

#include "openpose/accurate/assembly.hpp"
#include "openpose/accurate/peaks.hpp"
#include "openpose/accurate/postprocess.hpp"
#include "openpose/common/types.hpp"

namespace openpose {

// Holds the checked constants and the layout tables; each method is one
// stage of accurate_postprocess (or the whole of it) on one frame's arrays.
// Const methods, no state between calls: one decoder may serve many
// threads at once.
class AccurateDecoder {
public:
    // Throws std::invalid_argument naming the first bad parameter or table.
    AccurateDecoder(AccurateLayout layout, AccurateParams params);

    const AccurateLayout& layout() const { return layout_; }
    const AccurateParams& params() const { return params_; }

    // OpenPose's peaks (nmsCpu) of one network-resolution heatmap read at
    // the working resolution (x factor), in working-resolution pixels.
    // Throws for a map with NaN or infinite values.
    std::vector<SubpixelPeak> find_peaks(const MapView& heatmap) const;

    // OpenPose's candidate connections (getScoreAB) of one limb; candidates
    // in working-resolution pixels. Throws for PAF maps with NaN or
    // infinite values.
    std::vector<ValidPair> score_limb(const MapView& paf_x, const MapView& paf_y, const std::vector<KeypointF>& cand_a,
                                      const std::vector<KeypointF>& cand_b) const;

    // OpenPose's grouping and selection: candidates per part, connections per limb.
    AccuratePeople assemble(const std::vector<std::vector<KeypointF>>& keypoints,
                            const std::vector<std::vector<ValidPair>>& connections) const;

    // All of it (accurate_postprocess) for an image of width x height pixels.
    AccurateResult decode(const NetOutput& net, int width, int height) const;

private:
    AccurateLayout layout_;
    AccurateParams params_;
};

}  // namespace openpose
