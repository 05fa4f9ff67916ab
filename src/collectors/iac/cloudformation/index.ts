// CloudFormation templates (YAML with short-form tags, or JSON) → the snapshot model.
// Contract only: the adapter lands with issue 12's CloudFormation work.

import type { IacFormat } from '../../../model/types.js';
import type { IacLoad, IacOptions } from '../types.js';

/** How one stack is placed: what CDK (or a parent stack) knows that the template does not. */
export interface CfnStackContext {
  format: IacFormat;
  /** The origin id base: the template's display path (CloudFormation) or the stack artifact id (CDK). */
  idBase: string;
  stackName?: string;
  account?: string;
  region?: string;
  /** Parameters of this stack (a nested stack: its parent's `Parameters` property, resolved). */
  parameters: Record<string, string>;
  /** A nested stack's `TemplateURL` as a local file (CDK: the asset), or undefined when not local. */
  nestedTemplate?: (templateUrl: unknown, logicalId: string) => string | undefined;
}

/** Whether text is a template a directory search should take: `Resources` with `Type: AWS::…`. */
export function isCloudFormationTemplateText(text: string): boolean {
  return /(^|[\s{,"])Resources["']?\s*:/m.test(text) && /Type["']?\s*:\s*["']?AWS::/.test(text);
}

export async function loadCloudFormationFile(_file: string, _text: string, _options: IacOptions): Promise<IacLoad> {
  throw new Error('CloudFormation adapter not built yet');
}

export function loadCloudFormationStack(_file: string, _text: string, _ctx: CfnStackContext, _options: IacOptions): IacLoad {
  throw new Error('CloudFormation adapter not built yet');
}
