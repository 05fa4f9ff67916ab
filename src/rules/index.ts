import type { Rule } from '../engine/types.js';
import { codebuildCloneRefRoleCannotUseConnection } from './codebuild-clone-ref-role-cannot-use-connection.js';
import { iamConnectionAdminOverbroad } from './iam-connection-admin-overbroad.js';
import { iamPassConnectionOverbroad } from './iam-passconnection-overbroad.js';
import { iamUseConnectionOverbroad } from './iam-useconnection-overbroad.js';
import { pipelineBuildRoleAdmin } from './pipeline-build-role-admin.js';
import { pipelineConnectionNotAvailable } from './pipeline-connection-not-available.js';

/**
 * Built-in rules written in TypeScript: only checks CEL cannot express (IAM policy evaluation; a
 * rule judging two kinds under one id, as pipeline-connection-not-available does).
 * Each lives in `src/rules/<id>.ts` with cases in `src/rules/<id>.test.yaml`, and is held to the
 * same metadata schema and meta-tests as rules.d.
 */
export const typescriptRules: readonly Rule[] = [
  iamUseConnectionOverbroad,
  iamPassConnectionOverbroad,
  iamConnectionAdminOverbroad,
  pipelineConnectionNotAvailable,
  codebuildCloneRefRoleCannotUseConnection,
  pipelineBuildRoleAdmin,
];
