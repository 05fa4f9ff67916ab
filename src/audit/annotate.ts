import type { Finding, Suppression } from '../engine/types.js';

/**
 * A finding with audit marks (suppression, baseline) added after evaluation. It reads through to
 * the evaluated finding, whose message and evidence stay lazy.
 */
class AnnotatedFinding implements Finding {
  constructor(
    readonly evaluated: Finding,
    readonly suppression: Suppression | undefined,
    readonly baseline: 'new' | 'unchanged' | undefined,
  ) {}

  get ruleId(): string {
    return this.evaluated.ruleId;
  }
  get status(): Finding['status'] {
    return this.evaluated.status;
  }
  get severity(): Finding['severity'] {
    return this.evaluated.severity;
  }
  get resource(): Finding['resource'] {
    return this.evaluated.resource;
  }
  get message(): string {
    return this.evaluated.message;
  }
  get evidence(): Finding['evidence'] {
    return this.evaluated.evidence;
  }
}

export function annotate(f: Finding, marks: { suppression?: Suppression; baseline?: 'new' | 'unchanged' }): Finding {
  const suppression = 'suppression' in marks ? marks.suppression : f.suppression;
  const baseline = 'baseline' in marks ? marks.baseline : f.baseline;
  return new AnnotatedFinding(f instanceof AnnotatedFinding ? f.evaluated : f, suppression, baseline);
}

/** Whether a finding counts towards the gate and SARIF: a fail or unknown nobody has accepted. */
export function isOpen(f: Finding): boolean {
  return f.suppression === undefined;
}
