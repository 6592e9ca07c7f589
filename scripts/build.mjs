#!/usr/bin/env node
// Builds every runtime: the renderer with Vite (React, code-split pdf.js, its worker as a file), and
// the main process, the preload, the token bridge and the CLI with esbuild (one small bundle each;
// native modules and electron stay external). Vite for the page, esbuild for Node targets: the
// renderer needs HTML/CSS/asset handling, the others only a fast TypeScript bundle.
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { buildNodeBundles } from './nodeBundles.mjs';

rmSync('dist', { recursive: true, force: true });

const vite = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
if (vite.status !== 0) process.exit(vite.status ?? 1);

await buildNodeBundles('dist');
process.stdout.write('build: dist/ ready\n');
