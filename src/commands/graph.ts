import { UserError } from '../errors.js';
import { writeFilesAtomic } from '../io/atomic-write.js';
import { checkWritableTarget } from '../io/output-dir.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { loadSnapshotFile } from '../model/load.js';
import type { Snapshot } from '../model/types.js';
import { buildGraph, checkSelection } from '../graph/build.js';
import { renderGraph, type GraphFormat } from '../graph/render.js';
import { collectLive, type LiveArgs } from './collect.js';
import type { ScanArgs } from './scan.js';
import { liveArgs } from './live-args.js';


export interface GraphArgs extends Partial<LiveArgs> {
  snapshot?: string;
  iac?: string[];
  iacParam?: string[];
  iacParams?: string;
  account?: string;
  maxTemplateMb?: number;
  connection?: string;
  repository?: string;
  format: GraphFormat;
  output?: string;
  quiet: boolean;
}

/**
 * `linkaudit graph`: the repository blast radius of each connection (or the one, or the
 * repository, asked) from a snapshot, a live estate or infrastructure as code.
 */
export async function graphCommand(args: GraphArgs, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  // Usage errors before any work: a live collection must not end in one.
  const selection = { ...(args.connection !== undefined ? { connection: args.connection } : {}), ...(args.repository !== undefined ? { repository: args.repository } : {}) };
  checkSelection(selection);
  if (args.iac !== undefined && args.iac.length === 0) throw new UserError('--iac: give a path (a CloudFormation template, a directory, a cdk.out or a Terraform plan JSON)');
  if (args.output !== undefined) checkWritableTarget(args.output, 'graph');
  const snapshot = await source(args, log);
  const graph = buildGraph(snapshot, selection);
  const text = renderGraph(graph, args.format);
  if (args.output !== undefined) await writeFilesAtomic([{ file: args.output, chunks: [text] }], 'graph');
  else process.stdout.write(text);
  if (!args.quiet) {
    const admin = graph.roles.filter((r) => r.capabilities?.adminEquivalent.verdict === 'yes').length;
    log(`linkaudit: ${graph.connections.length} connection(s), ${graph.roles.length} role(s) reached, ${admin} admin-equivalent${args.output !== undefined ? `; wrote ${escapeControlChars(args.output)}` : ''}`);
  }
  return 0;
}

async function source(args: GraphArgs, log: (line: string) => void): Promise<Snapshot> {
  if (args.iac !== undefined) {
    const { iacOptions } = await import('./scan.js');
    const options = iacOptions(args as unknown as ScanArgs);
    const { loadIac } = await import('../collectors/iac/index.js');
    const { combinedSnapshot } = await import('../engine/worlds.js');
    const load = await loadIac(args.iac, options);
    return combinedSnapshot(load, (options.now ?? new Date()).toISOString(), load.units.map((u) => u.name).slice(0, 5).join(', '));
  }
  for (const [flag, v] of [['--iac-param', args.iacParam], ['--iac-params', args.iacParams], ['--account', args.account], ['--max-template-mb', args.maxTemplateMb]] as const) {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) throw new UserError(`${flag} goes with --iac PATH`);
  }
  if (args.snapshot !== undefined) return loadSnapshotFile(args.snapshot);
  return collectLive(liveArgs(args), log);
}
