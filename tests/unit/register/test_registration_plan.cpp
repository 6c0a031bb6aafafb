// The registration plan as a library value: parse -> print -> parse is the identity
// over every option and every stage kind, and every unknown or inapplicable key is a
// one-line error that names the key and the keys that are allowed.
#include "alinea/registration_plan.hpp"

#include <gtest/gtest.h>

using namespace alinea;

namespace {

void expect_round_trip(const std::string& text) {
    SCOPED_TRACE(text);
    const RegistrationPlan plan = parse_registration_plan(text);
    const std::string printed = to_string(plan);
    const RegistrationPlan again = parse_registration_plan(printed);
    EXPECT_TRUE(again == plan) << printed;
    EXPECT_EQ(to_string(again), printed);
}

// The message of the error that parsing `text` throws ("" if none).
std::string error_of(const std::string& text) {
    try {
        parse_registration_plan(text);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(RegistrationPlan, PrintThenParseIsTheIdentityForEveryOptionAndStageKind) {
    expect_round_trip("");  // the default plan
    for (const char* init : {"identity", "centers", "mass", "moments", "search", "search:range=45,step=15,shrink=2"})
        expect_round_trip(std::string("--init ") + init + " --transform rigid");
    for (const char* model : {"translation", "rigid", "similarity", "affine"})
        for (const char* metric : {"ssd", "ncc", "lncc:radius=3", "mi:bins=48"})
            expect_round_trip(std::string("--transform ") + model + " --metric " + metric);
    expect_round_trip(
        "--init mass --transform rigid --metric mi:bins=24 --levels 8x4x2x1 --smoothing 3x2x1x0mm --iterations "
        "200x100x50x10 --convergence 1e-7,12 --optimizer lbfgs --samples 5000 --space moving "
        "--transform affine --metric ncc --levels 2x1 --smoothing 0.5x0vox --iterations 30x20 --samples 0");
    for (const char* deformable :
         {"diffeo", "greedy", "bspline", "diffeo:step=0.25,fluid=3,elastic=0.5",
          "diffeo:symmetric=yes,step=2", "greedy:step=1,fluid=0,elastic=2.5",
          "bspline:spacing=12.5,bending=0.001"})
        expect_round_trip(std::string("--transform affine --transform ") + deformable +
                          " --metric lncc:radius=4 --levels 4x2 --smoothing 1.5x0mm --iterations 50x25 "
                          "--convergence 1e-3,5");
    expect_round_trip("--transform diffeo");  // a deformable stage alone
}

TEST(RegistrationPlan, PrintedPlanSpellsOutEveryOption) {
    const std::string printed = to_string(parse_registration_plan("--transform rigid --transform diffeo"));
    const std::vector<std::string> options{"--init identity",        "--metric mi:bins=32",
                                           "--levels 4x2x1",         "--smoothing 2x1x0vox",
                                           "--iterations 100x50x25", "--optimizer gd",
                                           "--samples 100000",       "--convergence",
                                           "--transform " + DiffeoOptions{}.spec(),
                                           "--metric lncc:radius=2", "--iterations 100x60x20"};
    for (const std::string& option : options)
        EXPECT_NE(printed.find(option), std::string::npos) << option << " missing in " << printed;
}

TEST(RegistrationPlan, ConvergenceWithoutAWindowKeepsTheStagesWindow) {
    const RegistrationPlan plan = parse_registration_plan("--transform rigid --convergence 1e-5 --transform diffeo "
                                                          "--convergence 1e-3");
    EXPECT_EQ(plan.linear[0].convergence, (Convergence{1e-5, LinearStage{}.convergence.window}));
    EXPECT_EQ(plan.deformable->convergence, (Convergence{1e-3, DeformableStage{}.convergence.window}));
}

TEST(RegistrationPlan, DefaultsWithoutStagesAreRigidThenAffineWithMutualInformation) {
    const RegistrationPlan plan = parse_registration_plan("--init moments");
    ASSERT_EQ(plan.linear.size(), 2u);
    EXPECT_EQ(plan.linear[0].model, LinearModel::rigid);
    EXPECT_EQ(plan.linear[1].model, LinearModel::affine);
    EXPECT_TRUE(std::holds_alternative<MiOptions>(plan.linear[1].metric));
    EXPECT_FALSE(plan.deformable);
    EXPECT_TRUE(plan.init == InitialAlignment{Initialization::moments});
}

TEST(RegistrationPlan, InapplicableKeysNameTheKeyAndTheAllowedOnes) {
    const std::string bspline = error_of("--transform bspline:fluid=2");
    EXPECT_NE(bspline.find("'fluid'"), std::string::npos) << bspline;
    EXPECT_NE(bspline.find("spacing, bending"), std::string::npos) << bspline;
    for (const char* dense : {"diffeo:spacing=8", "greedy:bending=1"}) {
        const std::string e = error_of(std::string("--transform ") + dense);
        EXPECT_NE(e.find("step, fluid, elastic"), std::string::npos) << e;
    }
    EXPECT_NE(error_of("--transform greedy:symmetric=yes").find("step, fluid, elastic"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo:symmetric=maybe").find("yes or no"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo:step").find("key=value"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo:step=1,step=2").find("twice"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo:step=-1").find("step"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --metric ncc:radius=2").find("takes none"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --metric lncc:bins=3").find("radius"), std::string::npos);
    EXPECT_NE(error_of("--init search:angle=3").find("range, step, shrink"), std::string::npos);
    EXPECT_NE(error_of("--init mass:range=3").find("only search"), std::string::npos);
    EXPECT_NE(error_of("--init sideways").find("sideways"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --optimizer adam").find("adam"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo --optimizer lbfgs").find("linear stages only"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo --samples 10").find("linear stages only"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo --transform affine").find("last stage"), std::string::npos);
    EXPECT_NE(error_of("--transform warp").find("warp"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --convergence 2").find("--convergence"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --convergence 1e-6,0").find("--convergence"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --levels 2x1 --iterations 3").find("same number"), std::string::npos);
    EXPECT_NE(error_of("--metric ssd --transform rigid").find("before the first --transform"), std::string::npos);
    EXPECT_NE(error_of("--transform rigid --levels").find("needs a value"), std::string::npos);
    EXPECT_NE(error_of("--init mass --init moments").find("twice"), std::string::npos);
    // A stage option given twice (the first would be silently lost) and schedules with
    // an empty level.
    EXPECT_NE(error_of("--transform rigid --levels 2x1 --levels 2x1").find("--levels given twice"), std::string::npos);
    EXPECT_NE(error_of("--transform diffeo --metric ncc --metric ssd").find("twice"), std::string::npos);
    EXPECT_EQ(error_of("--transform rigid --iterations 10x5x2 --transform affine --iterations 10x5x2"), "");
    for (const char* schedule : {"4x2x", "x4x2", "4xx2"})
        EXPECT_NE(error_of(std::string("--transform rigid --levels 2x1 --smoothing 1x0vox --iterations ") + schedule)
                      .find("separated by 'x'"),
                  std::string::npos)
            << schedule;
    for (const char* bad : {"--transform bspline:fluid=2", "--transform rigid --optimizer adam"})
        EXPECT_EQ(error_of(bad).find('\n'), std::string::npos) << "one line: " << error_of(bad);
}
