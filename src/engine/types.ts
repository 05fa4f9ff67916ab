import type { AnyResource, IacOrigin, ResourceKind, Snapshot } from '../model/types.js';
import type { Severity } from './severity.js';

export type Status = 'fail' | 'pass' | 'unknown';

export interface Remediation {
  text: string;
  cli?: string;
  cloudformation?: string;
}

/** Framework id → control ids, e.g. `{ "nist-800-53": ["AC-6", "AC-6(1)"], "aws-fsbp": [] }`. */
export type Controls = Readonly<Record<string, readonly string[]>>;

export interface Escalation {
  severity: Severity;
  /** When the escalation applies, in words (docs, SARIF help). */
  description: string;
}

/** Metadata shared by YAML and TypeScript rules; validated by schemas/rule.schema.json#/$defs/meta. */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  /** The kind judged; TypeScript rules may judge several (users and roles). See ruleKinds(). */
  resource: ResourceKind | readonly ResourceKind[];
  description: string;
  rationale: string;
  remediation: Remediation;
  references: string[];
  tags: string[];
  /**
   * The controls of compliance frameworks the rule supports, by framework: `nist-800-53` (SP
   * 800-53 Rev. 5), `aws-fsbp` (Security Hub's Foundational Security Best Practices; an empty list
   * says no control exists). Every built-in rule has it (docs/compliance.md says why each).
   */
  controls?: Controls;
  escalations?: Escalation[];
  /** Whether infrastructure as code can judge the rule; absent: judged (see iacJudged()). */
  iac?: IacApplicability;
}

/**
 * A rule about runtime state (a connection's status, a verification state) cannot be judged from
 * a template: what a template declares is not what the resource will be once deployed and used.
 * Such a rule gives no result for a resource with an `origin` (not unknown: unknown would fail
 * every gate on every template, and nothing the author can write would settle it).
 */
export interface IacApplicability {
  judged: boolean;
  /** Why not (required when judged is false): shown in the docs, `rules list` and `rules show`. */
  reason?: string;
}

/** Whether a rule judges resources declared in infrastructure as code (default: yes). */
export function iacJudged(meta: Pick<RuleMeta, 'iac'>): boolean {
  return meta.iac?.judged !== false;
}

export interface Evidence {
  /** Model path: `<kind>.<field>[.<field>…]` of the evaluated resource. */
  path: string;
  value: unknown;
}

export interface Detail {
  message: string;
  evidence: Evidence[];
}

/** What a rule says about one resource; `undefined` from evaluate() means not applicable. */
export interface RuleResult {
  status: Status;
  /**
   * Message and evidence. Absent: the rule's describe() renders them when a report first reads
   * them. A scan of 100,000 resources decides ~300,000 results but a SARIF gate reports only the
   * fails, so the text is not built for results nobody reads.
   */
  detail?: Detail;
  /** Set when a fail is more severe than the rule's default (an escalation applied). */
  severity?: Severity;
  /** A sentence describe() appends to the message (why the severity was raised). */
  note?: string;
}

export interface TrustConfig {
  trustedAccounts: string[];
  trustedOrganizations: string[];
}

export interface RuleSettings extends TrustConfig {
  pendingAcceptanceMaxDays: number;
}

export interface EvalContext {
  snapshot: Snapshot;
  settings: RuleSettings;
  now: Date;
  index: SnapshotIndex;
}

export interface SnapshotIndex {
  /** Read VPC endpoints by `account|region|vpcId`. */
  vpcEndpointsByVpc: Map<string, AnyResource[]>;
  /** `account|region|kind` listings that could not be read. */
  missingListings: Map<string, Snapshot['coverage'][number]>;
  /** `account|region` pairs the snapshot claims to cover. */
  inScope(account: string, region: string): boolean;
  organizationMembers: Map<string, Set<string>> | undefined;
}

export interface Rule {
  meta: RuleMeta;
  /** Where the rule was defined (shown in errors and `rules show`). */
  source: string;
  /**
   * Model fields the verdict reads; an unreadable one makes the result unknown, but only once the
   * rule is known to apply.
   */
  fields: ReadonlySet<string>;
  /**
   * Applicability, decided before anything else: a rule that does not apply to a resource gives
   * no result, whatever could not be read. The engine hands it a resource whose unreadable fields
   * among `matchFields` throw when read, so an answer that depends on them is an error (unknown),
   * never "does not apply". Absent: the rule applies to every resource of its kinds.
   */
  applies?(resource: AnyResource, ctx: EvalContext): boolean;
  /** Model fields `applies` reads (`*`: all); empty when it depends on the settings alone. */
  matchFields?: ReadonlySet<string>;
  /** The verdict for a resource the rule applies to; `undefined` also means not applicable. */
  evaluate(resource: AnyResource, ctx: EvalContext): RuleResult | undefined;
  /** Renders message and evidence for a result evaluate() returned without `detail`. */
  describe?(resource: AnyResource, ctx: EvalContext, result: RuleResult): Detail;
}

export interface FindingResource {
  arn: string;
  kind: ResourceKind;
  account: string;
  region: string;
  name?: string;
  /** Where an infrastructure-as-code resource is declared (reports place the finding there). */
  origin?: IacOrigin;
}

/** An accepted risk: the finding stays in the JSON report but leaves SARIF and the gate. */
export interface Suppression {
  source: 'config' | 'tag';
  reason: string;
  /** ISO date (config suppressions; tag suppressions do not expire). */
  expires?: string;
  ticket?: string;
}

export interface Finding {
  readonly ruleId: string;
  /** What the rule found; a suppressed finding keeps it (reports show "suppressed"). */
  readonly status: Status;
  readonly severity: Severity;
  readonly resource: FindingResource;
  readonly message: string;
  readonly evidence: Evidence[];
  readonly suppression?: Suppression;
  /** Against a --baseline report: seen there with the same status, or not. */
  readonly baseline?: 'new' | 'unchanged';
}

/** The kinds a rule judges, in the order its metadata lists them. */
export function ruleKinds(meta: Pick<RuleMeta, 'resource'>): readonly ResourceKind[] {
  return typeof meta.resource === 'string' ? [meta.resource] : meta.resource;
}
