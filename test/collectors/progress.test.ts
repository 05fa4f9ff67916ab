import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/collectors/progress.js';

function drive(tty: boolean, quiet = false): string {
  let out = '';
  const p = createProgress({ write: (t) => (out += t), tty, quiet, intervalMs: 60_000 });
  p.total(2);
  p.request();
  p.request();
  p.answer(true);
  p.answer(false);
  p.gaps(1);
  p.regionDone('linkaudit: 111122223333 us-east-1: 3 VPC endpoints');
  p.regionDone('linkaudit: 111122223333 eu-west-1: 1 VPC endpoints');
  p.stop(true);
  return out;
}

describe('progress', () => {
  it('redraws one line in place on a terminal', () => {
    const out = drive(true);
    expect(out.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(out.endsWith('\r\u001b[2Klinkaudit: 2/2 account-regions, 2 HTTP requests, 1 throttled, 1 coverage gap(s)\n')).toBe(true);
  });

  it('writes plain lines in CI logs', () => {
    expect(drive(false)).toBe(
      'linkaudit: 111122223333 us-east-1: 3 VPC endpoints\nlinkaudit: 111122223333 eu-west-1: 1 VPC endpoints\nlinkaudit: 2/2 account-regions, 2 HTTP requests, 1 throttled, 1 coverage gap(s)\n',
    );
  });

  it('is silent with --quiet', () => {
    expect(drive(false, true)).toBe('');
    expect(drive(true, true)).toBe('');
  });
});
