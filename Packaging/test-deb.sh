#!/usr/bin/env bash
# Packaging/test-deb.sh DEB: the package runs where no Swift is installed.
# Unpacks DEB into a scratch root, checks that the version agrees everywhere
# (the control file, mpps --version, the man pages) and that no binary needs a
# Swift library (ldd), then runs the unpacked `mpps demo --seconds 1` in a mount
# namespace where a tmpfs hides the Swift toolchain's folder: it must exit 0
# with three accounts, one per stage. Needs root (unshare -m, mount).
set -euo pipefail
deb=${1:?usage: Packaging/test-deb.sh .build/mpps_VERSION_ARCH.deb}

fail() { echo "test-deb.sh: $*" >&2; exit 1; }

root=$(mktemp -d /tmp/mpps-deb-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"

version=$(dpkg-deb -f "$deb" Version)
[ "$("$root/usr/bin/mpps" --version)" = "mpps $version" ] || fail "mpps --version is not the package's $version"
for page in "$root"/usr/share/man/man1/*.1.gz; do
    zcat "$page" | grep -q "^\.TH .* \"mpps $version\" " || fail "$(basename "$page") does not say mpps $version"
done
[ "$(ls "$root"/usr/share/man/man1 | wc -l)" -ge 11 ] || fail "fewer than 11 man pages"
[ -s "$root/usr/share/bash-completion/completions/mpps" ] || fail "no bash completion"
for file in README.md copyright changelog.gz docs/json.md; do
    [ -s "$root/usr/share/doc/mpps/$file" ] || fail "no /usr/share/doc/mpps/$file"
done

for program in mpps udpsender udpreceiver1; do
    libraries=$(ldd "$root/usr/bin/$program")
    if grep -qi swift <<<"$libraries"; then fail "$program needs a Swift library: $libraries"; fi
    if grep -q "not found" <<<"$libraries"; then fail "$program misses a library: $libraries"; fi
done

# The toolchain's folder: /opt/swift for /opt/swift/usr/bin/swift.
toolchain=""
if command -v swift >/dev/null 2>&1; then
    toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
fi
output=$(mktemp /tmp/mpps-deb-demo.XXXXXX)
trap 'rm -rf "$root" "$output"' EXIT
# shellcheck disable=SC2016  # expanded by the inner shell
unshare -m sh -c '
    if [ -n "$2" ]; then
        mount -t tmpfs -o size=1m none "$2" || exit 90
        [ ! -e "$2/usr/bin/swift" ] || exit 91
    fi
    exec "$1/usr/bin/mpps" demo --seconds 1
' sh "$root" "$toolchain" > "$output" 2>&1 || fail "mpps demo without the toolchain ($toolchain hidden) failed: $(cat "$output")"
accounts=$(grep -c '^account: ' "$output" || true)
[ "$accounts" = 3 ] || fail "expected 3 accounts from the demo, got $accounts: $(cat "$output")"
echo "test-deb.sh: $deb: version $version everywhere, no Swift library, the demo ran with ${toolchain:-no toolchain} hidden: $accounts accounts"
