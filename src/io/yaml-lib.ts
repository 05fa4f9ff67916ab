import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

/**
 * The yaml package, loaded on first use (its Node entry is CommonJS, so `require` gives the same
 * module an `import` would). A scan of JSON templates or snapshots with the built-in rules (read
 * from their build-time cache) never parses YAML, and loading its ~70 modules was a tenth of the
 * start-up of every scan.
 */
export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}
