import { UserError } from '../errors.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { ACCESS_ACTIONS, parseConnectionArn, whoCanUse, type AccessReport } from '../iam/access.js';
import { OUT_OF_SCOPE, pathText } from '../rules/iam-connection-rule.js';
import { loadSnapshotFile } from '../model/load.js';
import { collectLive, type LiveArgs } from './collect.js';
import { maxOf } from '../arrays.js';

export interface AccessArgs extends Partial<LiveArgs> {
  connection: string;
  snapshot?: string;
  format: 'table' | 'json';
  quiet: boolean;
}

/** `linkaudit access --connection ARN`: who may use, take a token from, or pass one connection. */
export async function accessCommand(args: AccessArgs, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const parsed = parseConnectionArn(args.connection);
  if (!parsed) {
    throw new UserError(`--connection: "${args.connection}" is not a connection ARN (arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID, or the codeconnections prefix)`);
  }
  const snapshot =
    args.snapshot !== undefined
      ? loadSnapshotFile(args.snapshot)
      : await collectLive(
          {
            region: args.region && args.region.length > 0 ? args.region : args.regions === undefined ? [parsed.region] : [],
            ...(args.regions !== undefined ? { regions: args.regions } : {}),
            ...(args.profile !== undefined ? { profile: args.profile } : {}),
            ...(args.endpointUrl !== undefined ? { endpointUrl: args.endpointUrl } : {}),
            ...(args.roleArn !== undefined ? { roleArn: args.roleArn, accounts: [parsed.account] } : {}),
            ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
            maxAttempts: args.maxAttempts ?? 8,
            timeout: args.timeout ?? 30,
            ...(args.maxDuration !== undefined ? { maxDuration: args.maxDuration } : {}),
            concurrency: args.concurrency ?? 16,
            quiet: args.quiet,
          },
          log,
        );
  if (!snapshot.scope.accounts.includes(parsed.account)) {
    throw new UserError(`--connection: account ${parsed.account} is not in the snapshot (it covers ${snapshot.scope.accounts.join(', ') || 'no account'})`);
  }
  const report = whoCanUse(snapshot, args.connection);
  process.stdout.write(args.format === 'json' ? `${JSON.stringify(jsonReport(report), null, 2)}\n` : accessTable(report));
  if (!args.quiet) {
    if (!report.inSnapshot) log(`linkaudit: ${escapeControlChars(args.connection)} is not in the snapshot: its tags are unknown, so tag conditions count as scoping`);
    for (const gap of report.gaps) log(`linkaudit: IAM not fully read: ${escapeControlChars(gap)}; principals may be missing`);
  }
  return 0;
}

function jsonReport(r: AccessReport): unknown {
  return {
    connection: r.connection,
    inSnapshot: r.inSnapshot,
    tagsKnown: r.tagsKnown,
    complete: r.gaps.length === 0,
    gaps: r.gaps,
    principalsEvaluated: r.principalsEvaluated,
    actions: ACCESS_ACTIONS.map((a) => `${parseConnectionArn(r.connection)?.prefix}:${a}`),
    principals: r.principals.map((p) => ({
      principal: p.principal,
      kind: p.kind,
      access: p.grants.map((g) => ({
        action: g.action,
        access: g.reach,
        through: g.through.map((t) => ({
          policy: t.source.policy,
          ...(t.source.via ? { via: t.source.via } : {}),
          ...(t.source.boundary ? { boundary: true } : {}),
          ...(t.statement >= 0 ? { statement: t.statement } : {}),
          ...(t.sid ? { sid: t.sid } : {}),
          ...(t.actionMatch ? { action: t.actionMatch } : {}),
          ...(t.resourceMatch ? { resource: t.resourceMatch } : {}),
          conditions: t.conditions,
        })),
        limitedBy: g.limits.map((t) => pathText(t)),
        ...(g.reasons.length > 0 ? { reasons: g.reasons } : {}),
      })),
    })),
    note: OUT_OF_SCOPE,
  };
}

export function accessTable(r: AccessReport): string {
  const rows: string[][] = [['PRINCIPAL', 'ACTION', 'ACCESS', 'THROUGH', 'CONDITIONS']];
  for (const p of r.principals) {
    for (const g of p.grants) {
      const first = g.through[0];
      const through = first ? `${first.source.label}${first.statement >= 0 ? ` #${first.statement}${first.sid ? ` (${first.sid})` : ''}` : ''}${g.through.length > 1 ? ` +${g.through.length - 1} more` : ''}` : g.reasons.join('; ');
      const own = first && first.conditions.length > 0 ? first.conditions.join('; ') : g.reach === 'unknown' ? g.reasons.join('; ') : '-';
      // A grant a Deny or the boundary narrowed says what narrowed it, not only how it was granted.
      const by = [...new Set(g.limits.map((l) => `${l.effect === 'Deny' ? 'the Deny in ' : ''}${l.source.label}${l.statement >= 0 ? ` #${l.statement}` : ''}`))];
      const conditions = by.length > 0 ? `${own}; limited by ${by.join(', ')}` : own;
      rows.push([p.principal, g.action.split(':')[1] ?? g.action, g.reach, through, conditions]);
    }
  }
  // Principal names, policy names, Sids and condition values come from IAM: escaped, so each
  // cell stays on its line and no ESC sequence reaches the terminal; widths count what is shown.
  for (const row of rows) row.forEach((c, i) => (row[i] = escapeControlChars(c)));
  const widths = rows[0]?.map((_, i) => maxOf(rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  const head = [`Who can use ${escapeControlChars(r.connection)}`, `${r.principals.length} of ${r.principalsEvaluated} users and roles in its account have access.${r.tagsKnown ? '' : ' The connection\'s tags are not known: tag conditions count as scoping.'}`, ''];
  const foot = ['', ...(r.gaps.length > 0 ? [`Incomplete: ${escapeControlChars(r.gaps.join('; '))}`] : []), OUT_OF_SCOPE];
  return `${[...head, ...(r.principals.length > 0 ? lines : ['(no principal has access)']), ...foot].join('\n')}\n`;
}
