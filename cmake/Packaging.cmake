# Installation to the standard places, and the Debian package built from it by CPack:
#   cmake --build build && cmake --install build --prefix /usr/local
#   cpack --config build/CPackConfig.cmake -G DEB -B OUTDIR
# The man pages and completions installed are the committed, generated ones (man/, completions/;
# tests/cli/docs_test.cpp keeps them current), so installing needs no run of the binary.
include(GNUInstallDirs)

install(TARGETS mqtk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Where src/cli/paho_engine_loader.cpp looks, relative to the binary.
install(TARGETS mqtk_paho_module LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/mqtk)
file(GLOB MQTK_MAN_PAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/man/*.1)
install(FILES ${MQTK_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES completions/mqtk.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mqtk)
install(FILES completions/_mqtk DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
install(FILES completions/mqtk.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# Installing (and so CPack) takes what is built and never starts a build of its own: packaging
# the binary the tests just ran is what tests/packaging/deb_test.cpp checks.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_PACKAGE_NAME mqtk)
set(CPACK_PACKAGE_VENDOR "the mqtk authors")
set(CPACK_PACKAGE_CONTACT "mqtk maintainers <mqtk@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MQTT toolkit for the shell: sub, pub, request/response, bridge, bench, connection checks")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/mqtk/mqtk")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Depends is computed by dpkg-shlibdeps from the NEEDED libraries of the binary and of the paho
# module (on Debian 12: libc6, libfmt9, libgcc-s1, libpaho-mqtt1.3, libpaho-mqttpp3-1,
# libssl3, libstdc++6), so it names the packages and minimum versions of the system it was built on.
# It needs dpkg-dev (scripts/lib/common.sh installs it).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The package is the tool: the library's headers, archive and CMake config (component
# "library", cmake/InstallLibrary.cmake) stay out of it.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};mqtk;Unspecified;/")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "One binary for the jobs people use several MQTT tools for: mqtk sub and mqtk pub with "
       "mosquitto_sub/mosquitto_pub's flags, JSON Lines output for jq, record and replay, MQTT 5 "
       "request/response (mqtk rr), bridging two brokers (mqtk bridge), load tests (mqtk bench) "
       "and connection checks (mqtk conn).")
include(CPack)
