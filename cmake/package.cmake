# Debian packages with CPack: `bash cmake/run.sh package` (a tree configured for /usr), or
# `cpack --config build/CPackConfig.cmake` in any tree that was built. Two packages, from the
# install components of CMakeLists.txt:
#   leafsynth         the programs, the Lambda handlers they package, man page, completions
#   libleafsynth-dev  headers, static libraries and the CMake package (depends on leafsynth for
#                     the handlers, and on the -dev packages the CMake package finds)
# The runtime Depends of leafsynth are computed from its binaries by dpkg-shlibdeps.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME leafsynth)
set(CPACK_PACKAGE_VENDOR leafsynth)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "leafsynth maintainers <maintainers@leafsynth.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "CloudFormation templates from C++ constructs, without Node")
set(CPACK_PACKAGE_DESCRIPTION
    "leafsynth synthesizes AWS CloudFormation templates from C++ construct trees, as the AWS CDK does \
without Node, Python or jsii, and bootstraps, deploys, diffs, destroys and checks drift of them through \
CloudFormation change sets. It ships the ContainerManager app: one game-server container per leaf, \
started on demand.")
# Under /usr whatever the tree's prefix: the programs find what they read beside themselves, and a
# program linking libleafsynth-dev finds the handlers in /usr/share (default_lambda_dir()).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME leafsynth)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_CLI_PACKAGE_SUGGESTS "bash-completion, cfn-lint")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libleafsynth-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "leafsynth (= ${PROJECT_VERSION}-1), nlohmann-json3-dev, libyaml-cpp-dev, libfmt-dev, libssl-dev, libzip-dev, libpcre2-dev, pkg-config")
set(CPACK_COMPONENT_CLI_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY} (command-line tool)")
set(CPACK_COMPONENT_DEV_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY} (C++ library, headers and CMake package)")
include(CPack)
