// The programmatic API: the same pipeline the CLI runs (snapshot → rules → findings → reports),
// for embedding linkaudit in other tools.
export { loadSnapshotFile, validateSnapshot } from './model/load.js';
export { emptySnapshot } from './model/empty.js';
export type * from './model/types.js';
export { loadConfig, type Config } from './config.js';
export { loadRuleSet, selectRules, type RuleSet } from './engine/rule-set.js';
export { evaluateRules, type EvaluationOutput } from './engine/evaluate.js';
export { decideGate, type GateResult } from './engine/gate.js';
export { UnknownValue } from './engine/unknown.js';
export type { Detail, Evidence, Finding, FindingResource, Rule, RuleMeta, RuleResult, RuleSettings, Status } from './engine/types.js';
export type { FailOn, Severity } from './engine/severity.js';
export { render, writeReports, REPORT_FORMATS, FILE_NAMES } from './reporters/index.js';
export type { ReportFormat, ReportInput } from './reporters/types.js';
export { UserError } from './errors.js';
export { ruleKinds } from './engine/types.js';
export { whoCanUse, type AccessReport, type AccessEntry, type AccessGrant } from './iam/access.js';
export type { Reach, Path, PolicySource } from './iam/evaluate.js';
