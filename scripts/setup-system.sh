#!/usr/bin/env bash
# Install the Debian system packages Jingwu needs for development, CI and
# browser tests. Idempotent: packages already installed are skipped, and
# `apt-get update` runs (once) only when something is missing.
#
#   chromium, chromium-driver  headless browser for screenshots / Playwright
#                              (Playwright is pointed at /usr/bin/chromium; its
#                              own browser download is not possible offline)
#   gettext                    msgfmt/xgettext for Django's compilemessages
#   fonts-noto-cjk             CJK glyphs so pages with Chinese text render in
#                              screenshots (instead of tofu boxes)
#   fonts-liberation           Arial/Times-metric Latin fonts chromium expects
#
# Override the CJK font package with JINGWU_CJK_FONT_PKG=fonts-wqy-microhei
# (1.6 MB download instead of ~57 MB) if bandwidth or disk is tight.
#
# Usage: sudo scripts/setup-system.sh          install what is missing
#        scripts/setup-system.sh --check       exit 1 if anything is missing
set -euo pipefail

CJK_FONT_PKG="${JINGWU_CJK_FONT_PKG:-fonts-noto-cjk}"
PACKAGES=(chromium chromium-driver gettext "$CJK_FONT_PKG" fonts-liberation)

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ "${1:-}" = "--check" ]; then
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "setup-system: all packages installed: ${PACKAGES[*]}"
        exit 0
    fi
    echo "setup-system: missing: ${missing[*]}" >&2
    exit 1
fi

if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup-system: nothing to do (${PACKAGES[*]} already installed)"
else
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            exec sudo --preserve-env=JINGWU_CJK_FONT_PKG "$0" "$@"
        fi
        echo "setup-system: must run as root to install: ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    echo "setup-system: installing ${missing[*]}"
    apt-get update -qq
    # --no-install-recommends: chromium's recommends pull in systemd, avahi,
    # cups and ~100 other packages that a headless browser does not need.
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Sanity checks (cheap; run every time).
chromium --version 2>/dev/null  # the Debian wrapper may warn about /dev/shm detection
chromedriver --version
msgfmt --version | head -n 1
fc-list :lang=zh family | head -n 3 | grep -q . || {
    echo "setup-system: no font with Chinese coverage found by fontconfig" >&2
    exit 1
}
echo "setup-system: ok"
