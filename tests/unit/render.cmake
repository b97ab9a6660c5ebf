# Render module tests: PNG/PDF/SVG output, pixel checks against the
# projected incident and sea positions, error paths.
bm_unit_test(test_render unit/test_render.c bm_render bm_style bm_export)
target_link_libraries(test_render PRIVATE PkgConfig::PANGOCAIRO PkgConfig::CAIRO PkgConfig::PROJ)

# Benchmark helpers (built, never run by CTest; tests/bench/bench_render.sh
# runs them): a synthetic incident database and a 1e6-incident heatmap.
add_executable(make_synthetic bench/make_synthetic.c)
target_link_libraries(make_synthetic PRIVATE bm_store bm_core m)
add_executable(bench_heatmap bench/bench_heatmap.c)
target_link_libraries(bench_heatmap PRIVATE bm_render bm_style bm_export bm_core m)
