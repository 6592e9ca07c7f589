// Hardening of every web page the app shows and of the session they share (Electron's security
// checklist): no navigation away from app://securedesk, no new windows, no <webview>, no permission
// granted (Electron grants everything by default), no device access, no download, no request to
// anything but our own scheme. The decisions themselves are the pure functions of policy.ts.
import type { Event, Session, WebContents } from 'electron';
import { app } from 'electron';
import type { Logger } from '../core/log';
import { isAllowedNavigation, isAllowedRequest } from './policy';

const short = (url: string) => url.slice(0, 200);

/** Call once, before 'ready', so no webContents is created unguarded. */
export function guardAllWebContents(log: Logger): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
}

export function guardWebContents(contents: WebContents, log: Logger): void {
  const refuseNavigation = (kind: string) => (event: Event<{ url: string }>) => {
    const url = event.url;
    if (isAllowedNavigation(url)) return;
    event.preventDefault();
    log.log('warn', `${kind} refused`, { url: short(url) });
  };
  // will-navigate / will-redirect cover the main frame; will-frame-navigate covers subframes too.
  contents.on('will-navigate', refuseNavigation('navigation'));
  contents.on('will-frame-navigate', refuseNavigation('frame navigation'));
  contents.on('will-redirect', refuseNavigation('redirect'));
  contents.setWindowOpenHandler(({ url }) => {
    log.log('warn', 'window.open refused', { url: short(url) });
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.log('warn', 'webview refused');
  });
}

/** Permissions, devices, downloads and outgoing requests of the session our window uses. */
export function hardenSession(session: Session, log: Logger, dev: boolean): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.log('info', 'permission request denied', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  // Documents leave the workstation only through audited export in main, never as a download.
  session.on('will-download', (event, item) => {
    event.preventDefault();
    log.log('warn', 'download refused', { url: short(item.getURL()) });
  });
  // The spell checker would fetch Hunspell dictionaries from a CDN.
  session.setSpellCheckerEnabled(false);
  // Every request a page makes: our scheme only (devtools:// in development). http, https, ws,
  // wss, ftp, file and the rest are cancelled here, whatever protocol handlers exist.
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, details.resourceType, dev);
    if (!allowed) log.log('warn', 'request cancelled', { url: short(details.url), type: details.resourceType });
    callback({ cancel: !allowed });
  });
}
