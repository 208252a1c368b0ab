#!/bin/bash
# Pathcheck: outbound allow rules for nftables (the output chains that drop) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# The report does not say which nftables chains drop this traffic (made on another computer, by an
# older version, or without administrator rights), so this script finds them when it runs, as
# Pathcheck's own elevated step does: the base chains on the output hook of type filter that drop
# (policy drop or a drop/reject rule), never another product's table (VPN kill switch, containers,
# firewalld). It inserts each rule into each of them; if nft refuses one, it removes what it added.
# Run as root: bash <this file>   (needs nft and jq)
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
set -euo pipefail
export LC_ALL=C
command -v jq >/dev/null 2>&1 || { echo "pathcheck: jq is required (apt-get install jq)" >&2; exit 2; }
RE_IDENT='^[A-Za-z][A-Za-z0-9_-]{0,62}$'
FOREIGN_RE='^(mullvad|tailscale|ts-|wg-quick|nordvpn|proton|expressvpn|firewalld|docker|podman|netavark|cni|libvirt|incus|lxd)'
plain_chain() { [[ "$1" =~ ^(inet|ip|ip6)$ && "$2" =~ $RE_IDENT && "$3" =~ $RE_IDENT ]]; }
chains=$(nft -j list ruleset | jq -r '
    .nftables as $all
    | [$all[] | select(.rule) | .rule | select([.expr[]? | objects | has("drop") or has("reject")] | any) | "\(.family) \(.table) \(.chain)"] as $dropping
    | $all[] | select(.chain) | .chain | select(.hook == "output" and .type == "filter")
    | "\(.family) \(.table) \(.name)" as $k
    | select(.policy == "drop" or any($dropping[]; . == $k))
    | $k')
V4=() V6=() ANY=() SV4=() SV6=() SANY=()
v4() { V4+=("$1"); }
v6() { V6+=("$1"); }
any() { ANY+=("$1"); }
sv4() { SV4+=("$1"); }
sv6() { SV6+=("$1"); }
sany() { SANY+=("$1"); }
v4 'ip daddr 10.77.0.10/32 udp dport 3478 accept comment "pathcheck"'
v6 'ip6 daddr fd77::10/128 udp dport 3478 accept comment "pathcheck"'
v4 'ip daddr 10.77.0.10/32 tcp dport 3478 accept comment "pathcheck"'
v6 'ip6 daddr fd77::10/128 tcp dport 3478 accept comment "pathcheck"'
v4 'ip daddr 10.77.0.0/24 udp dport 10000-60000 accept comment "pathcheck"'
v6 'ip6 daddr fd77::/64 udp dport 10000-60000 accept comment "pathcheck"'
sv4 'ip daddr 10.77.0.10/32 udp dport 3478 accept comment "pathcheck"'
sv6 'ip6 daddr fd77::10/128 udp dport 3478 accept comment "pathcheck"'
sv4 'ip daddr 10.77.0.10/32 tcp dport 3478 accept comment "pathcheck"'
sv6 'ip6 daddr fd77::10/128 tcp dport 3478 accept comment "pathcheck"'
sv4 'ip daddr 10.77.0.0/24 udp dport 10000-60000 accept comment "pathcheck"'
sv6 'ip6 daddr fd77::/64 udp dport 10000-60000 accept comment "pathcheck"'
added=()
rollback() {
  local x f t c h
  for x in "${added[@]}"; do read -r f t c h <<<"$x"; nft delete rule "$f" "$t" "$c" handle "$h" || true; done
  echo "pathcheck: nft refused a rule; the rules this run added were removed again" >&2
  exit 3
}
add() {
  local out h
  out=$(nft --echo --handle insert rule "$1" "$2" "$3" "$4" 2>&1) || rollback
  h=$(printf '%s\n' "$out" | sed -n 's/.*# handle \([0-9][0-9]*\)$/\1/p' | tail -n 1)
  [[ "$h" =~ ^[0-9]+$ ]] || rollback
  added+=("$1 $2 $3 $h")
  echo "added to $1 $2 $3: $4"
}
while read -r f t c; do
  [ -n "${f:-}" ] || continue
  plain_chain "$f" "$t" "$c" || { echo "pathcheck: skipping a chain with an unexpected name" >&2; continue; }
  if [[ "${t,,}" =~ $FOREIGN_RE ]]; then
    echo "pathcheck: $f $t $c drops outbound traffic but belongs to another product; left alone" >&2
    continue
  fi
  if [ "$f" != inet ] && [ "$t" = filter ]; then
    # iptables-nft's table: one address and one port range per rule, the only form iptables-nft reads back
    # (a set would be left out by iptables-nft-save, widening the rule). An ip table sees only IPv4 packets.
    if [ "$f" = ip ]; then for b in "${SV4[@]}"; do add "$f" "$t" "$c" "$b"; done; fi
    if [ "$f" = ip6 ]; then for b in "${SV6[@]}"; do add "$f" "$t" "$c" "$b"; done; fi
    for b in "${SANY[@]}"; do add "$f" "$t" "$c" "$b"; done
    continue
  fi
  # An ip table sees only IPv4 packets, an ip6 table only IPv6 ones.
  if [ "$f" != ip6 ]; then for b in "${V4[@]}"; do add "$f" "$t" "$c" "$b"; done; fi
  if [ "$f" != ip ]; then for b in "${V6[@]}"; do add "$f" "$t" "$c" "$b"; done; fi
  for b in "${ANY[@]}"; do add "$f" "$t" "$c" "$b"; done
done <<<"$chains"
if [ "${#added[@]}" -eq 0 ]; then
  echo "pathcheck: no nftables output chain of this computer drops this traffic (or it belongs to another product); nothing was changed" >&2
  exit 3
fi
