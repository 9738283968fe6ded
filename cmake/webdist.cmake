# Stages the dashboard at build time:
#   cmake -DSRC=<source dir> -DOUT=<build>/web -DLIST=cmake/vendor_files.txt \
#         -DSTAMP=<file> -P webdist.cmake
# copies web/ to OUT and every file of LIST from node_modules/ to
# OUT/vendor/<same path>, after checking that each package's installed
# version is the one package-lock.json pins. The daemon then serves OUT (or
# its installed copy), never node_modules/: a checkout's node_modules is a
# build input only. Fails, naming the package, when node_modules is missing
# or was installed from another lock file.
cmake_minimum_required(VERSION 3.25)
file(READ ${SRC}/package-lock.json lock)
file(STRINGS ${LIST} files REGEX "^[^#]")
file(REMOVE_RECURSE ${OUT})
file(COPY ${SRC}/web/ DESTINATION ${OUT})
set(checked "")
foreach(f ${files})
  string(REGEX MATCH "^[^/]+" pkg "${f}")
  if(NOT pkg IN_LIST checked)
    string(JSON want ERROR_VARIABLE jerr GET "${lock}" packages "node_modules/${pkg}" version)
    if(jerr)
      message(FATAL_ERROR "webdist: ${pkg} is not in package-lock.json (${jerr})")
    endif()
    set(pj ${SRC}/node_modules/${pkg}/package.json)
    if(NOT EXISTS ${pj})
      message(FATAL_ERROR "webdist: node_modules/${pkg} is missing: run scripts/setup.sh "
                          "(npm ci installs the dashboard's libraries from package-lock.json)")
    endif()
    file(READ ${pj} pjtext)
    string(JSON have GET "${pjtext}" version)
    if(NOT have STREQUAL want)
      message(FATAL_ERROR "webdist: node_modules/${pkg} is ${have} but package-lock.json pins "
                          "${want}: run `npm ci` (scripts/setup.sh)")
    endif()
    list(APPEND checked ${pkg})
  endif()
  if(NOT EXISTS ${SRC}/node_modules/${f})
    message(FATAL_ERROR "webdist: node_modules/${f} is missing from ${pkg} ${want}")
  endif()
  get_filename_component(sub ${f} DIRECTORY)
  file(COPY ${SRC}/node_modules/${f} DESTINATION ${OUT}/vendor/${sub})
endforeach()
file(WRITE ${STAMP} "")
