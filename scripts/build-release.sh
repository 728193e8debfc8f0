#!/usr/bin/env bash
# The release binary that deploy/install.sh installs and the benchmarks measure:
# .build-release/release/shoal.
#
# Besides -c release it links for a small resident footprint (README, "Memory"):
#   --static-swift-stdlib        the Swift runtime and Foundation linked in, not loaded as .so files
#   -function-sections + deploy/shoal-hot.ld + deploy/shoal.order
#                                each function in its own section, and the functions an agent
#                                runs (scripts/link-order.sh lists them) laid out first and together,
#                                so the code it keeps resident is a few contiguous megabytes rather
#                                than pages scattered across 20 MiB of text: shoal-hot.ld gathers
#                                their sections (private functions have a section but no symbol);
#                                shoal.order orders the rest by symbol (the toolchain's prebuilt
#                                libraries put many functions in one section)
#   scripts/ld-static-libstdc++  lld, linking libstdc++ statically like the Swift runtime
#   --no-export-dynamic, -z pack-relative-relocs
#                                no dynamic symbol table for the executable's own symbols and
#                                compact relative relocations: less for the loader to touch at start
# LINK_ORDER_NONE=1 links without the order (scripts/link-order.sh profiles that build).
# Extra arguments go to `swift build`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
order="$root/deploy/shoal.order"
hot=(-Xlinker --script="$root/deploy/shoal-hot.ld")
if [ -n "${LINK_ORDER_NONE:-}" ]; then
  order=/dev/null; hot=()
fi
unset LINK_ORDER_NONE  # SwiftPM rebuilds everything when its environment changes
# SwiftPM does not see the order file change: relinking (seconds) is forced every time.
rm -f "$root/.build-release/release/shoal"
exec swift build -c release --static-swift-stdlib --product shoal \
  --package-path "$root" --scratch-path "$root/.build-release" \
  -Xswiftc -Xfrontend -Xswiftc -function-sections \
  -Xswiftc -use-ld=lld -Xswiftc -ld-path="$root/scripts/ld-static-libstdc++" \
  -Xlinker --no-export-dynamic -Xlinker -z -Xlinker pack-relative-relocs \
  -Xlinker --symbol-ordering-file="$order" -Xlinker --no-warn-symbol-ordering \
  "${hot[@]}" -Xlinker -Map="$root/.build-release/shoal.map" \
  "$@"
