// Preload of bench/iac.mjs where /usr/bin/time is missing: `node --import bench/iac-rss.mjs
// dist/cli.js …` writes the process's own peak RSS (KiB, process.resourceUsage().maxRSS) to
// $LINKAUDIT_BENCH_RSS_FILE when it exits, however it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.LINKAUDIT_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
