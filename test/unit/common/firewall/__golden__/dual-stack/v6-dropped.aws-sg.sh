#!/bin/sh
# Pathcheck: outbound allow rules for AWS security group egress (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo revokes the same permissions
# Set SG_ID to the security group of the instances (sg-...). The default egress rule allows all; this matters only when it was removed.
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
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
set -eu
: "${SG_ID:?set SG_ID to the security group id, e.g. SG_ID=sg-0123456789abcdef0}"
aws ec2 authorize-security-group-egress --group-id "$SG_ID" --ip-permissions '[{"IpProtocol":"udp","FromPort":3478,"ToPort":3478,"IpRanges":[],"Ipv6Ranges":[{"CidrIpv6":"fd77::10/128","Description":"pathcheck pathcheck-udp-1"}]},{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[],"Ipv6Ranges":[{"CidrIpv6":"fd77::10/128","Description":"pathcheck pathcheck-tcp-1"}]},{"IpProtocol":"tcp","FromPort":3478,"ToPort":3478,"IpRanges":[],"Ipv6Ranges":[{"CidrIpv6":"fd77::10/128","Description":"pathcheck pathcheck-tcp-1"}]},{"IpProtocol":"udp","FromPort":10000,"ToPort":60000,"IpRanges":[],"Ipv6Ranges":[{"CidrIpv6":"fd77::/64","Description":"pathcheck pathcheck-udp-2"}]},{"IpProtocol":"udp","FromPort":10000,"ToPort":65535,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"pathcheck pathcheck-udp-3"}],"Ipv6Ranges":[{"CidrIpv6":"::/0","Description":"pathcheck pathcheck-udp-3"}]},{"IpProtocol":"tcp","FromPort":10000,"ToPort":65535,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"pathcheck pathcheck-tcp-2"}],"Ipv6Ranges":[{"CidrIpv6":"::/0","Description":"pathcheck pathcheck-tcp-2"}]}]'
