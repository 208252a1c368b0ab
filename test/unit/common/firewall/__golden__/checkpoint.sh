#!/bin/sh
# Pathcheck: outbound allow rules for Check Point (mgmt_cli on the management server) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - objects carry tag "pathcheck"; undo deletes them by name
# Layer "Network" is assumed; change it to your policy's access layer.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
set -eu
mgmt_cli login -r true > pathcheck-session.txt
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
mgmt_cli -s pathcheck-session.txt add network name pathcheck-udp-1-a1 subnet4 203.0.113.0 mask-length4 24 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add network name pathcheck-udp-1-a2 subnet4 198.51.100.128 mask-length4 25 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add network name pathcheck-udp-1-a3 subnet6 2001:db8:40:: mask-length6 48 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add group name pathcheck-udp-1-dst members.1 pathcheck-udp-1-a1 members.2 pathcheck-udp-1-a2 members.3 pathcheck-udp-1-a3 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-udp name pathcheck-udp-1-p1 port 3478 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-udp name pathcheck-udp-1-p2 port 10000-60000 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-group name pathcheck-udp-1 members.1 pathcheck-udp-1-p1 members.2 pathcheck-udp-1-p2 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add access-rule layer Network position top name pathcheck-udp-1 source Any destination pathcheck-udp-1-dst service pathcheck-udp-1 action Accept track.type Log comments pathcheck
mgmt_cli -s pathcheck-session.txt publish
mgmt_cli -s pathcheck-session.txt logout
