#!/usr/bin/env bash
# The packed library in fresh apps outside the repository: packs it, then for each fixture in
# test/consumer/nest*/ installs it from the tarball with the README's install line, builds the app with
# its own tsc and runs test/consumer/check.mjs against it (PostgreSQL, one fresh database per run).
set -euo pipefail
exec < /dev/null
cd "$(dirname "$0")/.."
root=$(pwd)

results=$(mktemp)
pack_log=$(mktemp)
trap 'rm -f "$results" "$pack_log"' EXIT

echo "-- npm run pack"
if ! npm run pack --silent > "$pack_log" 2>&1; then
  cat "$pack_log"
  echo "consumer: 0 passed, 1 failed (npm run pack)"
  exit 1
fi
sed '$d' "$pack_log"
tarball=$(tail -n 1 "$pack_log")
if [ ! -f "$tarball" ]; then
  echo "npm run pack did not print the tarball's path (got: $tarball)"
  echo "consumer: 0 passed, 1 failed (npm run pack)"
  exit 1
fi
echo "tarball: $tarball"

# The README's install line, the library's name replaced by the tarball below.
readme_line=$(grep -m 1 -E '^npm install nestjs-payment-webhooks( |$)' README.md | sed 's/#.*//; s/[[:space:]]*$//') || true
if [ -z "$readme_line" ]; then
  echo 'README.md has no "npm install nestjs-payment-webhooks ..." line'
  exit 1
fi
read -r -a readme_packages <<< "${readme_line#npm install }"
echo "README install line: $readme_line"

for fixture in test/consumer/nest*/; do
  name=$(basename "$fixture")
  started=$SECONDS
  echo
  echo "-- fixture $name"
  work=$(mktemp -d "${TMPDIR:-/tmp}/consumer-$name.XXXXXX")
  case "$work/" in "$root"/*) echo "mktemp gave $work, inside the repository"; exit 1 ;; esac
  cp -R "$fixture". "$work"/
  # One app, two dependency sets: each fixture is a package.json and a tsconfig.json around test/consumer/app.
  cp -R test/consumer/app/src "$work"/src
  rm -rf "$work/node_modules" "$work/dist" "$work/package-lock.json"

  # The README's packages at the fixture's own ranges (`typeorm@^0.3` for Nest 11), the library from the tarball.
  install=("$tarball")
  for package in "${readme_packages[@]:1}"; do
    range=$(node -e 'console.log(require(process.argv[1]).dependencies?.[process.argv[2]] ?? "")' "$work/package.json" "$package")
    install+=("${package}${range:+@$range}")
  done
  echo "npm install ${install[*]}  (plus the fixture's package.json)"
  # Peer conflicts must fail the install: never --legacy-peer-deps or --force, whatever an .npmrc says.
  npm_flags=(--no-audit --no-fund --prefer-offline --legacy-peer-deps=false --force=false)
  if ! (cd "$work" && timeout 900 npm install "${install[@]}" "${npm_flags[@]}") > "$work/install.log" 2>&1; then
    grep -q ERESOLVE "$work/install.log" && echo "npm install failed with ERESOLVE (a peer range of the library does not fit):"
    tail -n 40 "$work/install.log"
    echo "fail install" >> "$results"
    echo "$name: install failed after $((SECONDS - started)) s; kept in $work"
    continue
  fi
  if grep -q ERESOLVE "$work/install.log"; then
    echo "npm resolved a peer conflict (ERESOLVE) while installing:"; grep -A 8 ERESOLVE "$work/install.log" | head -n 40
    echo "fail install without ERESOLVE" >> "$results"
  else
    echo "pass install without ERESOLVE" >> "$results"
  fi
  grep '^npm warn' "$work/install.log" | head -n 20 || true
  for package in @nestjs/core @nestjs/typeorm typeorm nestjs-payment-webhooks express fastify typescript; do
    manifest="$work/node_modules/$package/package.json"
    version=$( [ -f "$manifest" ] && node -p 'require(process.argv[1]).version' "$manifest" || echo "-")
    echo "  $package $version"
  done

  if ! (cd "$work" && timeout 300 npx --no -- tsc -p tsconfig.json) > "$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "fail build" >> "$results"
    echo "$name: build failed after $((SECONDS - started)) s; kept in $work"
    continue
  fi
  echo "pass build" >> "$results"

  platforms=express
  grep -q '"@nestjs/platform-fastify"' "$work/package.json" && platforms=express,fastify
  db="consumer_$(echo "$name" | tr -c 'a-z0-9\n' '_')"
  fails_before=$(grep -c '^fail' "$results" || true)
  check_status=0
  timeout 600 node "$root/test/consumer/check.mjs" "$work" --db "$db" --platforms "$platforms" --results "$results" || check_status=$?
  if [ "$check_status" -eq 0 ]; then
    rm -rf "$work"
    echo "$name: done in $((SECONDS - started)) s"
  else
    echo "$name: failed checks (exit $check_status) after $((SECONDS - started)) s; kept in $work"
    [ "$(grep -c '^fail' "$results" || true)" -gt "$fails_before" ] || echo "fail checker exit $check_status" >> "$results"
  fi
done

passed=$(grep -c '^pass' "$results" || true)
failed=$(grep -c '^fail' "$results" || true)
echo
echo "consumer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
