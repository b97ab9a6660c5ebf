# Render module tests: PNG/PDF/SVG output, pixel checks against the
# projected incident and sea positions, error paths.
bm_unit_test(test_render unit/test_render.c bm_render bm_style bm_export)
target_link_libraries(test_render PRIVATE PkgConfig::PANGOCAIRO PkgConfig::CAIRO PkgConfig::PROJ)
