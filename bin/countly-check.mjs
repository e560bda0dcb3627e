#!/usr/bin/env node
// Node entry: registers tsx so the TypeScript sources run as they are (Deno runs them natively).
import { register } from "tsx/esm/api";

register();
await import("../runner/main.ts");
