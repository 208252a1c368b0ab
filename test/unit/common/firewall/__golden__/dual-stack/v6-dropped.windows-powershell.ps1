# Pathcheck: outbound allow rules for Windows Firewall (PowerShell, elevated) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: Remove-NetFirewallRule -Group Pathcheck
# Check first: Get-NetFirewallProfile -PolicyStore ActiveStore (DefaultOutboundAction, AllowLocalFirewallRules).
# If Group Policy sets AllowLocalFirewallRules to False, local rules have no effect: ask your admin to add them to the GPO.
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
$ErrorActionPreference = 'Stop'
# Replace, not duplicate: remove earlier Pathcheck rules first.
Remove-NetFirewallRule -Group 'Pathcheck' -ErrorAction SilentlyContinue
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6, relay:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-udp-1' -DisplayName 'Pathcheck pathcheck-udp-1' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress 'fd77::10/128' -RemotePort '3478' -Profile Any
# pathcheck-tcp-1: TCP 443, 3478
#   purpose: TURN over TCP/TLS, signaling
#   checks: tcp:sig.lab.test:443/v6, tls:sig.lab.test:443/v6, turn:tcp:turn.lab.test:3478/v6, turn:tls:turn.lab.test:443/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-tcp-1' -DisplayName 'Pathcheck pathcheck-tcp-1' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol TCP -RemoteAddress 'fd77::10/128' -RemotePort '443','3478' -Profile Any
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-udp-2' -DisplayName 'Pathcheck pathcheck-udp-2' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress 'fd77::/64' -RemotePort '10000-60000' -Profile Any
# pathcheck-udp-3: UDP 10000-65535
#   purpose: Peer-to-peer media
#   checks: udp-range:p2p/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-udp-3' -DisplayName 'Pathcheck pathcheck-udp-3' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemotePort '10000-65535' -Profile Any
# pathcheck-tcp-2: TCP 10000-65535
#   purpose: Peer-to-peer media over TCP
#   checks: tcp-range:p2p/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-tcp-2' -DisplayName 'Pathcheck pathcheck-tcp-2' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol TCP -RemotePort '10000-65535' -Profile Any
