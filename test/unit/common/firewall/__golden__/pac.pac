// Pathcheck: outbound allow rules for a proxy auto-config (PAC) file (profile lab)
// Opens exactly what the diagnosis found blocked (layer: perimeter).
// Tag: pathcheck - undo: restore the previous PAC file
function FindProxyForURL(url, host) {
  // TURN hosts: DIRECT (never through the proxy, never TLS-inspected)
  if (host == "turn.example.com") return "DIRECT";
  return "PROXY proxy.corp.example:3128";
}
