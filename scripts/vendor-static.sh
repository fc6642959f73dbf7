#!/usr/bin/env bash
# Re-vendor the front-end assets into src/jingwu/static/vendor/ from the npm
# registry (pinned versions). Nothing is loaded from a CDN at run time: police
# networks are isolated, whitenoise serves these files.
#
# Usage: scripts/vendor-static.sh          (needs node/npm and the npm registry)
#
# What it does, per package: `npm pack NAME@VERSION` into a temp dir, unpack,
# copy only the run-time distributable files (and the licence), then strip any
# trailing `sourceMappingURL` comment: the .map files are not vendored, browsers
# would request them, and Django's ManifestStaticFilesStorage (whitenoise's
# CompressedManifestStaticFilesStorage) fails collectstatic on a missing file
# referenced from CSS/JS.
#
# After changing a version here, update the table in
# src/jingwu/static/vendor/VENDOR.md.
set -euo pipefail

BOOTSTRAP_VERSION=5.3.9
BOOTSTRAP_ICONS_VERSION=1.13.2
HTMX_VERSION=2.0.11
LEAFLET_VERSION=1.9.4
ECHARTS_VERSION=5.6.0
# CJK font for PDF reports / charts (Noto Sans SC Regular, static TrueType,
# OFL-1.1), taken from the Expo packaging of the Google Fonts release.
# The tarball is ~57 MB; set SKIP_FONT=1 to re-vendor only the JS/CSS.
NOTO_SANS_SC_PKG_VERSION=0.4.3

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo_root/src/jingwu/static/vendor"
fonts_dest="$repo_root/src/jingwu/static/fonts"

work="$(mktemp -d /tmp/jingwu-vendor.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# fetch NAME VERSION -> prints the unpacked package dir
fetch() {
    local name="$1" version="$2" tgz dir
    tgz="$(cd "$work" && npm pack --silent "${name}@${version}" | tail -n 1)"
    dir="$work/${name}-${version}"
    mkdir -p "$dir"
    tar -xzf "$work/$tgz" -C "$dir"
    echo "$dir/package"
}

# put SRC DEST_REL: copy one file to $dest/DEST_REL (creating directories)
put() {
    local src="$1" rel="$2"
    mkdir -p "$(dirname "$dest/$rel")"
    cp "$src" "$dest/$rel"
}

# strip_map FILE: drop `//# sourceMappingURL=...` and `/*# sourceMappingURL=... */`
# lines (the maps are not vendored).
strip_map() {
    sed -i -E '/^[[:space:]]*(\/\/[#@] sourceMappingURL=.*|\/\*[#@] sourceMappingURL=.*\*\/)[[:space:]]*$/d' "$1"
    if grep -q 'sourceMappingURL=' "$1"; then
        echo "error: sourceMappingURL still present in $1" >&2
        exit 1
    fi
}

rm -rf "$dest/bootstrap" "$dest/bootstrap-icons" "$dest/htmx" "$dest/leaflet" "$dest/echarts"
mkdir -p "$dest"

# --- bootstrap -------------------------------------------------------------
pkg="$(fetch bootstrap "$BOOTSTRAP_VERSION")"
put "$pkg/dist/css/bootstrap.min.css" bootstrap/css/bootstrap.min.css
put "$pkg/dist/js/bootstrap.bundle.min.js" bootstrap/js/bootstrap.bundle.min.js
put "$pkg/LICENSE" bootstrap/LICENSE
strip_map "$dest/bootstrap/css/bootstrap.min.css"
strip_map "$dest/bootstrap/js/bootstrap.bundle.min.js"

# --- bootstrap-icons -------------------------------------------------------
# The CSS references fonts/bootstrap-icons.woff2 first and .woff as fallback;
# both are kept so the manifest storage finds every url() in the CSS.
pkg="$(fetch bootstrap-icons "$BOOTSTRAP_ICONS_VERSION")"
put "$pkg/font/bootstrap-icons.min.css" bootstrap-icons/font/bootstrap-icons.min.css
put "$pkg/font/fonts/bootstrap-icons.woff2" bootstrap-icons/font/fonts/bootstrap-icons.woff2
put "$pkg/font/fonts/bootstrap-icons.woff" bootstrap-icons/font/fonts/bootstrap-icons.woff
put "$pkg/LICENSE" bootstrap-icons/LICENSE
strip_map "$dest/bootstrap-icons/font/bootstrap-icons.min.css"

# --- htmx ------------------------------------------------------------------
pkg="$(fetch htmx.org "$HTMX_VERSION")"
put "$pkg/dist/htmx.min.js" htmx/htmx.min.js
put "$pkg/LICENSE" htmx/LICENSE
strip_map "$dest/htmx/htmx.min.js"

# --- leaflet ---------------------------------------------------------------
pkg="$(fetch leaflet "$LEAFLET_VERSION")"
put "$pkg/dist/leaflet.js" leaflet/leaflet.js
put "$pkg/dist/leaflet.css" leaflet/leaflet.css
for img in "$pkg"/dist/images/*; do
    put "$img" "leaflet/images/$(basename "$img")"
done
put "$pkg/LICENSE" leaflet/LICENSE
strip_map "$dest/leaflet/leaflet.js"
strip_map "$dest/leaflet/leaflet.css"

# --- echarts ---------------------------------------------------------------
pkg="$(fetch echarts "$ECHARTS_VERSION")"
put "$pkg/dist/echarts.min.js" echarts/echarts.min.js
put "$pkg/LICENSE" echarts/LICENSE
put "$pkg/NOTICE" echarts/NOTICE
put "$pkg/licenses/LICENSE-d3" echarts/LICENSE-d3
strip_map "$dest/echarts/echarts.min.js"

# --- CJK font ---------------------------------------------------------------
if [ "${SKIP_FONT:-0}" != "1" ]; then
    pkg="$(fetch @expo-google-fonts/noto-sans-sc "$NOTO_SANS_SC_PKG_VERSION")"
    mkdir -p "$fonts_dest"
    cp "$pkg/400Regular/NotoSansSC_400Regular.ttf" "$fonts_dest/NotoSansSC-Regular.ttf"
    cp "$pkg/LICENSE_FONT" "$fonts_dest/NotoSansSC-OFL.txt"
    echo "font: $(du -b "$fonts_dest/NotoSansSC-Regular.ttf")"
fi

echo "vendored into $dest:"
(cd "$dest" && find . -type f ! -name VENDOR.md | sort | xargs du -b | awk '{printf "%10d  %s\n", $1, $2; t+=$1} END {printf "%10d  total\n", t}')
