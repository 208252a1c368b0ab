// Pathcheck: outbound allow rules for a proxy auto-config (PAC) file (profile lab)
// Opens exactly what the diagnosis found blocked (layer: perimeter).
// Tag: pathcheck - undo: restore the previous PAC file
function FindProxyForURL(url, host) {
  // TURN hosts: DIRECT (never through the proxy, never TLS-inspected)
  if (host == "2001:db8::10") return "DIRECT";
  if (host == "192.0.2.10") return "DIRECT";
  return "PROXY proxy.corp.example:3128";
}
