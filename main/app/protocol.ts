// The app:// scheme and the schemes we switch off.
//
// app://securedesk is a privileged standard scheme: a real, secure origin for the page (pdf.js needs
// one for its module worker; file:// would give origin "null"), fetch() support, and streamed
// bodies for attachments. It does NOT bypass the CSP. The handler itself is serve.ts.
//
// Switching schemes off (Signal-Desktop's protocol_filter, with today's API): the old
// protocol.intercept*Protocol functions are deprecated. protocol.handle() intercepts a scheme only
// when it is one of Chromium's network schemes (http, https, file); for any other name it would
// *register a new* handler instead. So:
//   - file, http, https: protocol.handle() answers 403 here, for every request the session makes;
//   - ws, wss, ftp and every other network scheme: session.webRequest.onBeforeRequest cancels them
//     (hardening.ts, isAllowedRequest in policy.ts), which also covers http(s) a second time;
//   - data:, javascript:, blob:, about: never reach a protocol handler; as navigations they are
//     cancelled by the will-navigate / will-frame-navigate guards (hardening.ts), and as page
//     content by the CSP (no inline script, so no javascript: URL runs; data: only for images/fonts).
import type { Session } from 'electron';
import { protocol } from 'electron';
import type { Logger } from '../core/log';
import { createAppRequestHandler, refusal, type TicketResolver } from './serve';
import { APP_SCHEME } from './policy';

/**
 * Must run before app 'ready'. corsEnabled lets Chromium apply the CORS protocol to the scheme, which
 * Vite's `<script type="module" crossorigin>` and pdf.js's module worker are fetched under (VS Code
 * registers vscode-file the same way). It opens nothing: we never send Access-Control-Allow-* headers,
 * so no other origin may read an app:// response, and no other origin is reachable anyway.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        stream: true,
        corsEnabled: true,
        bypassCSP: false,
        allowServiceWorkers: false,
        codeCache: false,
      },
    },
  ]);
}

/** Schemes the network stack would otherwise serve and that protocol.handle can intercept. */
export const REFUSED_BUILTIN_SCHEMES = ['file', 'http', 'https'] as const;

export interface ProtocolOptions {
  session: Session;
  rendererRoot: string;
  tickets: () => TicketResolver | null;
  log: Logger;
}

/** After 'ready', before the first window loads. */
export function installProtocols(opts: ProtocolOptions): void {
  const { session, log } = opts;
  session.protocol.handle(APP_SCHEME, createAppRequestHandler({ rendererRoot: opts.rendererRoot, tickets: opts.tickets, log }));
  for (const scheme of REFUSED_BUILTIN_SCHEMES) {
    session.protocol.handle(scheme, (request) => {
      log.log('warn', 'request on a disabled scheme refused', { scheme, url: request.url.slice(0, 200) });
      return refusal(403);
    });
  }
}
