import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { UserError } from "../util/errors.ts";
import { scenarioSchema, type ScenarioFile } from "./schema.ts";

/** Folder of built-in scenarios shipped with the package: one YAML file per scenario. */
export const BUILTIN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scenarios");

export interface NamedScenario {
  name: string;
  origin: string;
  scenario: ScenarioFile;
}

export function builtinNames(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => basename(f, ".yaml"))
    .sort();
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") return `unknown key '${issue.keys.join("', '")}'${issue.path.length ? ` under '${key}'` : ""}; allowed keys: ${Object.keys(scenarioSchema.shape).join(", ")}`;
  return `key '${key}': ${issue.message}`;
}

/** Validate a parsed scenario object; errors name the origin and the key. */
export function validateScenario(raw: unknown, origin: string): ScenarioFile {
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) throw new UserError(`${origin}: ${describeIssue(r.error.issues[0])}`);
  return r.data;
}

/** Parse scenario text (YAML or JSON by extension). */
export function parseScenarioText(text: string, origin: string): ScenarioFile {
  let raw: unknown;
  try {
    raw = extname(origin).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new UserError(`${origin}: not valid ${extname(origin).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${msg}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new UserError(`${origin}: expected a mapping of scenario keys at the top level`);
  return validateScenario(raw, origin);
}

/** Resolve a scenario argument: a built-in name, or a path to a .yaml/.yml/.json file. */
export function loadScenario(nameOrPath: string): NamedScenario {
  const builtin = join(BUILTIN_DIR, `${nameOrPath}.yaml`);
  if (/^[a-z0-9-]+$/.test(nameOrPath) && existsSync(builtin)) {
    const sc = parseScenarioText(readFileSync(builtin, "utf8"), builtin);
    return { name: sc.name ?? nameOrPath, origin: `builtin:${nameOrPath}`, scenario: sc };
  }
  if (!existsSync(nameOrPath)) {
    throw new UserError(`scenario '${nameOrPath}': not a built-in scenario (${builtinNames().join(", ")}) and no such file`);
  }
  const ext = extname(nameOrPath).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) throw new UserError(`${nameOrPath}: scenario files must end in .yaml, .yml or .json`);
  let text: string;
  try {
    text = readFileSync(nameOrPath, "utf8");
  } catch (e) {
    throw new UserError(`${nameOrPath}: cannot read file (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const sc = parseScenarioText(text, nameOrPath);
  return { name: sc.name ?? basename(nameOrPath, ext), origin: nameOrPath, scenario: sc };
}
