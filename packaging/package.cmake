# SPDX-License-Identifier: Apache-2.0
# A Debian package of the replicate binary: `cd build && cpack -G DEB` leaves
# replicate_<version>_<arch>.deb. Included (optionally) by the top CMakeLists.txt.

set(CPACK_GENERATOR "DEB" CACHE STRING "CPack generators")
set(CPACK_PACKAGE_NAME "replicate")
set(CPACK_PACKAGE_VENDOR "replicate developers")
set(CPACK_PACKAGE_CONTACT "replicate developers")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "replicate SQL tables (SQL Server, any ODBC source, PostgreSQL, SQLite) into PostgreSQL")
set(CPACK_PACKAGE_DESCRIPTION
    "replicate copies tables from one SQL database into PostgreSQL, driven by YAML mapping files.")

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "replicate developers")
set(CPACK_DEBIAN_PACKAGE_SECTION "database")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # replicate_<version>_<arch>.deb
# The build keeps debug info (RelWithDebInfo); the package does not need it.
set(CPACK_STRIP_FILES ON)

# SOCI may load a backend by name at run time, which dpkg-shlibdeps cannot see:
# name the backends (and the ODBC driver manager they use) explicitly.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libsoci-postgresql4.0, libsoci-odbc4.0, libsoci-sqlite3-4.0, libodbc2")
# Everything the binary links is computed from it when dpkg-shlibdeps (package
# dpkg-dev) is there; otherwise it is listed by hand for Debian 12.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libsoci-core4.0, libpq5, libyaml-cpp0.7, libfmt9, libssl3"
         ", libboost-filesystem1.74.0, libsqlite3-0, libstdc++6, libc6")
endif()
# ODBC drivers are loaded by name from /etc/odbcinst.ini, so they are not linked:
# SQL Server through FreeTDS, PostgreSQL and SQLite through their ODBC drivers.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tdsodbc, odbc-postgresql, libsqliteodbc, unixodbc")

include(CPack)
