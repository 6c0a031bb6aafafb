#include "alinea/transform_chain.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/interpolate.hpp"
#include "alinea/nifti.hpp"
#include "alinea/transform_file.hpp"

namespace alinea {

template <int D>
VecD<D> DisplacementField<D>::operator()(const VecD<D>& x) const {
    Vec<D> u;
    if (!sample_linear(field, field.grid().continuous_index(x), u)) return x;
    return x + u.template cast<double>();
}

template <int D>
bool TransformChain<D>::is_affine(Affine<D>* affine) const {
    Affine<D> total;
    for (const auto& step : steps_) {
        if (!std::holds_alternative<Affine<D>>(step)) return false;
        total = std::get<Affine<D>>(step).after(total);
    }
    if (affine) *affine = total;
    return true;
}

template <int D>
VecD<D> TransformChain<D>::operator()(const VecD<D>& x) const {
    VecD<D> y = x;
    for (const auto& step : steps_) y = std::visit([&](const auto& t) { return t(y); }, step);
    return y;
}

namespace {
// ANTs' "[file,1]" asks for the inverse of a linear transform.
std::pair<std::string, bool> split_inverse_flag(const std::string& spec) {
    if (spec.size() > 2 && spec.front() == '[' && spec.back() == ']') {
        const std::string inner = spec.substr(1, spec.size() - 2);
        const size_t comma = inner.rfind(',');
        if (comma != std::string::npos) {
            const std::string flag = inner.substr(comma + 1);
            if (flag == "1" || flag == "0") return {inner.substr(0, comma), flag == "1"};
        }
        throw Error("transform '" + spec + "': expected [FILE,0] or [FILE,1]");
    }
    return {spec, false};
}
}  // namespace

template <int D>
TransformChain<D> read_transform_chain(const std::vector<std::string>& files) {
    TransformChain<D> chain;
    for (auto it = files.begin(); it != files.end(); ++it) {
        const auto [path, inverse] = split_inverse_flag(*it);
        if (is_nifti_path(path)) {
            if (inverse) throw Error(path + ": a displacement field cannot be inverted here (use alinea invert)");
            chain.then(DisplacementField<D>{read_nifti_vector<D>(path)});
        } else {
            const Affine<D> a = read_linear_transform<D>(path);
            chain.then(inverse ? a.inverse() : a);
        }
    }
    return chain;
}

template struct DisplacementField<2>;
template struct DisplacementField<3>;
template class TransformChain<2>;
template class TransformChain<3>;
template TransformChain<2> read_transform_chain<2>(const std::vector<std::string>&);
template TransformChain<3> read_transform_chain<3>(const std::vector<std::string>&);

}  // namespace alinea
