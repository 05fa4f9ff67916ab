// CDK cloud assemblies (cdk.out) → one unit of every `aws:cloudformation:stack` artifact, nested
// cloud assemblies (stages) included. Each stack's template is read by the CloudFormation adapter
// with what the manifest knows and the template does not: the stack's environment, name and
// parameters, and where its nested stacks' templates are (the `aws:asset:path` metadata CDK
// writes on each AWS::CloudFormation::Stack resource). See docs/iac.md.

import { loadCloudFormationStack, type CfnStackContext } from '../cloudformation/index.js';
import { displayPath } from '../index.js';
import type { IacLoad, IacOptions, IacUnit } from '../types.js';
import { combineWorlds } from './combine.js';
import { nestedTemplateResolver } from './nested.js';
import { readAssemblyStacks, type CdkStackArtifact } from './manifest.js';
import { UserError } from '../../../errors.js';
import { readUserFile } from '../../../io/files.js';
import { join } from 'node:path';
import { pushAll } from '../../../arrays.js';

export async function loadCdkAssembly(dir: string, options: IacOptions): Promise<IacLoad> {
  const stacks = uniqueIds(readAssemblyStacks(dir));
  const shownDir = displayPath(dir, options);
  if (stacks.length === 0) {
    // An assembly without stacks would gate nothing and pass: refused, as a directory without templates is.
    throw new UserError(`${join(dir, 'manifest.json')}: no aws:cloudformation:stack artifact: nothing to scan (did cdk synth fail?)`);
  }
  const out: IacLoad = { units: [], inputs: [], skipped: [] };
  const factors: IacUnit[] = [];
  for (const { artifact, idBase } of stacks) {
    const text = readUserFile(artifact.templateFile, 'CDK stack template', 'json');
    const ctx: CfnStackContext = {
      format: 'cdk',
      idBase,
      // The manifest writes stackName only when it differs from the artifact id (cx-api:
      // `this.stackName = properties.stackName || artifactId`).
      stackName: artifact.stackName ?? artifact.id,
      ...(artifact.account ?? options.account ? { account: (artifact.account ?? options.account) as string } : {}),
      ...(artifact.region ?? options.region ? { region: (artifact.region ?? options.region) as string } : {}),
      // The manifest's parameters, then --iac-param/--iac-params over them, as `cdk deploy
      // --parameters` overrides what the app set.
      parameters: { ...artifact.parameters, ...options.parameters },
      nestedTemplate: nestedTemplateResolver(artifact.templateFile, text, artifact.assemblyDir),
    };
    const load = loadCloudFormationStack(artifact.templateFile, text, ctx, options);
    fillConstructPaths(load, idBase, artifact.constructPaths);
    pushAll(factors, load.units);
    pushAll(out.inputs, load.inputs);
    pushAll(out.skipped, load.skipped);
  }
  out.units.push(combineWorlds(`${shownDir} (${stacks.length} stack${stacks.length === 1 ? '' : 's'})`, factors, options));
  return out;
}

/**
 * Artifact ids are unique within one manifest, not across a stage's nested assembly and its
 * parent: a repeated id is qualified by the assembly directory it comes from, so origin ids stay
 * unique (CDK prefixes stage stacks' ids with the stage name, so this is rare).
 */
function uniqueIds(artifacts: CdkStackArtifact[]): Array<{ artifact: CdkStackArtifact; idBase: string }> {
  const count = new Map<string, number>();
  for (const a of artifacts) count.set(a.id, (count.get(a.id) ?? 0) + 1);
  return artifacts.map((artifact, i) => {
    if ((count.get(artifact.id) ?? 0) < 2 || artifacts.findIndex((a) => a.id === artifact.id) === i) return { artifact, idBase: artifact.id };
    return { artifact, idBase: `${displayPathOfAssembly(artifact.assemblyDir)}:${artifact.id}` };
  });
}

function displayPathOfAssembly(dir: string): string {
  return dir.split(/[\\/]/).filter((p) => p !== '' && p !== '.').at(-1) ?? dir;
}

/**
 * A stack synthesized without path metadata (`--no-path-metadata`, `pathMetadata: false`) has no
 * `aws:cdk:path` in its template, but the manifest still maps each construct path to its logical
 * id: the construct path is taken from there, for the stack's own resources (not its nested
 * stacks', whose ids the parent's manifest does not hold).
 */
function fillConstructPaths(load: IacLoad, idBase: string, paths: Record<string, string>): void {
  if (Object.keys(paths).length === 0) return;
  for (const unit of load.units) {
    for (const world of unit.worlds) {
      const s = world.snapshot;
      for (const collection of [s.connections, s.hosts, s.vpcEndpoints, s.endpointServices, s.iamUsers, s.iamGroups, s.iamRoles, s.iamPolicies, s.pipelines, s.buildProjects, s.sourceCredentials]) {
        for (const r of collection) {
          const o = r.origin;
          if (!o || o.constructPath !== undefined || o.logicalId === undefined || o.id !== `${idBase}#${o.logicalId}`) continue;
          const path = paths[o.logicalId];
          if (path !== undefined) o.constructPath = path;
        }
      }
    }
  }
}
