# cmake -DFROM=dir -DTO=dir -DFILES="a;b/c" -P stage_files.cmake
# Makes TO hold exactly FILES (paths relative to FROM), copied from FROM: what was there before
# is removed first, so a file deleted from FROM does not linger in TO.
file(REMOVE_RECURSE "${TO}")
foreach(f IN LISTS FILES)
  get_filename_component(dir "${TO}/${f}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(COPY "${FROM}/${f}" DESTINATION "${dir}")
endforeach()
