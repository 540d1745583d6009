// seed_oracle.cpp -- the original program (../shared/seed/000_29c420e0834f4170.txt)
// turned into a test oracle for openpose.postprocess(..., mode="seed").
//
// WHAT IS KEPT, UNCHANGED IN WHAT IT COMPUTES
//   struct KeyPoint, struct ValidPair, kPoints, mapIdx, posePairs,
//   getKeyPoints, splitNetOutputBlobToParts, populateInterpPoints,
//   getValidPairs, getPersonwiseKeypoints, and the keypoint-id numbering of
//   the seed's main (ids 0,1,2,... in part order, then in contour order).
//   The bodies below are the seed's, statement for statement; only the lines
//   listed next were deleted (and the seed's Chinese comments shortened).
//
// WHAT WAS REMOVED
//   - the global cv::Mat g_test_output_frame and output_draw_contours()
//     (cv::drawContours + cv::imshow "Contours");
//   - in getKeyPoints: the three cv::imshow calls (probMap, smoothProbMap,
//     maskedProbMap), `std::cout << contours;` and the output_draw_contours call;
//   - the operator<< overloads (console dumps) and keypointsMapping (names,
//     used only for printing);
//   - populateColorPalette (random colours, drawing only);
//   - the whole seed main: imread, readNetFromCaffe, blobFromImage, forward,
//     the console dumps, cv::circle / cv::line drawing, imshow, waitKey.
//   No highgui is included or linked.
//
// WHAT IS NEW: main()
//   Usage: seed_oracle BLOB_FILE [--repeat N]
//
//   BLOB_FILE format (all little-endian):
//     int32 C, int32 h, int32 w, int32 W, int32 H     (20-byte header)
//     float32 data[C*h*w]                             (C-order, the (1, C, h, w)
//                                                      network output blob)
//   W x H is the original image size: splitNetOutputBlobToParts resizes every
//   channel to cv::Size(W, H) exactly as the seed does with
//   cv::Size(input.cols, input.rows).  C must be >= 57 (COCO-18 layout).
//
//   Runs: splitNetOutputBlobToParts -> getKeyPoints(part i, 0.1) for the 18
//   parts, ids numbered as in the seed -> getValidPairs -> getPersonwiseKeypoints,
//   and prints one JSON object on stdout:
//     {"keypoints": [[[id, x, y, prob], ...] x 18],
//      "valid_pairs": [[[a_id, b_id, score], ...] x 19],
//      "invalid_pairs": [k, ...],
//      "persons": [[18 ints], ...],
//      "timing_ms": {...}}
//   Floats are printed with %.9g (round-trips float32).
//
//   --repeat N : run the whole post-processing (resize + peaks + pairs +
//   persons) N times and report the median wall time of each stage and of
//   the total in timing_ms (the result printed is that of the first run;
//   every run computes the same thing).  Default N = 1.
//
// Build: g++ -O2 -std=c++17 seed_oracle.cpp -o seed_oracle $(pkg-config --cflags --libs opencv4)

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

struct KeyPoint{
    KeyPoint(cv::Point point,float probability){
        this->id = -1;
        this->point = point;
        this->probability = probability;
    }

    int id;
    cv::Point point;
    float probability;
};

struct ValidPair{
    ValidPair(int aId,int bId,float score){
        this->aId = aId;
        this->bId = bId;
        this->score = score;
    }

    int aId;
    int bId;
    float score;
};

// COCO model
const int kPoints = 18;
// posePairs[k] is read from PAF channels mapIdx[k]; 19 pairs.
const std::vector<std::pair<int,int>> mapIdx = {
    {31,32}, {39,40}, {33,34}, {35,36}, {41,42}, {43,44},
    {19,20}, {21,22}, {23,24}, {25,26}, {27,28}, {29,30},
    {47,48}, {49,50}, {53,54}, {51,52}, {55,56}, {37,38},
    {45,46}
};

const std::vector<std::pair<int,int>> posePairs = {
    {1,2}, {1,5}, {2,3}, {3,4}, {5,6}, {6,7},
    {1,8}, {8,9}, {9,10}, {1,11}, {11,12}, {12,13},
    {1,0}, {0,14}, {14,16}, {0,15}, {15,17}, {2,17},
    {5,16}
};

// NMS on the confidence map: blur, threshold, contours, per-contour maximum.
void getKeyPoints(cv::Mat& probMap,double threshold,std::vector<KeyPoint>& keyPoints){
    cv::Mat smoothProbMap;
    cv::GaussianBlur( probMap, smoothProbMap, cv::Size( 3, 3 ), 0, 0 );

    cv::Mat maskedProbMap;
    cv::threshold(smoothProbMap,maskedProbMap,threshold,255,cv::THRESH_BINARY);

    maskedProbMap.convertTo(maskedProbMap,CV_8U,1);

    // [removed: cv::imshow x3]

    std::vector<std::vector<cv::Point> > contours;
    cv::findContours(maskedProbMap,contours,cv::RETR_TREE,cv::CHAIN_APPROX_SIMPLE);
    // [removed: std::cout<<contours; output_draw_contours(contours);]
    for(size_t i = 0; i < contours.size();++i){
        cv::Mat blobMask = cv::Mat::zeros(smoothProbMap.rows,smoothProbMap.cols,smoothProbMap.type());

        cv::fillConvexPoly(blobMask,contours[i],cv::Scalar(1));

        double maxVal;
        cv::Point maxLoc;
        cv::minMaxLoc(smoothProbMap.mul(blobMask),0,&maxVal,0,&maxLoc);

        keyPoints.push_back(KeyPoint(maxLoc, probMap.at<float>(maxLoc.y,maxLoc.x)));
    }
}

void splitNetOutputBlobToParts(cv::Mat& netOutputBlob,const cv::Size& targetSize,std::vector<cv::Mat>& netOutputParts){
    int nParts = netOutputBlob.size[1];

    int h = netOutputBlob.size[2];
    int w = netOutputBlob.size[3];

    for(int i = 0; i< nParts;++i){
        cv::Mat part(h, w, CV_32F, netOutputBlob.ptr(0,i));

        cv::Mat resizedPart;

        cv::resize(part,resizedPart,targetSize);

        netOutputParts.push_back(resizedPart);
    }
}

void populateInterpPoints(const cv::Point& a,const cv::Point& b,int numPoints,std::vector<cv::Point>& interpCoords){
    float xStep = ((float)(b.x - a.x))/(float)(numPoints-1);
    float yStep = ((float)(b.y - a.y))/(float)(numPoints-1);

    interpCoords.push_back(a);

    for(int i = 1; i< numPoints-1;++i){
        interpCoords.push_back(cv::Point(a.x + xStep*i,a.y + yStep*i));
    }

    interpCoords.push_back(b);
}

void getValidPairs(const std::vector<cv::Mat>& netOutputParts,
                   const std::vector<std::vector<KeyPoint>>& detectedKeypoints,
                   std::vector<std::vector<ValidPair>>& validPairs,
                   std::set<int>& invalidPairs) {

    int nInterpSamples = 10;
    float pafScoreTh = 0.1;
    float confTh = 0.7;
    for(size_t k = 0; k < mapIdx.size();++k ){

        cv::Mat pafA = netOutputParts[mapIdx[k].first];
        cv::Mat pafB = netOutputParts[mapIdx[k].second];

        const std::vector<KeyPoint>& candA = detectedKeypoints[posePairs[k].first];
        const std::vector<KeyPoint>& candB = detectedKeypoints[posePairs[k].second];

        int nA = candA.size();
        int nB = candB.size();

        if(nA != 0 && nB != 0){
            std::vector<ValidPair> localValidPairs;

            for(int i = 0; i< nA;++i){
                int maxJ = -1;
                float maxScore = -1;
                bool found = false;

                for(int j = 0; j < nB;++j){
                    std::pair<float,float> distance(candB[j].point.x - candA[i].point.x,candB[j].point.y - candA[i].point.y);

                    float norm = std::sqrt(distance.first*distance.first + distance.second*distance.second);

                    if(!norm){
                        continue;
                    }

                    distance.first /= norm;
                    distance.second /= norm;

                    //Find p(u)
                    std::vector<cv::Point> interpCoords;
                    populateInterpPoints(candA[i].point,candB[j].point,nInterpSamples,interpCoords);
                    //Find L(p(u))
                    std::vector<std::pair<float,float>> pafInterp;
                    for(size_t l = 0; l < interpCoords.size();++l){
                        pafInterp.push_back(
                                    std::pair<float,float>(
                                        pafA.at<float>(interpCoords[l].y,interpCoords[l].x),
                                        pafB.at<float>(interpCoords[l].y,interpCoords[l].x)
                                        ));
                    }
                    std::vector<float> pafScores;
                    float sumOfPafScores = 0;
                    int numOverTh = 0;
                    for(size_t l = 0; l< pafInterp.size();++l){
                        float score = pafInterp[l].first*distance.first + pafInterp[l].second*distance.second;
                        sumOfPafScores += score;
                        if(score > pafScoreTh){
                            ++numOverTh;
                        }

                        pafScores.push_back(score);
                    }
                    float avgPafScore = sumOfPafScores/((float)pafInterp.size());

                    if(((float)numOverTh)/((float)nInterpSamples) > confTh){
                        if(avgPafScore > maxScore){
                            maxJ = j;
                            maxScore = avgPafScore;
                            found = true;
                        }
                    }

                }/* j */

                if(found){
                    localValidPairs.push_back(ValidPair(candA[i].id,candB[maxJ].id,maxScore));
                }

            }/* i */

            validPairs.push_back(localValidPairs);

        } else {
            invalidPairs.insert(k);
            validPairs.push_back(std::vector<ValidPair>());
        }
    }/* k */
}

void getPersonwiseKeypoints(const std::vector<std::vector<ValidPair>>& validPairs,
                            const std::set<int>& invalidPairs,
                            std::vector<std::vector<int>>& personwiseKeypoints) {
    for(size_t k = 0; k < mapIdx.size();++k){
        if(invalidPairs.find(k) != invalidPairs.end()){
            continue;
        }

        const std::vector<ValidPair>& localValidPairs(validPairs[k]);

        int indexA(posePairs[k].first);
        int indexB(posePairs[k].second);

        for(size_t i = 0; i< localValidPairs.size();++i){
            bool found = false;
            int personIdx = -1;

            for(size_t j = 0; !found && j < personwiseKeypoints.size();++j){
                if(indexA < static_cast<int>( personwiseKeypoints[j].size()) &&
                        personwiseKeypoints[j][indexA] == localValidPairs[i].aId){
                    personIdx = j;
                    found = true;
                }
            }/* j */

            if(found){
                personwiseKeypoints[personIdx].at(indexB) = localValidPairs[i].bId;
            } else if(k < 17){
                std::vector<int> lpkp(std::vector<int>(18,-1));

                lpkp.at(indexA) = localValidPairs[i].aId;
                lpkp.at(indexB) = localValidPairs[i].bId;

                personwiseKeypoints.push_back(lpkp);
            }

        }/* i */
    }/* k */
}

// ---------------------------------------------------------------------------
// Oracle driver (new code; not part of the seed).
// ---------------------------------------------------------------------------

namespace {

struct Result {
    std::vector<std::vector<KeyPoint>> detectedKeypoints;
    std::vector<std::vector<ValidPair>> validPairs;
    std::set<int> invalidPairs;
    std::vector<std::vector<int>> personwiseKeypoints;
};

struct StageTimes {
    double resize = 0, keypoints = 0, pairs = 0, persons = 0, total = 0;
};

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// The post-processing part of the seed's main, in the seed's order.
void runPostprocess(cv::Mat& netOutputBlob, const cv::Size& imageSize, Result& r, StageTimes& t) {
    Clock::time_point t0 = Clock::now();

    std::vector<cv::Mat> netOutputParts;
    splitNetOutputBlobToParts(netOutputBlob, imageSize, netOutputParts);
    Clock::time_point t1 = Clock::now();

    int keyPointId = 0;
    for(int i = 0; i < kPoints;++i){
        std::vector<KeyPoint> keyPoints;
        getKeyPoints(netOutputParts[i],0.1,keyPoints);

        for(size_t i = 0; i< keyPoints.size();++i,++keyPointId){
            keyPoints[i].id = keyPointId;
        }
        r.detectedKeypoints.push_back(keyPoints);
    }
    Clock::time_point t2 = Clock::now();

    getValidPairs(netOutputParts, r.detectedKeypoints, r.validPairs, r.invalidPairs);
    Clock::time_point t3 = Clock::now();

    getPersonwiseKeypoints(r.validPairs, r.invalidPairs, r.personwiseKeypoints);
    Clock::time_point t4 = Clock::now();

    t.resize = msBetween(t0, t1);
    t.keypoints = msBetween(t1, t2);
    t.pairs = msBetween(t2, t3);
    t.persons = msBetween(t3, t4);
    t.total = msBetween(t0, t4);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    if (n == 0) return 0.0;
    return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fmtFloat(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.9g", v);
    return std::string(buf);
}

[[noreturn]] void die(const std::string& msg) {
    std::cerr << "seed_oracle: " << msg << std::endl;
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) die("usage: seed_oracle BLOB_FILE [--repeat N]");
    std::string blobFile = argv[1];
    int repeat = 1;
    for (int a = 2; a < argc; ++a) {
        std::string arg = argv[a];
        if (arg == "--repeat" && a + 1 < argc) {
            repeat = std::atoi(argv[++a]);
            if (repeat < 1) die("--repeat must be >= 1");
        } else {
            die("unknown argument: " + arg);
        }
    }

    std::ifstream in(blobFile, std::ios::binary);
    if (!in) die("cannot open " + blobFile);
    int32_t hdr[5];
    in.read(reinterpret_cast<char*>(hdr), sizeof(hdr));
    if (!in) die("short header in " + blobFile);
    const int C = hdr[0], h = hdr[1], w = hdr[2], W = hdr[3], H = hdr[4];
    if (C < 57 || h <= 0 || w <= 0 || W <= 0 || H <= 0) die("bad header (need C>=57, positive sizes)");

    const int sizes[4] = {1, C, h, w};
    cv::Mat blob(4, sizes, CV_32F);
    const size_t nBytes = sizeof(float) * static_cast<size_t>(C) * h * w;
    in.read(reinterpret_cast<char*>(blob.ptr<float>()), static_cast<std::streamsize>(nBytes));
    if (!in) die("short data in " + blobFile);

    const cv::Size imageSize(W, H);

    Result result;
    std::vector<double> tResize, tKeypoints, tPairs, tPersons, tTotal;
    for (int rep = 0; rep < repeat; ++rep) {
        // The blob is not modified by the post-processing; each run uses it fresh.
        Result r;
        StageTimes t;
        runPostprocess(blob, imageSize, r, t);
        tResize.push_back(t.resize);
        tKeypoints.push_back(t.keypoints);
        tPairs.push_back(t.pairs);
        tPersons.push_back(t.persons);
        tTotal.push_back(t.total);
        if (rep == 0) result = r;
    }

    std::string out;
    out.reserve(1 << 16);
    out += "{\"keypoints\": [";
    for (size_t p = 0; p < result.detectedKeypoints.size(); ++p) {
        if (p) out += ", ";
        out += "[";
        const std::vector<KeyPoint>& kps = result.detectedKeypoints[p];
        for (size_t i = 0; i < kps.size(); ++i) {
            if (i) out += ", ";
            out += "[" + std::to_string(kps[i].id) + ", " + std::to_string(kps[i].point.x) + ", " +
                   std::to_string(kps[i].point.y) + ", " + fmtFloat(kps[i].probability) + "]";
        }
        out += "]";
    }
    out += "],\n \"valid_pairs\": [";
    for (size_t k = 0; k < result.validPairs.size(); ++k) {
        if (k) out += ", ";
        out += "[";
        const std::vector<ValidPair>& vps = result.validPairs[k];
        for (size_t i = 0; i < vps.size(); ++i) {
            if (i) out += ", ";
            out += "[" + std::to_string(vps[i].aId) + ", " + std::to_string(vps[i].bId) + ", " +
                   fmtFloat(vps[i].score) + "]";
        }
        out += "]";
    }
    out += "],\n \"invalid_pairs\": [";
    bool first = true;
    for (int k : result.invalidPairs) {
        if (!first) out += ", ";
        first = false;
        out += std::to_string(k);
    }
    out += "],\n \"persons\": [";
    for (size_t n = 0; n < result.personwiseKeypoints.size(); ++n) {
        if (n) out += ", ";
        out += "[";
        for (size_t j = 0; j < result.personwiseKeypoints[n].size(); ++j) {
            if (j) out += ", ";
            out += std::to_string(result.personwiseKeypoints[n][j]);
        }
        out += "]";
    }
    out += "],\n \"timing_ms\": {\"repeat\": " + std::to_string(repeat) +
           ", \"opencv\": \"" CV_VERSION "\"" +
           ", \"threads\": " + std::to_string(cv::getNumThreads()) +
           ", \"resize\": " + fmtFloat(median(tResize)) +
           ", \"keypoints\": " + fmtFloat(median(tKeypoints)) +
           ", \"pairs\": " + fmtFloat(median(tPairs)) +
           ", \"persons\": " + fmtFloat(median(tPersons)) +
           ", \"postprocess_median\": " + fmtFloat(median(tTotal)) +
           ", \"postprocess_min\": " + fmtFloat(*std::min_element(tTotal.begin(), tTotal.end())) +
           "}}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
