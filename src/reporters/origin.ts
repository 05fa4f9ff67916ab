// Infrastructure-as-code findings: how reports name where a resource is declared. The origin is
// the adapters' (src/model/types.ts IacOrigin); every string in it is user-controlled (paths,
// logical ids, construct paths, addresses), so each reporter escapes what it prints.

import type { IacOrigin, SourceLocation } from '../model/types.js';

/** What a reader recognises the resource by: construct path (CDK), address (Terraform), logical id. */
export function declaredName(origin: IacOrigin): string {
  return origin.constructPath ?? origin.address ?? origin.logicalId ?? origin.id;
}

/**
 * `OpenService`, `OpenService (construct Stack/OpenService/Resource)`,
 * `module.ci.aws_iam_role.builder["api"]`: the logical id and, when there is one, the construct
 * path or address.
 */
export function declaredAs(origin: IacOrigin): string {
  if (origin.address !== undefined) return origin.address;
  const id = origin.logicalId ?? origin.id;
  const stack = origin.stack !== undefined && origin.format === 'cdk' ? `, stack ${origin.stack}` : '';
  return origin.constructPath !== undefined ? `${id} (construct ${origin.constructPath}${stack})` : `${id}${stack}`;
}

/** `templates/net.yaml:12`. */
export function placeOf(location: SourceLocation): string {
  return `${location.file}:${location.line}`;
}

/** A 1-based line or column: never 0, -1 or a fraction in a report, whatever an adapter gave. */
export function positive(n: number): number {
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

/** The names an origin gives, those it has: logical id, stack, construct path, address. */
export function originNames(origin: IacOrigin): Pick<IacOrigin, 'logicalId' | 'stack' | 'constructPath' | 'address'> {
  return {
    ...(origin.logicalId !== undefined ? { logicalId: origin.logicalId } : {}),
    ...(origin.stack !== undefined ? { stack: origin.stack } : {}),
    ...(origin.constructPath !== undefined ? { constructPath: origin.constructPath } : {}),
    ...(origin.address !== undefined ? { address: origin.address } : {}),
  };
}
