// shim.cc: the Google Benchmark front for the C benchmark cases of bench/kernels.c. Each case is
// registered once per field path this CPU has, as "field/<path>/<op>/<kind>".
#include <benchmark/benchmark.h>

#include <string>

extern "C" {
#include "bench/kernels.h"
int zbp_field_select(int isa);
int zbp_isa_supported(int isa);
const char *zbp_isa_name(int isa);
}

static void run_case(benchmark::State &state, const zbp_bench_case_t *c, int isa) {
    if (isa >= 0 && zbp_field_select(isa) != 0) {
        state.SkipWithError("path not supported on this CPU");
        return;
    }
    for (auto _ : state) c->run(1);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(c->ops_per_rep));
}

int main(int argc, char **argv) {
    size_t n = 0;
    const zbp_bench_case_t *cases = zbp_bench_field_cases(&n);
    for (int isa = 0; isa < 4; isa++) {
        if (!zbp_isa_supported(isa)) continue;
        for (size_t k = 0; k < n; k++) {
            if (!cases[k].batch && isa > 1) continue;
            std::string name = std::string("field/") + zbp_isa_name(isa) + "/" + cases[k].name + "/" +
                               cases[k].kind;
            benchmark::RegisterBenchmark(name.c_str(), run_case, &cases[k], isa);
        }
    }
    /* The curve cases run on the scalar path the library chose (they have no batch variants). */
    const zbp_bench_case_t *curve = zbp_bench_curve_cases(&n);
    for (size_t k = 0; k < n; k++) {
        std::string name = std::string("curve/") + curve[k].name + "/" + curve[k].kind;
        benchmark::RegisterBenchmark(name.c_str(), run_case, &curve[k], -1);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
