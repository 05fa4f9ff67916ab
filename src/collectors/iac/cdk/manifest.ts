// Reading a CDK cloud assembly's manifest.json (`cdk synth` output): the stack artifacts with their
// template, parameters, stack name and environment, and the nested cloud assemblies of stages.
// Only the fields linkaudit needs are read; everything else in the manifest is ignored, so newer
// schema versions keep working as long as these fields keep their meaning (they have since
// cloud-assembly-schema 1.0). See docs/iac.md.

import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { yamlLib } from '../../../io/yaml-lib.js';
import { UserError, located } from '../../../errors.js';
import { lineColAt, parseJsonText, readUserFile } from '../../../io/files.js';

/** CDK's placeholders of an environment-agnostic stack (`aws://unknown-account/unknown-region`). */
export const CDK_UNKNOWN_ACCOUNT = 'unknown-account';
export const CDK_UNKNOWN_REGION = 'unknown-region';

/** Stages inside stages: CDK nests no deeper in practice; a bound stops a hostile cycle of copies. */
const MAX_ASSEMBLY_DEPTH = 8;

export interface CdkStackArtifact {
  /** The artifact id (`MyStack`, `ProdStageApiStack1A2B3C4D`): the origin id base. */
  id: string;
  /** `displayName` (`Prod/Api`) when the manifest gives one, else the id. */
  displayName: string;
  /** The template file, as a path under the assembly directory the manifest was read from. */
  templateFile: string;
  /** The assembly directory (where asset paths are relative to). */
  assemblyDir: string;
  stackName?: string;
  /** From `environment`; undefined when env-agnostic (`unknown-account` / `unknown-region`) or absent. */
  account?: string;
  region?: string;
  parameters: Record<string, string>;
  /** `metadata`: construct path → logical id (`aws:cdk:logicalId` entries), for stacks synthesized without path metadata. */
  constructPaths: Record<string, string>;
}

/** Every stack artifact of the assembly in `dir` and of the nested assemblies it names, in manifest order. */
export function readAssemblyStacks(dir: string): CdkStackArtifact[] {
  const out: CdkStackArtifact[] = [];
  readAssembly(dir, out, new Set(), 0);
  return out;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function readAssembly(dir: string, out: CdkStackArtifact[], visited: Set<string>, depth: number): void {
  const file = join(dir, 'manifest.json');
  const real = realPath(dir);
  if (visited.has(real)) throw new UserError(`${file}: this cloud assembly was read already (two cdk:cloud-assembly artifacts name its directory, or it contains itself)`);
  visited.add(real);
  const text = readUserFile(file, 'CDK cloud assembly manifest', 'json');
  const manifest = parseJsonText(text, file, 'CDK cloud assembly manifest');
  const fail = (path: Array<string | number>, message: string): never => {
    throw manifestError(file, text, path, message);
  };
  if (!isObject(manifest)) fail([], 'a CDK cloud assembly manifest is a JSON object (with "version" and "artifacts")');
  const m = manifest as JsonObject;
  const version = m.version;
  // Every cloud-assembly-schema version is semver (`36.0.0`); anything else is not a manifest cdk
  // wrote, or one of a format that may not mean what this reader assumes.
  if (typeof version !== 'string' || !/^\d{1,4}\.\d{1,4}\.\d{1,4}(?:-[0-9A-Za-z.-]{1,64})?$/.test(version)) {
    fail(version === undefined ? [] : ['version'], `unsupported manifest version ${version === undefined ? '(none)' : JSON.stringify(version).slice(0, 80)}: expected the cloud-assembly-schema version cdk synth writes, like "36.0.0"`);
  }
  const artifacts = m.artifacts;
  if (!isObject(artifacts)) fail(artifacts === undefined ? [] : ['artifacts'], 'no "artifacts" object: not a cloud assembly cdk synth wrote');
  for (const [id, artifact] of Object.entries(artifacts as JsonObject)) {
    const at = ['artifacts', id];
    if (!isObject(artifact)) fail(at, `artifact ${shown(id)} is not an object`);
    const a = artifact as JsonObject;
    if (a.type === 'aws:cloudformation:stack') {
      // The artifact id starts every origin id (`Stack#LogicalId`, `Stack/Nested#LogicalId`): a
      // `#` or `/` in it would make two declarations' ids alike. CDK never writes one (ids are
      // construct-path based, alphanumerics and `-`), so it is a hand-edited or foreign manifest.
      if (/[#/\u0000-\u001f\u007f]/.test(id) || id === '') fail(at, `stack artifact id ${shown(id)}: an id with "#", "/" or control characters cannot name a stack`);
      out.push(stackArtifact(dir, id, a, fail));
    } else if (a.type === 'cdk:cloud-assembly') {
      const props = a.properties;
      const name = isObject(props) ? props.directoryName : undefined;
      if (typeof name !== 'string' || name === '') fail(isObject(props) ? [...at, 'properties'] : at, `nested cloud assembly ${shown(id)} has no properties.directoryName`);
      const sub = inside(dir, name as string);
      if (sub === undefined) fail([...at, 'properties', 'directoryName'], `nested cloud assembly ${shown(id)}: directoryName ${shown(name as string)} is outside the assembly directory`);
      if (depth + 1 > MAX_ASSEMBLY_DEPTH) fail(at, `nested cloud assemblies deeper than ${MAX_ASSEMBLY_DEPTH}`);
      if (!isDir(sub as string)) fail([...at, 'properties', 'directoryName'], `nested cloud assembly ${shown(id)}: directory ${shown(name as string)} not found`);
      readAssembly(sub as string, out, visited, depth + 1);
    }
    // Other artifact types (cdk:asset-manifest, cdk:tree, cdk:feature-flag-report, …) hold no
    // resources of their own.
  }
}

function stackArtifact(dir: string, id: string, a: JsonObject, fail: (path: Array<string | number>, message: string) => never): CdkStackArtifact {
  const at = ['artifacts', id];
  const props = a.properties;
  if (!isObject(props)) fail(at, `stack ${shown(id)} has no "properties" (with templateFile)`);
  const p = props as JsonObject;
  const templateFile = p.templateFile;
  if (typeof templateFile !== 'string' || templateFile === '') fail([...at, 'properties'], `stack ${shown(id)} has no properties.templateFile`);
  const template = inside(dir, templateFile as string);
  if (template === undefined) fail([...at, 'properties', 'templateFile'], `stack ${shown(id)}: templateFile ${shown(templateFile as string)} is outside the assembly directory`);
  if (!isFile(template as string)) fail([...at, 'properties', 'templateFile'], `stack ${shown(id)}: template ${shown(templateFile as string)} not found in ${dir}`);
  const parameters: Record<string, string> = {};
  if (p.parameters !== undefined) {
    if (!isObject(p.parameters)) fail([...at, 'properties', 'parameters'], `stack ${shown(id)}: properties.parameters is not an object of strings`);
    for (const [k, v] of Object.entries(p.parameters as JsonObject)) {
      if (typeof v !== 'string') fail([...at, 'properties', 'parameters', k], `stack ${shown(id)}: parameter ${shown(k)} is not a string`);
      parameters[k] = v as string;
    }
  }
  if (p.stackName !== undefined && typeof p.stackName !== 'string') fail([...at, 'properties', 'stackName'], `stack ${shown(id)}: properties.stackName is not a string`);
  const env = a.environment === undefined ? undefined : parseEnvironment(a.environment);
  if (env === null) fail([...at, 'environment'], `stack ${shown(id)}: environment ${JSON.stringify(a.environment).slice(0, 80)} is not aws://ACCOUNT/REGION`);
  const display = typeof a.displayName === 'string' && a.displayName !== '' ? a.displayName : id;
  return {
    id,
    displayName: display,
    templateFile: template as string,
    assemblyDir: dir,
    ...(typeof p.stackName === 'string' ? { stackName: p.stackName } : {}),
    ...(env?.account !== undefined ? { account: env.account } : {}),
    ...(env?.region !== undefined ? { region: env.region } : {}),
    parameters,
    constructPaths: constructPaths(a.metadata),
  };
}

/** `aws://123456789012/eu-west-1` → its parts; the unknown-* placeholders → undefined; malformed → null. */
export function parseEnvironment(env: unknown): { account?: string; region?: string } | null {
  if (typeof env !== 'string') return null;
  const m = /^aws:\/\/([^/\s]{1,64})\/([^/\s]{1,64})$/.exec(env);
  if (!m) return null;
  const account = m[1] as string;
  const region = m[2] as string;
  if (account !== CDK_UNKNOWN_ACCOUNT && !/^\d{12}$/.test(account)) return null;
  if (region !== CDK_UNKNOWN_REGION && !/^[a-z]{2}(-[a-z]+){1,3}-\d{1,2}$/.test(region)) return null;
  return {
    ...(account === CDK_UNKNOWN_ACCOUNT ? {} : { account }),
    ...(region === CDK_UNKNOWN_REGION ? {} : { region }),
  };
}

/** The manifest's `metadata` (`"/Stack/Role/Resource": [{"type": "aws:cdk:logicalId", "data": "Role1ABC"}]`) → logical id → construct path. */
function constructPaths(metadata: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(metadata)) return out;
  for (const [path, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (isObject(e) && e.type === 'aws:cdk:logicalId' && typeof e.data === 'string' && !(e.data in out)) out[e.data] = path.replace(/^\//, '');
    }
  }
  return out;
}

/**
 * `name` resolved under `dir`, or undefined when it leaves it (absolute, `..`, or a symlink whose
 * target is elsewhere): a manifest names files of its own assembly only. A committed or
 * downloaded cdk.out is input someone else may have written, and a template read from
 * `~/.aws/credentials` through a symlink would put pieces of it in a parse error's message.
 */
export function inside(dir: string, name: string): string | undefined {
  if (isAbsolute(name) || name.includes('\0')) return undefined;
  const full = join(dir, name);
  if (!within(resolve(dir), resolve(full))) return undefined;
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return full; // missing: the caller says so
  }
  return within(realPath(dir), real) ? full : undefined;
}

function within(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** A name from the manifest in a message: quoted, control characters escaped, bounded. */
function shown(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}

/**
 * A manifest error at a JSON pointer, with the line:col of the deepest node of `path` that exists
 * (the manifest is parsed again, with positions, only on this error path: YAML is a superset of
 * JSON, so the yaml parser gives each node's offset).
 */
function manifestError(file: string, text: string, path: Array<string | number>, message: string): UserError {
  // Segments are manifest keys (untrusted): escaped like JSON pointer tokens, control characters as \uXXXX.
  const pointer = `/${path.map((p) => escapeControl(String(p).replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
  let where: { line: number; col: number } | undefined;
  try {
    const doc = yamlLib().parseDocument(text, { uniqueKeys: false, strict: false });
    for (let n = path.length; n >= 0 && where === undefined; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) where = lineColAt(text, range[0]);
    }
  } catch {
    // No position then: the pointer still names the place.
  }
  return new UserError(located(file, `${path.length === 0 ? '' : `${pointer}: `}${message}`, where?.line, where?.col));
}

function escapeControl(s: string): string {
  const bounded = s.length > 120 ? `${s.slice(0, 120)}…` : s;
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped
  return bounded.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
