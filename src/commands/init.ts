import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { writeFilesAtomic } from '../io/atomic-write.js';
import { escapeControlChars } from '../io/untrusted-text.js';

/**
 * The starter configuration: every setting with what it does, safe defaults, and a suppression
 * example left commented out (an example that applied would hide a real finding).
 */
export function starterConfig(today: Date = new Date()): string {
  const inNinetyDays = new Date(today.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
  return `# linkaudit configuration: read from the working directory, or named with --config.
# Schema: https://github.com/linkaudit/linkaudit/blob/main/schemas/config.schema.json

# Accounts allowed to connect to your VPC endpoint services besides their owner
# (endpoint-service-untrusted-principal). 12-digit account ids.
trustedAccounts: []
#  - "111122223333"

# AWS Organizations whose member accounts are trusted too. Membership is read with
# linkaudit collect --org (or scan --org); without it, org trust is unknown, never assumed.
trustedOrganizations: []
#  - o-exampleorg1

# Gate threshold: exit 1 when a finding is at or above it (critical, high, medium, low, none).
failOn: high

# Exit 2 when coverage gaps leave results unknown (fail closed). Set true only if an incomplete
# scan may pass; --allow-partial does the same for one run.
allowPartial: false

# How long an endpoint connection request may wait for acceptance before
# endpoint-service-stale-pending-connection fails.
pendingAcceptanceMaxDays: 7

# Your own rule packs (rules.d-style YAML with CEL conditions), relative to this file.
rulesDirs: []

# Rule ids not to run, or the only ones to run.
skip: []
only: []

# Accepted risks. Each needs a reason (10+ characters) and an expiry date (YYYY-MM-DD, through the
# end of that day, UTC); past it the suppression stops applying and is reported. A suppressed
# finding stays in the JSON report (status "suppressed") but leaves SARIF and the gate.
# resource: an exact ARN, or a glob (* and ?) that must match the whole ARN.
# An expiry more than maxSuppressionDays from today is a configuration error.
# --strict-suppressions makes an expired or unmatched suppression exit 2.
maxSuppressionDays: 365

# Resource tags linkaudit:suppress=<rule ids> (with linkaudit:suppress-reason and
# linkaudit:suppress-expires: YYYY-MM-DD) suppress only when this is true: anyone who may tag a
# resource could otherwise hide its finding. While false, such tags are reported and ignored.
allowTagSuppressions: false

suppressions: []
#  - rule: endpoint-service-acceptance-disabled
#    resource: arn:aws:ec2:*:111122223333:vpc-endpoint-service/*
#    reason: Internal-only services behind an allow-list of our own accounts
#    expires: "${inNinetyDays}"
#    ticket: SEC-1234
`;
}

export async function initCommand(args: { output: string; force: boolean }, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  if (existsSync(args.output) && !args.force) throw new UserError(`${args.output} exists; pass --force to overwrite it`);
  await writeFilesAtomic([{ file: args.output, chunks: [starterConfig()] }], 'config');
  log(`linkaudit: wrote ${escapeControlChars(args.output)}; edit trustedAccounts and trustedOrganizations, then run linkaudit scan`);
  return 0;
}
