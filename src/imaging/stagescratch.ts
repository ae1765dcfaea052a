/**
 * Stage scratch: one block of memory that the pipeline's large transient buffers of different stages borrow in
 * turn. It is the WebAssembly memory of the line filter's passes (fastlines.ts), which the ridge stage grows to
 * about 95 MB at 2048² and 0.16 µm pixels. Borrowers, in pipeline order: the cell exclusion (distance map; its
 * pages are then reused by the line filter), the line filter's centre-line drawing (plot log and sort, after its
 * passes) and the migrasome stage (vote, blob, pyramid and profile-smoothing planes) — instead of ~170 MB of module
 * scratch and per-frame arrays of their own. (The tracer borrowed it for the drawn lines' mask and list-slot rasters
 * until it worked on the pixel list with a neighbour table instead: no raster at all.)
 * A large frame's first call thus touches far fewer fresh pages (each 4 kB page costs a page fault the first time
 * it is written; at 2048² that was a large part of the first frame's extra time).
 *
 * Contents are undefined when borrowed (whatever the last user left): a borrower writes everything it reads.
 * While it is borrowed the line passes are not handed out (`linePasses` returns null: the JavaScript loops, which
 * give the same results), and a nested borrow (e.g. from a callback) gets fresh memory, so a borrower's views are
 * never overwritten or detached by a growth during its call.
 */

let memory: WebAssembly.Memory | null = null;
let borrowed = false;

/** The shared memory (made on first use, one 64 kB page), or null without WebAssembly. */
export function stageMemory(): WebAssembly.Memory | null {
  if (!memory && typeof WebAssembly === "object") memory = new WebAssembly.Memory({ initial: 1 });
  return memory;
}

/** True while a stage has borrowed the shared memory (`withStageScratch`). */
export function stageScratchBorrowed(): boolean {
  return borrowed;
}

/**
 * Runs `fn` with at least `bytes` bytes of scratch of undefined contents: the shared memory, grown if needed, when
 * it is free, else a new zeroed buffer. `fn` must not keep views of it after it returns.
 */
export function withStageScratch<T>(bytes: number, fn: (buf: ArrayBuffer) => T): T {
  const mem = borrowed ? null : stageMemory();
  if (!mem) return fn(new ArrayBuffer(bytes));
  const have = mem.buffer.byteLength;
  if (have < bytes) mem.grow(Math.ceil((bytes - have) / 65536));
  borrowed = true;
  try {
    return fn(mem.buffer);
  } finally {
    borrowed = false;
  }
}
