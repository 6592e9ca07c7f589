// electron-builder afterPack hook: flips Electron's fuses in the packaged executable.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook loaded by electron-builder */
//
// It runs after the app is copied (and, on Windows, after electron-builder embedded the asar
// integrity hash into the .exe resources) and before code signing, so the signature covers the
// flipped bits. Every fuse is set explicitly (strictlyRequireAllFuses): an Electron upgrade that
// adds a fuse this version of @electron/fuses does not know makes the build fail rather than ship
// with a default we never chose; update @electron/fuses (our own devDependency, not the older copy
// electron-builder carries) and decide the new fuse here then.
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
//   - WasmTrapHandlers on (Electron's default): V8 guards WebAssembly memory with signal handlers
//     instead of inline bounds checks; pdf.js decodes JPEG 2000 images in WebAssembly.
'use strict';

const path = require('node:path');

// @electron/fuses 2 is an ES module; a CommonJS hook loads it with import().
const loadFuses = () => import('@electron/fuses');

/** The state every fuse must have, keyed by its FuseV1Options index. */
function fuseConfig({ FuseV1Options }) {
  return {
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    [FuseV1Options.WasmTrapHandlers]: true,
  };
}

function executablePath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const ext = { win32: '.exe', darwin: '.app', mas: '.app', linux: '' }[electronPlatformName];
  if (ext === undefined) throw new Error(`fuses: unsupported platform ${electronPlatformName}`);
  // Linux executables take the executableName; the others the product file name.
  const name = electronPlatformName === 'linux' && packager.executableName ? packager.executableName : packager.appInfo.productFilename;
  return path.join(appOutDir, `${name}${ext}`);
}

/** Flips every fuse of the Electron executable at exe and reads them back. */
async function flipAndVerify(exe, { darwinArm64 = false } = {}) {
  const fuses = await loadFuses();
  const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options, FuseState } = fuses;
  const wanted = fuseConfig(fuses);
  await flipFuses(exe, {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    resetAdHocDarwinSignature: darwinArm64,
    ...wanted,
  });
  const wire = await getCurrentFuseWire(exe);
  for (const [index, on] of Object.entries(wanted)) {
    const expected = on ? FuseState.ENABLE : FuseState.DISABLE;
    if (wire[index] !== expected)
      throw new Error(`fuses: ${FuseV1Options[index]} is ${JSON.stringify(wire[index])} in ${exe}, expected ${on ? 'enabled' : 'disabled'}`);
  }
}

/** @param {import('app-builder-lib').AfterPackContext} context */
module.exports = async function afterPack(context) {
  const exe = executablePath(context);
  await flipAndVerify(exe, { darwinArm64: context.electronPlatformName === 'darwin' && context.arch === 3 /* Arch.arm64 */ });
  console.log(`  • fuses flipped and verified in ${path.basename(exe)}`);
};

module.exports.flipAndVerify = flipAndVerify;
