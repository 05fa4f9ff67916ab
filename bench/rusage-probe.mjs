// Preloaded into a process the benchmarks measure (node --import ./bench/rusage-probe.mjs …): at
// exit it writes that process's CPU time, peak RSS and a timeline (every 250 ms: epoch ms, CPU
// ms, RSS MB), so a benchmark can split the CPU of one run at an instant it knows (the end of the
// collection), to the file named by LINKAUDIT_RUSAGE_FILE. Node gives no rusage of a child.
import { writeFileSync } from 'node:fs';

const file = process.env.LINKAUDIT_RUSAGE_FILE;
if (file) {
  const timeline = [];
  const sample = () => {
    const u = process.cpuUsage();
    timeline.push([Date.now(), (u.user + u.system) / 1000, process.memoryUsage.rss() / 2 ** 20]);
  };
  sample();
  setInterval(sample, 250).unref();
  process.on('exit', () => {
    sample();
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMb: u.maxRSS / 1024, timeline }));
  });
}
