#!/bin/sh
# Pathcheck: outbound allow rules for iptables/ip6tables (OUTPUT chain) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Rules are inserted at the top of OUTPUT.
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
set -eu
# If a command refuses a rule, the rules this script inserted are deleted again (exit 3): nothing half-applied.
set -f
added=''
rollback() {
  printf '%s' "$added" | while read -r c i chain spec; do "$c" -D "$chain" $spec || true; done
  echo "pathcheck: a rule was refused; the rules this script added were removed again" >&2
  exit 3
}
ins() {
  "$@" || rollback
  added="$added$*
"
}
# Which iptables holds the drop is not known from the report: Debian's iptables package ships both
# iptables-legacy and iptables-nft (and iptables is one of them); these rules go into whichever
# OUTPUT chain drops (its policy or a DROP/REJECT rule), else into plain iptables.
holds_drop() {
  found=""
  for v in legacy nft; do
    command -v "$1-$v" >/dev/null 2>&1 || continue
    if "$1-$v" -S OUTPUT 2>/dev/null | grep -Eq '^-P OUTPUT DROP|-j (DROP|REJECT)'; then found="$found $1-$v"; fi
  done
  echo "${found:-$1}"
}
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6, relay:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
# pathcheck-tcp-1: TCP 443, 3478
#   purpose: TURN over TCP/TLS, signaling
#   checks: tcp:sig.lab.test:443/v6, tls:sig.lab.test:443/v6, turn:tcp:turn.lab.test:3478/v6, turn:tls:turn.lab.test:443/v6
#   blocked at: perimeter
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group/v6
#   blocked at: perimeter
# pathcheck-udp-3: UDP 10000-65535
#   purpose: Peer-to-peer media
#   checks: udp-range:p2p/v6
#   blocked at: perimeter
# pathcheck-tcp-2: TCP 10000-65535
#   purpose: Peer-to-peer media over TCP
#   checks: tcp-range:p2p/v6
#   blocked at: perimeter
for ipt in $(holds_drop iptables); do
  ins "$ipt" -I OUTPUT -p udp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
  ins "$ipt" -I OUTPUT -p tcp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
done
for ipt in $(holds_drop ip6tables); do
  ins "$ipt" -I OUTPUT -p udp -d fd77::10/128 --dport 3478 -m comment --comment pathcheck -j ACCEPT
  ins "$ipt" -I OUTPUT -p tcp -d fd77::10/128 -m multiport --dports 443,3478 -m comment --comment pathcheck -j ACCEPT
  ins "$ipt" -I OUTPUT -p udp -d fd77::/64 --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT
  ins "$ipt" -I OUTPUT -p udp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
  ins "$ipt" -I OUTPUT -p tcp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
done
