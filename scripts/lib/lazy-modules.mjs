// Modules client-node imports at load but that a run needs only in rare set-ups, loaded on first use
// instead (esbuild plugin). No command loads undici (every request, watch streams included, goes
// through node:https: src/kube/request-http.ts; config.js wants undici only for the dispatcher we
// never ask it for, gen/http/isomorphic-fetch.js for a fetch we never call), the proxy agents (a kubeconfig with proxy-url), the azure, gcp and oidc auth providers (with openid-client
// and jsonpath-plus), or node:child_process (exec credential plugins). Each was initialised with
// config.js on every command that connects. One module, yargs' package.json finder, is replaced;
// string-width (yargs' help layout) answers ASCII itself and loads on the first other text.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Packages whose named exports become stand-ins that load the package on first use: construct,
 * call or read a property of one and the real export answers. Only the names listed are exported,
 * so an import of another name fails the build ("No matching export"), never the run.
 */
const LAZY_PACKAGES = {
  undici: ['Agent', 'ProxyAgent', 'fetch'],
  'socks-proxy-agent': ['SocksProxyAgent'],
  socks: ['SocksClient'],
  hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'],
};

/**
 * client-node's auth providers that config.js constructs with every KubeConfig and asks, on every
 * request, isAuthProvider(user): a stand-in answers that from the provider name (checked against the
 * real module's source at build time) and loads the real provider for applyAuthentication only.
 */
const LAZY_AUTH = {
  './azure_auth.js': { cls: 'AzureAuth', provider: 'azure' },
  './gcp_auth.js': { cls: 'GoogleCloudPlatformAuth', provider: 'gcp' },
  './oidc_auth.js': { cls: 'OpenIDConnectAuth', provider: 'oidc' },
};

/**
 * Modules replaced outright. yargs looks for a package.json above its own file at start-up (for
 * a version we always give it, and for `pkgConf`, which we never call): inside the executable that
 * walk finds nothing or, worse, someone else's package.json above the install directory, and it
 * cost ~8 ms of file-system calls on every command.
 */
const REPLACED = {
  'escalade/sync': 'export default function findUp() { return undefined; }\n',
};

/**
 * A built-in module imported whole (`import child_process from 'node:child_process'`) by config.js
 * (for WSL only) and exec_auth.js (for exec credential plugins): every property read answers a
 * function that loads the module on its first call. child_process brings dgram and the socket list.
 */
const LAZY_BUILTINS = { 'node:child_process': /[\\/]client-node[\\/]dist[\\/](config|exec_auth)\.js$/ };

function builtinStandIn(name) {
  return [
    'let real;',
    `const load = () => (real ??= require(${JSON.stringify(name)}));`,
    'export default new Proxy({}, { get: (_, key) => (...args) => load()[key](...args) });',
    '',
  ].join('\n');
}

const CONFIG_JS = /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/;
// Every importer of a LAZY_PACKAGES package: config.js, and gen/http/isomorphic-fetch.js, which
// gen/http/http.js (RequestContext, ResponseContext) re-exports whole.
const LAZY_IMPORTERS = /@kubernetes[\\/]client-node[\\/]dist[\\/](config\.js|gen[\\/]http[\\/]isomorphic-fetch\.js)$/;

function packageStandIn(real, names) {
  return [
    'let real;',
    `const load = () => (real ??= require(${JSON.stringify(real)}));`,
    // A function target, so that the stand-in can be constructed and called as well as read.
    'const lazy = (name) => new Proxy(function () {}, {',
    '  get: (_, key) => Reflect.get(load()[name], key),',
    '  construct: (_, args) => Reflect.construct(load()[name], args),',
    '  apply: (_, self, args) => Reflect.apply(load()[name], self, args),',
    '});',
    ...names.map((n) => `export const ${n} = lazy(${JSON.stringify(n)});`),
    '',
  ].join('\n');
}

function authStandIn(real, { cls, provider }) {
  return [
    `export class ${cls} {`,
    `  isAuthProvider(user) { return user?.authProvider?.name === ${JSON.stringify(provider)}; }`,
    `  applyAuthentication(user, opts) { return (this.real ??= new (require(${JSON.stringify(real)}).${cls})()).applyAuthentication(user, opts); }`,
    '}',
    '',
  ].join('\n');
}

/** The stand-in is only right while the real provider decides by exactly this name: fail the build otherwise. */
async function checkProvider(file, { cls, provider }) {
  const src = await readFile(file, 'utf8');
  const decides = new RegExp(`return user\\.authProvider\\.name === '${provider}';`);
  if (!src.includes(`export class ${cls}`) || !decides.test(src)) {
    throw new Error(`lazy-modules: ${file} no longer decides isAuthProvider by authProvider.name === '${provider}'; update scripts/lib/lazy-modules.mjs`);
  }
}

export const lazyModules = {
  name: 'lazy-modules',
  setup(build) {
    const names = Object.keys(LAZY_PACKAGES).map((n) => n.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, async (args) => {
      // Our own build.resolve below comes back through here, without an importer.
      if (args.pluginData?.real) return undefined;
      if (!LAZY_IMPORTERS.test(args.importer)) {
        // One deferred package importing another (socks-proxy-agent → socks) loads with it, late.
        if (Object.keys(LAZY_PACKAGES).some((n) => args.importer.includes(`${path.sep}node_modules${path.sep}${n}${path.sep}`))) return undefined;
        // Anyone else would load it at start-up again, silently (undici alone is ~45 ms of every
        // command): fail the build instead.
        return { errors: [{ text: `lazy-modules: ${path.relative(REPO_ROOT, args.importer)} imports ${args.path} at load; defer it in scripts/lib/lazy-modules.mjs` }] };
      }
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (r.errors.length) return { errors: r.errors };
      return { path: `lazy:${args.path}`, namespace: 'lazy-modules', pluginData: { real: r.path, names: LAZY_PACKAGES[args.path] } };
    });
    build.onResolve({ filter: /^node:child_process$/ }, (args) => {
      // The stand-in's own require of the built-in has the stand-in as importer: left to esbuild.
      if (!LAZY_BUILTINS[args.path].test(args.importer)) return undefined;
      return { path: `lazy:${args.path}`, namespace: 'lazy-modules', pluginData: { contents: builtinStandIn(args.path) } };
    });
    build.onResolve({ filter: /^escalade\/sync$/ }, (args) => ({ path: `replaced:${args.path}`, namespace: 'lazy-modules', pluginData: { contents: REPLACED[args.path] } }));
    build.onResolve({ filter: /^\.\/(azure|gcp|oidc)_auth\.js$/ }, (args) => {
      if (!CONFIG_JS.test(args.importer)) return undefined;
      const real = path.join(path.dirname(args.importer), args.path);
      return { path: `lazy:${args.path}`, namespace: 'lazy-modules', pluginData: { real, auth: LAZY_AUTH[args.path] } };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-modules' }, async ({ pluginData: d }) => {
      if (d.contents) return { contents: d.contents, loader: 'js' };
      if (d.auth) await checkProvider(d.real, d.auth);
      return { contents: d.auth ? authStandIn(d.real, d.auth) : packageStandIn(d.real, d.names), resolveDir: path.dirname(d.real), loader: 'js' };
    });
  },
};

/**
 * yargs, cliui and wrap-ansi measure every help column with string-width 7/8, whose module body
 * compiles Unicode-property regexes (/\p{RGI_Emoji}/v …) and an Intl.Segmenter: ~40 ms of CPU per
 * copy at start-up, on every run that loads yargs (--version and --help included). This wraps each
 * copy: printable ASCII (all of this CLI's own text) is measured as its length, anything else loads
 * the real module on first use. Paths stay relative to the repository (reproducible bundles).
 */
export const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (r.errors.length) return { errors: r.errors };
      const pkg = JSON.parse(await readFile(path.join(path.dirname(r.path), 'package.json'), 'utf8'));
      // string-width 4 (cli-table3) is plain code: nothing to defer.
      if (Number(pkg.version.split('.')[0]) < 7) return { path: r.path };
      return { path: path.relative(REPO_ROOT, r.path), namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: [
        'let real;',
        'export default function stringWidth(text, options) {',
        "  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;",
        `  real ??= require(${JSON.stringify(`./${path.basename(args.path)}`)}).default;`,
        '  return real(text, options);',
        '}',
        '',
      ].join('\n'),
      resolveDir: path.join(REPO_ROOT, path.dirname(args.path)),
      loader: 'js',
    }));
  },
};
