import { UserError } from "../util/errors.ts";

/** One entry of the parameter catalogue. */
export interface ParamSpec {
  /** Dotted path, e.g. `cells.speedUmPerMin`. */
  path: string;
  /** Unit, e.g. `µm/min`, `min`, `1` (dimensionless) or `-` for a choice. */
  unit: string;
  default: number | string | boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  integer?: boolean;
  description: string;
  /** Paper and year, or the words "modelling assumption" (with what fixed it when calibrated). */
  source: string;
}

export type ParamValue = number | string | boolean;
export type ParamValues = Record<string, ParamValue>;

/** The catalogue: all parameter specs by path. Processes contribute their specs. */
export class Catalogue {
  private specs = new Map<string, ParamSpec>();
  constructor(specs: Iterable<ParamSpec> = []) {
    for (const s of specs) this.add(s);
  }
  add(s: ParamSpec): void {
    if (this.specs.has(s.path)) throw new Error(`duplicate parameter ${s.path}`);
    if (!s.source) throw new Error(`parameter ${s.path} has no source`);
    this.specs.set(s.path, s);
  }
  get(path: string): ParamSpec | undefined {
    return this.specs.get(path);
  }
  all(): ParamSpec[] {
    return [...this.specs.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
  defaults(): ParamValues {
    const out: ParamValues = {};
    for (const s of this.all()) out[s.path] = s.default;
    return out;
  }

  /** Closest known paths, for "did you mean" hints. */
  suggest(path: string): string[] {
    const last = path.split(".").pop()?.toLowerCase() ?? "";
    return this.all()
      .map((s) => s.path)
      .filter((p) => p.toLowerCase().includes(last) || last.includes(p.split(".").pop()!.toLowerCase()))
      .slice(0, 3);
  }

  /**
   * Check and coerce one value. `where` names the origin (a file or a flag) for the error message.
   */
  check(path: string, raw: unknown, where: string): ParamValue {
    const spec = this.specs.get(path);
    if (!spec) {
      const hint = this.suggest(path);
      throw new UserError(
        `${where}: unknown parameter '${path}'${hint.length ? ` (did you mean ${hint.join(", ")}?)` : ""}; run 'migrasim params' for the list`,
      );
    }
    if (typeof spec.default === "number") {
      const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new UserError(`${where}: parameter '${path}' must be a number (${spec.unit}), got '${String(raw)}'`);
      if (spec.integer && !Number.isInteger(v))
        throw new UserError(`${where}: parameter '${path}' must be an integer, got ${v}`);
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))
        throw new UserError(
          `${where}: parameter '${path}' = ${v} is out of range; expected ${spec.min ?? "-inf"} to ${spec.max ?? "inf"} ${spec.unit}`,
        );
      return v;
    }
    if (typeof spec.default === "boolean") {
      if (raw === true || raw === "true") return true;
      if (raw === false || raw === "false") return false;
      throw new UserError(`${where}: parameter '${path}' must be true or false, got '${String(raw)}'`);
    }
    const s = String(raw);
    if (spec.choices && !spec.choices.includes(s))
      throw new UserError(`${where}: parameter '${path}' must be one of ${spec.choices.join("|")}, got '${s}'`);
    return s;
  }
}

/** Resolved, validated parameters: typed accessors over a flat map. */
export class Params {
  constructor(readonly values: Readonly<ParamValues>) {}
  num(path: string): number {
    const v = this.values[path];
    if (typeof v !== "number") throw new Error(`parameter ${path} is not a number (internal)`);
    return v;
  }
  str(path: string): string {
    const v = this.values[path];
    if (typeof v !== "string") throw new Error(`parameter ${path} is not a string (internal)`);
    return v;
  }
  bool(path: string): boolean {
    const v = this.values[path];
    if (typeof v !== "boolean") throw new Error(`parameter ${path} is not a boolean (internal)`);
    return v;
  }
  with(overrides: ParamValues): Params {
    return new Params({ ...this.values, ...overrides });
  }
}
