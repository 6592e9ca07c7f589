// `npm run start:browser`: the development host on a profile directory (a seeded demo by default).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Desk } from '../core/desk';
import { fileLogger } from '../core/log';
import { seedDemoProfile } from './demoProfile';
import { startDevHost } from './server';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: '.profiles/demo' },
    demo: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    renderer: { type: 'string', default: 'dist/renderer' },
  },
});

const profileDir = resolve(values.profile!);
const desk = await Desk.open({ profileDir, logger: fileLogger(resolve(profileDir, 'logs', 'devhost.log')) });
if (values.demo) {
  process.stdout.write('Seeding the demo profile…\n');
  await seedDemoProfile(desk);
}
const host = await startDevHost({ desk, rendererDir: resolve(values.renderer!), port: Number(values.port) });
process.stdout.write(`SecureDesk development host (profile ${profileDir})\nOpen: ${host.launchUrl}\n`);
const stop = async () => {
  await host.close();
  desk.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
