#include "alinea/grid.hpp"

#include <gtest/gtest.h>

using namespace alinea;

TEST(Grid, PhysicalAndContinuousIndexAreInverse) {
    MatD<3> direction;
    direction = Eigen::AngleAxisd(0.3, VecD<3>(1, 2, 3).normalized()).toRotationMatrix();
    const Grid<3> g = Grid<3>::from_spacing({10, 20, 30}, VecD<3>(0.5, 1.2, 2.0), VecD<3>(-3, 4, 7), direction);
    const VecD<3> index(1.5, 7.25, 20);
    EXPECT_LT((g.continuous_index(g.physical(index)) - index).norm(), 1e-12);
    EXPECT_LT((g.spacing() - VecD<3>(0.5, 1.2, 2.0)).norm(), 1e-12);
    EXPECT_LT((g.direction() - direction).norm(), 1e-12);
}

TEST(Grid, OffsetAndIndexOfRoundTrip) {
    const Grid<3> g = Grid<3>::from_spacing({4, 5, 6}, VecD<3>::Ones());
    for (Index o : {Index(0), Index(17), Index(119)}) EXPECT_EQ(g.offset(g.index_of(o)), o);
    EXPECT_EQ(g.offset({1, 2, 3}), 1 + 4 * (2 + 5 * 3));
}

TEST(Grid, SingularMatrixIsRejected) {
    EXPECT_THROW(Grid<2>({3, 3}, MatD<2>::Zero(), VecD<2>::Zero()), std::invalid_argument);
}
