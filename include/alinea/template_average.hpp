#pragma once
// The average of a population carried onto the template grid: mean, median or
// normalised mean, voxel by voxel, with the subjects' spread, and the sharpening that
// gives back what imperfect alignment blurred.
#include "alinea/atlas_team.hpp"
#include "alinea/subject_mapping.hpp"

#include <span>
#include <string>

namespace alinea {

enum class TemplateAverage {
    mean,             // of the intensities as they are
    median,           // voxel by voxel (holds every warped subject at once)
    normalized_mean,  // of each subject divided by its mean foreground intensity, in the subjects' mean units
};
TemplateAverage parse_template_average(const std::string& name);  // mean, median, normalized-mean
std::string to_string(TemplateAverage average);

// What the average loses in sharpness (the subjects never align perfectly) can be
// given back: T - 0.25 * laplacian(T) (voxel units), or an unsharp mask
// T + 0.5 (T - G_1 * T) (Gaussian of one voxel); both clipped to T's range.
enum class TemplateSharpening { none, laplacian, unsharp };
TemplateSharpening parse_template_sharpening(const std::string& name);
std::string to_string(TemplateSharpening sharpening);

// The average of the subjects carried onto a grid through their maps, streamed, and
// their standard deviation (in the template's units). Voxels that a subject does not
// cover (outside its grid) are averaged over the subjects that do. With a team of
// ranks, each warps its own subjects (the others' images may be empty) and the sums
// are exact, so that every rank gets the same bytes whatever the split.
template <int D>
struct TemplateAverageResult {
    ScalarImage<D> average, sd;
};
template <int D>
TemplateAverageResult<D> average_subjects(std::span<const AtlasSubject<D>> subjects,
                                          std::span<const SubjectMapping<D>> mappings, const Grid<D>& grid,
                                          TemplateAverage average, const AtlasTeam& team = {});

template <int D>
ScalarImage<D> sharpen(const ScalarImage<D>& image, TemplateSharpening sharpening);

}  // namespace alinea
