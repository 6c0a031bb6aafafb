#include "alinea/transform_chain_file.hpp"

#include "alinea/error.hpp"
#include "alinea/file_kind.hpp"
#include "alinea/nifti.hpp"
#include "alinea/transform_file.hpp"

namespace alinea {

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
    for (const std::string& spec : files) {
        const auto [path, inverse] = split_inverse_flag(spec);
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

template TransformChain<2> read_transform_chain<2>(const std::vector<std::string>&);
template TransformChain<3> read_transform_chain<3>(const std::vector<std::string>&);

}  // namespace alinea
