import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';
import { wrongKind } from './io/file-kind.js';
import { readUserFile } from './io/files.js';
import { YamlSource } from './io/yaml-source.js';
import type { FailOn } from './engine/severity.js';
import type { SuppressionEntry } from './audit/suppress.js';

export const DEFAULT_CONFIG_FILE = '.linkaudit.yaml';
export const DEFAULT_PENDING_ACCEPTANCE_MAX_DAYS = 7;

export interface Config {
  /** The file it came from, if any. */
  file?: string;
  trustedAccounts: string[];
  trustedOrganizations: string[];
  pendingAcceptanceMaxDays: number;
  failOn?: FailOn;
  allowPartial?: boolean;
  /** Absolute paths. */
  rulesDirs: string[];
  skip: string[];
  only: string[];
  sarifCategory?: string;
  suppressions: SuppressionEntry[];
  /** Whether `linkaudit:suppress` tags apply (default false). */
  allowTagSuppressions?: boolean;
  /** How many days from now a suppression may expire (default 365). */
  maxSuppressionDays?: number;
  /** Where each suppression's `expires` is in the file, for errors. */
  suppressionPlaces?: Array<{ line: number; col: number } | undefined>;
}

export function emptyConfig(): Config {
  return {
    trustedAccounts: [],
    trustedOrganizations: [],
    pendingAcceptanceMaxDays: DEFAULT_PENDING_ACCEPTANCE_MAX_DAYS,
    rulesDirs: [],
    skip: [],
    only: [],
    suppressions: [],
  };
}

/**
 * Loads `--config FILE`, or `.linkaudit.yaml` in the working directory when present. A file named
 * explicitly must exist; the default one is optional.
 */
export function loadConfig(explicit: string | undefined, cwd = process.cwd()): Config {
  const file = explicit ?? resolve(cwd, DEFAULT_CONFIG_FILE);
  if (explicit === undefined && !existsSync(file)) return emptyConfig();
  const src = new YamlSource(explicit ?? DEFAULT_CONFIG_FILE, readUserFile(explicit ?? file, 'config file'));
  const wrong = wrongKind(src.data, 'config');
  if (wrong !== undefined) throw new UserError(`${src.file}: ${wrong}`);
  const raw = src.validated<Partial<Omit<Config, 'file'>>>('config', src.data ?? {});
  const base = dirname(resolve(file));
  return {
    ...emptyConfig(),
    ...raw,
    file: src.file,
    rulesDirs: (raw.rulesDirs ?? []).map((d) => resolve(base, d)),
    suppressionPlaces: (raw.suppressions ?? []).map((_, i) => src.position(`/suppressions/${i}/expires`)),
  };
}
