#!/usr/bin/env node
// A solc-compatible command line over the official solc-js (npm `solc`), for machines
// where py-solc-x cannot download a native compiler. It answers the two things
// py-solc-x and crytic-compile ask of a solc binary: `--version` and `--standard-json`
// (input on stdin, output on stdout), and resolves imports from the base path and the
// include paths, as native solc does. Other flags are accepted and ignored.
"use strict";
const fs = require("fs");
const path = require("path");

// solc-js is loaded from the first of: $IPLEDGER_NODE_MODULES, the compile's --base-path
// (the project whose sources are compiled pins its own solc), the cwd, this file's folder.
function loadSolc(basePath) {
  const searchFrom = [process.env.IPLEDGER_NODE_MODULES, basePath, process.cwd(), __dirname].filter(Boolean);
  try {
    return require(require.resolve("solc", { paths: searchFrom }));
  } catch (err) {
    process.stderr.write(
      `solc-js is not installed (looked from ${searchFrom.join(", ")}): run \`npm ci\`\n`,
    );
    process.exit(2);
  }
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: process.cwd(), includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      return v === undefined ? "" : v;
    };
    if (arg === "--version") opts.version = true;
    else if (arg === "--standard-json") opts.standardJson = true;
    else if (arg.startsWith("--base-path")) opts.basePath = path.resolve(value());
    else if (arg.startsWith("--include-path")) opts.includePaths.push(path.resolve(value()));
    else if (arg.startsWith("--allow-paths")) opts.allowPaths.push(...value().split(",").filter(Boolean).map((p) => path.resolve(p)));
  }
  return opts;
}

function makeImportCallback(opts) {
  const roots = [opts.basePath, ...opts.includePaths];
  const allowed = [...roots, ...opts.allowPaths];
  const inside = (file, dir) => file === dir || file.startsWith(dir + path.sep);
  return (unitName) => {
    for (const root of roots) {
      const file = path.resolve(root, unitName);
      if (!allowed.some((dir) => inside(file, dir))) continue;
      if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
    }
    return { error: `File not found: ${unitName} (looked in ${roots.join(", ")})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = loadSolc(opts.basePath);
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write("this adapter supports only --version and --standard-json\n");
    process.exit(2);
  }
  const input = fs.readFileSync(0, "utf8");
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  process.stdout.write(output);
}

main();
