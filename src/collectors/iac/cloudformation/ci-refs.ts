// How pipelines and build projects of a template name the template's roles and projects, so the
// model joins them as a live collection of the deployed stack would: `RoleArn: !GetAtt Role.Arn`
// gives the role's model ARN already (identity.ts); `ServiceRole: !Ref Role` (a role name, which
// CodeBuild also takes) and a role's real ARN written out (`arn:aws:iam::ACCOUNT:role/builder`)
// are turned into it here. `ProjectName: !Ref Project` gives the project's stand-in name, and a
// name written out gives the project's name: both become the name the project has in the model,
// which is what the rules join a CodeBuild action's ProjectName by.

import { iacArn } from '../../../model/arn.js';
import type { MapContext } from './context.js';
import { generatedNameOf, originIdOf } from './identity.js';
import type { CfnResource } from './template-types.js';
import { PROJECT_NAME } from '../ci-values.js';

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:.+$/;

export class CiRefs {
  /** Role name (resolved RoleName, Ref value, stand-in) → the role's model ARN. */
  private readonly roles = new Map<string, string>();
  private readonly roleArns = new Set<string>();
  /** Project Ref value, resolved name or model ARN → the project's model name. */
  private readonly projects = new Map<string, string>();

  constructor(private readonly ctx: MapContext) {
    const { stack } = ctx;
    for (const r of ctx.of('AWS::IAM::Role')) {
      const arn = iacArn('iamRole', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId));
      this.roleArns.add(arn);
      const written = r.properties.RoleName;
      for (const name of [typeof written === 'string' ? written : undefined, ctx.identity(r).ref, generatedNameOf(stack, r.logicalId)]) {
        if (name !== undefined && name !== '' && !this.roles.has(name)) this.roles.set(name, arn);
      }
    }
    for (const r of ctx.of('AWS::CodeBuild::Project')) {
      const name = projectNameOf(ctx, r);
      // The stand-in too: the reader's `Ref` gives it when Name is written by an intrinsic.
      for (const key of [name, ctx.identity(r).ref, generatedNameOf(stack, r.logicalId), ctx.identity(r).attributes.Arn]) if (key !== undefined && !this.projects.has(key)) this.projects.set(key, name);
    }
  }

  /**
   * A role as the model names it: a template role's model ARN when the value names one (by that
   * ARN, by name, or by the ARN it will have in the stack's account), else the value itself when
   * it is an ARN, else (`byName`: CodeBuild takes a role name) the ARN of that name in the stack's
   * account. Undefined: not a role the service would take.
   */
  role(value: string, byName: boolean): string | undefined {
    if (this.roleArns.has(value)) return value;
    const m = ROLE_ARN.exec(value);
    if (m) {
      const own = m[2] === this.ctx.stack.account ? this.roles.get(m[3] as string) : undefined;
      return own ?? value;
    }
    if (ARN.test(value)) return undefined;
    if (!byName) return undefined;
    const own = this.roles.get(value);
    if (own) return own;
    // A role name (IAM: [\w+=,.@-]{1,64}); anything else is not one.
    if (!/^[\w+=,.@-]{1,64}$/.test(value)) return undefined;
    const { partition, account } = this.ctx.stack;
    return `arn:${partition}:iam::${account}:role/${value}`;
  }

  /** A CodeBuild action's ProjectName as the model names the project (unchanged when not one of the template's). */
  project(value: string): string {
    return this.projects.get(value) ?? value;
  }
}

/**
 * A project's name in the model: its `Name` when it resolves to a name CodeBuild takes, else the
 * stand-in for the name CloudFormation would generate (not known before deployment), which its
 * `Ref` gives when the template writes no name.
 */
export function projectNameOf(ctx: MapContext, r: CfnResource): string {
  const written = r.properties.Name;
  if (typeof written === 'string' && PROJECT_NAME.test(written)) return written;
  return generatedNameOf(ctx.stack, r.logicalId);
}
