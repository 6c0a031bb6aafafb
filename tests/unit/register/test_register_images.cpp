// Registration as one library call: a whole plan on images in memory gives the same
// transform bytes as the CLI on the same inputs; warm starts converge in far fewer
// iterations; the observer sees every stage, level and iteration and can cancel.
#include "alinea/displacement.hpp"
#include "alinea/evaluate.hpp"
#include "alinea/image_io.hpp"
#include "alinea/nifti.hpp"
#include "alinea/pyramid.hpp"
#include "alinea/registration.hpp"
#include "alinea/resample_chain.hpp"
#include "alinea/smooth.hpp"
#include "alinea/transform_file.hpp"
#include "unit/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace alinea;
using alinea::test::random_velocity;

namespace {

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() /
               ("alinea_register_images_" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// A smooth 3-D phantom on a 2 mm grid whose geometry is exact in float32 (so that it
// survives a NIfTI file unchanged): blobs of different brightness in a bright shell.
ScalarImage<3> phantom() {
    const Grid<3> grid({40, 44, 36}, MatD<3>(2.0 * MatD<3>::Identity()), VecD<3>(-40, -44, -36));
    return test::sample_function(grid, [](const VecD<3>& p) {
        const double r = (p.cwiseQuotient(VecD<3>(30, 34, 26))).norm();
        double v = 100 * std::exp(-std::pow((r - 0.8) / 0.12, 2));
        const VecD<3> centres[] = {{-10, 8, 4}, {12, -6, -5}, {2, 14, -8}, {-6, -14, 9}};
        const double weights[] = {80, 60, 120, 40};
        for (int k = 0; k < 4; ++k) v += weights[k] * std::exp(-(p - centres[k]).squaredNorm() / 60);
        return v;
    });
}

// moving(y) = fixed(truth^-1(y)) for truth = affine then exp(v): a known pair.
template <int D>
ScalarImage<D> deform(const ScalarImage<D>& image, const VectorField<D>& velocity, const Affine<D>& affine,
                      Interpolation interpolation) {
    VectorField<D> negated = velocity;
    for (Vec<D>& x : negated.voxels()) x = -x;
    TransformChain<D> inverse;
    inverse.then(affine.inverse());
    inverse.then(DisplacementField<D>{exponential(negated)});
    return resample(image, image.grid(), inverse, interpolation);
}

int total_iterations(const std::vector<StageReport>& stages) {
    int n = 0;
    for (const StageReport& s : stages)
        for (const LevelReport& l : s.levels) n += l.result.iterations;
    return n;
}

}  // namespace

TEST(RegisterImages, LibraryCallGivesTheCliTransformBytes) {
    const ScalarImage<3> fixed = phantom();
    Affine<3> shift;
    shift.matrix = test::rotation(0.06, VecD<3>(0.2, 1, 0.3)) * 1.03;
    shift.offset = VecD<3>(2.5, -1.5, 1.0);
    const ScalarImage<3> moving =
        deform(fixed, random_velocity(fixed.grid(), 3.0, 10.0, 11), shift, Interpolation::linear);
    const RegistrationPlan plan = parse_registration_plan(
        "--init mass --transform affine --metric ncc --levels 2x1 --smoothing 1x0vox --iterations 30x15 "
        "--transform diffeo --metric lncc:radius=2 --levels 2x1 --smoothing 1x0vox --iterations 30x15");
    const RegistrationResult<3> r = register_images(RegistrationInputs<3>{fixed, moving}, plan);
    ASSERT_TRUE(r.deformation);
    ASSERT_EQ(r.stages.size(), 2u);

    TempDir tmp;
    write_nifti(tmp / "fixed.nii.gz", fixed);
    write_nifti(tmp / "moving.nii.gz", moving);
    ASSERT_TRUE(read_image<3>(tmp / "fixed.nii.gz").grid().same_as(fixed.grid())) << "the grid must survive the file";
    std::string command = std::string(ALINEA_BINARY) + " register -q --no-qc -f " + (tmp / "fixed.nii.gz") + " -m " +
                          (tmp / "moving.nii.gz") + " -o " + (tmp / "cli_") + " " + to_string(plan);
    ASSERT_EQ(std::system(command.c_str()), 0) << command;

    const NiftiCodes codes = read_nifti_codes(tmp / "fixed.nii.gz");
    write_itk_transform(tmp / "lib_affine.txt", r.affine);
    write_nifti(tmp / "lib_warp.nii.gz", r.deformation->warp, codes);
    write_nifti(tmp / "lib_inverse_warp.nii.gz", r.deformation->inverse_warp, codes);
    for (const char* file : {"affine.txt", "warp.nii.gz", "inverse_warp.nii.gz"}) {
        const std::string cli = file_bytes(tmp / (std::string("cli_") + file));
        EXPECT_FALSE(cli.empty()) << file;
        EXPECT_TRUE(cli == file_bytes(tmp / (std::string("lib_") + file))) << file << " differs from the CLI's";
    }
    // The warped image the library gives equals the one the CLI wrote.
    const ScalarImage<3> warped = apply_registration(r, moving);
    const ScalarImage<3> cli_warped = read_image<3>(tmp / "cli_warped.nii.gz");
    EXPECT_TRUE(std::equal(warped.voxels().begin(), warped.voxels().end(), cli_warped.voxels().begin()));
}

// A brain slice under a smooth deformation, registered from zero until every level
// has converged, then again from the first result's velocity field: the warm start
// runs the finest level only, stops soon after one convergence window and is at
// least as accurate.
TEST(RegisterImages, WarmStartedDiffeoConvergesInFarFewerIterations) {
    const ScalarImage<2> fixed =
        read_image<2>("/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png");
    ScalarImage<2> labels(fixed.grid());
    for (Index i = 0; i < fixed.voxel_count(); ++i) labels[i] = float((fixed[i] > 40) + (fixed[i] > 110) + (fixed[i] > 170));
    const VectorField<2> velocity = random_velocity(fixed.grid(), 5.0, 12.0, 3);
    const ScalarImage<2> moving = deform(fixed, velocity, Affine<2>{}, Interpolation::linear);
    const ScalarImage<2> moving_labels = deform(labels, velocity, Affine<2>{}, Interpolation::label);
    const RegistrationPlan plan = parse_registration_plan("--transform diffeo --iterations 200x200x200");

    const RegistrationResult<2> cold = register_images(RegistrationInputs<2>{fixed, moving}, plan);
    RegistrationInputs<2> warm_inputs{fixed, moving};
    warm_inputs.initial_field = &cold.deformation->velocity;
    const RegistrationResult<2> warm = register_images(warm_inputs, plan);

    const int cold_iterations = total_iterations(cold.stages), warm_iterations = total_iterations(warm.stages);
    const double cold_dice = label_overlap(labels, apply_registration(cold, moving_labels, Interpolation::label)).mean;
    const double warm_dice = label_overlap(labels, apply_registration(warm, moving_labels, Interpolation::label)).mean;
    std::printf("iterations: from zero %d, warm %d; Dice %.4f, warm %.4f\n", cold_iterations, warm_iterations,
                cold_dice, warm_dice);
    EXPECT_LT(warm_iterations, cold_iterations / 3);
    EXPECT_GT(warm_dice, cold_dice - 0.005);
    EXPECT_GT(cold_dice, 0.9);
}

namespace {

// Records events; asks to stop after `stop_after` iterations (0: never).
class Recorder final : public RegistrationObserver {
public:
    explicit Recorder(int stop_after = 0) : stop_after_(stop_after) {}
    void stage_started(int stage, int stages, const std::string& description) override {
        started.push_back(stage);
        total_stages = stages;
        descriptions.push_back(description);
    }
    void iteration_done(const IterationEvent& e) override {
        ++iterations;
        EXPECT_EQ(e.stage, started.back());
        EXPECT_EQ(e.stages, total_stages);
        EXPECT_LT(e.level, e.levels);
        EXPECT_GE(e.iteration, 1);
        EXPECT_LE(e.iteration, e.max_iterations);
    }
    void level_done(const LevelReport& r) override { levels.push_back({r.stage, r.level}); }
    bool stop_requested() override { return stop_after_ > 0 && iterations >= stop_after_; }

    std::vector<int> started;
    std::vector<std::string> descriptions;
    std::vector<std::pair<int, int>> levels;
    int total_stages = 0, iterations = 0;

private:
    int stop_after_;
};

}  // namespace

TEST(RegisterImages, ObserverSeesStagesLevelsAndIterationsAndCanCancel) {
    const ScalarImage<3> fixed = phantom();
    Affine<3> shift;
    shift.offset = VecD<3>(3, -2, 1);
    const ScalarImage<3> moving = resample(fixed, fixed.grid(), shift.inverse(), Interpolation::linear);
    const RegistrationPlan plan = parse_registration_plan(
        "--transform rigid --metric ssd --levels 2x1 --smoothing 1x0vox --iterations 20x10 "
        "--transform diffeo --metric ssd --levels 2x1 --smoothing 1x0vox --iterations 5x5");
    Recorder recorder;
    const RegistrationResult<3> r = register_images(RegistrationInputs<3>{fixed, moving}, plan, recorder);
    EXPECT_EQ(recorder.started, (std::vector<int>{0, 1}));
    EXPECT_EQ(recorder.total_stages, 2);
    EXPECT_EQ(recorder.descriptions, plan.stage_descriptions());
    EXPECT_EQ(recorder.levels, (std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}}));
    EXPECT_EQ(recorder.iterations, total_iterations(r.stages));
    ASSERT_EQ(r.stages.size(), 2u);
    for (const StageReport& s : r.stages)
        for (const LevelReport& l : s.levels) EXPECT_FALSE(l.result.stop_reason.empty());
    EXPECT_LT((r.affine.offset - shift.offset).norm(), 0.2);

    Recorder cancelling(3);
    EXPECT_THROW(register_images(RegistrationInputs<3>{fixed, moving}, plan, cancelling), Cancelled);
    EXPECT_EQ(cancelling.iterations, 3);
}

TEST(RegisterImages, InconsistentInputsAreErrors) {
    const ScalarImage<3> fixed = phantom();
    const ScalarImage<3> other(shrink_grid(fixed.grid(), 2));
    const RegistrationPlan linear = parse_registration_plan("--transform rigid");
    RegistrationInputs<3> masked{fixed, fixed, &other};
    EXPECT_THROW(register_images(masked, linear), Error);
    VectorField<3> field(fixed.grid(), Vec<3>::Zero());
    RegistrationInputs<3> warm{fixed, fixed};
    warm.initial_field = &field;
    EXPECT_THROW(register_images(warm, linear), Error);
}
