// CDK cloud assemblies (cdk.out) → one unit of every `aws:cloudformation:stack` artifact.
// Contract only: the adapter lands with issue 12's CDK work.

import type { IacLoad, IacOptions } from '../types.js';

export async function loadCdkAssembly(_dir: string, _options: IacOptions): Promise<IacLoad> {
  throw new Error('CDK adapter not built yet');
}
