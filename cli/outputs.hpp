#pragma once
// What several subcommands write the same way: transform chains as files in ANTs
// order (the rule that no output may overwrite an input is output_set.hpp's).
#include "alinea/nifti.hpp"
#include "alinea/output_set.hpp"
#include "alinea/transform_chain.hpp"

#include <string>
#include <vector>

namespace alinea::cli {

// STEMtransform0.txt / .nii.gz, STEMtransform1..., one file per step: given back in
// this order (`-t` or after `--atlas IMAGE LABELS`) they are the same chain. Written
// as part of the run's outputs (committed with them).
template <int D>
std::vector<std::string> write_transform_chain(const std::string& stem, const TransformChain<D>& chain,
                                               NiftiCodes codes, OutputSet& outputs);

// A file's name without folders and image extensions: "scans/day3.nii.gz" -> "day3".
std::string file_stem(const std::string& path);

// The files a transform list names ("[file,1]" -> file; "identity" names none).
std::vector<std::string> transform_files(const std::vector<std::string>& specs);

}  // namespace alinea::cli
