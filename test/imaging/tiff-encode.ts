/**
 * Test helper: a small general TIFF encoder for the variants microscopes and Fiji write —
 * little/big-endian, classic or BigTIFF, 8/16/32-bit integer or 32-bit float, grey or RGB
 * (chunky), strips (any rows per strip) or tiles, none/LZW/deflate/PackBits, several pages,
 * an ImageDescription and resolution tags. Only for generating test files.
 */
import { deflateSync } from "node:zlib";

export interface EncodeOptions {
  bits?: 8 | 16 | 32;
  float?: boolean;
  samplesPerPixel?: number;
  bigEndian?: boolean;
  bigTiff?: boolean;
  compression?: "none" | "lzw" | "deflate" | "packbits";
  /** rows per strip (default: the whole image in one strip) */
  rowsPerStrip?: number;
  /** square tile size (multiple of 16); strips when absent */
  tile?: number;
  description?: string;
  /** pixels per resolution unit */
  xResolution?: number;
  /** pixels per resolution unit along y (default: xResolution) */
  yResolution?: number;
  /** 1 none, 2 inch, 3 cm */
  resolutionUnit?: number;
}

const COMPRESSION = { none: 1, lzw: 5, deflate: 8, packbits: 32773 } as const;

function lzw(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let nacc = 0;
  let bits = 9;
  const emit = (code: number) => {
    acc = (acc << bits) | code;
    nacc += bits;
    while (nacc >= 8) {
      out.push((acc >>> (nacc - 8)) & 0xff);
      nacc -= 8;
    }
    acc &= (1 << nacc) - 1;
  };
  let table = new Map<string, number>();
  let next = 258;
  emit(256);
  let prefix = -1;
  for (const b of input) {
    if (prefix < 0) {
      prefix = b;
      continue;
    }
    const key = `${prefix},${b}`;
    const hit = table.get(key);
    if (hit !== undefined) {
      prefix = hit;
      continue;
    }
    emit(prefix);
    table.set(key, next++);
    if (next >= 1 << bits && bits < 12) bits++;
    if (next >= 4093) {
      emit(256);
      table = new Map();
      next = 258;
      bits = 9;
    }
    prefix = b;
  }
  if (prefix >= 0) {
    emit(prefix);
    next++;
    if (next >= 1 << bits && bits < 12) bits++;
  }
  emit(257);
  if (nacc > 0) out.push((acc << (8 - nacc)) & 0xff);
  return Uint8Array.from(out);
}

function packbits(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < input.length) {
    let run = 1;
    while (i + run < input.length && run < 128 && input[i + run] === input[i]) run++;
    if (run >= 3) {
      out.push(257 - run, input[i]);
      i += run;
      continue;
    }
    const start = i;
    while (i < input.length && i - start < 128 && !(i + 2 < input.length && input[i] === input[i + 1] && input[i] === input[i + 2])) i++;
    out.push(i - start - 1, ...input.subarray(start, i));
  }
  return Uint8Array.from(out);
}

/** Encode pages (each `width*height*samplesPerPixel` interleaved samples) as one TIFF file. */
export function encodeTiff(pages: ArrayLike<number>[], width: number, height: number, o: EncodeOptions = {}): Uint8Array {
  const bits = o.bits ?? 16;
  const spp = o.samplesPerPixel ?? 1;
  const le = !o.bigEndian;
  const big = !!o.bigTiff;
  const bps = bits / 8;
  const chunks: Uint8Array[] = [];
  let pos = big ? 16 : 8;
  const put = (b: Uint8Array) => {
    if (pos % 2) {
      chunks.push(new Uint8Array(1));
      pos++;
    }
    const at = pos;
    chunks.push(b);
    pos += b.length;
    return at;
  };
  const sampleBytes = (page: ArrayLike<number>, x0: number, y0: number, cw: number, ch: number) => {
    const b = new Uint8Array(cw * ch * spp * bps);
    const dv = new DataView(b.buffer);
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++)
        for (let s = 0; s < spp; s++) {
          const xx = x0 + x;
          const yy = y0 + y;
          const v = xx < width && yy < height ? page[(yy * width + xx) * spp + s] : 0;
          const at = ((y * cw + x) * spp + s) * bps;
          if (bits === 8) dv.setUint8(at, v);
          else if (bits === 16) dv.setUint16(at, v, le);
          else if (o.float) dv.setFloat32(at, v, le);
          else dv.setUint32(at, v, le);
        }
    const c = o.compression ?? "none";
    return c === "lzw" ? lzw(b) : c === "deflate" ? new Uint8Array(deflateSync(b)) : c === "packbits" ? packbits(b) : b;
  };
  const descBytes = o.description !== undefined ? new TextEncoder().encode(`${o.description}\0`) : undefined;
  const descAt = descBytes ? put(descBytes) : 0;
  const nextPtrPositions: number[] = [];
  const ifdPositions: number[] = [];
  for (const page of pages) {
    const offsets: number[] = [];
    const counts: number[] = [];
    const tile = o.tile;
    if (tile) {
      for (let ty = 0; ty < height; ty += tile)
        for (let tx = 0; tx < width; tx += tile) {
          const b = sampleBytes(page, tx, ty, tile, tile);
          offsets.push(put(b));
          counts.push(b.length);
        }
    } else {
      const rps = Math.min(o.rowsPerStrip ?? height, height);
      for (let y = 0; y < height; y += rps) {
        const b = sampleBytes(page, 0, y, width, Math.min(rps, height - y));
        offsets.push(put(b));
        counts.push(b.length);
      }
    }
    // tags: [tag, type, values]; types 2 ASCII (offset given), 3 SHORT, 4 LONG, 5 RATIONAL, 16 LONG8
    type Entry = [number, number, number[]];
    const off = big ? 16 : 4;
    const entries: Entry[] = [
      [256, 4, [width]],
      [257, 4, [height]],
      [258, 3, new Array(spp).fill(bits)],
      [259, 3, [COMPRESSION[o.compression ?? "none"]]],
      [262, 3, [spp >= 3 ? 2 : 1]],
    ];
    if (descBytes && ifdPositions.length === 0) entries.push([270, 2, [descAt, descBytes.length]]);
    if (!tile) entries.push([273, off, offsets]);
    entries.push([277, 3, [spp]]);
    if (!tile) entries.push([278, 4, [Math.min(o.rowsPerStrip ?? height, height)]], [279, off, counts]);
    if (o.xResolution) entries.push([282, 5, [Math.round(o.xResolution * 1e4), 1e4]], [283, 5, [Math.round((o.yResolution ?? o.xResolution) * 1e4), 1e4]]);
    entries.push([284, 3, [1]]);
    if (o.resolutionUnit) entries.push([296, 3, [o.resolutionUnit]]);
    if (tile) entries.push([322, 4, [tile]], [323, 4, [tile]], [324, off, offsets], [325, off, counts]);
    entries.push([339, 3, new Array(spp).fill(o.float ? 3 : 1)]);
    // out-of-line values first, then the IFD
    const size = (t: number) => ({ 2: 1, 3: 2, 4: 4, 5: 8, 16: 8 })[t] as number;
    const inline = big ? 8 : 4;
    const valueAt: number[] = [];
    const encodeValues = (t: number, v: number[]) => {
      const b = new Uint8Array(t === 5 ? 8 * (v.length / 2) : size(t) * v.length);
      const dv = new DataView(b.buffer);
      v.forEach((x, i) => {
        if (t === 3) dv.setUint16(2 * i, x, le);
        else if (t === 4 || t === 5) dv.setUint32(4 * i, x, le);
        else dv.setBigUint64(8 * i, BigInt(x), le);
      });
      return b;
    };
    for (const [, t, v] of entries) {
      if (t === 2) valueAt.push(-1);
      else {
        const b = encodeValues(t, v);
        valueAt.push(b.length > inline ? put(b) : -1);
      }
    }
    const n = entries.length;
    const ifd = new Uint8Array(big ? 8 + n * 20 + 8 : 2 + n * 12 + 4);
    const dv = new DataView(ifd.buffer);
    let p = 0;
    if (big) {
      dv.setBigUint64(0, BigInt(n), le);
      p = 8;
    } else {
      dv.setUint16(0, n, le);
      p = 2;
    }
    entries.forEach(([tag, t, v], i) => {
      const count = t === 2 ? v[1] : t === 5 ? v.length / 2 : v.length;
      dv.setUint16(p, tag, le);
      dv.setUint16(p + 2, t, le);
      if (big) dv.setBigUint64(p + 4, BigInt(count), le);
      else dv.setUint32(p + 4, count, le);
      const vp = p + (big ? 12 : 8);
      if (t === 2 || valueAt[i] >= 0) {
        const at = t === 2 ? v[0] : valueAt[i];
        if (big) dv.setBigUint64(vp, BigInt(at), le);
        else dv.setUint32(vp, at, le);
      } else ifd.set(encodeValues(t, v), vp);
      p += big ? 20 : 12;
    });
    if (pos % 2) put(new Uint8Array(0));
    const at = put(ifd);
    ifdPositions.push(at);
    nextPtrPositions.push(at + p);
  }
  const buf = new Uint8Array(pos);
  const dv = new DataView(buf.buffer);
  let q = big ? 16 : 8;
  for (const c of chunks) {
    buf.set(c, q);
    q += c.length;
  }
  buf[0] = buf[1] = le ? 0x49 : 0x4d;
  if (big) {
    dv.setUint16(2, 43, le);
    dv.setUint16(4, 8, le);
    dv.setBigUint64(8, BigInt(ifdPositions[0]), le);
  } else {
    dv.setUint16(2, 42, le);
    dv.setUint32(4, ifdPositions[0], le);
  }
  ifdPositions.forEach((_, i) => {
    const nxt = ifdPositions[i + 1] ?? 0;
    if (big) dv.setBigUint64(nextPtrPositions[i], BigInt(nxt), le);
    else dv.setUint32(nextPtrPositions[i], nxt, le);
  });
  return buf;
}
