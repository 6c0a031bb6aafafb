#pragma once
// Atlas construction by group registration: an unbiased template of a population, as in
// statistical shape analysis. Start from a mean of the subjects; then, every
// iteration, register each subject to the template (the template is the fixed image),
// move the template to the centre of the population (the shape update) and average
// the subjects carried onto it (template_average.hpp). The shape update
// (shape_update.hpp) is the exact inverse of the population's mean map, as greedy
// computes it; ANTs' antsMultivariateTemplateConstruction2 instead scales
// the mean warp by a gradient step of 0.25 and applies it four times, which moves the
// template by about the same amount without the exact inverse.
//
// Memory: the subjects' images and their maps (one field each on the template grid);
// the warped subjects are averaged as they are made (except for the median).
#include "alinea/registration.hpp"
#include "alinea/shape_update.hpp"
#include "alinea/template_average.hpp"

#include <span>
#include <string>
#include <vector>

namespace alinea {

struct AtlasOptions {
    RegistrationPlan plan = default_atlas_plan();
    int iterations = 4;  // template updates
    TemplateAverage average = TemplateAverage::normalized_mean;
    // Laplacian, as ANTs' template construction does by default: on a synthetic
    // population (test_atlas) it brought the template's correlation with the true mean
    // anatomy from 0.899 to 0.949 (unsharp mask 0.932; the ideal average 0.960).
    TemplateSharpening sharpening = TemplateSharpening::laplacian;
    // The shape update includes the population's mean rotation and translation; false
    // keeps only its scaling and shear (about the template's centre), so that the
    // template stays where the initial one was.
    bool rigid_update = true;
    // From the second iteration on, each registration starts from the subject's map of
    // the previous iteration (its affine, its warp as the initial field) and runs only
    // the finest level of the deformable stage: the template moves less and less.
    bool warm_start = true;
    // The first iteration registers to the starting template (a blurred mean): its
    // deformable stage stops before the finest level, where there is no detail to
    // match yet. On IXI (bench/atlas) this took the atlas from 202 s to 170 s, and the
    // subjects' pairwise label Dice in template space from 0.672 to 0.676.
    bool coarse_first_iteration = true;
    // Several subjects registered at once, one thread each (else one at a time with
    // every thread). The result is the same either way.
    bool subjects_in_parallel = true;

    // Centres of mass, rigid -> affine (mutual information) -> diffeo (local correlation),
    // as for segmentation.
    static RegistrationPlan default_atlas_plan();
    void validate() const;  // throws alinea::Error
};

// Where the construction starts: the subjects translated so that their intensity
// centres of mass meet the first subject's, on the first subject's grid, averaged
// (normalised intensities unless `average` says otherwise). With a team, every rank
// needs the first subject's image and its own subjects'.
template <int D>
struct InitialTemplate {
    ScalarImage<D> image;
    std::vector<SubjectMapping<D>> mappings;  // the translations
};
template <int D>
InitialTemplate<D> initial_template(std::span<const AtlasSubject<D>> subjects, TemplateAverage average,
                                    const AtlasTeam& team = {});

// The figures of one iteration.
struct AtlasIterationFigures {
    int iteration = 0;             // from 1
    double shape_update_mm = 0;    // RMS of |W(x) - x| over the template's foreground: falls as it converges
    double velocity_update_mm = 0; // RMS of |mean v_i| there (0 for a linear atlas)
    double mean_metric = 0;        // the registrations' final metric values, averaged
    double template_change = 0;    // RMS(new - old) / RMS(old) over the template
    double seconds = 0;
};

template <int D>
struct AtlasIteration {
    AtlasIterationFigures figures;
    ScalarImage<D> template_image, intensity_sd;  // the updated template, the subjects' spread on it
    std::vector<SubjectMapping<D>> mappings;      // every subject's map from the updated template
    std::vector<double> metric;                   // every registration's final metric value
};

class AtlasObserver : public RegistrationObserver {
public:
    virtual void registration_started(int iteration, std::size_t subject, std::size_t subjects,
                                      const std::string& name) {}
    virtual void averaging_started(int iteration) {}
};

// One iteration: every subject registered to `current` (the fixed image), the shape
// update, the new average (sharpened as chosen). `previous`: the subjects' maps onto
// `current` from the iteration that made it (the warm start; empty: none). A
// registration that fails stops the iteration: alinea::Error naming the subject
// (Cancelled when the observer asks).
//
// With a team of ranks (atlas_team.hpp; every rank calls with the same arguments):
// each rank registers its own subjects (the others' images may be empty, and so may
// their `previous` maps), the ranks combine exactly, and every rank returns the same
// template, figures and metrics, with the maps of its own subjects only (the others
// empty). The result is the same bytes for any number of ranks and any split.
template <int D>
AtlasIteration<D> atlas_iteration(std::span<const AtlasSubject<D>> subjects, const ScalarImage<D>& current,
                                  int iteration, const AtlasOptions& options, AtlasObserver& observer,
                                  std::span<const SubjectMapping<D>> previous = {}, const AtlasTeam& team = {});

// The whole construction in memory: initial template, then options.iterations
// iterations. (The CLI runs the same steps itself, to write and resume each iteration.)
template <int D>
struct AtlasConstruction {
    ScalarImage<D> initial;
    AtlasIteration<D> last;                      // the final template and maps
    std::vector<AtlasIterationFigures> figures;  // per iteration
};
template <int D>
AtlasConstruction<D> build_atlas(std::span<const AtlasSubject<D>> subjects, const AtlasOptions& options,
                                 AtlasObserver& observer, const ScalarImage<D>* initial = nullptr,
                                 const AtlasTeam& team = {});

}  // namespace alinea
