// Build step: the built-in rules (rules.d/*.yaml) parsed, schema-checked and type-checked once,
// into dist/rules.d.json. A scan then reads that instead of parsing YAML and compiling CEL for
// every rule at start-up (src/engine/rule-set.ts uses an entry only while its file's text is the
// same). A built-in rule that does not compile fails the build here.
import { writeFileSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import { readUserFile } from '../dist/io/files.js';
import { BUILTIN_RULES_CACHE, BUILTIN_RULES_DIR, displayPath, ruleFiles } from '../dist/engine/rule-set.js';
import { createCelRuntime } from '../dist/engine/cel.js';
import { precompileRule } from '../dist/engine/yaml-rule.js';

const runtime = createCelRuntime();
const rules = {};
for (const file of ruleFiles(BUILTIN_RULES_DIR)) rules[basename(file)] = precompileRule(displayPath(file), readUserFile(file, 'rule file'), runtime);
const tmp = `${BUILTIN_RULES_CACHE}.tmp`;
writeFileSync(tmp, JSON.stringify({ rules }));
renameSync(tmp, BUILTIN_RULES_CACHE);
