#!/bin/sh
# Pathcheck: outbound allow rules for AWS security group egress (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo revokes the same permissions
# Set SG_ID to the security group of the instances (sg-...). The default egress rule allows all; this matters only when it was removed.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
set -eu
: "${SG_ID:?set SG_ID to the security group id, e.g. SG_ID=sg-0123456789abcdef0}"
aws ec2 authorize-security-group-egress --group-id "$SG_ID" --ip-permissions '[{"IpProtocol":"udp","FromPort":3478,"ToPort":3478,"IpRanges":[{"CidrIp":"203.0.113.0/24","Description":"pathcheck pathcheck-udp-1"},{"CidrIp":"198.51.100.128/25","Description":"pathcheck pathcheck-udp-1"}],"Ipv6Ranges":[{"CidrIpv6":"2001:db8:40::/48","Description":"pathcheck pathcheck-udp-1"}]},{"IpProtocol":"udp","FromPort":10000,"ToPort":60000,"IpRanges":[{"CidrIp":"203.0.113.0/24","Description":"pathcheck pathcheck-udp-1"},{"CidrIp":"198.51.100.128/25","Description":"pathcheck pathcheck-udp-1"}],"Ipv6Ranges":[{"CidrIpv6":"2001:db8:40::/48","Description":"pathcheck pathcheck-udp-1"}]}]'
