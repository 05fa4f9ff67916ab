// A stack with its nested stacks (`AWS::CloudFormation::Stack`), world by world. A nested stack's
// template is read when it is a local file: a TemplateURL relative to the parent template (as
// `aws cloudformation package` takes it before upload) or, for CDK, the asset the assembly names.
// A remote one leaves a coverage gap: its resources are not known, never silently absent.

import { dirname, join, resolve as resolvePath } from 'node:path';
import { UserError } from '../../../errors.js';
import { readUserFile } from '../../../io/files.js';
import type { CoverageGap } from '../../../model/types.js';
import { RESOURCE_KINDS } from '../../../model/types.js';
import { displayPath } from '../index.js';
import type { IacOptions } from '../types.js';
import { parseTemplate, StackReader, type NestedRef, type StackPlacement } from './stack.js';
import type { Template } from './template.js';
import { Unresolved, type CfnStack, type IdentityOf } from './template-types.js';
import { label } from './worlds.js';
import { pushAll } from '../../../arrays.js';

/** The most worlds a unit (a stack with its nested stacks) is evaluated in. */
export const MAX_UNIT_WORLDS = 64;
/** Nesting deeper than this is refused (a template that includes itself through others). */
const MAX_NESTING = 20;

export interface UnitWorld {
  label: string;
  stacks: CfnStack[];
  gaps: CoverageGap[];
}

export interface ReadTemplate {
  path: string;
  display: string;
  template: Template;
}

export interface UnitReading {
  worlds: UnitWorld[];
  /** Every template read (the root first), once each. */
  templates: ReadTemplate[];
}

export interface NestedContext {
  options: IacOptions;
  identityOf: IdentityOf;
  /** CDK: the asset template of a nested stack, from its written TemplateURL and logical id. */
  nestedTemplate?: (templateUrl: unknown, logicalId: string) => string | undefined;
}

export function readUnit(root: ReadTemplate, placement: StackPlacement, ctx: NestedContext): UnitReading {
  const templates = new Map<string, ReadTemplate>([[resolvePath(root.path), root]]);
  const expand = (reader: StackReader, prefix: string, ancestry: string[]): UnitWorld[] => {
    if (ancestry.length > MAX_NESTING) throw new UserError(`${reader.tpl.text.file}: nested stacks nest more than ${MAX_NESTING} levels deep`);
    const out: UnitWorld[] = [];
    for (const a of reader.plan.assignments) {
      const w = reader.world(a);
      let combos: UnitWorld[] = [{ label: label(a, prefix), stacks: [w.stack], gaps: [...w.gaps] }];
      for (const child of w.nested) {
        const found = locate(reader, child, ancestry);
        if ('gap' in found) {
          for (const c of combos) c.gaps.push(found.gap);
          continue;
        }
        const childPlacement: StackPlacement = {
          format: placement.format,
          path: found.path,
          idBase: `${reader.placement.idBase}/${child.logicalId}`,
          ...(reader.base.originStack !== undefined ? { originStack: `${reader.base.originStack}/${child.logicalId}` } : {}),
          ...(placement.account !== undefined ? { account: placement.account } : {}),
          ...(placement.region !== undefined ? { region: placement.region } : {}),
          parameters: StackReader.childParameters(child.resource),
          missingParameter: (name) => `parameter ${name} of nested stack ${child.logicalId} has no default and ${child.logicalId}'s Parameters give it no value`,
        };
        const childPrefix = `${prefix}${child.logicalId}/`;
        const nextAncestry = [...ancestry, resolvePath(found.path)];
        let childWorlds = expand(new StackReader(found.template, childPlacement, ctx.identityOf), childPrefix, nextAncestry);
        // Past the unit's cap, the nested stack's conditions stay undecided (one world for it).
        if (combos.length * childWorlds.length > MAX_UNIT_WORLDS) childWorlds = expand(new StackReader(found.template, { ...childPlacement, maxConditions: 0 }, ctx.identityOf), childPrefix, nextAncestry);
        combos = combos.flatMap((c) => childWorlds.map((cw) => ({ label: [c.label, cw.label].filter((s) => s !== '').join(', '), stacks: [...c.stacks, ...cw.stacks], gaps: [...c.gaps, ...cw.gaps] })));
      }
      pushAll(out, combos);
    }
    return out;
  };

  const locate = (parent: StackReader, child: NestedRef, ancestry: string[]): { path: string; template: Template } | { gap: CoverageGap } => {
    const tpl = parent.tpl;
    const urlAt = child.resource.propertyLocations['TemplateURL'] ?? child.resource.location;
    const resolved = child.resource.properties['TemplateURL'];
    let path: string | undefined;
    if (ctx.nestedTemplate) path = ctx.nestedTemplate(StackReader.writtenTemplateUrl(child.def), child.logicalId);
    else if (typeof resolved === 'string' && resolved !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(resolved)) path = join(dirname(parent.placement.path), resolved);
    if (path === undefined) {
      const shown = resolved instanceof Unresolved ? `(not resolved: ${resolved.reason})` : typeof resolved === 'string' ? JSON.stringify(resolved.slice(0, 200)) : '(none)';
      return {
        gap: {
          account: parent.base.account,
          region: parent.base.region,
          service: 'cloudformation',
          operation: 'NestedStack',
          errorCode: 'Unresolved',
          message: `${tpl.text.file}:${urlAt.line}:${urlAt.column}: nested stack ${child.logicalId}: its TemplateURL ${shown} is not a local template, so its resources are not known`,
          resourceKinds: [...RESOURCE_KINDS],
        },
      };
    }
    const key = resolvePath(path);
    if (ancestry.includes(key) || key === resolvePath(root.path)) throw new UserError(`${tpl.text.file}:${urlAt.line}:${urlAt.column}: nested stack ${child.logicalId} includes a template that includes it (${displayPath(path, ctx.options)})`);
    let read = templates.get(key);
    if (!read) {
      const display = displayPath(path, ctx.options);
      let text: string;
      try {
        text = readUserFile(path, 'nested stack template', /\.json$/i.test(path) ? 'json' : 'yaml');
      } catch (err) {
        if (err instanceof UserError) throw new UserError(`${tpl.text.file}:${urlAt.line}:${urlAt.column}: nested stack ${child.logicalId}: ${err.message}`);
        throw err;
      }
      read = { path, display, template: parseTemplate(display, text, ctx.options.maxTemplateBytes) };
      templates.set(key, read);
    }
    return { path, template: read.template };
  };

  const reader = new StackReader(root.template, placement, ctx.identityOf);
  return { worlds: expand(reader, '', [resolvePath(root.path)]), templates: [...templates.values()] };
}
