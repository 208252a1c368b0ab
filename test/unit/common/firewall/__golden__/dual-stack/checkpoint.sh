#!/bin/sh
# Pathcheck: outbound allow rules for Check Point (mgmt_cli on the management server) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - objects carry tag "pathcheck"; undo deletes them by name
# Layer "Network" is assumed; change it to your policy's access layer.
set -eu
mgmt_cli login -r true > pathcheck-session.txt
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
mgmt_cli -s pathcheck-session.txt add host name pathcheck-udp-1-a1 ip-address 10.77.0.10 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add host name pathcheck-udp-1-a2 ipv6-address fd77::10 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add group name pathcheck-udp-1-dst members.1 pathcheck-udp-1-a1 members.2 pathcheck-udp-1-a2 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-udp name pathcheck-udp-1-p1 port 3478 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-group name pathcheck-udp-1 members.1 pathcheck-udp-1-p1 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add access-rule layer Network position top name pathcheck-udp-1 source Any destination pathcheck-udp-1-dst service pathcheck-udp-1 action Accept track.type Log comments pathcheck
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
mgmt_cli -s pathcheck-session.txt add host name pathcheck-tcp-1-a1 ip-address 10.77.0.10 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add host name pathcheck-tcp-1-a2 ipv6-address fd77::10 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add group name pathcheck-tcp-1-dst members.1 pathcheck-tcp-1-a1 members.2 pathcheck-tcp-1-a2 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-tcp name pathcheck-tcp-1-p1 port 3478 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-group name pathcheck-tcp-1 members.1 pathcheck-tcp-1-p1 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add access-rule layer Network position top name pathcheck-tcp-1 source Any destination pathcheck-tcp-1-dst service pathcheck-tcp-1 action Accept track.type Log comments pathcheck
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
mgmt_cli -s pathcheck-session.txt add network name pathcheck-udp-2-a1 subnet4 10.77.0.0 mask-length4 24 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add network name pathcheck-udp-2-a2 subnet6 fd77:: mask-length6 64 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add group name pathcheck-udp-2-dst members.1 pathcheck-udp-2-a1 members.2 pathcheck-udp-2-a2 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-udp name pathcheck-udp-2-p1 port 10000-60000 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add service-group name pathcheck-udp-2 members.1 pathcheck-udp-2-p1 tags.1 pathcheck
mgmt_cli -s pathcheck-session.txt add access-rule layer Network position top name pathcheck-udp-2 source Any destination pathcheck-udp-2-dst service pathcheck-udp-2 action Accept track.type Log comments pathcheck
mgmt_cli -s pathcheck-session.txt publish
mgmt_cli -s pathcheck-session.txt logout
