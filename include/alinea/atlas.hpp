#pragma once
// Atlas construction by group registration: an unbiased template of a population, as in
// statistical shape analysis. Start from a mean of the subjects; then, every
// iteration, register each subject to the template (the template is the fixed image),
// move the template to the centre of the population (the shape update) and average
// the subjects carried onto it. The shape update is the inverse of the population's
// mean map: with each subject's map template -> subject written psi_i = A_i o exp(v_i),
//     W = exp(-mean v_i) o (log-mean A_i)^-1,
// the map from the new template to the old one, and the subjects' maps become
// psi_i o W, which average to the identity (to first order). greedy computes the
// update this way, exactly; ANTs' antsMultivariateTemplateConstruction2 instead scales
// the mean warp by a gradient step of 0.25 and applies it four times, which moves the
// template by about the same amount without the exact inverse.
//
// Memory: the subjects' images and their maps (one field each on the template grid);
// the warped subjects are averaged as they are made (except for the median).
#include "alinea/registration.hpp"

#include <span>
#include <string>
#include <vector>

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

template <int D>
struct AtlasSubject {
    std::string name;  // for messages
    const ScalarImage<D>& image;
};

// A subject's map from template points to its own: x -> affine(x + warp(x)), the warp
// on the template grid (empty: none). As a registration with the template fixed
// writes it (ANTs order: -t warp -t affine).
template <int D>
struct SubjectMapping {
    Affine<D> affine;
    VectorField<D> warp;
    TransformChain<D> chain() const;
};

// The subject carried onto the template grid (linear interpolation; NaN where it maps
// outside the subject's grid).
template <int D>
ScalarImage<D> warp_subject(const ScalarImage<D>& subject, const Grid<D>& template_grid, const SubjectMapping<D>& mapping,
                            Interpolation interpolation = Interpolation::linear);

// The map W from the updated template to the current one: x -> warp(affine(x)) with
// affine = (mean A_i)^-1 and warp = exp(-mean v_i), on the template grid. Composing
// with W (and with the subjects' warps), fields are extended beyond the grid by their
// border values.
template <int D>
struct ShapeUpdate {
    Affine<D> mean_affine;        // the log-domain mean of the A_i (without rigid part if so chosen)
    VectorField<D> inverse_warp;  // exp(-mean v_i) as a displacement (empty without velocities)
    VecD<D> operator()(const VecD<D>& x) const;
};

// From the subjects' affines and velocity fields (on the template grid; empty for a
// linear atlas). Non-diffeomorphic models give displacements, used as velocities
// (their first-order logarithm).
template <int D>
ShapeUpdate<D> shape_update(std::span<const Affine<D>> affines, std::span<const VectorField<D>> velocities,
                            const Grid<D>& template_grid, bool rigid_update);

// psi o W, as an affine and a warp on the template grid: affine A_i (mean A)^-1 and
// warp x -> mean A (phi_i(W(x))) - x.
template <int D>
SubjectMapping<D> updated_mapping(const SubjectMapping<D>& mapping, const ShapeUpdate<D>& update);

// The average of the subjects carried onto a grid through their maps, streamed, and
// their standard deviation (in the template's units). Voxels that a subject does not
// cover (outside its grid) are averaged over the subjects that do.
template <int D>
struct TemplateAverageResult {
    ScalarImage<D> average, sd;
};
template <int D>
TemplateAverageResult<D> average_subjects(std::span<const AtlasSubject<D>> subjects,
                                          std::span<const SubjectMapping<D>> mappings, const Grid<D>& grid,
                                          TemplateAverage average);

template <int D>
ScalarImage<D> sharpen(const ScalarImage<D>& image, TemplateSharpening sharpening);

// Where the construction starts: the subjects translated so that their intensity
// centres of mass meet the first subject's, on the first subject's grid, averaged
// (normalised intensities unless `average` says otherwise).
template <int D>
struct InitialTemplate {
    ScalarImage<D> image;
    std::vector<SubjectMapping<D>> mappings;  // the translations
};
template <int D>
InitialTemplate<D> initial_template(std::span<const AtlasSubject<D>> subjects, TemplateAverage average);

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
template <int D>
AtlasIteration<D> atlas_iteration(std::span<const AtlasSubject<D>> subjects, const ScalarImage<D>& current,
                                  int iteration, const AtlasOptions& options, AtlasObserver& observer,
                                  std::span<const SubjectMapping<D>> previous = {});

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
                                 AtlasObserver& observer, const ScalarImage<D>* initial = nullptr);

}  // namespace alinea
