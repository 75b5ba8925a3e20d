# `cmake --install build --component library` installs the core as a library for other
# projects: the archive, the public headers (include/mqtk/) and a CMake package, so that
#   find_package(mqtk) + target_link_libraries(app PRIVATE mqtk::core)
# works. Static rather than shared: the API is 0.x and its classes are not yet laid out for a
# stable ABI (no versioned symbols, inline structs that will grow), so users get exactly the
# code they built against; paho stays a shared dependency, found again by mqtkConfig.cmake.
include(CMakePackageConfigHelpers)

set(MQTK_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mqtk)
set_target_properties(mqtk_core PROPERTIES EXPORT_NAME core OUTPUT_NAME mqtk)
# A sanitized archive needs the sanitizer's runtime in whatever links it.
if(MQTK_SANITIZE)
  target_link_options(mqtk_core INTERFACE $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
elseif(MQTK_TSAN)
  target_link_options(mqtk_core INTERFACE $<INSTALL_INTERFACE:-fsanitize=thread>)
endif()

install(TARGETS mqtk_core EXPORT mqtkTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
install(DIRECTORY include/mqtk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT library)
install(EXPORT mqtkTargets NAMESPACE mqtk:: DESTINATION ${MQTK_CMAKE_PACKAGE_DIR}
        COMPONENT library)

configure_package_config_file(cmake/mqtkConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/mqtkConfig.cmake INSTALL_DESTINATION ${MQTK_CMAKE_PACKAGE_DIR})
# 0.x: a minor release may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/mqtkConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mqtkConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/mqtkConfigVersion.cmake
        DESTINATION ${MQTK_CMAKE_PACKAGE_DIR} COMPONENT library)
