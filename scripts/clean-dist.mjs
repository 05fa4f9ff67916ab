// Stale files in dist/ (a renamed module) would otherwise ship and be imported by tests.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
