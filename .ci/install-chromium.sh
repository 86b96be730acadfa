#!/bin/sh
# Installs Debian's chromium for the browser tests when it is missing and we
# may install packages. Never fails the build: without a browser the browser
# tests fail with a message saying so (they are never silently skipped in CI).
# The CJK font only matters for screenshots of the Chinese pages.
command -v chromium >/dev/null 2>&1 && exit 0
command -v chromium-browser >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing chromium for the browser tests (once)..."
	apt-get update -qq >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1 ||
		echo "could not install chromium; browser tests will report it"
else
	echo "chromium is missing and this user cannot install it: sudo apt-get install chromium"
fi
exit 0
