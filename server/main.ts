// `npm run server -- --config /etc/securedesk/server.json`: the agency server as a service.
// SIGTERM/SIGINT stop it cleanly (connections closed, storage closed); SIGHUP reloads a hub's directory.
// `npm run server -- --config FILE --mark-restored`: after the store was restored from a backup, with the
// service stopped (refused while a service's heartbeat is recent, unless --force): marks the restore so
// that every workstation reads again and sends what it lost; on a hub, so that every agency server checks
// which of the packets it passed on the hub still holds and sends the others again.
import { loadServerConfig } from './config';
import { startServer } from './app';
import { Store } from './storage/store';
import { startHub } from './hub';
import { jsonLogger } from './log';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--config');
  const file = i >= 0 ? argv[i + 1] : process.env.SECUREDESK_SERVER_CONFIG;
  if (!file) {
    process.stderr.write('usage: npm run server -- --config FILE (or SECUREDESK_SERVER_CONFIG)\n');
    process.exit(2);
  }
  const logger = jsonLogger();
  const cfg = loadServerConfig(file);
  if (argv.includes('--mark-restored')) {
    const store = await Store.open(cfg.storage);
    try {
      const mark = await store.markRestored(new Date(), { force: argv.includes('--force') });
      logger.log('warn', 'store marked as restored', { ...mark });
      process.stdout.write(`${JSON.stringify(mark)}\n`);
    } finally {
      await store.close();
    }
    return;
  }
  // A hub reloads its directory and CRL list from the same file on SIGHUP (`systemctl reload`), no restart.
  const running = cfg.mode === 'hub' ? await startHub(cfg, { logger, configFile: file, reloadSignal: 'SIGHUP' }) : await startServer(cfg, { logger });
  const stop = (signal: string) => {
    logger.log('info', 'stopping', { signal });
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level: 'error', msg: 'server failed to start', error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exit(1);
});
