import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLATFORM_SCRIPTS } from '#node/firewall/platforms';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const config = require(resolve(root, 'build/electron-builder.config.cjs'));
const schema = JSON.parse(readFileSync(resolve(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('electron-builder config', () => {
  it("validates against electron-builder's own JSON schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is rejected by the same schema when a key is misspelt (the test can fail)', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNodee: false } })).toBe(false);
  });

  it('builds NSIS, dmg, AppImage and deb with the app id', () => {
    expect(config.appId).toBe('dev.pathcheck.app');
    expect(config.win.target.map((t: { target: string }) => t.target)).toEqual(['nsis']);
    expect(config.mac.target.map((t: { target: string }) => t.target)).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
  });

  it('flips the fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships the built-in profiles where main looks for them when packaged', () => {
    expect(config.extraResources).toEqual([
      { from: 'resources/profiles', to: 'profiles', filter: ['*.json'] },
      // main runs <resources>/firewall/apply-linux.sh (join(profilesDir, '../firewall/apply-linux.sh')),
      // and apply-windows.ps1 / apply-macos.sh from join(profilesDir, '../firewall') (PLATFORM_SCRIPTS).
      {
        from: 'resources/firewall',
        to: 'firewall',
        filter: ['apply-linux.sh', 'dev.pathcheck.firewall.policy', 'apply-windows.ps1', 'apply-macos.sh'],
      },
    ]);
    expect(readFileSync(resolve(root, 'resources/firewall/apply-linux.sh'), 'utf8')).toMatch(/^#!\/bin\/bash/);
    // Every platform script main looks for is a file that exists and is packaged by the filter above.
    const firewall = config.extraResources.find((r: { to: string }) => r.to === 'firewall');
    for (const name of Object.values(PLATFORM_SCRIPTS)) {
      expect(firewall.filter).toContain(name);
      expect(existsSync(resolve(root, firewall.from, name))).toBe(true);
    }
    expect(readFileSync(resolve(root, 'resources/firewall', PLATFORM_SCRIPTS.darwin), 'utf8')).toMatch(
      /^#!\/bin\/sh\n/,
    );
    expect(readFileSync(resolve(root, 'resources/firewall', PLATFORM_SCRIPTS.win32), 'utf8')).toMatch(
      /^#Requires -Version 5\.1\r?\n/,
    );
    // main's path: <resources>/profiles/../firewall/<script>, i.e. the folder the filter copies to.
    const profiles = config.extraResources.find((r: { from: string }) => r.from === 'resources/profiles');
    expect(resolve('/res', profiles.to, '../firewall')).toBe(resolve('/res', firewall.to));
    // pkexec runs the script path itself: polkit matches the action by exec.path and shows its own description.
    const policy = readFileSync(resolve(root, 'resources/firewall/dev.pathcheck.firewall.policy'), 'utf8');
    expect(policy).toMatch(/<action id="dev\.pathcheck\.firewall\.apply">/);
    expect(policy).toMatch(/<description>Change this computer's firewall for Pathcheck<\/description>/);
    expect(policy).toMatch(/<allow_active>auth_admin<\/allow_active>/);
    const execPath = /key="org\.freedesktop\.policykit\.exec\.path">([^<]+)</.exec(policy)?.[1];
    expect(execPath).toBe(`/opt/${config.productName}/resources/firewall/apply-linux.sh`);
    expect(config.deb.fpm).toEqual([
      'resources/firewall/dev.pathcheck.firewall.policy=/usr/share/polkit-1/actions/dev.pathcheck.firewall.policy',
    ]);
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('out/main/index.js');
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**']));
  });

  it('points at icons that exist and are well-formed', () => {
    const [w, h] = pngSize(readFileSync(resolve(root, 'build/icons/icon.png')));
    expect([w, h]).toEqual([1024, 1024]);
    for (const s of [16, 32, 48, 64, 128, 256, 512])
      expect(pngSize(readFileSync(resolve(root, `build/icons/${s}x${s}.png`)))).toEqual([s, s]);

    const ico = readFileSync(resolve(root, config.win.icon));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    for (let k = 0; k < count; k++) {
      const [size, offset] = [ico.readUInt32LE(6 + 16 * k + 8), ico.readUInt32LE(6 + 16 * k + 12)];
      expect(offset + size).toBeLessThanOrEqual(ico.length);
      pngSize(ico.subarray(offset, offset + size));
    }

    const icns = readFileSync(resolve(root, config.mac.icon));
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
      types.push(icns.toString('ascii', at, at + 4));
      pngSize(icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)));
    }
    expect(types).toContain('ic10'); // 1024 px (512@2x)

    expect(existsSync(resolve(root, config.mac.entitlements))).toBe(true);
  });
});
