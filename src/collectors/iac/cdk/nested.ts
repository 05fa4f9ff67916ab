// Where a CDK nested stack's template is. CDK synthesizes a nested stack into its own file in the
// assembly (`StackNestedABC123.nested.template.json`) and writes, on the parent's
// AWS::CloudFormation::Stack resource, `Metadata: {"aws:asset:path": <that file>,
// "aws:asset:property": "TemplateURL"}`; the TemplateURL itself is an S3 URL built from the
// bootstrap bucket, which says nothing locally. The CloudFormation reader asks for a nested
// template by (TemplateURL, logical id), so this module reads the stack's templates (the root and,
// recursively, the nested ones) for that metadata and answers by logical id.

import { UserError } from '../../../errors.js';
import { parseJsonText, readUserFile } from '../../../io/files.js';
import { inside } from './manifest.js';

/** Nested stacks inside nested stacks: CDK allows it; a bound stops a template that names itself. */
const MAX_NESTING = 8;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

export type NestedTemplate = NonNullable<import('../cloudformation/index.js').CfnStackContext['nestedTemplate']>;

/**
 * The `nestedTemplate` callback of a CDK stack: logical id of an AWS::CloudFormation::Stack
 * resource (in the root template or any nested template below it) → its asset template's path
 * under the assembly directory. A logical id that two templates of the stack use for different
 * nested stacks is ambiguous with the callback's arguments and gives undefined (the reader then
 * treats the nested stack as not local: unknown, never a guess).
 */
export function nestedTemplateResolver(templateFile: string, text: string, assemblyDir: string): NestedTemplate {
  const byLogicalId = new Map<string, Set<string>>();
  const visited = new Set<string>([templateFile]);
  const scan = (file: string, body: string, depth: number): void => {
    // Most stacks have no nested stack: skip the second parse of their template.
    if (!body.includes('aws:asset:path')) return;
    let template: unknown;
    try {
      template = parseJsonText(body, file, 'CDK stack template');
    } catch (err) {
      // The CloudFormation reader reports a malformed template with its own, better message.
      if (err instanceof UserError) return;
      throw err;
    }
    const resources = isObject(template) ? template.Resources : undefined;
    if (!isObject(resources)) return;
    for (const [logicalId, r] of Object.entries(resources)) {
      if (!isObject(r) || r.Type !== 'AWS::CloudFormation::Stack' || !isObject(r.Metadata)) continue;
      const asset = r.Metadata['aws:asset:path'];
      if (typeof asset !== 'string') continue;
      const path = inside(assemblyDir, asset);
      if (path === undefined) continue;
      const set = byLogicalId.get(logicalId) ?? new Set<string>();
      set.add(path);
      byLogicalId.set(logicalId, set);
      if (depth < MAX_NESTING && !visited.has(path)) {
        visited.add(path);
        let nested: string;
        try {
          nested = readUserFile(path, 'CDK nested stack template', 'json');
        } catch (err) {
          // A missing nested template is the reader's to report (when it asks for it).
          if (err instanceof UserError) continue;
          throw err;
        }
        scan(path, nested, depth + 1);
      }
    }
  };
  scan(templateFile, text, 0);
  return (_templateUrl: unknown, logicalId: string): string | undefined => {
    const paths = byLogicalId.get(logicalId);
    return paths !== undefined && paths.size === 1 ? [...paths][0] : undefined;
  };
}
