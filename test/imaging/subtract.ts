/** Test helper: a rendered image minus its estimated background (4 µm blocks), with the noise map, as the pipeline does. */
import { estimateBackground } from "../../src/imaging/filters.ts";

export function subtractBackground(img: { width: number; height: number; data: Float32Array }, px: number): { s: Float32Array; noise: Float32Array } {
  const bg = estimateBackground(img.data, img.width, img.height, 4 / px);
  const s = new Float32Array(img.data.length);
  for (let i = 0; i < s.length; i++) s[i] = img.data[i] - bg.background[i];
  return { s, noise: bg.noise };
}
