// The mappers the reader hands each stack to. cfn-map's identity.ts and map.ts land on another
// branch; until they are merged these stand in (every resource unmapped, identities from the
// origin id alone). On merge, this file becomes:
//   export { identityOf } from './identity.js';
//   export { mapStack } from './map.js';

import type { IdentityOf, MapStack } from './template-types.js';

export const identityOf: IdentityOf = (stack, _type, logicalId) => ({ ref: `iac:${stack.idBase}#${logicalId}`, attributes: {} });

export const mapStack: MapStack = (stack) => ({
  connections: [],
  hosts: [],
  vpcEndpoints: [],
  endpointServices: [],
  iamUsers: [],
  iamGroups: [],
  iamRoles: [],
  iamPolicies: [],
  coverage: [],
  unmapped: stack.resources.length,
});
