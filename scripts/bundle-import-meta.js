// Injected by scripts/bundle.ts into the CommonJS bundle: `import.meta.url` of the sources is
// the URL of the bundle file (dist/main.cjs), so paths next to it (the worker, the package root)
// resolve as they do from the sources.
export const importMetaUrl = require("node:url").pathToFileURL(__filename).href;
