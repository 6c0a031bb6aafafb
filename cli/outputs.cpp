#include "outputs.hpp"

#include "alinea/error.hpp"
#include "alinea/transform_file.hpp"

#include <filesystem>

namespace alinea::cli {

template <int D>
std::vector<std::string> write_transform_chain(const std::string& stem, const TransformChain<D>& chain,
                                               NiftiCodes codes, OutputSet& outputs) {
    std::vector<std::string> files;
    for (std::size_t s = 0; s < chain.steps().size(); ++s) {
        const std::string base = stem + "transform" + std::to_string(s);
        if (const auto* a = std::get_if<Affine<D>>(&chain.steps()[s])) {
            files.push_back(base + ".txt");
            write_itk_transform(outputs(files.back()), *a);
        } else {
            files.push_back(base + ".nii.gz");
            write_nifti(outputs(files.back()), std::get<DisplacementField<D>>(chain.steps()[s]).field, codes);
        }
    }
    return files;
}

std::string file_stem(const std::string& path) {
    std::string name = std::filesystem::path(path).filename().string();
    for (const std::string ext : {".nii.gz", ".nii", ".png"})
        if (name.size() > ext.size() && name.ends_with(ext)) return name.substr(0, name.size() - ext.size());
    return name;
}

std::vector<std::string> transform_files(const std::vector<std::string>& specs) {
    std::vector<std::string> files;
    for (const std::string& spec : specs) {
        if (spec == "identity" || spec == "Identity") continue;
        if (spec.size() > 2 && spec.front() == '[' && spec.back() == ']') files.push_back(spec.substr(1, spec.find(',') - 1));
        else files.push_back(spec);
    }
    return files;
}

template std::vector<std::string> write_transform_chain<2>(const std::string&, const TransformChain<2>&, NiftiCodes,
                                                                  OutputSet&);
template std::vector<std::string> write_transform_chain<3>(const std::string&, const TransformChain<3>&, NiftiCodes,
                                                                  OutputSet&);

}  // namespace alinea::cli
