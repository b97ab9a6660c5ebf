# CLI tests: shell scripts that drive the built program and check its
# output, exit codes and files (with jq, ogrinfo and the spatialite shell).
foreach(t help geocode e2e bad_input review render export qgis)
  add_test(NAME cli.${t}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_${t}.sh)
  set_tests_properties(cli.${t} PROPERTIES LABELS cli
    ENVIRONMENT "BM=$<TARGET_FILE:bordermap>;SRC=${PROJECT_SOURCE_DIR};WORK=${BM_TEST_TMP}/cli_${t}")
endforeach()

# Installs into a scratch prefix and runs the installed program without
# BORDERMAP_DATA: it must find its installed data.
add_test(NAME cli.install
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_install.sh
                 ${PROJECT_BINARY_DIR})
set_tests_properties(cli.install PROPERTIES LABELS cli
  ENVIRONMENT "BM=$<TARGET_FILE:bordermap>;SRC=${PROJECT_SOURCE_DIR};WORK=${BM_TEST_TMP}/cli_install")

# The geoparser's evaluation on the development set (../shared/reports/dev)
# and the documented jsonl format; skipped when the development set is not
# beside the repository.
add_test(NAME cli.eval COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_eval.sh)
set_tests_properties(cli.eval PROPERTIES LABELS cli SKIP_RETURN_CODE 77
  ENVIRONMENT "BM=$<TARGET_FILE:bordermap>;SRC=${PROJECT_SOURCE_DIR};WORK=${BM_TEST_TMP}/cli_eval")

# Accuracy on the project's own corpus (tests/data/reports: reports written
# for bordermap, with gold): main incident type, place and month, no
# invented year, places. Runs on every clone.
add_test(NAME cli.corpus COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_corpus.sh)
set_tests_properties(cli.corpus PROPERTIES LABELS cli
  ENVIRONMENT "BM=$<TARGET_FILE:bordermap>;SRC=${PROJECT_SOURCE_DIR};WORK=${BM_TEST_TMP}/cli_corpus")

# Reliability (docs/reliability.md): bad input one case at a time; kills
# during an ingest; injection strings, file modes and --force; a short
# concurrent load (tests/load.sh runs the long one by hand).
foreach(t bad_input_more kill security load)
  add_test(NAME cli.${t}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_${t}.sh)
  set_tests_properties(cli.${t} PROPERTIES LABELS cli
    ENVIRONMENT "BM=$<TARGET_FILE:bordermap>;SRC=${PROJECT_SOURCE_DIR};WORK=${BM_TEST_TMP}/cli_${t}")
endforeach()
