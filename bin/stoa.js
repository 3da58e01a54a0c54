#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation (4 MB instead of V8's default of up to 32 MB per semi-space): the server
// allocates briefly and much per request, and a large one keeps ~100 MB of resident memory for little
// speed. `npm start` and the benchmark pass the same flag.
// The `stoa` command. Stoa runs its TypeScript sources directly, which needs Node.js 24 or newer:
// `npm start` and `npx stoa` use the Node 24 that `npm install` brings into node_modules.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `Stoa needs Node.js 24 or newer, and this is Node.js ${process.versions.node}.\n` +
      `Run it through npm (npm start, npx stoa ...), which uses the Node.js 24 installed by npm install,\n` +
      `or run node_modules/.bin/node bin/stoa.js ...\n`,
  );
  process.exit(1);
}
const { runCli, processIo } = await import('../src/main.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());
