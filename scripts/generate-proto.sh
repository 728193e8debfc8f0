#!/usr/bin/env bash
# Regenerates Sources/ShoalWire/Generated from Sources/ShoalWire/Proto.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from the
# swift-protobuf version that Package.swift pins; the generated code is committed
# so that ordinary builds never need either.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=1.39.0
plugin_dir="${PROTOC_GEN_SWIFT_DIR:-$root/.build-protoc}"
if ! command -v protoc >/dev/null; then
  echo "protoc is missing: apt-get install -y protobuf-compiler" >&2; exit 1
fi
if [ ! -x "$plugin_dir/protoc-gen-swift" ]; then
  src="$plugin_dir/src"
  rm -rf "$src"; mkdir -p "$plugin_dir"
  git clone -q --branch "$version" https://github.com/apple/swift-protobuf "$src"
  swift build -c release --package-path "$src" --product protoc-gen-swift
  cp "$src/.build/release/protoc-gen-swift" "$plugin_dir/"
fi
out="$root/Sources/ShoalWire/Generated"
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin_dir/protoc-gen-swift" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=DropPath --swift_opt=UseAccessLevelOnImports=true \
  --proto_path="$root/Sources/ShoalWire/Proto" --swift_out="$out" \
  "$root"/Sources/ShoalWire/Proto/*.proto
echo "generated into $out"
