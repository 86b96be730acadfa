#!/bin/sh
# Installs Debian's postgresql for the tests that run against PostgreSQL when
# it is missing and we may install packages. Never fails the build by itself:
# .ci/postgres.sh then says what is missing, and with CI=true the tests that
# need PostgreSQL fail (they are never silently skipped in CI).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && exit 0
command -v initdb >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing postgresql for the store tests (once)..." >&2
	apt-get update -qq >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 ||
		echo "could not install postgresql; the PostgreSQL tests will report it" >&2
else
	echo "postgresql is missing and this user cannot install it: sudo apt-get install postgresql" >&2
fi
exit 0
