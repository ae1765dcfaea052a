#!/usr/bin/env node
// Entry point of the `migrasim` command. The sources are TypeScript; tsx loads them directly.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv);
