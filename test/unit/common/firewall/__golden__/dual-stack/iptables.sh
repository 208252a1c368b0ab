#!/bin/sh
# Pathcheck: outbound allow rules for iptables/ip6tables (OUTPUT chain) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Rules are inserted at the top of OUTPUT.
set -eu
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
iptables -I OUTPUT -p udp -d 10.77.0.10/32 --dport 3478 -m comment --comment pathcheck -j ACCEPT
iptables -I OUTPUT -p tcp -d 10.77.0.10/32 --dport 3478 -m comment --comment pathcheck -j ACCEPT
iptables -I OUTPUT -p udp -d 10.77.0.0/24 --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p udp -d fd77::10/128 --dport 3478 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p tcp -d fd77::10/128 --dport 3478 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p udp -d fd77::/64 --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT
