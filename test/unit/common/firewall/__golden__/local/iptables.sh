#!/bin/sh
# Pathcheck: outbound allow rules for iptables/ip6tables (OUTPUT chain) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Rules are inserted at the top of OUTPUT.
# Into iptables-legacy: where the report found the drop.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
set -eu
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
iptables-legacy -I OUTPUT -p udp -d 203.0.113.0/24 -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT
iptables-legacy -I OUTPUT -p udp -d 198.51.100.128/25 -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT
ip6tables-legacy -I OUTPUT -p udp -d 2001:db8:40::/48 -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT
