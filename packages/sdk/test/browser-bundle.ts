// Bundles SDK code for a browser page, as the browser tests load it: every node:* builtin becomes a stub that throws
// when used, so a passing page proves the code path ran on WebCrypto alone.
import type * as Esbuild from 'esbuild';

/** The IIFE bundle of `entry` exposing its exports as `globalName`, with its metafile (to inspect imports). */
export async function bundleForBrowser(
  esbuild: typeof Esbuild,
  entry: string,
  globalName: string,
): Promise<{ text: string; metafile: Esbuild.Metafile }> {
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-builtins-unavailable',
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
          b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
            contents: `module.exports = new Proxy({}, { get: (_, name) => () => {
              throw new Error('${args.path}.' + String(name) + ' is not available in the browser');
            } });`,
            loader: 'js',
          }));
        },
      },
    ],
  });
  return { text: built.outputFiles[0]!.text, metafile: built.metafile };
}
