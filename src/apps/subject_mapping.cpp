#include "alinea/subject_mapping.hpp"

#include "alinea/resample_chain.hpp"

#include <limits>

namespace alinea {

template <int D>
TransformChain<D> SubjectMapping<D>::chain() const {
    TransformChain<D> c;
    if (!warp.empty()) c.then(DisplacementField<D>{warp});
    c.then(affine);
    return c;
}

template <int D>
ScalarImage<D> warp_subject(const ScalarImage<D>& subject, const Grid<D>& template_grid, const SubjectMapping<D>& mapping,
                            Interpolation interpolation) {
    return resample(subject, template_grid, mapping.chain(), interpolation, std::numeric_limits<float>::quiet_NaN());
}

template struct SubjectMapping<2>;
template struct SubjectMapping<3>;
template ScalarImage<2> warp_subject<2>(const ScalarImage<2>&, const Grid<2>&, const SubjectMapping<2>&, Interpolation);
template ScalarImage<3> warp_subject<3>(const ScalarImage<3>&, const Grid<3>&, const SubjectMapping<3>&, Interpolation);

}  // namespace alinea
