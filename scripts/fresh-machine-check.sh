#!/usr/bin/env bash
# Proves the two commands of the README on a truly fresh machine: builds a clean Debian 12 root file
# system (debootstrap minbase), adds Node (this machine's node binary and npm: Debian 12's nodejs is
# 18, too old), clones the repository's current branch into it, installs from Debian the three
# servers and the browser of the console's tests (postgresql, redis-server, nats-server, chromium, dovecot-imapd, pgbouncer:
# what the preparation would install itself) and runs `npm ci` with network. Then, in its own network namespace (loopback only, so this machine's own
# servers cannot be reached) and PID namespace (so nothing outlives the run): `npm start` until all
# five services are ready, Ctrl-C, then `npm test`. Prints the result as a few lines to paste into
# docs/development.md.
#
# Run as root on Linux: sudo bash scripts/fresh-machine-check.sh
# FRESH_ROOTFS (default /var/tmp/helpdesk-fresh-rootfs) is where the file system is built, and is
# removed first; DEBIAN_MIRROR defaults to http://deb.debian.org/debian. FRESH_REUSE=1 keeps the
# Debian system, Node and the three servers of a previous run and starts again from the clone.
# Where the network re-signs TLS, the CA bundle this machine's Node or npm trusts
# (NODE_EXTRA_CA_CERTS, npm's cafile) is given to npm inside for the steps with network.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROOTFS="${FRESH_ROOTFS:-/var/tmp/helpdesk-fresh-rootfs}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BRANCH="$(git -C "$REPO" rev-parse --abbrev-ref HEAD)"
COMMIT="$(git -C "$REPO" rev-parse --short HEAD)"
MARKER=".helpdesk-fresh-rootfs"
PATH_INSIDE=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[fresh-machine] %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "run as root: debootstrap, chroot and unshare need it" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }

# Runs a command inside the root file system, with /proc, /dev and /sys mounted in a private mount
# namespace (gone when the command ends). Extra unshare flags come first, before "--".
in_rootfs() {
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  unshare --mount --fork "${flags[@]}" bash -c '
    root="$0"
    ip link set lo up 2>/dev/null || true
    mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && mount --rbind /sys "$root/sys"
    exec chroot "$root" /usr/bin/env -i HOME=/root PATH='"$PATH_INSIDE"' LANG=C.UTF-8 TERM=dumb "$@"
  ' "$ROOTFS" "$@"
}

STARTED=$(date +%s)
if [ "${FRESH_REUSE:-}" = 1 ] && [ -e "$ROOTFS/$MARKER" ] && [ -x "$ROOTFS/usr/sbin/nats-server" ]; then
  log "reusing the Debian system, Node and servers in $ROOTFS"
else
  if [ -e "$ROOTFS" ]; then
    [ -e "$ROOTFS/$MARKER" ] || { echo "$ROOTFS exists and was not made by this script: choose another FRESH_ROOTFS" >&2; exit 1; }
    rm -rf --one-file-system "$ROOTFS"
  fi
  log "debootstrap --variant=minbase bookworm $ROOTFS $MIRROR"
  mkdir -p "$ROOTFS" && touch "$ROOTFS/$MARKER"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" > "$ROOTFS.debootstrap.log" 2>&1 || { tail -20 "$ROOTFS.debootstrap.log"; exit 1; }
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' > "$ROOTFS/etc/hosts"
  # No init system in a chroot: packages must not try to start their services.
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d" && chmod +x "$ROOTFS/usr/sbin/policy-rc.d"

  log "adding this machine's Node $(node --version) and npm $(npm --version)"
  cp "$(command -v node)" "$ROOTFS/usr/local/bin/node"
  NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules"
  cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

  # Downloaded with network, installed without: in this machine's network the packages would see its
  # own servers' ports taken (PostgreSQL's first cluster would get 5433 instead of 5432).
  log "apt-get install postgresql redis-server nats-server chromium dovecot-imapd pgbouncer (download with network, install without)"
  PACKAGES="postgresql redis-server nats-server chromium dovecot-imapd pgbouncer"
  in_rootfs -- sh -c "apt-get update -qq && apt-get install -y -qq --download-only --no-install-recommends $PACKAGES" > "$ROOTFS/root/apt.log" 2>&1 \
    || { tail -20 "$ROOTFS/root/apt.log"; exit 1; }
  in_rootfs --net -- sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES" >> "$ROOTFS/root/apt.log" 2>&1 \
    || { tail -20 "$ROOTFS/root/apt.log"; exit 1; }
fi
rm -rf "$ROOTFS/root/helpdesk"
log "cloning $BRANCH ($COMMIT)"
git clone -q --branch "$BRANCH" "$REPO" "$ROOTFS/root/helpdesk"

CA_BUNDLE="${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}"
NETWORK_ENV=()
if [ -n "$CA_BUNDLE" ] && [ "$CA_BUNDLE" != null ] && [ -f "$CA_BUNDLE" ]; then
  cp "$CA_BUNDLE" "$ROOTFS/root/network-ca.crt"
  NETWORK_ENV=(env NODE_EXTRA_CA_CERTS=/root/network-ca.crt npm_config_cafile=/root/network-ca.crt)
  log "giving npm inside the CA bundle this machine trusts ($CA_BUNDLE)"
fi

log "npm ci (with network)"
CI_STARTED=$(date +%s)
in_rootfs -- "${NETWORK_ENV[@]}" sh -c 'cd /root/helpdesk && npm ci --no-audit --no-fund' > "$ROOTFS/root/npm-ci.log" 2>&1 || { tail -30 "$ROOTFS/root/npm-ci.log"; exit 1; }
CI_SECONDS=$(( $(date +%s) - CI_STARTED ))
MODULES_SIZE="$(du -sh "$ROOTFS/root/helpdesk/node_modules" | cut -f1)"
log "npm ci took ${CI_SECONDS}s; node_modules is $MODULES_SIZE"

log "helm and kubectl for the chart tests (with network: fetched on first use)"
in_rootfs -- "${NETWORK_ENV[@]}" sh -c 'cd /root/helpdesk && node scripts/k8s-tools.mjs' > "$ROOTFS/root/k8s-tools.log" 2>&1 || { tail -30 "$ROOTFS/root/k8s-tools.log"; exit 1; }

cat > "$ROOTFS/root/offline-run.sh" <<'INSIDE'
#!/bin/bash
# Runs inside the root file system, without network: npm start until ready, stop it, npm test.
set -u
cd /root/helpdesk
# Debian's soft default, which this machine may have raised: the run must cope with it.
ulimit -S -n 1024
ready() {
  node -e 'Promise.all([8080, 8081, 8082, 8083, 8084].map((port) => fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status)))
    .then((codes) => process.exit(codes.every((code) => code === 200) ? 0 : 1), () => process.exit(1))'
}
started=$(date +%s)
setsid npm start > /root/npm-start.log 2>&1 &
start_group=$!
start_result=failed
for _ in $(seq 1 600); do
  if ready; then start_result=ready; break; fi
  kill -0 "$start_group" 2>/dev/null || break
  sleep 1
done
echo "npm start: $start_result after $(( $(date +%s) - started ))s"
kill -INT -- "-$start_group" 2>/dev/null
wait "$start_group"
echo "npm start: stopped with exit code $?"
[ "$start_result" = ready ] || tail -30 /root/npm-start.log

started=$(date +%s)
CI=true npm test > /root/npm-test.log 2>&1
test_code=$?
echo "npm test: exit code $test_code after $(( $(date +%s) - started ))s"
echo "npm test: $(node scripts/test-summary.mjs test-results/vitest.json)"
sed 's/\x1b\[[0-9;]*m//g' /root/npm-test.log | grep -E '^\s*(Test Files|Tests|Duration)\s'
exit "$test_code"
INSIDE
chmod +x "$ROOTFS/root/offline-run.sh"

log "offline (unshare --net, loopback only): npm start until ready, then npm test"
set +e
in_rootfs --net --pid -- /root/offline-run.sh 2>&1 | tee "$ROOTFS/root/offline-run.log"
RESULT=${PIPESTATUS[0]}
set -e
log "done in $(( $(date +%s) - STARTED ))s in total, exit code $RESULT; logs in $ROOTFS/root/*.log"
exit "$RESULT"
