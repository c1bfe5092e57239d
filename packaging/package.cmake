# SPDX-License-Identifier: Apache-2.0
# The Debian package: `cd build && cpack -G DEB` leaves replicate_<version>-1_<arch>.deb;
# scripts/package.sh builds it as released (clean directory, Debian's hardening flags)
# and runs lintian on it. Included (optionally) by the top CMakeLists.txt.
#
# CPack rather than debhelper: the package is built from the same CMake tree as the
# binary and the tests, with no debian/ source package to keep in step; what
# debhelper would add (compressed man page, copyright, changelog, maintainer
# scripts, shlibdeps) is spelled out below.

include(GNUInstallDirs)

# The version has one source, project(VERSION): the binary prints it, the package
# carries it (with Debian revision 1), and the changelog's top entry must agree.
file(STRINGS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog changelog_top LIMIT_COUNT 1)
if(NOT changelog_top MATCHES "^replicate \\(${PROJECT_VERSION}-1\\) ")
  message(FATAL_ERROR "packaging/debian/changelog starts with '${changelog_top}'; "
          "its top entry must be version ${PROJECT_VERSION}-1 (CMakeLists.txt project VERSION): add an entry")
endif()

set(REPLICATE_DOC_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/replicate)

# Compressed as dpkg-deb and lintian expect: best compression, no name or time stamp.
set(man_gz ${CMAKE_BINARY_DIR}/packaging/replicate.1.gz)
set(changelog_gz ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz)
add_custom_command(OUTPUT ${man_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/docs/replicate.1 > ${man_gz}
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/replicate.1 VERBATIM)
add_custom_command(OUTPUT ${changelog_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/debian/changelog > ${changelog_gz}
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog VERBATIM)
add_custom_target(package_docs ALL DEPENDS ${man_gz} ${changelog_gz})

# What dh_strip does beyond CPack's plain strip: drop the .comment and .note sections.
install(CODE [[
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND strip --remove-section=.comment --remove-section=.note
                            "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/replicate" COMMAND_ERROR_IS_FATAL ANY)
  endif()
]])
install(FILES packaging/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides
        RENAME replicate)
install(FILES ${man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${changelog_gz} packaging/debian/copyright DESTINATION ${REPLICATE_DOC_DIR})
# The examples name their schema relative to the repository (../schemas/); installed,
# they name the installed schema so that an editor finds it.
set(REPLICATE_SCHEMA_INSTALLED /usr/share/replicate/schemas/mapping.schema.json)
set(REPLICATE_PACKAGED_EXAMPLES)
foreach(example examples/quickstart.yaml examples/freetds.yaml examples/odbc18.yaml mappings/bi_credores.yaml)
  get_filename_component(example_name ${example} NAME)
  file(READ ${CMAKE_SOURCE_DIR}/${example} example_text)
  string(REPLACE "$schema=../schemas/mapping.schema.json" "$schema=${REPLICATE_SCHEMA_INSTALLED}"
         example_text "${example_text}")
  file(WRITE ${CMAKE_BINARY_DIR}/packaged-examples/${example_name} "${example_text}")
  list(APPEND REPLICATE_PACKAGED_EXAMPLES ${CMAKE_BINARY_DIR}/packaged-examples/${example_name})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${example})
endforeach()
install(FILES ${REPLICATE_PACKAGED_EXAMPLES} DESTINATION ${REPLICATE_DOC_DIR}/examples)
install(FILES schemas/mapping.schema.json schemas/report.schema.json schemas/plan.schema.json schemas/status.schema.json DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/replicate/schemas)
install(FILES docs/grafana-dashboard.json docs/prometheus-alerts.yml DESTINATION ${REPLICATE_DOC_DIR}/monitoring)
install(FILES packaging/bash-completion/replicate DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)
# Debian 12's systemd reads packaged units from /lib/systemd/system (not /usr/lib).
install(FILES packaging/systemd/replicate@.service packaging/systemd/replicate@.timer DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR "DEB" CACHE STRING "CPack generators")
set(CPACK_PACKAGE_NAME "replicate")
set(CPACK_PACKAGE_VENDOR "replicate developers")
set(CPACK_PACKAGE_CONTACT "replicate developers <replicate@example.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "copy SQL Server, ODBC, PostgreSQL and SQLite tables into PostgreSQL")
# The extended description; the summary line is CPACK_PACKAGE_DESCRIPTION_SUMMARY.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "replicate copies tables from one SQL database into PostgreSQL, driven by YAML
mapping files: Microsoft SQL Server and other sources over ODBC, PostgreSQL and
SQLite. Tables are cut into key ranges copied by parallel worker processes with
COPY; every chunk commits with its checkpoint, so an interrupted run resumes.
A verify command compares both sides by counts and checksums.
.
The package includes systemd units to run a mapping every night as a
dedicated system user.")

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "database")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # replicate_<version>-1_<arch>.deb
set(CPACK_STRIP_FILES ON)

# Depends: exactly what the binary links, computed by dpkg-shlibdeps (package
# dpkg-dev, which scripts/setup.sh installs), plus adduser for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# ODBC drivers are loaded by name from /etc/odbcinst.ini, so they are not linked:
# SQL Server through FreeTDS, PostgreSQL and SQLite through their ODBC drivers.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tdsodbc, odbc-postgresql, libsqliteodbc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
