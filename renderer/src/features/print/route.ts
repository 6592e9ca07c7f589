// The print route, read from the address before anything else runs: main.tsx imports this first,
// because the development host's client (ipc/desk.ts) takes its token out of the address when it loads.
const TICKET = /^#\/print\/([0-9a-f]{32})(?:&|$)/;
const hash = window.location.hash;
const match = TICKET.exec(hash);

/** The print window's route, if this page is one: the ticket and (development host) the bearer token. */
export const printRoute: { ticket: string; token: string | null } | null = match
  ? { ticket: match[1]!, token: /&token=([0-9a-f]{64})/.exec(hash)?.[1] ?? null }
  : null;
if (printRoute) {
  // Neither the ticket nor the token stays in the address.
  history.replaceState(null, '', window.location.pathname);
}
