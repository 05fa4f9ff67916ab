// `scan --iac PATH`: which adapter reads a path. A directory with a CDK manifest is a cloud
// assembly; another directory is searched for templates, assemblies and plans; a file is a
// Terraform plan when it says so (`format_version` + `resource_changes`), a CDK manifest, or a
// CloudFormation template.

import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { UserError } from '../../errors.js';
import { describeFsError } from '../../io/fs-errors.js';
import { loadCdkAssembly } from './cdk/index.js';
import { isCloudFormationTemplateText, loadCloudFormationFile } from './cloudformation/index.js';
import { isTerraformPlanText, loadTerraformPlan } from './terraform/index.js';
import type { IacLoad, IacOptions } from './types.js';
import { readUserFile } from '../../io/files.js';
import { pushAll } from '../../arrays.js';

/** Directories a search never enters: dependencies and VCS metadata hold no templates of yours. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.terraform', '.venv', '__pycache__']);
const TEMPLATE_EXT = /\.(ya?ml|json|template)$/i;

export async function loadIac(paths: readonly string[], options: IacOptions): Promise<IacLoad> {
  const out: IacLoad = { units: [], inputs: [], skipped: [] };
  const seen = new Set<string>();
  for (const path of paths) {
    const stat = statOf(path);
    if (stat.isDirectory()) await loadDirectory(path, options, out, seen, true);
    else await loadFile(path, options, out, seen, true);
  }
  return out;
}

function statOf(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    throw new UserError(`--iac ${path}: ${describeFsError(err)}`);
  }
}

async function loadDirectory(dir: string, options: IacOptions, out: IacLoad, seen: Set<string>, explicit: boolean): Promise<void> {
  if (isAssemblyDir(dir)) {
    merge(out, await loadCdkAssembly(dir, options));
    seen.add(dir);
    return;
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new UserError(`--iac ${dir}: ${describeFsError(err)}`);
  }
  // Sorted by name so a directory scans in the same order on every file system.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const before = out.units.length;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await loadDirectory(path, options, out, seen, false);
    } else if (e.isFile() && TEMPLATE_EXT.test(e.name)) {
      await loadFile(path, options, out, seen, false);
    }
  }
  if (explicit && out.units.length === before) {
    throw new UserError(`--iac ${dir}: no CloudFormation template, CDK cloud assembly or Terraform plan found (${out.skipped.length} file(s) skipped)`);
  }
}

function isAssemblyDir(dir: string): boolean {
  try {
    return statSync(join(dir, 'manifest.json')).isFile();
  } catch {
    return false;
  }
}

async function loadFile(file: string, options: IacOptions, out: IacLoad, seen: Set<string>, explicit: boolean): Promise<void> {
  if (seen.has(file)) return;
  seen.add(file);
  if (basename(file) === 'manifest.json' && explicit) {
    const dir = file.slice(0, -'manifest.json'.length) || '.';
    merge(out, await loadCdkAssembly(dir, options));
    return;
  }
  const json = /\.json$/i.test(file);
  const text = readUserFile(file, 'IaC input', json ? 'json' : 'yaml');
  if (isTerraformPlanText(text)) {
    merge(out, await loadTerraformPlan(file, text, options));
    return;
  }
  // A search only takes what is a template; a file named explicitly must be one (its errors say why).
  if (!explicit && !isCloudFormationTemplateText(text)) {
    out.skipped.push({ file: displayPath(file, options), reason: 'not a CloudFormation template, CDK assembly or Terraform plan' });
    return;
  }
  merge(out, await loadCloudFormationFile(file, text, options));
}

function merge(into: IacLoad, from: IacLoad): void {
  pushAll(into.units, from.units);
  pushAll(into.inputs, from.inputs);
  pushAll(into.skipped, from.skipped);
}

/** The path an origin names: relative to the working directory, `/`-separated. */
export function displayPath(file: string, options: Pick<IacOptions, 'cwd'>): string {
  const rel = relative(options.cwd ?? process.cwd(), file);
  const shown = rel === '' ? basename(file) : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}
