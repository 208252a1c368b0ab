#!/bin/sh
# Pathcheck: outbound allow rules for AWS security group egress (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo revokes the same permissions
# Set SG_ID to the security group of the instances (sg-...). The default egress rule allows all; this matters only when it was removed.
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
set -eu
: "${SG_ID:?set SG_ID to the security group id, e.g. SG_ID=sg-0123456789abcdef0}"
aws ec2 authorize-security-group-egress --group-id "$SG_ID" --ip-permissions '[{"IpProtocol":"udp","FromPort":3478,"ToPort":3478,"IpRanges":[{"CidrIp":"10.77.0.10/32","Description":"pathcheck pathcheck-udp-1"}],"Ipv6Ranges":[{"CidrIpv6":"fd77::10/128","Description":"pathcheck pathcheck-udp-1"}]},{"IpProtocol":"tcp","FromPort":3478,"ToPort":3478,"IpRanges":[{"CidrIp":"10.77.0.10/32","Description":"pathcheck pathcheck-tcp-1"}],"Ipv6Ranges":[{"CidrIpv6":"fd77::10/128","Description":"pathcheck pathcheck-tcp-1"}]},{"IpProtocol":"udp","FromPort":10000,"ToPort":60000,"IpRanges":[{"CidrIp":"10.77.0.0/24","Description":"pathcheck pathcheck-udp-2"}],"Ipv6Ranges":[{"CidrIpv6":"fd77::/64","Description":"pathcheck pathcheck-udp-2"}]}]'
