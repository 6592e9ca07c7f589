// electron-builder afterPack hook: flips Electron's fuses in the packaged executable.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook loaded by electron-builder */
//
// It runs after the app is copied (and, on Windows, after electron-builder embedded the asar
// integrity hash into the .exe resources) and before code signing, so the signature covers the
// flipped bits. Every fuse is set explicitly (strictlyRequireAllFuses): an Electron upgrade that
// adds a fuse this version of @electron/fuses does not know makes the build fail rather than ship
// with a default we never chose; update @electron/fuses (a dependency of electron-builder) then.
// The result is read back and checked: a packaging that did not flip them all must not ship.
//
// Consequences to know:
//   - RunAsNode off: ELECTRON_RUN_AS_NODE is ignored, so child_process.fork() of the Electron binary
//     does not work in main. Helper processes (the PKCS#11 token bridge) use utilityProcess.fork().
//   - NODE_OPTIONS / --inspect off: nobody attaches a debugger or injects code into an installed app.
//   - OnlyLoadAppFromAsar + EnableEmbeddedAsarIntegrityValidation: only resources/app.asar loads, and
//     only if its header hash matches the one embedded in the signed executable. Files under
//     app.asar.unpacked (the native .node modules) are outside that check; the code signature of the
//     installed files (AppLocker/WDAC on the workstation) has to cover them.
//   - GrantFileProtocolExtraPrivileges off: file:// pages get no more than a browser would give them
//     (we never load from file:// anyway).
'use strict';

const path = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = require('@electron/fuses');

const FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

// FuseState bytes in the binary: '0' disabled, '1' enabled.
const ENABLED = '1'.charCodeAt(0);
const DISABLED = '0'.charCodeAt(0);

function executablePath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const ext = { win32: '.exe', darwin: '.app', mas: '.app', linux: '' }[electronPlatformName];
  if (ext === undefined) throw new Error(`fuses: unsupported platform ${electronPlatformName}`);
  // Linux executables take the executableName; the others the product file name.
  const name = electronPlatformName === 'linux' && packager.executableName ? packager.executableName : packager.appInfo.productFilename;
  return path.join(appOutDir, `${name}${ext}`);
}

/** @param {import('app-builder-lib').AfterPackContext} context */
module.exports = async function afterPack(context) {
  const exe = executablePath(context);
  await flipFuses(exe, {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3 /* Arch.arm64 */,
    ...FUSES,
  });
  const wire = await getCurrentFuseWire(exe);
  for (const [index, wanted] of Object.entries(FUSES)) {
    const state = wire[index];
    const expected = wanted ? ENABLED : DISABLED;
    if (state !== expected)
      throw new Error(`fuses: ${FuseV1Options[index]} is ${JSON.stringify(state)} in ${exe}, expected ${wanted ? 'enabled' : 'disabled'}`);
  }
  console.log(`  • fuses flipped and verified in ${path.basename(exe)}`);
};

module.exports.FUSES = FUSES;
