// The version comes from package.json (bundled by esbuild; yargs cannot find package.json in a SEA).
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
