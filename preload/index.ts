// The preload: exposes exactly one global, window.desk (DeskApi of common/contract.ts). It never
// exposes ipcRenderer, an IPC event, or a file path: stageFile resolves the File's path here, in the
// isolated world, and hands it straight to main.
//
// Runs sandboxed (sandbox: true, contextIsolation: true): it may require only Electron's sandboxed
// modules, so the build bundles it with esbuild as CommonJS to dist/preload/index.cjs, with
// 'electron' external and the contract (and zod) bundled in.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_PREFIX } from '../common/contract';
import { createDeskApi } from './bridge';

const EVENT_CHANNEL = `${IPC_PREFIX}event`;

const api = createDeskApi({
  invoke: (channel, input) => ipcRenderer.invoke(`${IPC_PREFIX}invoke`, channel, input),
  stage: (path, name) => ipcRenderer.invoke(`${IPC_PREFIX}stage`, path, name),
  pickFiles: () => ipcRenderer.invoke(`${IPC_PREFIX}pickFiles`),
  printers: () => ipcRenderer.invoke(`${IPC_PREFIX}printers`),
  printOutput: (input) => ipcRenderer.invoke(`${IPC_PREFIX}printOutput`, input),
  saveOutput: (input) => ipcRenderer.invoke(`${IPC_PREFIX}saveOutput`, input),
  pathForFile: (file) => webUtils.getPathForFile(file),
  // Pushed by main (session locked …): the page gets the payload, never the IpcRendererEvent.
  subscribe: (listener) => {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
});

contextBridge.exposeInMainWorld('desk', api);
