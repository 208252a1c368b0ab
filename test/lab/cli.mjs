#!/usr/bin/env node
// `npm run lab -- <command>`: the network lab for humans.
//   up [--nat none|cone|symmetric]         bring the lab up (open scenario) and leave it up
//   down [--force]                         tear everything down (--force: even while another process owns it)
//   status                                 namespaces, daemons, current scenario
//   scenario <name> [--layer local|perimeter] [--nat none|cone|symmetric]
//                                          bring the lab up if needed, apply the scenario, leave it up
//   scenarios                              list the scenarios
//   exec [--ns client|router|server] -- <cmd...>   run a command inside a namespace (default client)
//   rules <name> [--layer local|perimeter] print the nftables text of a scenario
import * as lab from './lab.mjs';

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const head = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const tail = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const cmd = head[0];
const flag = (name, d) => (head.includes(name) ? head[head.indexOf(name) + 1] : d);
const positional = head.slice(1).filter((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1].startsWith('--')));

function usage(code = 64) {
  console.error(`usage: npm run lab -- up [--nat none|cone|symmetric]
       npm run lab -- down [--force] | status | scenarios
       npm run lab -- scenario <name> [--layer local|perimeter] [--nat none|cone|symmetric]
       npm run lab -- exec [--ns client|router|server] -- <command...>
       npm run lab -- rules <name> [--layer local|perimeter]`);
  process.exit(code);
}

function needRoot() {
  if (process.getuid?.() !== 0) {
    console.error('the lab needs root (network namespaces, nftables); run as root. Missing tools: npm run lab:deps');
    process.exit(1);
  }
}

function howTo(applied) {
  console.log(`
lab ready: scenario ${applied.scenario} (layer ${applied.layer}, nat ${applied.nat}${applied.inspect ? ', TLS inspection' : ''})
  profile:  ${lab.paths.profile}
  lab CA:   ${lab.paths.caPem}     Corp Inspection CA: ${lab.paths.mitmCaPem}
  run the CLI inside the client namespace:
    ip netns exec ${lab.ns.client} node bin/pathcheck.js diagnose --profile test/lab/profile.json --json -${
      applied.proxy
        ? `
  (proxy case: export HTTPS_PROXY=${lab.proxyUrl} inside the namespace, e.g.
    ip netns exec ${lab.ns.client} env HTTPS_PROXY=${lab.proxyUrl} node bin/pathcheck.js diagnose --profile test/lab/profile.json)`
        : ''
    }
  or a shell:  ip netns exec ${lab.ns.client} bash      (npm run lab -- exec -- <cmd> does the same)
  tear down:   npm run lab -- down`);
}

async function main() {
  switch (cmd) {
    case 'up': {
      needRoot();
      const r = await lab.up({ nat: flag('--nat', 'none'), keep: true });
      console.log(`lab ${r.reused ? 'already up' : 'up'} in ${r.ms} ms`);
      howTo(lab.status());
      break;
    }
    case 'down': {
      needRoot();
      const r = await lab.down({ force: head.includes('--force') });
      if (!r.done) {
        console.error(`the lab belongs to running pid ${lab.lockedBy()}; not tearing it down (use --force)`);
        process.exit(1);
      }
      console.log(`lab down (${r.ms} ms)`);
      break;
    }
    case 'status':
      console.log(JSON.stringify(lab.status(), null, 2));
      break;
    case 'scenarios':
      for (const [name, s] of Object.entries(lab.SCENARIOS)) console.log(`${name.padEnd(26)} ${s.description}`);
      break;
    case 'rules': {
      if (!positional[0]) usage();
      console.log(lab.firewallRules(positional[0], flag('--layer', 'perimeter')));
      break;
    }
    case 'scenario': {
      needRoot();
      const name = positional[0];
      if (!name || !lab.SCENARIOS[name]) {
        console.error(`unknown scenario '${name ?? ''}'; known: ${lab.scenarioNames().join(', ')}`);
        process.exit(64);
      }
      const opts = { layer: flag('--layer'), nat: flag('--nat') };
      if (!lab.isUp()) {
        const r = await lab.up({ keep: true });
        console.log(`lab up in ${r.ms} ms`);
      }
      const applied = await lab.scenario(name, opts);
      howTo(applied);
      break;
    }
    case 'exec': {
      needRoot();
      if (tail.length === 0) usage();
      if (!lab.isUp()) {
        console.error('lab is not up: npm run lab -- up');
        process.exit(1);
      }
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync('ip', ['netns', 'exec', lab.ns[flag('--ns', 'client')] ?? flag('--ns'), ...tail], {
        stdio: 'inherit',
      });
      process.exit(r.status ?? 1);
      break;
    }
    default:
      usage(cmd ? 64 : 0);
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
