#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets and runs each on a copy of its seed
# corpus. Exits non-zero when a target crashes, and says where the input is.
# Fuzz/README.md explains the build, how to add a target and how to turn a crash
# into a regression test.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: Fuzz/run.sh [--runs N] [--seconds S] [--release] [--build-only] [--list] [TARGET...]

  --runs N       inputs per target (default 100000)
  --seconds S    stop a target after S seconds even if it has not done N inputs
                 (default: no limit); CI bounds its time this way
  --release      build the modules and targets optimized (-O, in spm-release/ and
                 bin-release/): several times the inputs per second for long runs;
                 the default debug build is the one to check coverage with
  --build-only   build the targets, run nothing
  --list         print the targets' names and exit
  TARGET         names from Fuzz/Targets (default: all of them)

environment:
  MPPS_FUZZ_BUILD   build directory (default .build/fuzz): SwiftPM's scratch path for the
                    instrumented modules (spm/), the targets (bin/), logs and crash inputs
  MPPS_FUZZ_ARGS    more libFuzzer flags for every run, e.g. "-seed=1 -max_len=8192"
EOF
}

runs=100000
seconds=0
build_only=0
configuration=debug
targets=()
repo=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$repo/Fuzz"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || { usage >&2; exit 64; }; runs=$2; shift 2 ;;
        --runs=*) runs=${1#--runs=}; shift ;;
        --seconds) [ $# -ge 2 ] || { usage >&2; exit 64; }; seconds=$2; shift 2 ;;
        --seconds=*) seconds=${1#--seconds=}; shift ;;
        --build-only) build_only=1; shift ;;
        --release) configuration=release; shift ;;
        --list) for file in "$fuzz"/Targets/*.swift; do basename "$file" .swift; done; exit 0 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 64 ;;
        *) targets+=("$1"); shift ;;
    esac
done
case "$runs" in ''|*[!0-9]*) echo "run.sh: --runs takes a whole number, not '$runs'" >&2; exit 64 ;; esac
case "$seconds" in ''|*[!0-9]*) echo "run.sh: --seconds takes a whole number, not '$seconds'" >&2; exit 64 ;; esac
if [ ${#targets[@]} -eq 0 ]; then
    for file in "$fuzz"/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi
for name in "${targets[@]}"; do
    [ -f "$fuzz/Targets/$name.swift" ] || { echo "run.sh: no target '$name' (Fuzz/Targets/$name.swift); --list shows them" >&2; exit 64; }
done

build=${MPPS_FUZZ_BUILD:-$repo/.build/fuzz}
suffix=""
optimization=-Onone
testing=()
if [ "$configuration" = release ]; then
    suffix=-release
    optimization=-O
    testing=(-Xswiftc -enable-testing)   # SwiftPM enables it in debug builds only
fi
mkdir -p "$build/bin$suffix" "$build/logs" "$build/artifacts"
build=$(cd "$build" && pwd)
spm="$build/spm$suffix"
bin="$build/bin$suffix"

# 1. The package's library modules, instrumented for coverage (-sanitize=fuzzer), in a
#    scratch path of their own so the normal build is untouched. By default a debug
#    build: no -O, and -enable-testing, which lets targets `@testable import` internal
#    symbols. Building Commands builds every library module below it.
echo "== building the instrumented modules ($configuration) in $spm"
if ! swift build --package-path "$repo" --scratch-path "$spm" -c "$configuration" --target Commands \
        -Xswiftc -sanitize=fuzzer "${testing[@]}" >"$build/logs/build$suffix.log" 2>&1; then
    tail -n 40 "$build/logs/build$suffix.log" >&2
    echo "run.sh: building the modules failed (log: $build/logs/build$suffix.log)" >&2
    exit 1
fi
products="$spm/$configuration"
# SwiftPM names the package after its directory (`-package-name mpps` in a clone named
# mpps); the targets must be compiled with the same name to see `package` symbols.
package_name=$(grep -o -m1 '"-package-name","[^"]*"' "$spm/$configuration.yaml" | cut -d'"' -f4)
[ -n "$package_name" ] || { echo "run.sh: no -package-name in $spm/$configuration.yaml" >&2; exit 1; }
# Every library module's objects (executables, which hold `main`, are left out).
objects=()
for source in "$repo"/Sources/*/; do
    module=$(basename "$source")
    [ -e "$source/main.swift" ] && continue
    for object in "$products/$module.build"/*.o; do
        [ -e "$object" ] || { echo "run.sh: no objects for module $module in $products (is it below Commands?)" >&2; exit 1; }
        objects+=("$object")
    done
done
support=("$fuzz"/Support/*.swift)

# 2. One executable per target: its file, the support files, libFuzzer's main and the
#    modules' objects. Rebuilt when any of those is newer than it.
for name in "${targets[@]}"; do
    binary="$bin/$name"
    if [ -x "$binary" ] && [ -z "$(find "$fuzz/Targets/$name.swift" "${support[@]}" "${objects[@]}" -newer "$binary" -print -quit)" ]; then
        continue
    fi
    echo "== linking $name"
    swiftc -sanitize=fuzzer -parse-as-library -swift-version 6 -g "$optimization" \
        -package-name "$package_name" -module-name "Fuzz$name" \
        -I "$products/Modules" \
        -Xcc -fmodule-map-file="$products/CMPPSLinux.build/module.modulemap" \
        -Xcc -I -Xcc "$repo/Sources/CMPPSLinux/include" \
        "$fuzz/Targets/$name.swift" "${support[@]}" "${objects[@]}" \
        -o "$binary.partial"
    mv "$binary.partial" "$binary"
done
[ "$build_only" = 1 ] && { echo "== built: $bin"; exit 0; }

# 3. Runs. The committed corpus is copied, so a run's discoveries stay out of the tree.
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
scratch=$(mktemp -d "$base/mpps-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=()
printf '%-18s %9s %9s %6s %6s %7s  %s\n' target runs exec/s cov ft seconds result
for name in "${targets[@]}"; do
    work="$scratch/$name"
    mkdir -p "$work/corpus" "$work/tmp"
    [ -d "$fuzz/Corpus/$name" ] && cp -R "$fuzz/Corpus/$name/." "$work/corpus/"
    # One dictionary per run (libFuzzer takes one): the common tokens and the target's own.
    cat "$fuzz/Dictionaries/common.dict" > "$work/dictionary"
    [ -f "$fuzz/Dictionaries/$name.dict" ] && cat "$fuzz/Dictionaries/$name.dict" >> "$work/dictionary"
    dictionary=(-dict="$work/dictionary")
    log="$build/logs/$name$suffix.log"
    status=0
    # SWIFT_BACKTRACE=enable=no: otherwise the runtime's backtracer takes a trap's
    # signal before libFuzzer can write the crashing input.
    (cd "$work" && SWIFT_BACKTRACE=enable=no TMPDIR="$work/tmp" "$bin/$name" \
        -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$name-" "${dictionary[@]}" ${MPPS_FUZZ_ARGS:-} \
        corpus) >"$log" 2>&1 || status=$?
    # The last status line (`#N DONE cov: C ft: F ...`, or the last before a crash) and the final stats.
    last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n1 || true)
    executed=$(grep -Eo 'stat::number_of_executed_units:[[:space:]]*[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "${last%%[[:space:]]*}")
    speed=$(grep -Eo 'stat::average_exec_per_sec:[[:space:]]*[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    coverage=$(echo "$last" | grep -Eo 'cov: [0-9]+' | grep -Eo '[0-9]+' || echo '?')
    features=$(echo "$last" | grep -Eo 'ft: [0-9]+' | grep -Eo '[0-9]+' || echo '?')
    elapsed=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -Eo 'in [0-9]+' | grep -Eo '[0-9]+' || echo '?')
    # libFuzzer reports 0 per second for a run shorter than a second.
    [ "$speed" = 0 ] && [ "$elapsed" = 0 ] && speed=">$executed"
    if [ "$status" = 0 ]; then
        printf '%-18s %9s %9s %6s %6s %7s  %s\n' "$name" "$executed" "$speed" "$coverage" "$features" "$elapsed" ok
        continue
    fi
    failed+=("$name")
    input=$(grep -o 'Test unit written to .*' "$log" | tail -n1 | sed 's/^Test unit written to //' || true)
    printf '%-18s %9s %9s %6s %6s %7s  %s\n' "$name" "$executed" "$speed" "$coverage" "$features" "$elapsed" "FAILED (exit $status)"
    grep -E 'Fatal error|ERROR: libFuzzer' "$log" | head -n 3 | sed 's/^/    /' || true
    if [ -n "$input" ] && [ -f "$input" ]; then
        echo "    crashing input: $input"
        echo "    as hex:         $(head -c 256 "$input" | od -An -tx1 -v | tr -d ' \n')$( [ "$(wc -c <"$input")" -gt 256 ] && echo ...)"
        echo "    where (the Swift runtime's backtrace of a rerun with the input):"
        # The crashed thread's frames in Swift code, up to libFuzzer's.
        (cd "$work" && SWIFT_BACKTRACE=enable=yes,interactive=no,color=no,limit=32 TMPDIR="$work/tmp" \
            "$bin/$name" -timeout=10 "$input" || true) 2>&1 \
            | awk '/^\*\*\* (Swift runtime failure|Program crashed)|^Fatal error/ { print "      " $0 }
                   / crashed:$/ { frames = 1; next }
                   frames && /LLVMFuzzerTestOneInput/ { exit }
                   frames && printed && /^$/ { exit }
                   frames && / at \// { sub(/^ +/, ""); print "      " $0; printed = 1 }' || true
    fi
    echo "    log: $log"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "run.sh: ${#failed[@]} target(s) failed: ${failed[*]} (reproduce: $bin/TARGET CRASH-FILE)" >&2
    exit 1
fi
