// electron-builder configuration (`npm run dist`). Validated against electron-builder's own JSON
// schema by test/unit/build/electron-builder-config.test.ts, since it cannot run here (it downloads
// Electron). Build installers for an OS on that OS: Windows NSIS on Windows, macOS dmg on a Mac,
// Linux AppImage/deb on Linux.

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'dev.pathcheck.app',
  productName: 'Pathcheck',
  copyright: 'Copyright © Pathcheck contributors',
  directories: { output: 'dist', buildResources: 'build' },
  // Only the built app goes into app.asar; the CLI (out/cli) is for Node, not for the app.
  files: ['out/main/**', 'out/preload/**', 'out/renderer/**', '!**/*.map', 'package.json'],
  // Built-in profiles stay readable outside app.asar: <resources>/profiles (see electron/main/paths.ts).
  // The fixed elevated firewall script sits next to them: <resources>/firewall (main's firewall.apply).
  extraResources: [
    { from: 'resources/profiles', to: 'profiles', filter: ['*.json'] },
    // apply-linux.sh (pkexec, with its polkit action), apply-windows.ps1 (UAC), apply-macos.sh
    // (administrator prompt): electron/node/firewall/platforms.ts runs them from here.
    {
      from: 'resources/firewall',
      to: 'firewall',
      filter: ['apply-linux.sh', 'dev.pathcheck.firewall.policy', 'apply-windows.ps1', 'apply-macos.sh'],
    },
  ],
  asar: true,
  // Fuses are flipped in the packaged binary. Checklist:
  // https://www.electronjs.org/docs/latest/tutorial/security#19-check-which-fuses-you-can-change
  electronFuses: {
    runAsNode: false, // ELECTRON_RUN_AS_NODE cannot turn the app into a Node interpreter
    enableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS / NODE_EXTRA_CA_CERTS ignored
    enableNodeCliInspectArguments: false, // no --inspect debugger on the main process
    enableEmbeddedAsarIntegrityValidation: true, // app.asar is checked against its hash (macOS, Windows)
    onlyLoadAppFromAsar: true, // no loose `app/` folder next to app.asar
    enableCookieEncryption: true, // cookies encrypted with the OS keychain
    grantFileProtocolExtraPrivileges: false, // the renderer uses app://, never file://
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64', 'arm64'] }],
    icon: 'build/icons/icon.ico',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
  },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    category: 'public.app-category.utilities',
    icon: 'build/icons/icon.icns',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
  },
  dmg: { title: 'Pathcheck ${version}' },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Network',
    icon: 'build/icons',
    maintainer: 'Pathcheck maintainers <maintainers@example.org>', // placeholder: set before publishing
    synopsis: 'Will real-time video work from this network?',
  },
  deb: {
    priority: 'optional',
    // pkexec's prompt for the firewall script: the polkit action with its own description (its
    // exec.path is the script under /opt/Pathcheck/resources/firewall, where the deb installs it).
    fpm: ['resources/firewall/dev.pathcheck.firewall.policy=/usr/share/polkit-1/actions/dev.pathcheck.firewall.policy'],
  },
};
