// alinea overlap: how well two label maps on one grid agree, label by label (Dice,
// Jaccard, 95th-percentile Hausdorff distance in mm), e.g. a segmentation against a
// manual one.
#include "commands.hpp"
#include "dimension.hpp"
#include "outputs.hpp"

#include "alinea/output_set.hpp"
#include "alinea/image_io.hpp"
#include "alinea/label_agreement.hpp"
#include "alinea/option_spec.hpp"
#include "alinea/parallel.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace alinea::cli {

namespace {

struct OverlapOptions {
    std::string a, b, csv;
    bool distances = true, per_label = false;
    int threads = 0;
};

std::string number(double v) { return std::isnan(v) ? "nan" : format_number(v); }

template <int D>
void run(const OverlapOptions& o) {
    const ScalarImage<D> a = read_image<D>(o.a), b = read_image<D>(o.b);
    if (!a.grid().same_as(b.grid()))
        throw Error(o.b + ": not on the grid of " + o.a + " (resample it first with `alinea apply -n label`)");
    const LabelComparison c = compare_labels(a, b, o.distances);
    if (o.per_label)
        for (const LabelAgreement& l : c.labels)
            std::printf("label %d: Dice %.4f, Jaccard %.4f%s (%lld and %lld voxels)\n", l.label, l.dice, l.jaccard,
                        o.distances ? (", HD95 " + number(l.hausdorff95) + " mm").c_str() : "",
                        static_cast<long long>(l.voxels_a), static_cast<long long>(l.voxels_b));
    std::printf("%zu labels: mean Dice %.4f, mean Jaccard %.4f", c.labels.size(), c.mean_dice, c.mean_jaccard);
    if (o.distances) std::printf(", mean HD95 %.3f mm", c.mean_hausdorff95);
    std::printf("\n");
    if (!o.csv.empty()) {
        std::ostringstream csv;
        csv << "label,voxels_a,voxels_b,dice,jaccard,hausdorff95_mm\n";
        for (const LabelAgreement& l : c.labels)
            csv << l.label << "," << l.voxels_a << "," << l.voxels_b << "," << number(l.dice) << ","
                << number(l.jaccard) << "," << (o.distances ? number(l.hausdorff95) : "") << "\n";
        csv << "mean,,," << number(c.mean_dice) << "," << number(c.mean_jaccard) << ","
            << (o.distances ? number(c.mean_hausdorff95) : "") << "\n";
        write_text_file(o.csv, csv.str());
    }
}

}  // namespace

void add_overlap_command(CLI::App& app) {
    auto o = std::make_shared<OverlapOptions>();
    CLI::App* cmd = app.add_subcommand("overlap", "Compare two label maps: Dice, Jaccard, Hausdorff distance per label");
    cmd->add_option("a", o->a, "Label map (e.g. the reference segmentation)")->required();
    cmd->add_option("b", o->b, "Label map on the same grid (e.g. alinea segment's PREFIXlabels.nii.gz)")->required();
    cmd->add_option("--csv", o->csv, "Write one row per label (and the means) to this CSV file");
    cmd->add_flag("--per-label", o->per_label, "Print every label's figures");
    cmd->add_flag("!--no-distances", o->distances, "Skip the Hausdorff distances (faster)");
    cmd->add_option("--threads", o->threads, "Number of threads: 0 (all cores) or 1 to 4 x the cores");
    cmd->footer("Label 0 is background. HD95: the larger of the two directed 95th percentiles of the distances\n"
                "(mm) between the labels' boundary voxels; nan when a label is missing from one map (the mean\n"
                "HD95 is over the labels present in both). Means are over every label in either map.");
    cmd->callback([o] {
        if (!o->csv.empty()) check_outputs_spare_inputs({o->a, o->b}, {o->csv});
        set_thread_count(o->threads);
        dispatch_dimension(image_dimension(o->a), [&]<int D>() { run<D>(*o); });
    });
}

}  // namespace alinea::cli
