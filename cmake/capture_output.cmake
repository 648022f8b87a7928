# cmake -DPROGRAM=exe "-DARGS=a;b" -DOUT=file [-DGZIP=ON] -P capture_output.cmake
# Writes what PROGRAM ARGS prints on stdout to OUT (gzip -9n'd when GZIP: no name or time in the
# header, so the same text gives the same bytes); fails when the program fails.
execute_process(COMMAND "${PROGRAM}" ${ARGS} OUTPUT_FILE "${OUT}.tmp" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE "${OUT}.tmp")
  message(FATAL_ERROR "${PROGRAM} ${ARGS} failed (${rc})")
endif()
if(GZIP)
  execute_process(COMMAND gzip -9n -c "${OUT}.tmp" OUTPUT_FILE "${OUT}" RESULT_VARIABLE rc)
  file(REMOVE "${OUT}.tmp")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip of ${OUT} failed (${rc})")
  endif()
else()
  file(RENAME "${OUT}.tmp" "${OUT}")
endif()
