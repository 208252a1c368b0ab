#!/bin/sh
# Pathcheck: outbound allow rules for AWS security group egress (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo revokes the same permissions
# Set SG_ID to the security group of the instances (sg-...). The default egress rule allows all; this matters only when it was removed.
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:192.0.2.10:3478
#   blocked at: perimeter
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group
#   blocked at: perimeter
# pathcheck-tcp-1: TCP 443
#   purpose: TURN over TLS
#   checks: turn:tls:[2001:db8::10]:443
#   blocked at: proxy
set -eu
: "${SG_ID:?set SG_ID to the security group id, e.g. SG_ID=sg-0123456789abcdef0}"
aws ec2 authorize-security-group-egress --group-id "$SG_ID" --ip-permissions '[{"IpProtocol":"udp","FromPort":3478,"ToPort":3478,"IpRanges":[{"CidrIp":"192.0.2.10/32","Description":"pathcheck pathcheck-udp-1"}],"Ipv6Ranges":[{"CidrIpv6":"2001:db8::10/128","Description":"pathcheck pathcheck-udp-1"}]},{"IpProtocol":"udp","FromPort":10000,"ToPort":60000,"IpRanges":[{"CidrIp":"192.0.2.30/32","Description":"pathcheck pathcheck-udp-2"}],"Ipv6Ranges":[]},{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[],"Ipv6Ranges":[{"CidrIpv6":"2001:db8::10/128","Description":"pathcheck pathcheck-tcp-1"}]}]'
