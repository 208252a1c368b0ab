#!/bin/sh
# Pathcheck: outbound allow rules for iptables/ip6tables (OUTPUT chain) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Rules are inserted at the top of OUTPUT.
# Into iptables-legacy: where the report found the drop.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
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
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
ins iptables-legacy -I OUTPUT -p udp -d 203.0.113.0/24 -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT
ins iptables-legacy -I OUTPUT -p udp -d 198.51.100.128/25 -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT
ins ip6tables-legacy -I OUTPUT -p udp -d 2001:db8:40::/48 -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT
