@echo off
REM Pathcheck: outbound allow rules for Windows Firewall (netsh, elevated cmd) (profile lab)
REM Opens exactly what the diagnosis found blocked (layer: perimeter).
REM Tag: pathcheck - undo deletes the rules named pathcheck-*
REM pathcheck-udp-1: UDP 3478
REM   purpose: TURN over UDP
REM   checks: turn:udp:192.0.2.10:3478
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-1" dir=out action=allow protocol=UDP remoteip=192.0.2.10,2001:db8::10 remoteport=3478 description="pathcheck"
REM pathcheck-udp-2: UDP 10000-60000
REM   purpose: Group media
REM   checks: udp-range:group
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-2" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-2" dir=out action=allow protocol=UDP remoteip=192.0.2.30 remoteport=10000-60000 description="pathcheck"
REM pathcheck-tcp-1: TCP 443
REM   purpose: TURN over TLS
REM   checks: turn:tls:[2001:db8::10]:443
REM   blocked at: proxy
netsh advfirewall firewall delete rule name="pathcheck-tcp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-tcp-1" dir=out action=allow protocol=TCP remoteip=2001:db8::10 remoteport=443 description="pathcheck"
