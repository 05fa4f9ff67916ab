/**
 * What kind of linkaudit (or neighbouring) file a parsed document looks like, so that a file given
 * where another kind is expected is answered with "this is a snapshot, expected a JSON report"
 * instead of the first schema violation ("/$schema: unknown field"). Only cheap checks of the top
 * level: the schema still decides whether a file of the expected kind is valid.
 */
export type FileKind = 'snapshot' | 'report' | 'sarif' | 'diff' | 'config' | 'rule' | 'rule list';

export const KIND_NAMES: Record<FileKind, string> = {
  snapshot: 'a snapshot (linkaudit collect, or scan --save-snapshot)',
  report: 'a JSON report (linkaudit.json of scan --format json)',
  sarif: 'a SARIF report (linkaudit.sarif)',
  diff: 'a diff (linkaudit diff --format json)',
  config: 'a linkaudit config (.linkaudit.yaml)',
  rule: 'a rule file',
  'rule list': 'a rule list (linkaudit rules list --format json)',
};

const CONFIG_KEYS = ['trustedAccounts', 'trustedOrganizations', 'pendingAcceptanceMaxDays', 'failOn', 'allowPartial', 'rulesDirs', 'skip', 'only', 'sarifCategory', 'suppressions', 'allowTagSuppressions', 'maxSuppressionDays'];

export function fileKind(data: unknown): FileKind | undefined {
  if (Array.isArray(data)) {
    const first: unknown = data[0];
    return isObject(first) && 'id' in first && 'severity' in first && 'title' in first ? 'rule list' : undefined;
  }
  if (!isObject(data)) return undefined;
  if ('reportVersion' in data) return 'report';
  if (Array.isArray(data.runs) && (data.version === '2.1.0' || (typeof data.$schema === 'string' && /sarif/i.test(data.$schema)))) return 'sarif';
  if ('schemaVersion' in data && ('scope' in data || 'coverage' in data)) return 'snapshot';
  if (isObject(data.old) && isObject(data.new) && Array.isArray(data.added) && Array.isArray(data.fixed)) return 'diff';
  if ('fail' in data && 'message' in data && ('id' in data || 'severity' in data)) return 'rule';
  if (Object.keys(data).some((k) => CONFIG_KEYS.includes(k))) return 'config';
  return undefined;
}

/**
 * The message for a file of the wrong kind, or undefined when it is of the expected kind or
 * unrecognisable (then the schema's own message is the better one).
 */
export function wrongKind(data: unknown, expected: FileKind): string | undefined {
  const kind = fileKind(data);
  if (kind === undefined || kind === expected) return undefined;
  return `this is ${KIND_NAMES[kind]}, but ${KIND_NAMES[expected]} is expected here`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
