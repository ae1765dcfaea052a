/**
 * Pixel size (µm) and stack layout from file metadata: OME-XML (PhysicalSizeX and its unit,
 * SizeC/SizeZ/SizeT, DimensionOrder, TimeIncrement), the ImageJ description (unit, spacing,
 * channels/slices/frames, finterval) and TIFF resolution tags.
 */
const UNIT_UM: Record<string, number> = {
  µm: 1, μm: 1, um: 1, micron: 1, microns: 1, micrometer: 1, micrometre: 1, "\\u00b5m": 1, å: 1e-4, "Å": 1e-4, angstrom: 1e-4,
  nm: 1e-3, nanometer: 1e-3, mm: 1e3, millimeter: 1e3, cm: 1e4, m: 1e6, meter: 1e6, inch: 25400, in: 25400,
};

export function unitToUm(unit: string | undefined): number | undefined {
  if (!unit) return undefined;
  return UNIT_UM[unit.trim().toLowerCase()] ?? UNIT_UM[unit.trim()];
}

export interface OmeInfo {
  pixelSizeUm?: number;
  pixelSizeYUm?: number;
  sizeC: number;
  sizeZ: number;
  sizeT: number;
  dimensionOrder: string;
  frameIntervalMin?: number;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** An attribute value with XML character references decoded (`&#181;m` → `µm`); single or double quotes. */
function attr(xml: string, tag: string, name: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${tag}\\b[^>]*\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xml);
  if (!m) return undefined;
  return (m[1] ?? m[2]).replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1].toLowerCase() === "x" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? all),
  );
}

export function parseOme(xml: string): OmeInfo | null {
  if (!/<(\w+:)?OME\b/.test(xml)) return null;
  const px = attr(xml, "Pixels", "PhysicalSizeX");
  const unit = attr(xml, "Pixels", "PhysicalSizeXUnit") ?? "µm";
  const f = unitToUm(unit);
  const py = attr(xml, "Pixels", "PhysicalSizeY");
  const fy = unitToUm(attr(xml, "Pixels", "PhysicalSizeYUnit") ?? "µm");
  const ti = attr(xml, "Pixels", "TimeIncrement");
  const tiUnit = attr(xml, "Pixels", "TimeIncrementUnit") ?? "s";
  const tScale: Record<string, number> = { s: 1 / 60, ms: 1 / 60000, min: 1, h: 60 };
  return {
    pixelSizeUm: px !== undefined && f !== undefined && Number(px) > 0 ? Number(px) * f : undefined,
    pixelSizeYUm: py !== undefined && fy !== undefined && Number(py) > 0 ? Number(py) * fy : undefined,
    sizeC: Number(attr(xml, "Pixels", "SizeC") ?? 1) || 1,
    sizeZ: Number(attr(xml, "Pixels", "SizeZ") ?? 1) || 1,
    sizeT: Number(attr(xml, "Pixels", "SizeT") ?? 1) || 1,
    dimensionOrder: attr(xml, "Pixels", "DimensionOrder") ?? "XYCZT",
    frameIntervalMin: ti !== undefined && Number(ti) > 0 ? Number(ti) * (tScale[tiUnit] ?? 1 / 60) : undefined,
  };
}

export interface ImageJInfo {
  unit?: string;
  /** planes in the file (channels × slices × frames) */
  images?: number;
  channels: number;
  slices: number;
  frames: number;
  frameIntervalMin?: number;
}

export function parseImageJ(desc: string): ImageJInfo | null {
  if (!/^ImageJ=/m.test(desc)) return null;
  const kv = new Map<string, string>();
  for (const line of desc.split(/\r?\n/)) {
    const i = line.indexOf("=");
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const finterval = Number(kv.get("finterval"));
  const tunit = kv.get("tunit") ?? "sec";
  const tf = /min/.test(tunit) ? 1 : /h/.test(tunit) ? 60 : 1 / 60;
  return {
    unit: kv.get("unit"),
    images: Number(kv.get("images")) > 0 ? Number(kv.get("images")) : undefined,
    channels: Number(kv.get("channels") ?? 1) || 1,
    slices: Number(kv.get("slices") ?? 1) || 1,
    frames: Number(kv.get("frames") ?? 1) || 1,
    frameIntervalMin: finterval > 0 ? finterval * tf : undefined,
  };
}

/** Pixel size from TIFF XResolution (pixels per unit) and ResolutionUnit (2 = inch, 3 = cm) or an ImageJ unit. */
export function pixelSizeFromResolution(xRes: number | undefined, resUnit: number | undefined, ijUnit?: string): number | undefined {
  if (!(xRes && xRes > 0)) return undefined;
  if (ijUnit) {
    const f = unitToUm(ijUnit.replace(/\\u00B5/g, "µ"));
    if (f !== undefined) return f / xRes;
    return undefined;
  }
  if (resUnit === 3) return 1e4 / xRes;
  // inch resolution of 72/96/300 dpi is a screen default, not a calibration
  if (resUnit === 2 && ![72, 96, 150, 300, 600].includes(Math.round(xRes))) return 25400 / xRes;
  return undefined;
}
