// The test files that take longest (20 s or more each on CI's 2 cores) start first. vitest orders
// by its own timings once it has them, but a clean clone (CI's first suite) has none and starts
// the largest files first, which left the suite's end waiting on one long file after the others.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOWEST = [
  'test/org-shards.test.ts',
  'test/cli-options.test.ts',
  'test/cli.test.ts',
  'test/cli-files.test.ts',
  'test/iac/cli-iac-e2e.test.ts',
  'test/chaos.test.ts',
  'test/collect.test.ts',
  'test/reporters/html-browser.test.ts',
  'test/audit.test.ts',
];

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const at = SLOWEST.indexOf(relative(spec.project.config.root, spec.moduleId).split('\\').join('/'));
      return at < 0 ? SLOWEST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
