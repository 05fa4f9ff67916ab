// The stacks of an assembly are evaluated together (a rule may join an endpoint in one stack to a
// service in another, or a role to a policy), so their worlds are combined into one unit.
//
// Each stack's worlds are the alternatives of its own undecided conditions, independent of the
// other stacks'. The exact combination is the cross product; it is taken while it has at most
// MAX_WORLDS worlds. Beyond that the stacks' worlds are paired by index (world i takes world
// i mod n of each stack): every world of every stack is still evaluated, so a resource whose
// result depends only on its own stack gets the same merged result as with the full product; a
// rule joining two stacks' resources may see fewer combinations, which the unit's name says.

import { normalizeSnapshot } from '../../../model/load.js';
import { emptySnapshot } from '../../../model/empty.js';
import { KIND_COLLECTION, RESOURCE_KINDS, type Snapshot } from '../../../model/types.js';
import type { IacOptions, IacUnit, IacWorld } from '../types.js';
import { maxOf } from '../../../arrays.js';

export const MAX_WORLDS = 64;

export function combineWorlds(name: string, factors: readonly IacUnit[], options: Pick<IacOptions, 'now'>): IacUnit {
  const lists = factors.map((f) => f.worlds).filter((w) => w.length > 0);
  const product = lists.reduce((n, w) => n * w.length, 1);
  let combos: IacWorld[][];
  let unitName = name;
  if (product <= MAX_WORLDS) {
    combos = lists.reduce<IacWorld[][]>((acc, worlds) => acc.flatMap((prefix) => worlds.map((w) => [...prefix, w])), [[]]);
  } else {
    const n = maxOf(lists.map((w) => w.length));
    combos = Array.from({ length: n }, (_, i) => lists.map((w) => w[i % w.length] as IacWorld));
    unitName = `${name}, ${n} worlds: stacks' worlds paired by index (their product, ${product}, exceeds ${MAX_WORLDS})`;
  }
  const labelled = factors.length > 1;
  const worlds = combos.map((combo) => ({
    label: combo
      .map((w, i) => (w.label === '' ? '' : labelled ? `${factorName(factors, lists, i)}: ${w.label}` : w.label))
      .filter((l) => l !== '')
      .join('; '),
    snapshot: mergeWorld(combo.map((w) => w.snapshot), unitName, options),
  }));
  return { name: unitName, format: 'cdk', worlds };
}

function factorName(factors: readonly IacUnit[], lists: IacWorld[][], i: number): string {
  const worlds = lists[i];
  return factors.find((f) => f.worlds === worlds)?.name ?? String(i);
}

/**
 * One combined world: every stack's resources side by side. The same ARN in two stacks is kept
 * once (the bundled AWS managed policies each stack's snapshot carries, which are the same
 * document); stacks' own resources have distinct ids (their artifact ids differ).
 */
function mergeWorld(snapshots: Snapshot[], description: string, options: Pick<IacOptions, 'now'>): Snapshot {
  const first = snapshots[0];
  const merged = emptySnapshot({
    generatedAt: first?.generatedAt ?? (options.now ?? new Date()).toISOString(),
    source: { kind: 'iac', ...(first?.source.tool !== undefined ? { tool: first.source.tool } : {}), description },
    scope: {
      partition: first?.scope.partition ?? 'aws',
      accounts: [...new Set(snapshots.flatMap((s) => s.scope.accounts))].sort(),
      regions: [...new Set(snapshots.flatMap((s) => s.scope.regions))].sort(),
    },
  });
  for (const kind of RESOURCE_KINDS) {
    const collection = KIND_COLLECTION[kind];
    const seen = new Set<string>();
    const out: Array<{ arn: string }> = [];
    for (const s of snapshots) {
      for (const r of s[collection] as Array<{ arn: string }>) {
        if (seen.has(r.arn)) continue;
        seen.add(r.arn);
        out.push(r);
      }
    }
    (merged as unknown as Record<string, unknown[]>)[collection] = out;
  }
  const gaps = new Map(snapshots.flatMap((s) => s.coverage).map((g) => [JSON.stringify(g), g]));
  merged.coverage = [...gaps.values()];
  return normalizeSnapshot(merged);
}
