# Pathcheck: outbound allow rules for Windows Firewall (PowerShell, elevated) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: Remove-NetFirewallRule -Group Pathcheck
# Check first: Get-NetFirewallProfile -PolicyStore ActiveStore (DefaultOutboundAction, AllowLocalFirewallRules).
# If Group Policy sets AllowLocalFirewallRules to False, local rules have no effect: ask your admin to add them to the GPO.
$ErrorActionPreference = 'Stop'
# Replace, not duplicate: remove earlier Pathcheck rules first.
Remove-NetFirewallRule -Group 'Pathcheck' -ErrorAction SilentlyContinue
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-udp-1' -DisplayName 'Pathcheck pathcheck-udp-1' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress '10.77.0.10/32','fd77::10/128' -RemotePort '3478' -Profile Any
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-tcp-1' -DisplayName 'Pathcheck pathcheck-tcp-1' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol TCP -RemoteAddress '10.77.0.10/32','fd77::10/128' -RemotePort '3478' -Profile Any
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-udp-2' -DisplayName 'Pathcheck pathcheck-udp-2' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress '10.77.0.0/24','fd77::/64' -RemotePort '10000-60000' -Profile Any
