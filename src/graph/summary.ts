// The scan report's "Blast radius" section: for connections with a fail of severity high or above
// (on the connection itself, or on a pipeline, build project or source credential that names it),
// what a push reaches through it, in a few figures, with a pointer to `linkaudit graph`.
import { severityRank } from '../engine/severity.js';
import type { Finding } from '../engine/types.js';
import { capabilitiesOf } from '../iam/capabilities.js';
import { lookupRole } from '../iam/roles.js';
import { connectionKey } from '../model/arn.js';
import { consumerIndex, isCodeBuildAction } from '../model/consumers.js';
import type { Snapshot } from '../model/types.js';

export interface BlastRadiusEntry {
  connection: string;
  name?: string;
  providerType?: string;
  repositories: string[];
  /** Pipelines, build projects (those pipelines run included) and source credentials. */
  consumers: number;
  /** Roles they run as that are admin-equivalent, and those that could not be judged. */
  adminRoles: string[];
  unknownRoles: number;
  /** Fails of severity high or above on it or its consumers. */
  findings: number;
}

export interface BlastRadiusSummary {
  /** Connections with such a fail; `entries` holds the first few (most admin roles first). */
  total: number;
  entries: BlastRadiusEntry[];
  /** How to get the whole graph: `linkaudit graph --snapshot FILE` (the entry's ARN is added). */
  command: string;
}

export const BLAST_RADIUS_TOP = 5;

export function blastRadius(snapshot: Snapshot, findings: readonly Finding[], command: string, top = BLAST_RADIUS_TOP): BlastRadiusSummary | undefined {
  return summarizeBlastRadius(blastRadiusEntries(snapshot, findings), command, top);
}

/**
 * The entries, unordered: one per flagged connection. A scan judged account by account gathers
 * them group by group (a connection and everything naming it are in one group) and summarizes once.
 */
export function blastRadiusEntries(snapshot: Snapshot, findings: readonly Finding[]): BlastRadiusEntry[] {
  const index = consumerIndex(snapshot);
  const flagged = new Map<string, number>();
  const flag = (key: string | undefined): void => {
    if (key !== undefined) flagged.set(key, (flagged.get(key) ?? 0) + 1);
  };
  for (const f of findings) {
    if (f.status !== 'fail' || f.suppression || severityRank(f.severity) < severityRank('high')) continue;
    if (f.resource.kind === 'connection') flag(connectionKey(f.resource.arn));
    else for (const key of new Set((index.byConsumer.get(f.resource.arn) ?? []).map((r) => r.key))) flag(key);
  }
  if (flagged.size === 0) return [];
  const connections = new Map(snapshot.connections.map((c) => [connectionKey(c.arn), c]));
  const pipelines = new Map(snapshot.pipelines.map((p) => [p.arn, p]));
  const projects = new Map(snapshot.buildProjects.map((b) => [b.arn, b]));
  const entries: BlastRadiusEntry[] = [];
  for (const [key, count] of flagged) {
    const refs = index.byConnection.get(key) ?? [];
    const connection = connections.get(key);
    const consumers = new Set<string>(refs.map((r) => r.consumerArn));
    const roles = new Map<string, string>();
    const add = (ref: string, account: string): void => {
      if (ref !== '') roles.set(ref, account);
    };
    for (const r of refs) {
      const p = pipelines.get(r.consumerArn);
      if (p) {
        add(p.roleArn, p.account);
        for (const stage of p.stages) {
          for (const action of stage.actions) {
            if (action.roleArn) add(action.roleArn, p.account);
            if (!isCodeBuildAction(action)) continue;
            const res = index.resolveProject(p.account, p.region, action);
            if (res.state === 'found') {
              consumers.add(res.project.arn);
              add(res.project.serviceRole, res.project.account);
            }
          }
        }
      }
      const b = projects.get(r.consumerArn);
      if (b) add(b.serviceRole, b.account);
    }
    const adminRoles: string[] = [];
    let unknownRoles = 0;
    for (const [ref, account] of roles) {
      const found = lookupRole(snapshot, ref, account);
      if (found.state !== 'found') {
        unknownRoles++;
        continue;
      }
      const verdict = capabilitiesOf(found.role, snapshot).admin.verdict;
      if (verdict === 'yes') adminRoles.push(found.role.arn);
      else if (verdict === 'unknown') unknownRoles++;
    }
    entries.push({
      connection: connection?.arn ?? refs[0]?.connectionArn ?? key,
      ...(connection ? { name: connection.name, providerType: connection.providerType } : {}),
      repositories: [...new Set(refs.map((r) => r.repository).filter((x): x is string => x !== undefined))].sort(),
      consumers: consumers.size,
      adminRoles: adminRoles.sort(),
      unknownRoles,
      findings: count,
    });
  }
  return entries;
}

/** Most admin-equivalent roles first, then most fails, then by ARN; the first `top`. */
export function summarizeBlastRadius(entries: readonly BlastRadiusEntry[], command: string, top = BLAST_RADIUS_TOP): BlastRadiusSummary | undefined {
  if (entries.length === 0) return undefined;
  const sorted = [...entries].sort((a, b) => b.adminRoles.length - a.adminRoles.length || b.findings - a.findings || (a.connection < b.connection ? -1 : a.connection > b.connection ? 1 : 0));
  return { total: sorted.length, entries: sorted.slice(0, top), command };
}
