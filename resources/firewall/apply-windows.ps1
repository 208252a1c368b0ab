#Requires -Version 5.1
# Pathcheck: adds or removes Pathcheck's outbound allow rules in Windows Defender Firewall.
#
# Fixed script, shipped in <resources>\firewall. The app starts it with an argument array:
#   powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File apply-windows.ps1
#                  -Action apply|undo [-Plan <plan.json>] -Result <result.txt>
# Not elevated, it checks the plan, then starts itself again through UAC (Start-Process -Verb RunAs,
# fixed argument list plus -Elevated) and waits; the elevated copy checks the plan again, value by
# value (Test-Plan mirrors assertWindowsPlan in electron/node/firewall/windows/plan.ts), and only
# then changes anything. The plan is data: no field is ever run as code or passed to a shell.
#
#   apply: removes earlier rules of group Pathcheck, then one New-NetFirewallRule per plan rule:
#          -Direction Outbound -Action Allow -Group Pathcheck -Protocol UDP|TCP
#          -RemoteAddress <exact list or Any> -RemotePort <exact list>. A failure removes the rules
#          made in this run again (nothing half-applied).
#   undo:  removes the rules of group Pathcheck whose name starts with pathcheck-, nothing else.
# Prints "added <name>" / "removed <name>" lines. Exit codes: 0 done, 2 plan refused or bad
# arguments, 3 UAC prompt cancelled, 4 Windows Firewall refused a rule (rolled back) or another error.
# New-NetFirewallRule: https://learn.microsoft.com/en-us/powershell/module/netsecurity/new-netfirewallrule
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][ValidateSet('apply', 'undo')][string]$Action,
  [string]$Plan = '',
  [Parameter(Mandatory = $true)][string]$Result,
  [switch]$Elevated
)
Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'

$Group = 'Pathcheck'
$MaxPlanBytes = 65536
$MaxRules = 64
$MaxAddresses = 256
$MaxPortRanges = 64
$RuleNamePattern = '^pathcheck-[a-z0-9-]{1,40}$'
$Octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
$V4Pattern = "^$Octet(\.$Octet){3}(/(0|[1-9][0-9]?))?$"

$script:Lines = New-Object System.Collections.Generic.List[string]
function Say([string]$Line) { $script:Lines.Add($Line); Write-Output $Line }
function Save-Result {
  if ($Result -ne '') { [IO.File]::WriteAllLines($Result, [string[]]$script:Lines.ToArray()) }
}
function Refuse([string]$Message) {
  [Console]::Error.WriteLine("Pathcheck: $Message")
  $script:Lines.Add("error $Message")
  Save-Result
  exit 2
}
function Fail-Field([string]$Field, [string]$Reason) { Refuse "invalid plan: ${Field}: $Reason" }

function Test-ExactKeys($Value, [string[]]$Keys, [string]$Field) {
  if ($null -eq $Value -or $Value -isnot [System.Management.Automation.PSCustomObject]) { Fail-Field $Field 'must be an object' }
  $names = @($Value.PSObject.Properties | ForEach-Object { $_.Name })
  foreach ($n in $names) { if ($Keys -cnotcontains $n) { Fail-Field "$Field.$n" 'is not a plan field' } }
  foreach ($k in $Keys) { if ($names -cnotcontains $k) { Fail-Field "$Field.$k" 'is missing' } }
}

function Test-Port($Value) {
  return (($Value -is [int]) -or ($Value -is [long])) -and $Value -ge 1 -and $Value -le 65535
}

function Test-Address($Value) {
  if ($Value -isnot [string] -or $Value.Length -gt 43) { return $false }
  if ($Value -cmatch $V4Pattern) {
    $v4parts = @($Value -split '/')
    return ($v4parts.Count -eq 1) -or ([int]$v4parts[1] -le 32)
  }
  # IPv6: hex digits, colons and dots only, an optional /0-128, and the address must parse as IPv6.
  if ($Value -cnotmatch '^[0-9A-Fa-f:.]+(/(0|[1-9][0-9]{0,2}))?$') { return $false }
  $parts = @($Value -split '/')
  if ($parts.Count -eq 2 -and [int]$parts[1] -gt 128) { return $false }
  if (-not $parts[0].Contains(':')) { return $false }
  $ip = $null
  if (-not [System.Net.IPAddress]::TryParse($parts[0], [ref]$ip)) { return $false }
  return $ip.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6
}

function Test-Plan([string]$Path) {
  if ($Path -eq '') { Refuse 'apply needs -Plan' }
  $item = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
  if ($null -eq $item -or $item.PSIsContainer) { Refuse 'the plan file does not exist' }
  if ($item.Length -gt $MaxPlanBytes) { Fail-Field 'plan' "is larger than $MaxPlanBytes bytes" }
  try { $plan = [IO.File]::ReadAllText($Path) | ConvertFrom-Json } catch { Fail-Field 'plan' 'is not JSON' }
  Test-ExactKeys $plan @('version', 'group', 'rules') 'plan'
  if (-not (($plan.version -is [int]) -and $plan.version -eq 1)) { Fail-Field 'plan.version' 'must be 1' }
  if (-not (($plan.group -is [string]) -and $plan.group -ceq $Group)) { Fail-Field 'plan.group' "must be `"$Group`"" }
  if ($plan.rules -isnot [array]) { Fail-Field 'plan.rules' 'must be an array' }
  if ($plan.rules.Count -lt 1 -or $plan.rules.Count -gt $MaxRules) { Fail-Field 'plan.rules' "must hold 1-$MaxRules rules" }
  $seen = @{}
  for ($i = 0; $i -lt $plan.rules.Count; $i++) {
    $f = "plan.rules[$i]"
    $r = $plan.rules[$i]
    Test-ExactKeys $r @('name', 'protocol', 'anyAddress', 'remoteAddresses', 'remotePorts') $f
    if (-not (($r.name -is [string]) -and $r.name -cmatch $RuleNamePattern)) { Fail-Field "$f.name" 'must match pathcheck-[a-z0-9-]' }
    if ($seen.ContainsKey($r.name)) { Fail-Field "$f.name" 'is used twice' }
    $seen[$r.name] = $true
    if (-not (($r.protocol -is [string]) -and ($r.protocol -ceq 'UDP' -or $r.protocol -ceq 'TCP'))) { Fail-Field "$f.protocol" 'must be UDP or TCP' }
    if ($r.anyAddress -isnot [bool]) { Fail-Field "$f.anyAddress" 'must be true or false' }
    if ($r.remoteAddresses -isnot [array]) { Fail-Field "$f.remoteAddresses" 'must be an array' }
    if ($r.remoteAddresses.Count -gt $MaxAddresses) { Fail-Field "$f.remoteAddresses" "holds more than $MaxAddresses addresses" }
    if ($r.anyAddress -and $r.remoteAddresses.Count -gt 0) { Fail-Field "$f.remoteAddresses" 'must be empty when anyAddress is true' }
    if (-not $r.anyAddress -and $r.remoteAddresses.Count -eq 0) { Fail-Field "$f.remoteAddresses" 'needs at least one address' }
    for ($j = 0; $j -lt $r.remoteAddresses.Count; $j++) {
      if (-not (Test-Address $r.remoteAddresses[$j])) { Fail-Field "$f.remoteAddresses[$j]" 'not an IPv4/IPv6 address or CIDR' }
    }
    if ($r.remotePorts -isnot [array]) { Fail-Field "$f.remotePorts" 'must be an array' }
    if ($r.remotePorts.Count -lt 1 -or $r.remotePorts.Count -gt $MaxPortRanges) { Fail-Field "$f.remotePorts" "must hold 1-$MaxPortRanges ranges" }
    for ($j = 0; $j -lt $r.remotePorts.Count; $j++) {
      $p = $r.remotePorts[$j]
      if (($p -isnot [array]) -or $p.Count -ne 2 -or -not (Test-Port $p[0]) -or -not (Test-Port $p[1])) { Fail-Field "$f.remotePorts[$j]" 'must be a [from, to] pair of ports 1-65535' }
      if ($p[0] -gt $p[1]) { Fail-Field "$f.remotePorts[$j]" 'range start is greater than its end' }
    }
  }
  return $plan
}

function Get-PathcheckRules {
  return @(Get-NetFirewallRule -Group $Group -PolicyStore PersistentStore -ErrorAction SilentlyContinue | Where-Object { $_.Name -cmatch $RuleNamePattern })
}

function Remove-PathcheckRules {
  foreach ($rule in Get-PathcheckRules) {
    Remove-NetFirewallRule -Name $rule.Name -PolicyStore PersistentStore
    Say "removed $($rule.Name)"
  }
}

# Any error not handled below ends the script with exit 4 and its message (also in the result file,
# since the elevated copy's own output is not seen).
trap {
  $script:Lines.Add("error $($_.Exception.Message)")
  Save-Result
  [Console]::Error.WriteLine("Pathcheck: $($_.Exception.Message)")
  exit 4
}

# Arguments the app passes are paths it made itself; refuse anything that could split the elevated command line.
foreach ($p in @($Plan, $Result)) { if ($p.Contains('"')) { Refuse 'a path contains a double quote' } }
if ($Action -eq 'apply') { $checked = Test-Plan $Plan }

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
$isAdmin = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)

if (-not $isAdmin) {
  if ($Elevated) { Refuse 'the elevated copy is not running as administrator' }
  $argList = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', "`"$PSCommandPath`"", '-Action', $Action, '-Result', "`"$Result`"", '-Elevated')
  if ($Action -eq 'apply') { $argList += @('-Plan', "`"$Plan`"") }
  try {
    $child = Start-Process -FilePath (Join-Path $PSHOME 'powershell.exe') -Verb RunAs -ArgumentList $argList -WindowStyle Hidden -Wait -PassThru
  } catch {
    [Console]::Error.WriteLine('Pathcheck: the administrator prompt was cancelled; nothing was changed')
    exit 3
  }
  if (Test-Path -LiteralPath $Result) {
    foreach ($line in Get-Content -LiteralPath $Result -TotalCount 1000) {
      if ($line.StartsWith('error ')) { [Console]::Error.WriteLine("Pathcheck: $($line.Substring(6))") } else { Write-Output $line }
    }
  }
  exit $child.ExitCode
}

if ($Action -eq 'undo') {
  Remove-PathcheckRules
  Save-Result
  exit 0
}

# apply: replace earlier Pathcheck rules, then add exactly the plan's rules.
Remove-PathcheckRules
$made = New-Object System.Collections.Generic.List[string]
try {
  foreach ($r in $checked.rules) {
    $ports = [string[]]@($r.remotePorts | ForEach-Object { if ($_[0] -eq $_[1]) { "$($_[0])" } else { "$($_[0])-$($_[1])" } })
    $addresses = if ($r.anyAddress) { [string[]]@('Any') } else { [string[]]@($r.remoteAddresses) }
    New-NetFirewallRule -Name $r.name -DisplayName "Pathcheck $($r.name)" -Group $Group -Direction Outbound -Action Allow `
      -Protocol $r.protocol -RemoteAddress $addresses -RemotePort $ports -Profile Any -PolicyStore PersistentStore | Out-Null
    $made.Add($r.name)
    Say "added $($r.name)"
  }
} catch {
  $message = $_.Exception.Message
  foreach ($name in $made) { Remove-NetFirewallRule -Name $name -PolicyStore PersistentStore -ErrorAction SilentlyContinue }
  $script:Lines.Add("error Windows Firewall refused a rule: $message")
  Save-Result
  [Console]::Error.WriteLine("Pathcheck: Windows Firewall refused a rule: $message")
  exit 4
}
Save-Result
exit 0
