# Golden test of the geoparser on the shipped sample reports: expected place
# mentions (golden/places.tsv) and incidents (golden/incidents.tsv),
# annotated by hand. Fails below the recall/precision thresholds given
# here (set from what the geoparser measured when the files were written:
# recall 0.93, precision 1.00) or when an expected incident is missing.
add_executable(test_golden_places golden/test_golden_places.c)
target_link_libraries(test_golden_places PRIVATE bm_geoparse m)
add_test(NAME golden.places
  COMMAND test_golden_places
          ${CMAKE_CURRENT_SOURCE_DIR}/golden/places.tsv
          ${CMAKE_CURRENT_SOURCE_DIR}/golden/incidents.tsv
          ${PROJECT_SOURCE_DIR}/samples 0.85 0.90)
set_tests_properties(golden.places PROPERTIES LABELS golden
  ENVIRONMENT "BORDERMAP_DATA=${BM_TEST_DATA_DIR}")
