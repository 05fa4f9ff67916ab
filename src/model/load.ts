import { UserError } from '../errors.js';
import { wrongKind } from '../io/file-kind.js';
import { parseJsonText, readUserFile, STDIN, STDIN_NAME } from '../io/files.js';
import { bestProblem, validator } from '../schema/validate.js';
import { KIND_COLLECTION, RESOURCE_KINDS, SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './types.js';

/** Reads, validates and normalizes a snapshot file. Every problem is a UserError naming the file. */
export function loadSnapshotFile(path: string): Snapshot {
  const file = path === STDIN ? STDIN_NAME : path;
  const data = parseJsonText(readUserFile(path, 'snapshot', 'json'), file, 'snapshot');
  const wrong = wrongKind(data, 'snapshot');
  if (wrong !== undefined) throw new UserError(`${file}: ${wrong}`);
  return validateSnapshot(data, file);
}

export function validateSnapshot(data: unknown, file: string): Snapshot {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(`${file}: snapshot must be a JSON object`);
  }
  const version = (data as Record<string, unknown>).schemaVersion;
  if (version === undefined) throw new UserError(`${file}: /schemaVersion: missing; this linkaudit reads schemaVersion ${SNAPSHOT_SCHEMA_VERSION}`);
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new UserError(
      `${file}: /schemaVersion: unknown snapshot schemaVersion ${JSON.stringify(version)}; this linkaudit reads schemaVersion ${SNAPSHOT_SCHEMA_VERSION} (upgrade linkaudit, or re-collect the snapshot)`,
    );
  }
  const validate = validator('snapshot');
  if (!validate(data)) {
    const problem = bestProblem(validate.errors);
    throw new UserError(`${file}: ${problem.pointer || '/'}: ${problem.message}`);
  }
  const snapshot = withOptionalCollections(data as Snapshot);
  const normalized = normalizeSnapshot(snapshot);
  // Sorted by ARN, a repeated ARN sits next to itself: found without hashing every ARN. Only then
  // is the input searched again, for where the two are (the message names both places).
  for (const kind of RESOURCE_KINDS) {
    const sorted = normalized[KIND_COLLECTION[kind]];
    for (let i = 1; i < sorted.length; i++) if ((sorted[i] as { arn: string }).arn === (sorted[i - 1] as { arn: string }).arn) checkUniqueArns(snapshot, file);
  }
  return normalized;
}

/**
 * Collections added after schemaVersion 1 was published (pipelines, build projects, source
 * credentials) are optional in a file, so snapshots written before them still load: absent means
 * none. Every other reader can then rely on every collection being a list.
 */
export const OPTIONAL_COLLECTIONS = ['pipelines', 'buildProjects', 'sourceCredentials'] as const;

function withOptionalCollections(snapshot: Snapshot): Snapshot {
  if (OPTIONAL_COLLECTIONS.every((c) => Array.isArray(snapshot[c]))) return snapshot;
  const out = { ...snapshot };
  for (const c of OPTIONAL_COLLECTIONS) if (!Array.isArray(out[c])) (out as unknown as Record<string, unknown[]>)[c] = [];
  return out;
}

function checkUniqueArns(snapshot: Snapshot, file: string): void {
  for (const kind of RESOURCE_KINDS) {
    const collection = KIND_COLLECTION[kind];
    const seen = new Map<string, number>();
    snapshot[collection].forEach((r, i) => {
      const first = seen.get(r.arn);
      if (first !== undefined) {
        throw new UserError(`${file}: /${collection}/${i}/arn: duplicate ARN ${r.arn} (also at /${collection}/${first})`);
      }
      seen.set(r.arn, i);
    });
  }
}

/**
 * Sorts every collection by ARN so that evaluation order, and with it every report, is independent
 * of the order a collector or an editor happened to write.
 */
export function normalizeSnapshot(snapshot: Snapshot): Snapshot {
  const out: Snapshot = { ...snapshot };
  for (const kind of RESOURCE_KINDS) {
    const collection = KIND_COLLECTION[kind];
    // `?? []`: a snapshot built in code before the optional collections existed.
    (out as unknown as Record<string, unknown[]>)[collection] = [...((snapshot[collection] as Array<{ arn: string }> | undefined) ?? [])].sort((a, b) =>
      a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0,
    );
  }
  out.coverage = [...snapshot.coverage].sort((a, b) => compareKeys(gapKey(a), gapKey(b)));
  return out;
}

function gapKey(g: Snapshot['coverage'][number]): string {
  return [g.account, g.region, g.service, g.operation, g.field ?? '', g.errorCode].join('\u0000');
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
