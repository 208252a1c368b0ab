# Pathcheck: outbound allow rules for Windows Firewall (PowerShell, elevated) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: Remove-NetFirewallRule -Group Pathcheck
# Check first: Get-NetFirewallProfile -PolicyStore ActiveStore (DefaultOutboundAction, AllowLocalFirewallRules).
# If Group Policy sets AllowLocalFirewallRules to False, local rules have no effect: ask your admin to add them to the GPO.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
$ErrorActionPreference = 'Stop'
# Replace, not duplicate: remove earlier Pathcheck rules first.
Remove-NetFirewallRule -Group 'Pathcheck' -ErrorAction SilentlyContinue
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
New-NetFirewallRule -Name 'pathcheck-udp-1' -DisplayName 'Pathcheck pathcheck-udp-1' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress '203.0.113.0/24','198.51.100.128/25','2001:db8:40::/48' -RemotePort '3478','10000-60000' -Profile Any
