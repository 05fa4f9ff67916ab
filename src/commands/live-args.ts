// The flags of a live collection as scan and graph take them, with the CLI's defaults. Its own
// module so that graph does not load the engine and reporters through scan.ts.
import type { LiveArgs } from './collect.js';
import type { ScanArgs } from './scan.js';

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_CONCURRENCY = 64;

/** The flags of a live collection, as scan and graph take them. */
export type LiveFlags = Pick<ScanArgs, 'region' | 'regions' | 'profile' | 'endpointUrl' | 'roleArn' | 'externalId' | 'accounts' | 'org' | 'shard' | 'maxAttempts' | 'timeout' | 'maxDuration' | 'concurrency' | 'collectThreads' | 'quiet'>;

/** What collectLive takes, with the CLI's defaults. */
export function liveArgs(args: LiveFlags): LiveArgs {
  return {
    region: args.region ?? [],
    ...(args.regions !== undefined ? { regions: args.regions } : {}),
    ...(args.profile !== undefined ? { profile: args.profile } : {}),
    ...(args.endpointUrl !== undefined ? { endpointUrl: args.endpointUrl } : {}),
    ...(args.roleArn !== undefined ? { roleArn: args.roleArn } : {}),
    ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
    ...(args.accounts !== undefined ? { accounts: args.accounts } : {}),
    ...(args.org !== undefined ? { org: args.org } : {}),
    ...(args.shard !== undefined ? { shard: args.shard } : {}),
    maxAttempts: args.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    timeout: args.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    ...(args.maxDuration !== undefined ? { maxDuration: args.maxDuration } : {}),
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    ...(args.collectThreads !== undefined ? { collectThreads: args.collectThreads } : {}),
    quiet: args.quiet,
  };
}
